from django.core.management.base import BaseCommand

from liaison.core.worker import Loop


class Command(BaseCommand):
    help = "Background work: escalation sweeps and jobs, stale-job reaper, signed audit checkpoints."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do one round and exit")

    def handle(self, *args, once=False, **opts):
        Loop(once=once, out=self.stdout).run()
