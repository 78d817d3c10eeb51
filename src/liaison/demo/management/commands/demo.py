from django.conf import settings
from django.core.management.base import BaseCommand

from liaison.demo import load


class Command(BaseCommand):
    help = "Load the Thanh Hoa – Hua Phan demo data (re-runnable: nothing is duplicated) and print logins."

    def handle(self, *args, **opts):
        # A partner node (make demo-partner: LIAISON_NODE_COUNTRY=LA) holds the organisation only:
        # its records are its own, and what Thanh Hoa releases arrives as envelopes.
        logins = load.run(stdout=self.stdout, with_items=settings.NODE_COUNTRY == "VN")
        # Sign what was just written and linked (`load.run` links it at its end; the demo backdates
        # its events): `make verify` holds at once, without waiting for the worker's chainer.
        from liaison.audit.checkpoints import write_checkpoint

        write_checkpoint(force=True)
        load.print_logins(logins, self.stdout)
