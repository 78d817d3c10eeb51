"""Domain errors with codes. Interfaces map them to problem details (API) or form errors (pages).

Tests assert codes, not wording. A record the actor may not see raises `NotFound`, exactly as a
record that does not exist: the two must be indistinguishable.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    code: str
    message: str


@dataclass
class DomainError(Exception):
    code: str
    message: str
    status: int = 400
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    def __init__(self, what: str = "record") -> None:
        super().__init__("not_found", f"No such {what}.", 404)


class NotPermitted(DomainError):
    """The actor may see the record but not do this to it (never used to hide a record)."""

    def __init__(self, message: str = "", code: str = "not_permitted") -> None:
        from django.utils.translation import gettext

        super().__init__(code, message or gettext("You may not do this."), 403)


class Invalid(DomainError):
    """Bad input: names the field(s); nothing was written."""

    def __init__(
        self,
        errors: list[FieldError] | None = None,
        *,
        field: str = "",
        code: str = "invalid",
        message: str = "",
    ) -> None:
        errs = list(errors or [])
        if field:
            errs.append(FieldError(field, code, message))
        super().__init__("validation_error", "The request has invalid fields.", 422, errs)


class Conflict(DomainError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, 409)
