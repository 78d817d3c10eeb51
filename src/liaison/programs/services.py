"""Every write to programs: `program_*` (create, update, targets, activate, close), `entry_*`
(submit, approve, return, resubmit, correct), `template_*`, and the worker's `missing_notify`.

Each validates first (raising `Invalid` that names the field, before anything is written), asks
policy, writes, emits its events and records its audit event, in one durable transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, events
from liaison.core.errors import DomainError, FieldError, Invalid
from liaison.core.inputs import control_character
from liaison.core.refs import next_ref
from liaison.core.transactions import durable
from liaison.geo.models import Area, AreaKind
from liaison.org.actor import Actor
from liaison.org.models import Unit
from liaison.programs.models import (
    Entry,
    EntryStatus,
    EntryValue,
    Indicator,
    IndicatorKind,
    MissingNotice,
    Participation,
    Program,
    ProgramStatus,
    ProgramTemplate,
    Target,
    TemplateIndicator,
)

MAX_MONTHS = 60
MAX_NUMBER = Decimal("999999999999")
OVERDUE_AFTER = dt.timedelta(days=10)  # a month due and missing for more than this notifies


# --- months ---------------------------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], month_of(first)
    while m <= last:
        out.append(m)
        m = next_month(m)
    return out


def today() -> dt.date:
    return timezone.localtime(clock.now()).date()


def due_on(month: dt.date) -> dt.date:
    """A month's entry is due on the first day of the next month."""
    return next_month(month)


# --- validation helpers ---------------------------------------------------------------------------


def _name_errors(name_vi: str, name_en: str, name_lo: str) -> list[FieldError]:
    errs = []
    if not (name_vi or "").strip():
        errs.append(FieldError("name_vi", "required", "A program needs a Vietnamese name."))
    for field, value in (("name_vi", name_vi), ("name_en", name_en), ("name_lo", name_lo)):
        if len(value or "") > 200:
            errs.append(FieldError(field, "too_long", "At most 200 characters."))
        elif control_character(value or ""):
            errs.append(FieldError(field, "control_character", "Control characters are not allowed."))
    return errs


def _period_errors(starts_on, ends_on) -> list[FieldError]:
    errs = []
    if not isinstance(starts_on, dt.date):
        errs.append(FieldError("starts_on", "required", "The first month of the program."))
    if not isinstance(ends_on, dt.date):
        errs.append(FieldError("ends_on", "required", "The last month of the program."))
    if errs:
        return errs
    if month_of(ends_on) < month_of(starts_on):
        errs.append(FieldError("ends_on", "before_start", "The last month is before the first."))
    elif len(months(starts_on, ends_on)) > MAX_MONTHS:
        errs.append(FieldError("ends_on", "too_long", f"At most {MAX_MONTHS} months."))
    return errs


def _communes(pairs) -> tuple[list[tuple[Area, Unit]], list[FieldError]]:
    """(commune, reporting unit) pairs: a commune of this node and a commune-level unit placed in it."""
    out, errs, seen = [], [], set()
    for i, (commune, unit) in enumerate(pairs):
        if not isinstance(commune, Area) or commune.kind != AreaKind.COMMUNE:
            errs.append(FieldError(f"communes.{i}.commune", "not_a_commune", "Choose a commune."))
            continue
        if commune.pk in seen:
            errs.append(FieldError(f"communes.{i}.commune", "duplicate", "This commune is listed twice."))
            continue
        seen.add(commune.pk)
        if not isinstance(unit, Unit) or not policy.offered(Unit, "report").filter(pk=unit.pk).exists():
            errs.append(
                FieldError(
                    f"communes.{i}.unit", "not_commune_unit", "Choose a commune-level unit of this node."
                )
            )
            continue
        if unit.area_id != commune.pk:
            errs.append(
                FieldError(
                    f"communes.{i}.unit", "other_commune", "The reporting unit must be in that commune."
                )
            )
            continue
        out.append((commune, unit))
    return out, errs


