"""Small helpers shared by pages and services: domain errors shown on a form's fields, id parsing."""

from __future__ import annotations

import uuid

from liaison.core.errors import DomainError


def show_errors(form, exc: DomainError) -> None:
    """Put a service's field errors on the form (the same messages as the API's problem details)."""
    for e in exc.errors or []:
        form.add_error(e.field if e.field in form.fields else None, e.message)
    if not exc.errors:
        form.add_error(None, exc.message)


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
