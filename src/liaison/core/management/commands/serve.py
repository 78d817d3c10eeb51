import os
import subprocess
import sys
import tempfile
import time

from django.core.management.base import BaseCommand

from liaison.core.serving import SOCKET_ENV


class Command(BaseCommand):
    help = (
        "Serve pages and the API with gunicorn (WSGI) and the live feed's streams with one ASGI "
        "process behind it, on one port (decision 0019)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("LIAISON_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("LIAISON_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("LIAISON_WORKERS", "1")))
        parser.add_argument(
            "--worker-class",
            choices=["sync", "gthread"],
            default=os.environ.get("LIAISON_WORKER_CLASS", "gthread"),
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("LIAISON_THREADS", "4")))

    def handle(self, *args, host, port, workers, worker_class, threads, **opts):
        from gunicorn.app.base import BaseApplication

        rundir = tempfile.mkdtemp(prefix="liaison-serve-")
        sock = os.path.join(rundir, "streams.sock")
        os.environ[SOCKET_ENV] = sock
        streams: list[subprocess.Popen] = []

        def start_streams(arbiter):
            p = subprocess.Popen([sys.executable, "-m", "liaison.core.serving", sock])  # noqa: S603
            streams.append(p)
            # The port opens once the stream process listens: a live feed opened at once must not
            # meet a 503 (EventSource does not retry one).
            deadline = time.monotonic() + 120
            while not os.path.exists(sock) and p.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)

        def stop_streams(arbiter):
            for p in streams:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
            for name in (sock, rundir):
                try:
                    (os.rmdir if name == rundir else os.unlink)(name)
                except OSError:
                    pass

        options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": worker_class,
            "threads": threads if worker_class == "gthread" else 1,
            # Longer than a client's pause between requests: a client that reuses a connection the
            # server has just closed loses a POST it cannot safely resend (seen in the load test).
            "keepalive": int(os.environ.get("LIAISON_KEEPALIVE_SECONDS", "75")),
            "graceful_timeout": 5,
            "loglevel": "warning",
            "on_starting": start_streams,
            "on_exit": stop_streams,
        }

        class Liaison(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self):
                from django.conf import settings
                from django.utils.module_loading import import_string

                return import_string(settings.WSGI_APPLICATION)

        sys.argv = ["liaison serve"]  # gunicorn's own parser must not see Django's arguments
        Liaison().run()