def _spec_errors(specs: list[dict]) -> list[FieldError]:
    errs, codes = [], set()
    for i, s in enumerate(specs):
        code = s.get("code") or ""
        if not code or len(code) > 40 or not code.replace("_", "").replace("-", "").isalnum():
            errs.append(
                FieldError(f"indicators.{i}.code", "invalid", "A short code: letters, digits, - and _.")
            )
        elif code in codes:
            errs.append(FieldError(f"indicators.{i}.code", "duplicate", "Each indicator needs its own code."))
        codes.add(code)
        if s.get("kind") not in IndicatorKind.values:
            errs.append(
                FieldError(f"indicators.{i}.kind", "invalid_choice", "count, amount, criterion or status.")
            )
        if s.get("kind") == IndicatorKind.AMOUNT and not (s.get("unit") or "").strip():
            errs.append(
                FieldError(f"indicators.{i}.unit", "required", "An amount needs its unit (kg, rounds).")
            )
        if s.get("kind") == IndicatorKind.STATUS and not s.get("choices"):
            errs.append(FieldError(f"indicators.{i}.choices", "required", "A status needs its list."))
        if not (s.get("name_vi") or "").strip():
            errs.append(
                FieldError(f"indicators.{i}.name_vi", "required", "An indicator needs a Vietnamese name.")
            )
    return errs


SPEC_FIELDS = (
    "code",
    "name_vi",
    "name_en",
    "name_lo",
    "kind",
    "unit",
    "choices",
    "group",
    "summed",
    "position",
)


def _spec(ind) -> dict:
    return {f: getattr(ind, f) for f in SPEC_FIELDS}


# --- programs -------------------------------------------------------------------------------------


def program_create(
    actor: Actor,
    *,
    name_vi: str,
    name_en: str = "",
    name_lo: str = "",
    description: str = "",
    starts_on: dt.date,
    ends_on: dt.date,
    template: ProgramTemplate | None = None,
    indicators: list[dict] | None = None,
    communes=(),
    owner_unit: Unit | None = None,
) -> Program:
    """A draft program owned by the actor's unit (the system names the owner), with the template's
    indicators (or the given ones) and its participating communes."""
    policy.require(actor, "program.create")
    owner = owner_unit if actor.is_system else actor.unit
    errs = _name_errors(name_vi, name_en, name_lo) + _period_errors(starts_on, ends_on)
    if owner is None:
        errs.append(FieldError("owner_unit", "required", "The unit that owns the program."))
    if len(description or "") > 20_000:
        errs.append(FieldError("description", "too_long", "At most 20,000 characters."))
    specs = list(indicators) if indicators is not None else []
    if template is not None and indicators is None:
        specs = [_spec(i) for i in TemplateIndicator.objects.filter(template=template).order_by("position")]
    errs += _spec_errors(specs)
    pairs, commune_errs = _communes(communes)
    errs += commune_errs
    if errs:
        raise Invalid(errs)
    with durable():
        program = Program.objects.create(
            ref=next_ref("CT"),
            template=template,
            name_vi=name_vi.strip(),
            name_en=(name_en or "").strip(),
            name_lo=(name_lo or "").strip(),
            description=description or "",
            starts_on=month_of(starts_on),
            ends_on=month_of(ends_on),
            owner_unit=owner,
            created_by=actor.user,
        )
        Indicator.objects.bulk_create(
            [
                Indicator(program=program, **{**s, "position": s.get("position") or (n + 1) * 10})
                for n, s in enumerate(specs)
            ]
        )
        Participation.objects.bulk_create(
            [Participation(program=program, commune=c, unit=u) for c, u in pairs]
        )
        events.emit("program.created", program, units=[owner, *[u for _c, u in pairs]])
        audit.record(
            actor,
            Verb.PROGRAM_CREATED,
            program,
            changes={
                "name": program.name_vi,
                "template": template.code if template else None,
                "period": [str(program.starts_on), str(program.ends_on)],
                "communes": [c.code for c, _u in pairs],
            },
        )
    return program


