import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve pages, the API and the live feed with uvicorn (ASGI; SSE streams need it)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("LIAISON_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("LIAISON_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("LIAISON_WORKERS", "1")))

    def handle(self, *args, host, port, workers, **opts):
        uvicorn = os.path.join(os.path.dirname(sys.executable), "uvicorn")
        argv = [
            uvicorn,
            "liaison.asgi:application",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-server-header",
            "--timeout-graceful-shutdown",
            "5",
            # Longer than a client's pause between requests (uvicorn's default is 5 s): a client
            # that reuses a connection the server has just closed loses a POST it cannot safely
            # resend (seen in the load test as connection errors on creates).
            "--timeout-keep-alive",
            os.environ.get("LIAISON_KEEPALIVE_SECONDS", "75"),
            "--log-level",
            "warning",
        ]
        os.execv(uvicorn, argv)  # noqa: S606
