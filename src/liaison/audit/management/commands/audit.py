from django.core.management.base import BaseCommand, CommandError

from liaison.audit.checkpoints import write_checkpoint
from liaison.audit.verify import verify


class Command(BaseCommand):
    help = (
        "Verify the audit log and its checkpoints (exits non-zero naming every fault found), or sign a "
        "checkpoint of its head now."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, *args, action, **opts):
        if action == "checkpoint":
            cp = write_checkpoint(force=True)
            self.stdout.write(f"checkpoint #{cp.n} signed at event #{cp.seq} ({cp.hash[:16]}…)")
            return
        result = verify()
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