def program_update(
    actor: Actor,
    program: Program,
    *,
    name_vi: str | None = None,
    name_en: str | None = None,
    name_lo: str | None = None,
    description: str | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    communes=None,
) -> Program:
    """Names and description at any time before closing; the period and the communes too, as long as
    no entry falls outside them (a commune that has reported stays)."""
    policy.require(actor, "program.edit", program)
    new = {
        "name_vi": program.name_vi if name_vi is None else name_vi,
        "name_en": program.name_en if name_en is None else name_en,
        "name_lo": program.name_lo if name_lo is None else name_lo,
    }
    start = program.starts_on if starts_on is None else starts_on
    end = program.ends_on if ends_on is None else ends_on
    errs = _name_errors(**new) + _period_errors(start, end)
    if not errs:
        outside = program.entries.filter(Q(month__lt=month_of(start)) | Q(month__gt=month_of(end)))
        if outside.exists():
            errs.append(FieldError("starts_on", "entries_outside", "Entries exist outside this period."))
    pairs = None
    if communes is not None:
        pairs, commune_errs = _communes(communes)
        errs += commune_errs
        kept = {c.pk for c, _u in pairs}
        dropped = program.participations.exclude(commune__in=kept)
        if Entry.objects.filter(participation__in=dropped).exists():
            errs.append(
                FieldError("communes", "has_entries", "A commune that has reported stays in the program.")
            )
    if errs:
        raise Invalid(errs)
    with durable():
        program = Program.objects.select_for_update().get(pk=program.pk)
        for k, v in new.items():
            setattr(program, k, (v or "").strip())
        if description is not None:
            program.description = description
        program.starts_on, program.ends_on = month_of(start), month_of(end)
        program.save()
        if pairs is not None:
            kept = {c.pk for c, _u in pairs}
            program.participations.exclude(commune__in=kept).delete()
            existing = {p.commune_id: p for p in program.participations.all()}
            for c, u in pairs:
                p = existing.get(c.pk)
                if p is None:
                    Participation.objects.create(program=program, commune=c, unit=u)
                elif p.unit_id != u.pk:
                    p.unit = u
                    p.save(update_fields=["unit", "updated_at"])
        audit.record(
            actor,
            Verb.PROGRAM_UPDATED,
            program,
            changes={
                **new,
                "period": [str(program.starts_on), str(program.ends_on)],
                "communes": None if pairs is None else [c.code for c, _u in pairs],
            },
        )
    return program


def program_targets_set(actor: Actor, program: Program, *, targets: list[dict]) -> int:
    """Set targets: each {"indicator": code or id, "commune": Area or None (total), "number": …,
    "choice": …}. A target given again replaces the old one."""
    policy.require(actor, "program.edit", program)
    indicators = _indicators(program)
    parts = {p.commune_id: p for p in program.participations.all()}
    errs, rows = [], []
    for i, t in enumerate(targets):
        ind = _indicator(indicators, t.get("indicator"))
        if ind is None:
            errs.append(
                FieldError(f"targets.{i}.indicator", "not_in_program", "No such indicator in this program.")
            )
            continue
        commune = t.get("commune")
        part = None
        if commune is not None:
            part = parts.get(getattr(commune, "pk", None))
            if part is None:
                errs.append(
                    FieldError(
                        f"targets.{i}.commune", "not_participating", "The commune is not in the program."
                    )
                )
                continue
        number, choice, err = _value(
            ind, t.get("choice") if ind.kind == IndicatorKind.STATUS else t.get("number")
        )
        if err:
            errs.append(
                FieldError(f"targets.{i}.{'choice' if ind.kind == IndicatorKind.STATUS else 'number'}", *err)
            )
            continue
        rows.append((ind, part, number, choice))
    if errs:
        raise Invalid(errs)
    with durable():
        for ind, part, number, choice in rows:
            Target.objects.update_or_create(
                program=program,
                indicator=ind,
                participation=part,
                defaults={"number": number, "choice": choice},
            )
        audit.record(
            actor,
            Verb.PROGRAM_TARGETS_SET,
            program,
            changes={
                "targets": [
                    [
                        ind.code,
                        part.commune.code if part else None,
                        str(number) if number is not None else choice,
                    ]
                    for ind, part, number, choice in rows
                ]
            },
        )
    return len(rows)


