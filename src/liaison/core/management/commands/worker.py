import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from liaison.audit.checkpoints import write_checkpoint


class Command(BaseCommand):
    help = (
        "Background work: sign an audit checkpoint every LIAISON_CHECKPOINT_INTERVAL seconds and at shutdown."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do one round and exit")

    def handle(self, *args, once=False, **opts):
        stopping = {"now": False}

        def stop(signum, frame):
            stopping["now"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        interval = settings.AUDIT_CHECKPOINT_INTERVAL
        self.stdout.write(
            f"liaison worker: checkpoints every {interval}s into {settings.AUDIT_CHECKPOINT_DIR}"
        )
        next_at = 0.0
        while True:
            if time.monotonic() >= next_at:
                close_old_connections()
                cp = write_checkpoint()
                if cp:
                    self.stdout.write(f"checkpoint at event #{cp.seq}")
                next_at = time.monotonic() + interval
            if once or stopping["now"]:
                break
            time.sleep(0.5)
        cp = write_checkpoint()
        if cp:
            self.stdout.write(f"final checkpoint at event #{cp.seq}")
