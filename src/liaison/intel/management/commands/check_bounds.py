"""`liaison check-bounds`: rows stored before the input layer's bounds that lie outside them.

Each context lists its bounded columns in a `bounds` module (`BOUNDS = [(Model, field, bounds)]`,
e.g. `intel/bounds.py`); the command reads every installed app's. It reads only ids and references,
never the datetimes themselves: PostgreSQL holds a year-1 time at +07:00 as a BC timestamp that
Python cannot read back. Exit status 1 when a row is found (each named), 0 otherwise; nothing is
changed (a row is corrected through its service, e.g. an amendment with a reason)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q


def declared_bounds():
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.bounds")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.bounds":
                raise
            continue
        yield from module.BOUNDS


def outside(model, field: str, bounds):
    """(id, reference) of the rows whose `field` lies outside `bounds`."""
    q = Q(**{f"{field}__lt": bounds.earliest()}) | Q(**{f"{field}__gt": bounds.latest()})
    columns = ["pk", "ref"] if any(f.name == "ref" for f in model._meta.fields) else ["pk"]
    return list(model._default_manager.filter(q).order_by("pk").values_list(*columns))


class Command(BaseCommand):
    help = "List rows whose dates lie outside the input rules' plausible bounds (exit 1 if any)."

    def handle(self, *args, **opts):
        found = 0
        for model, field, bounds in declared_bounds():
            for row in outside(model, field, bounds):
                found += 1
                name = " ".join(str(x) for x in reversed(row))
                self.stdout.write(f"{model._meta.label} {field} outside {bounds.describe()}: {name}")
        if found:
            raise CommandError(f"{found} row(s) outside the bounds")
        self.stdout.write("check-bounds: every bounded date is within its bounds")