def program_activate(actor: Actor, program: Program) -> Program:
    policy.require(actor, "program.activate", program)
    errs = []
    if not program.indicators.exists():
        errs.append(FieldError("indicators", "required", "A program needs at least one indicator."))
    if not program.participations.exists():
        errs.append(FieldError("communes", "required", "A program needs at least one commune."))
    if errs:
        raise Invalid(errs)
    with durable():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if program.status != ProgramStatus.DRAFT:
            raise DomainError("not_draft", "Only a draft is activated.", 409)
        program.status = ProgramStatus.ACTIVE
        program.activated_by = actor.user
        program.activated_at = clock.now()
        program.save()
        events.emit("program.activated", program, units=[program.owner_unit_id, *_reporting_units(program)])
        audit.record(actor, Verb.PROGRAM_ACTIVATED, program)
    return program


def program_close(actor: Actor, program: Program) -> Program:
    policy.require(actor, "program.close", program)
    with durable():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if program.status != ProgramStatus.ACTIVE:
            raise DomainError("not_active", "Only an active program is closed.", 409)
        program.status = ProgramStatus.CLOSED
        program.closed_at = clock.now()
        program.save()
        events.emit("program.closed", program, units=[program.owner_unit_id, *_reporting_units(program)])
        audit.record(actor, Verb.PROGRAM_CLOSED, program)
    return program


def _reporting_units(program: Program) -> list:
    return list(program.participations.values_list("unit_id", flat=True))


def template_indicators_set(
    actor: Actor,
    template: ProgramTemplate,
    *,
    name_vi=None,
    name_en=None,
    name_lo=None,
    indicators: list[dict],
) -> ProgramTemplate:
    """Edit a default program (administrators): its names and indicators. Programs already started
    from it keep their own copy."""
    policy.require(actor, "template.manage", template)
    errs = _spec_errors(indicators)
    names = {
        "name_vi": template.name_vi if name_vi is None else name_vi,
        "name_en": template.name_en if name_en is None else name_en,
        "name_lo": template.name_lo if name_lo is None else name_lo,
    }
    errs += _name_errors(**names)
    if errs:
        raise Invalid(errs)
    with durable():
        for k, v in names.items():
            setattr(template, k, v.strip())
        template.save()
        template.indicators.all().delete()
        TemplateIndicator.objects.bulk_create(
            [
                TemplateIndicator(template=template, **{**s, "position": s.get("position") or (n + 1) * 10})
                for n, s in enumerate(indicators)
            ]
        )
        audit.record(
            actor,
            Verb.PROGRAM_TEMPLATE_UPDATED,
            template,
            changes={"indicators": [s["code"] for s in indicators]},
        )
    return template


# --- entries --------------------------------------------------------------------------------------


def _indicators(program: Program) -> dict[str, Indicator]:
    return {i.code: i for i in Indicator.objects.filter(program=program)}


def _indicator(indicators: dict[str, Indicator], key) -> Indicator | None:
    """An indicator of this program by its code or its id (an id of another program's is not one)."""
    if key is None:
        return None
    key = str(key)
    if key in indicators:
        return indicators[key]
    return next((i for i in indicators.values() if str(i.pk) == key), None)


_TRUE = {True, "1", "true", "yes", "on"}
_FALSE = {False, "0", "false", "no", "off", ""}


