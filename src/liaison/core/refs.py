"""Human references that officers can read over the phone: PREFIX-YEAR-NNNNNN."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from liaison.core import clock
from liaison.core.models import RefCounter


def next_ref(prefix: str) -> str:
    """The next reference for `prefix` this year (Asia/Ho_Chi_Minh), inside the caller's transaction.

    The counter row is locked until the caller commits, so references never repeat; a rolled-back
    create gives its number back."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_ref must run inside the creating transaction")
    from django.utils import timezone

    year = timezone.localtime(clock.now()).year
    counter = RefCounter.objects.select_for_update().filter(prefix=prefix, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                RefCounter.objects.create(prefix=prefix, year=year, last=0)
        except IntegrityError:
            pass
        counter = RefCounter.objects.select_for_update().get(prefix=prefix, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"
