"""The input layer: what a date, a text or a number sent to Liaison may be, for the API's schemas
(annotated pydantic types) and the pages' forms (the matching form fields) alike.

- **Datetimes** without an offset are read in the node's time zone (`TIME_ZONE`,
  Asia/Ho_Chi_Minh), as the pages' forms and the list filters always did; the OpenAPI document says
  so. Every datetime lies within plausible bounds: what was observed or received not before 1990
  and not later than now plus a clock-skew allowance; deadlines, filters and periods in the years
  2000–2100 (filters from 1990). Outside them the field is refused (422, `datetime_out_of_range`),
  so no year 1 or 9999 reaches a database (PostgreSQL stores year 1 at +07:00 as a BC timestamp that
  Python cannot read back; SQLite's date arithmetic overflows).
- **Text** holds no control characters: a one-line text (`Line`: titles, codes, names, filters)
  none at all, a free text (`Text`) only tab, line feed and carriage return. NUL is refused by
  PostgreSQL itself (and stored by SQLite): refused here first, naming the field.
- **Numbers** are bounded where they are declared (`Field(ge=…, le=…)`); floats are finite.

`liaison check-bounds` finds rows stored before these rules that lie outside them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

UTC = dt.UTC
# A clock at a border post may run a few minutes ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=10)
FIRST_YEAR = 1990
PERIOD_FIRST_YEAR, PERIOD_LAST_YEAR = 2000, 2100

# C0 controls, DEL and C1 controls. Free text keeps tab, line feed and carriage return (a browser's
# textarea sends CR LF).
_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f]")
_TEXT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
CONTROL_MESSAGE = _("Control characters (such as NUL) are not allowed.")


def control_character(value: str, *, free_text: bool = False) -> bool:
    """Whether a text holds a character it may not: any control for a line, all but tab, LF, CR
    for free text."""
    return bool((_TEXT_BAD if free_text else _LINE_BAD).search(value))


def _line(value: str) -> str:
    if control_character(value):
        raise PydanticCustomError("control_character", str(CONTROL_MESSAGE))
    return value


def _text(value: str) -> str:
    if control_character(value, free_text=True):
        raise PydanticCustomError("control_character", str(CONTROL_MESSAGE))
    return value


Line = Annotated[str, AfterValidator(_line), Field(json_schema_extra={"pattern": LINE_PATTERN})]
Text = Annotated[str, AfterValidator(_text), Field(json_schema_extra={"pattern": TEXT_PATTERN})]


# --- datetimes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bounds:
    """The plausible range of one kind of datetime; `latest` is computed at each check (now + skew)."""

    name: str
    earliest: Callable[[], dt.datetime]
    latest: Callable[[], dt.datetime]

    def contains(self, value: dt.datetime) -> bool:
        try:
            return self.earliest() <= value <= self.latest()
        except OverflowError:  # an offset pushes year 1 or 9999 off the calendar
            return False

    def describe(self) -> str:
        return f"{self.earliest().date().isoformat()} – {self.latest().isoformat(timespec='minutes')}"


def _year_start(year: int) -> Callable[[], dt.datetime]:
    return lambda: dt.datetime(year, 1, 1, tzinfo=UTC)


def _year_end(year: int) -> Callable[[], dt.datetime]:
    return lambda: dt.datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC)


def _now_with_skew() -> dt.datetime:
    from liaison.core import clock

    return clock.now() + CLOCK_SKEW


PAST = Bounds("past", _year_start(FIRST_YEAR), _now_with_skew)
DEADLINE = Bounds("deadline", _year_start(PERIOD_FIRST_YEAR), _year_end(PERIOD_LAST_YEAR))
FILTER = Bounds("filter", _year_start(FIRST_YEAR), _year_end(PERIOD_LAST_YEAR))

LOCAL_NOTE = (
    "An ISO 8601 date and time; without an offset it is read as local time (Asia/Ho_Chi_Minh, +07:00)."
)


def local(value: dt.datetime) -> dt.datetime:
    """A datetime without an offset is local time (the node's time zone)."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=timezone.get_default_timezone())
    return value


def out_of_range_message(bounds: Bounds) -> str:
    return str(_("Outside the plausible dates (%(range)s).") % {"range": bounds.describe()})


# The offsets clocks use (UTC−12:00 to UTC+14:00); Python accepts ±23:59, PostgreSQL only ±15:59.
MAX_OFFSET = dt.timedelta(hours=14)
MIN_OFFSET = -dt.timedelta(hours=12)


def _moment(bounds: Bounds) -> Callable[[dt.datetime], dt.datetime]:
    def check(value: dt.datetime) -> dt.datetime:
        value = local(value)
        offset = value.utcoffset()
        if offset is not None and not MIN_OFFSET <= offset <= MAX_OFFSET:
            raise PydanticCustomError("datetime_offset", str(_("A time-zone offset from −12:00 to +14:00.")))
        if not bounds.contains(value):
            raise PydanticCustomError("datetime_out_of_range", out_of_range_message(bounds))
        return value

    return check


def _datetime(bounds: Bounds, description: str) -> Any:
    return Annotated[
        dt.datetime,
        AfterValidator(_moment(bounds)),
        Field(description=f"{description} {LOCAL_NOTE}"),
    ]


# When something was observed or received: 1990 to now (plus clock skew).
Past = _datetime(PAST, "Not before 1990, not in the future.")
# A deadline: within the years 2000–2100.
Deadline = _datetime(DEADLINE, "Within the years 2000–2100.")


def _whole_day(end: bool) -> Callable[[Any], Any]:
    def before(value: Any) -> Any:
        """A bare date is a whole local day: a start from its first moment, an end through its last."""
        if isinstance(value, str) and len(value.strip()) == 10:
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                return value  # the datetime parser names the error
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            if not PERIOD_FIRST_YEAR - 10 <= value.year <= PERIOD_LAST_YEAR:
                raise PydanticCustomError("datetime_out_of_range", out_of_range_message(FILTER))
            if end:
                value += dt.timedelta(days=1)
            return dt.datetime(value.year, value.month, value.day, tzinfo=timezone.get_default_timezone())
        if isinstance(value, int | float) and not isinstance(value, bool):
            # A number is not a date (pydantic would read it as seconds since 1970).
            raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 date or datetime.")
        return value

    return before


_FILTER_NOTE = "From 1990 to 2100; a date alone is a whole local day."
# List filters: a time range; a bare date is its local day.
Since = Annotated[
    dt.datetime,
    BeforeValidator(_whole_day(end=False)),
    AfterValidator(_moment(FILTER)),
    Field(description=f"at or after. {_FILTER_NOTE} {LOCAL_NOTE}"),
]
Until = Annotated[
    dt.datetime,
    BeforeValidator(_whole_day(end=True)),
    AfterValidator(_moment(FILTER)),
    Field(description=f"before; a date: through its end. {_FILTER_NOTE} {LOCAL_NOTE}"),
]


def _period_date(value: dt.date) -> dt.date:
    if not PERIOD_FIRST_YEAR <= value.year <= PERIOD_LAST_YEAR:
        raise PydanticCustomError(
            "date_out_of_range",
            str(_("A date in the years %(first)d–%(last)d."))
            % {"first": PERIOD_FIRST_YEAR, "last": PERIOD_LAST_YEAR},
        )
    return value


# A day that names a period (statistics): years 2000–2100.
PeriodDate = Annotated[dt.date, AfterValidator(_period_date), Field(description="A date in 2000–2100.")]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


# --- the pages' form fields ---------------------------------------------------------------------------


def refuse_controls(value: str) -> None:
    if control_character(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_character")


def refuse_text_controls(value: str) -> None:
    if control_character(value, free_text=True):
        raise ValidationError(CONTROL_MESSAGE, code="control_character")


class LineField(forms.CharField):
    """A one-line text: no control characters (the API's `Line`)."""

    default_validators = [refuse_controls]


class TextField(forms.CharField):
    """A free text: tab and line breaks, no other control characters (the API's `Text`)."""

    default_validators = [refuse_text_controls]


class BoundedDateTimeField(forms.DateTimeField):
    """A datetime within `bounds` (the API's `Past`, `Deadline`); a time without an offset is local."""

    def __init__(self, *args, bounds: Bounds = PAST, **kwargs):
        self.bounds = bounds
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        try:
            result = super().to_python(value)
        except OverflowError:
            raise ValidationError(out_of_range_message(self.bounds), code="out_of_range") from None
        return result

    def validate(self, value):
        super().validate(value)
        if value is not None and not self.bounds.contains(local(value)):
            raise ValidationError(out_of_range_message(self.bounds), code="out_of_range")


class PeriodDateField(forms.DateField):
    """A day that names a period (the API's `PeriodDate`): years 2000–2100."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not PERIOD_FIRST_YEAR <= value.year <= PERIOD_LAST_YEAR:
            raise ValidationError(
                _("A date in the years %(first)d–%(last)d."),
                code="out_of_range",
                params={"first": PERIOD_FIRST_YEAR, "last": PERIOD_LAST_YEAR},
            )


class Input(Schema):
    """A request body: a field it does not declare is refused (422 naming it), not silently dropped,
    so a misspelt field never passes for an omitted one, and the document says so
    (`additionalProperties: false`)."""

    model_config = ConfigDict(extra="forbid")