def _value(ind: Indicator, raw) -> tuple[Decimal | None, str, tuple[str, str] | None]:
    """(number, choice, error) for one value of an indicator."""
    if ind.kind == IndicatorKind.STATUS:
        codes = [c.get("code") for c in ind.choices or []]
        if raw not in codes:
            return None, "", ("invalid_choice", f"One of: {', '.join(codes)}.")
        return None, raw, None
    if ind.kind == IndicatorKind.CRITERION:
        if isinstance(raw, str):
            raw = raw.strip().lower()
        if raw in _TRUE:
            return Decimal(1), "", None
        if raw in _FALSE:
            return Decimal(0), "", None
        return None, "", ("invalid", "Yes or no.")
    if isinstance(raw, bool):
        return None, "", ("invalid", "A number.")
    try:
        number = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None, "", ("invalid", "A number.")
    if not number.is_finite():
        return None, "", ("invalid", "A number.")
    if number < 0:
        return None, "", ("negative", "Not below zero.")
    if number > MAX_NUMBER:
        return None, "", ("too_large", "Too large.")
    if ind.kind == IndicatorKind.COUNT and number != number.to_integral_value():
        return None, "", ("not_whole", "A whole number.")
    if number != number.quantize(Decimal("0.01")):
        return None, "", ("too_precise", "At most two decimals.")
    return number, "", None


def _values(program: Program, values) -> tuple[list[tuple[Indicator, Decimal | None, str]], list[FieldError]]:
    """`values`: [(indicator code or id, raw value), ...] or {code: raw}. Empty raw values are skipped."""
    pairs = list(values.items()) if isinstance(values, dict) else list(values or [])
    indicators = _indicators(program)
    out, errs, seen = [], [], set()
    for i, (key, raw) in enumerate(pairs):
        ind = _indicator(indicators, key)
        if ind is None:
            errs.append(
                FieldError(f"values.{i}.indicator", "not_in_program", "No such indicator in this program.")
            )
            continue
        if ind.pk in seen:
            errs.append(FieldError(f"values.{i}.indicator", "duplicate", "This indicator is given twice."))
            continue
        seen.add(ind.pk)
        if raw is None or (isinstance(raw, str) and not raw.strip() and ind.kind != IndicatorKind.CRITERION):
            continue
        number, choice, err = _value(ind, raw)
        if err:
            errs.append(FieldError(f"values.{i}.value", *err))
            continue
        out.append((ind, number, choice))
    if not errs and not out:
        errs.append(FieldError("values", "required", "Give at least one value."))
    return out, errs


def _note_errors(note: str, field: str = "note", required: bool = False) -> list[FieldError]:
    if required and not (note or "").strip():
        return [FieldError(field, "required", "Give the reason.")]
    if len(note or "") > 5000:
        return [FieldError(field, "too_long", "At most 5,000 characters.")]
    if control_character(note or "", free_text=True):
        return [FieldError(field, "control_character", "Control characters are not allowed.")]
    return []


def _write_values(entry: Entry, rows) -> None:
    EntryValue.objects.bulk_create(
        [EntryValue(entry=entry, indicator=ind, number=number, choice=choice) for ind, number, choice in rows]
    )


def _values_audit(rows) -> dict:
    return {ind.code: (str(number) if number is not None else choice) for ind, number, choice in rows}


