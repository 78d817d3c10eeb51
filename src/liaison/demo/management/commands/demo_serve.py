import os
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "For `make demo`: start the background worker, then serve on http://127.0.0.1:8000."

    def handle(self, *args, **opts):
        exe = os.path.join(os.path.dirname(sys.executable), "liaison")
        worker = subprocess.Popen([exe, "worker"])  # noqa: S603
        try:
            subprocess.call([exe, "serve"])  # noqa: S603
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            worker.wait(timeout=15)
