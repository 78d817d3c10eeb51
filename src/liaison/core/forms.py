"""Small helpers shared by pages and services: domain errors shown on a form's fields, id parsing,
a query string parsed through an API schema."""

from __future__ import annotations

import uuid

import pydantic
from django.utils.translation import gettext_lazy

from liaison.core.errors import DomainError, FieldError, Invalid


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


# Pages speak the reader's language: pydantic's English messages replaced, by kind, with the words
# of Django's own form fields (already in its catalogues).
_MESSAGES = {
    "int_parsing": gettext_lazy("Enter a whole number."),
    "float_parsing": gettext_lazy("Enter a number."),
    "datetime_parsing": gettext_lazy("Enter a valid date/time."),
    "datetime_from_date_parsing": gettext_lazy("Enter a valid date/time."),
    "date_parsing": gettext_lazy("Enter a valid date."),
    "uuid_parsing": gettext_lazy("Enter a valid UUID."),
}


# The input layer's own errors (`core.inputs`) already speak the reader's language.
_OWN = {"control_character", "datetime_out_of_range", "date_out_of_range"}


def parse_query(schema, data):
    """A page's query string through the API's own schema (its filters defined once). A blank field
    is an absent one (an HTML form sends every field); errors are an `Invalid` naming each field."""
    raw = {name: data.get(name) for name in schema.model_fields if data.get(name, "") != ""}
    try:
        return schema.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise Invalid(
            [
                FieldError(
                    ".".join(str(p) for p in e["loc"]) or "query",
                    e["type"],
                    str(e["msg"])
                    if e["type"] in _OWN
                    else str(_MESSAGES.get(e["type"], gettext_lazy("Enter a valid value."))),
                )
                for e in exc.errors()
            ]
        ) from None


# Django's own words in our forms that Django has no Vietnamese or Lao for (it has no Lao catalogue
# at all): named here so that our catalogues, read first, translate them.
DJANGO_WORDS = (
    gettext_lazy("- Select an option -"),
    gettext_lazy("This field is required."),
    gettext_lazy("Select a valid choice. That choice is not one of the available choices."),
    gettext_lazy("Enter a list of values."),
    gettext_lazy("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_lazy("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_lazy("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."),
)