def entry_submit(
    actor: Actor, *, program: Program, commune: Area | None, month: dt.date | None, values, note: str = ""
) -> Entry:
    """One commune's month, all its indicators on one form. Refused, naming the field, for a commune
    outside the program, a month outside its period or not yet begun, a month already reported, a
    value for an indicator of another program or a negative one; nothing is written then."""
    participation = (
        Participation.objects.select_related("program", "unit", "commune")
        .filter(program=program, commune_id=getattr(commune, "pk", None))
        .first()
    )
    if participation is None:
        raise Invalid(
            field="commune", code="not_participating", message="This commune is not in the program."
        )
    policy.require(actor, "entry.submit", participation)
    errs = []
    if not isinstance(month, dt.date):
        errs.append(FieldError("month", "required", "The month reported."))
    else:
        month = month_of(month)
        if not program.starts_on <= month <= program.ends_on:
            errs.append(FieldError("month", "outside_period", "The month is outside the program's period."))
        elif month > month_of(today()):
            errs.append(FieldError("month", "in_future", "A month not yet begun cannot be reported."))
    rows, value_errs = _values(program, values)
    errs += value_errs + _note_errors(note)
    if errs:
        raise Invalid(errs)
    with durable():
        Participation.objects.select_for_update().get(pk=participation.pk)
        if Entry.objects.filter(participation=participation, month=month, is_current=True).exists():
            raise DomainError(
                "already_reported",
                "This month is already reported: correct the entry instead.",
                409,
                [FieldError("month", "already_reported", "This month is already reported.")],
            )
        entry = Entry.objects.create(
            ref=next_ref("BC"),
            program=program,
            participation=participation,
            month=month,
            note=note or "",
            submitted_by=actor.user,
            submitted_by_unit=actor.unit if not actor.is_system else participation.unit,
            submitted_at=clock.now(),
        )
        _write_values(entry, rows)
        events.emit(
            "program.entry_submitted",
            entry,
            units=[program.owner_unit_id, participation.unit_id],
            data={"month": str(month), "commune": participation.commune.name},
        )
        audit.record(
            actor, Verb.ENTRY_SUBMITTED, entry, changes={"month": str(month), "values": _values_audit(rows)}
        )
    return entry


def _locked(entry: Entry) -> Entry:
    return Entry.objects.select_for_update().select_related("program", "participation").get(pk=entry.pk)


def entry_approve(actor: Actor, entry: Entry) -> Entry:
    policy.require(actor, "entry.decide", entry)
    with durable():
        entry = _locked(entry)
        if entry.status != EntryStatus.SUBMITTED or not entry.is_current:
            raise DomainError("not_submitted", "Only a submitted entry is approved.", 409)
        entry.status = EntryStatus.APPROVED
        entry.decided_by = actor.user
        entry.decided_at = clock.now()
        entry.save()
        events.emit(
            "program.entry_approved",
            entry,
            units=[entry.participation.unit_id],
            data={"month": str(entry.month)},
        )
        audit.record(actor, Verb.ENTRY_APPROVED, entry)
    return entry


def entry_return(actor: Actor, entry: Entry, *, reason: str) -> Entry:
    policy.require(actor, "entry.decide", entry)
    errs = _note_errors(reason, "reason", required=True)
    if errs:
        raise Invalid(errs)
    with durable():
        entry = _locked(entry)
        if entry.status != EntryStatus.SUBMITTED or not entry.is_current:
            raise DomainError("not_submitted", "Only a submitted entry is returned.", 409)
        entry.status = EntryStatus.RETURNED
        entry.return_reason = reason.strip()
        entry.decided_by = actor.user
        entry.decided_at = clock.now()
        entry.save()
        events.emit(
            "program.entry_returned",
            entry,
            units=[entry.participation.unit_id],
            data={"month": str(entry.month), "reason": entry.return_reason[:200]},
        )
        audit.record(actor, Verb.ENTRY_RETURNED, entry, changes={"reason": entry.return_reason})
    return entry


def entry_resubmit(actor: Actor, entry: Entry, *, values, note: str = "") -> Entry:
    """A returned entry, put right and sent again (its values replaced; the audit log keeps them)."""
    policy.require(actor, "entry.resubmit", entry)
    rows, errs = _values(entry.program, values)
    errs += _note_errors(note)
    if errs:
        raise Invalid(errs)
    with durable():
        entry = _locked(entry)
        if entry.status != EntryStatus.RETURNED or not entry.is_current:
            raise DomainError("not_returned", "Only a returned entry is sent again.", 409)
        entry.values.all().delete()
        _write_values(entry, rows)
        entry.status = EntryStatus.SUBMITTED
        entry.note = note or entry.note
        entry.submitted_by = actor.user if not actor.is_system else entry.submitted_by
        entry.submitted_at = clock.now()
        entry.decided_by, entry.decided_at = None, None
        entry.save()
        events.emit(
            "program.entry_submitted", entry, units=[entry.program.owner_unit_id, entry.participation.unit_id]
        )
        audit.record(actor, Verb.ENTRY_RESUBMITTED, entry, changes={"values": _values_audit(rows)})
    return entry


