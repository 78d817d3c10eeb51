from django.core.management.base import BaseCommand

from liaison.demo import load


class Command(BaseCommand):
    help = "Load the Thanh Hoa – Hua Phan demo data (re-runnable: nothing is duplicated) and print logins."

    def handle(self, *args, **opts):
        logins = load.run(stdout=self.stdout)
        # Sign what was just written (the demo backdates its events): `make verify` holds at once.
        from liaison.audit.checkpoints import write_checkpoint

        write_checkpoint(force=True)
        load.print_logins(logins, self.stdout)
