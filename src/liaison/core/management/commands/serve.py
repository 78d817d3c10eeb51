import contextlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time

from django.core.management.base import BaseCommand

from liaison.core.serving import SOCKET_ENV

log = logging.getLogger("liaison.serve")


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
        stopping = threading.Event()

        def launch() -> subprocess.Popen:
            p = subprocess.Popen([sys.executable, "-m", "liaison.core.serving", sock])  # noqa: S603
            streams.append(p)
            deadline = time.monotonic() + 120
            while not os.path.exists(sock) and p.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            return p

        def supervise(p: subprocess.Popen) -> None:
            """The stream process started again whenever it ends while the server runs (a crash, an
            out-of-memory kill): until then the feed answers 503 with Retry-After and the pages
            poll. A process that keeps dying at once is restarted after a growing pause (1–30 s)."""
            pause = 1.0
            while True:
                started = time.monotonic()
                code = p.wait()  # also returns if gunicorn's arbiter reaped it first
                if stopping.is_set():
                    return
                log.error("the stream process ended (code %s); starting it again", code)
                pause = 1.0 if time.monotonic() - started > 60 else min(pause * 2, 30.0)
                if stopping.wait(pause):
                    return
                with contextlib.suppress(ValueError):
                    streams.remove(p)
                with contextlib.suppress(OSError):
                    os.unlink(sock)  # a killed process leaves its socket: wait for the new one's
                p = launch()

        def start_streams(arbiter):
            # The port opens once the stream process listens: a live feed opened at once must not
            # meet a 503 (EventSource does not retry one).
            p = launch()
            threading.Thread(target=supervise, args=(p,), name="liaison-streams", daemon=True).start()

        def stop_streams(arbiter):
            stopping.set()
            for p in list(streams):
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
