import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve pages and the API with gunicorn (WSGI, persistent database connections)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("LIAISON_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("LIAISON_WORKERS", "2")))

    def handle(self, *args, bind, workers, **opts):
        import sys

        from django.conf import settings

        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        argv = [
            gunicorn,
            "liaison.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and workers > 1:
            argv += ["--preload"]
        os.execv(gunicorn, argv)  # noqa: S606