def entry_correct(actor: Actor, entry: Entry, *, values, reason: str) -> Entry:
    """A correction after approval: a new version with its reason; the old one is kept, no longer
    current. The owner unit's correction stands approved; the commune's goes back for approval."""
    policy.require(actor, "entry.correct", entry)
    rows, errs = _values(entry.program, values)
    errs += _note_errors(reason, "reason", required=True)
    if errs:
        raise Invalid(errs)
    owner = policy.can(actor, "program.decide", entry.program)
    with durable():
        old = _locked(entry)
        if old.status != EntryStatus.APPROVED or not old.is_current:
            raise DomainError("not_approved", "Only the current approved entry is corrected.", 409)
        old.is_current = False
        old.save(update_fields=["is_current", "updated_at"])
        now = clock.now()
        user = actor.user
        new = Entry.objects.create(
            ref=next_ref("BC"),
            program=old.program,
            participation=old.participation,
            month=old.month,
            version=old.version + 1,
            previous=old,
            note=old.note,
            correction_reason=reason.strip(),
            status=EntryStatus.APPROVED if owner else EntryStatus.SUBMITTED,
            submitted_by=user,
            submitted_by_unit=actor.unit if not actor.is_system else old.participation.unit,
            submitted_at=now,
            decided_by=user if owner else None,
            decided_at=now if owner else None,
        )
        _write_values(new, rows)
        events.emit(
            "program.entry_corrected",
            new,
            units=[old.program.owner_unit_id, old.participation.unit_id],
            data={"month": str(old.month), "version": new.version},
        )
        audit.record(
            actor,
            Verb.ENTRY_CORRECTED,
            new,
            changes={"previous": old.ref, "reason": new.correction_reason, "values": _values_audit(rows)},
        )
    return new


# --- missing months -------------------------------------------------------------------------------


def overdue_months(program: Program, on: dt.date) -> list[dt.date]:
    """The months of the program whose entry was due more than ten days before `on`."""
    return [m for m in months(program.starts_on, program.ends_on) if on - due_on(m) > OVERDUE_AFTER]


def missing_notify(actor: Actor, on: dt.date | None = None) -> int:
    """For every active program: each commune's month due and missing for more than ten days
    notifies the commune's reporting unit and its parent, once. Idempotent (a notice row per
    commune and month)."""
    on = on or today()
    n = 0
    for program in Program.objects.filter(status=ProgramStatus.ACTIVE).order_by("pk"):
        overdue = overdue_months(program, on)
        if not overdue:
            continue
        with durable():
            reported = set(
                Entry.objects.filter(program=program, is_current=True, month__in=overdue).values_list(
                    "participation_id", "month"
                )
            )
            noticed = set(
                MissingNotice.objects.filter(program=program, month__in=overdue).values_list(
                    "participation_id", "month"
                )
            )
            notices = []
            for p in program.participations.select_related("unit", "commune").order_by("pk"):
                for m in overdue:
                    if (p.pk, m) in reported or (p.pk, m) in noticed:
                        continue
                    notices.append(
                        MissingNotice(program=program, participation=p, month=m, notified_at=clock.now())
                    )
                    events.emit(
                        "program.entry_missing",
                        p,
                        units=[p.unit_id, p.unit.parent_id],
                        data={"month": str(m), "commune": p.commune.name, "program": program.ref},
                    )
            if notices:
                MissingNotice.objects.bulk_create(notices)
                audit.record(
                    actor,
                    Verb.ENTRY_MISSING_NOTIFIED,
                    program,
                    changes={"missing": [[str(x.participation.commune.code), str(x.month)] for x in notices]},
                )
                n += len(notices)
    return n


def export_recorded(actor: Actor, program: Program, *, fmt: str) -> None:
    """Exporting a program's progress is a read of a restricted record: audited."""
    audit.record_separately(actor, Verb.PROGRAM_EXPORTED, program, changes={"format": fmt})
