from django.core.management.base import BaseCommand

from liaison.demo import load


class Command(BaseCommand):
    help = "Load the Thanh Hoa – Hua Phan demo data (re-runnable: nothing is duplicated) and print logins."

    def handle(self, *args, **opts):
        logins = load.run(stdout=self.stdout)
        load.print_logins(logins, self.stdout)
