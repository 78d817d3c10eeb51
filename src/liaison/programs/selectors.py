"""Every read of programs, already filtered by policy: lists (rows, keyset-paginated by reference),
a program and its parts, entries and their versions, missing months, progress and the figures for
the quarterly briefing.

Progress per commune reads only the entries the reader may see (`policy.visible(Entry)`): the owner
unit every commune's, a participating commune its own. The overall totals are a figure of the
program itself, read for whoever may see the program (the issue's rule: "a participating commune
sees its own entries and the overall totals").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core.errors import Invalid
from liaison.programs.models import (
    Entry,
    EntryStatus,
    EntryValue,
    Indicator,
    IndicatorKind,
    Participation,
    Program,
    ProgramStatus,
    ProgramTemplate,
    Target,
    TemplateIndicator,
)
from liaison.programs.services import due_on, month_of, months, today

PROGRAM_COLUMNS = (
    "id",
    "ref",
    "name_vi",
    "name_en",
    "name_lo",
    "status",
    "starts_on",
    "ends_on",
    "owner_unit__code",
    "owner_unit__name",
    "template__code",
)
ENTRY_COLUMNS = (
    "id",
    "ref",
    "month",
    "version",
    "is_current",
    "status",
    "return_reason",
    "correction_reason",
    "submitted_at",
    "decided_at",
    "participation_id",
    "participation__commune__code",
    "participation__commune__name",
    "participation__unit__code",
    "participation__unit__name",
    "program_id",
    "program__ref",
)
REF_PATTERN = r"^[A-Z]{2}-[0-9]{4}-[0-9]{6}$"


@dataclass
class Page:
    rows: list[dict]
    next_cursor: str | None


def _after(qs, cursor: str | None, limit: int) -> Page:
    """Keyset pagination by reference, newest first (references grow with time)."""
    import re

    if cursor:
        if not re.match(REF_PATTERN, cursor):
            raise Invalid(field="cursor", code="malformed", message="Not a cursor from a previous page.")
        qs = qs.filter(ref__lt=cursor)
    limit = max(1, min(limit, 200))
    rows = list(qs.order_by("-ref")[: limit + 1])
    nxt = rows[limit - 1]["ref"] if len(rows) > limit else None
    return Page(rows[:limit], nxt)


# --- programs -------------------------------------------------------------------------------------


def program_list(actor, *, status: str | None = None, cursor: str | None = None, limit: int = 50) -> Page:
    qs = policy.visible(actor, Program)
    if status:
        qs = qs.filter(status=status)
    return _after(qs.values(*PROGRAM_COLUMNS), cursor, limit)


def program_get(actor, *, program_id, audit_read: bool = False) -> Program:
    p = policy.get_visible(actor, Program, what="program", pk=program_id)
    if audit_read:
        audit.record_separately(actor, Verb.PROGRAM_READ, p)
    return Program.objects.select_related("owner_unit", "template", "created_by", "activated_by").get(pk=p.pk)


def program_indicators(actor, *, program: Program) -> list[Indicator]:
    return list(policy.visible(actor, Indicator).filter(program=program).order_by("position", "code"))


def program_participations(actor, *, program: Program) -> list[Participation]:
    return list(
        policy.visible(actor, Participation)
        .filter(program=program)
        .select_related("commune", "unit")
        .order_by("commune__name")
    )


def program_targets(actor, *, program: Program) -> list[Target]:
    return list(
        policy.visible(actor, Target).filter(program=program).select_related("indicator", "participation")
    )


def participations_reported_to(actor, *, program: Program):
    """The communes of the program whose entries and missing months the reader follows (policy's
    rule `entries`: the owner unit all of them, a participating commune itself)."""
    return policy.visible(actor, Participation, "entries").filter(program=program)


def templates(actor) -> list[ProgramTemplate]:
    return list(policy.visible(actor, ProgramTemplate).filter(is_active=True).order_by("code"))


def template_get(actor, *, code: str) -> ProgramTemplate:
    return policy.get_visible(actor, ProgramTemplate, what="program template", code=code)


def template_indicators(actor, *, template: ProgramTemplate) -> list[TemplateIndicator]:
    return list(policy.visible(actor, TemplateIndicator).filter(template=template).order_by("position"))


# --- entries --------------------------------------------------------------------------------------


def entry_list(
    actor,
    *,
    program: Program | None = None,
    month: dt.date | None = None,
    commune: str | None = None,
    status: str | None = None,
    all_versions: bool = False,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    qs = policy.visible(actor, Entry)
    if program is not None:
        qs = qs.filter(program=program)
    if not all_versions:
        qs = qs.filter(is_current=True)
    if month:
        qs = qs.filter(month=month_of(month))
    if commune:
        qs = qs.filter(participation__commune__code=commune)
    if status:
        qs = qs.filter(status=status)
    return _after(qs.values(*ENTRY_COLUMNS), cursor, limit)


def entry_get(actor, *, entry_id) -> Entry:
    e = policy.get_visible(actor, Entry, what="entry", pk=entry_id)
    return Entry.objects.select_related(
        "program",
        "program__owner_unit",
        "participation",
        "participation__commune",
        "participation__unit",
        "submitted_by",
        "submitted_by_unit",
        "decided_by",
        "previous",
    ).get(pk=e.pk)


def entry_values(actor, *, entry: Entry) -> list[EntryValue]:
    return list(
        policy.visible(actor, EntryValue)
        .filter(entry=entry)
        .select_related("indicator")
        .order_by("indicator__position")
    )


def entry_versions(actor, *, entry: Entry) -> list[dict]:
    """Every version of the entry's month for its commune, newest first (the old ones are kept)."""
    return list(
        policy.visible(actor, Entry)
        .filter(participation_id=entry.participation_id, month=entry.month)
        .order_by("-version")
        .values(*ENTRY_COLUMNS, "submitted_by__username", "decided_by__username")
    )


# --- missing months and progress ------------------------------------------------------------------


def reporting_months(program: Program, on: dt.date | None = None) -> list[dt.date]:
    """The program's months that have begun (the current month included)."""
    last = min(program.ends_on, month_of(on or today()))
    return months(program.starts_on, last) if last >= program.starts_on else []


def missing(actor, *, program: Program, on: dt.date | None = None) -> list[dict]:
    """Months whose entry is due (the month has ended) and absent, for the communes whose entries the
    reader may see; `overdue`: due for more than ten days (the commune and its parent were told)."""
    on = on or today()
    due = [m for m in reporting_months(program, on) if due_on(m) <= on]
    parts = list(participations_reported_to(actor, program=program).select_related("commune", "unit"))
    reported = set(
        Entry.objects.filter(program=program, is_current=True, participation__in=parts).values_list(
            "participation_id", "month"
        )
    )
    out = []
    for p in sorted(parts, key=lambda p: p.commune.name):
        for m in due:
            if (p.pk, m) not in reported:
                out.append(
                    {
                        "participation_id": p.pk,
                        "commune_code": p.commune.code,
                        "commune": p.commune.name,
                        "unit": p.unit.name,
                        "month": m,
                        "due_on": due_on(m),
                        "overdue": (on - due_on(m)).days > 10,
                    }
                )
    return out


@dataclass
class Cell:
    """One indicator's progress at one month: the value (a sum so far, a latest figure, the count of
    communes meeting a criterion or at the goal status) and its share of the target."""

    value: Decimal | None = None
    choice: str = ""
    target: Decimal | None = None
    share: float | None = None  # value / target, when there is a target

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


@dataclass
class Row:
    key: str  # commune code, or "total"
    label: str
    unit: str = ""
    participation_id: object = None
    by_month: dict = field(default_factory=dict)  # month -> {indicator code -> Cell}
    reported: dict = field(default_factory=dict)  # month -> entry status (current version)
    latest: dict = field(default_factory=dict)  # indicator code -> Cell at the last month
    share: float | None = None  # the mean share over indicators with a target, capped at 1


@dataclass
class Progress:
    program: Program
    months: list
    indicators: list
    communes: list  # [Row]
    total: Row
    missing: list


def _goal(ind: Indicator, target_choice: str = "") -> str:
    if target_choice:
        return target_choice
    return (ind.choices or [{}])[-1].get("code", "") if ind.choices else ""


def _approved_values(program: Program, entries_qs=None):
    """(participation, month, indicator, number, choice) of the current approved entries."""
    qs = EntryValue.objects.filter(
        entry__program=program, entry__is_current=True, entry__status=EntryStatus.APPROVED
    )
    if entries_qs is not None:
        qs = qs.filter(entry__in=entries_qs)
    return qs.values_list("entry__participation_id", "entry__month", "indicator_id", "number", "choice")


def _cells(ind: Indicator, series: dict, months_: list, target: Target | None) -> dict:
    """One commune's cells for one indicator, month by month, from its approved values by month."""
    out, running, latest, latest_choice = {}, Decimal(0), None, ""
    for m in months_:
        if m in series:
            number, choice = series[m]
            if ind.kind == IndicatorKind.STATUS:
                latest_choice = choice
            elif ind.summed and ind.kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT):
                running += number or 0
            else:
                latest = number
        if ind.kind == IndicatorKind.STATUS:
            cell = Cell(choice=latest_choice)
            goal = _goal(ind, target.choice if target else "")
            cell.share = (1.0 if latest_choice == goal else 0.0) if latest_choice else None
        elif ind.summed and ind.kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT):
            cell = Cell(value=running)
        else:
            cell = Cell(value=latest)
        if ind.kind != IndicatorKind.STATUS:
            if ind.kind == IndicatorKind.CRITERION:
                cell.target = Decimal(1)
            elif target is not None and target.number is not None:
                cell.target = target.number
            if cell.target and cell.value is not None:
                cell.share = float(cell.value / cell.target)
        out[m] = cell
    return out


def _mean_share(cells: dict) -> float | None:
    shares = [min(c.share, 1.0) for c in cells.values() if c.share is not None]
    return sum(shares) / len(shares) if shares else None


def progress(actor, *, program: Program, on: dt.date | None = None) -> Progress:
    """Per commune (those whose entries the reader may see) and overall, month by month, against
    the targets. The reader must see the program."""
    program = program_get(actor, program_id=program.pk)
    months_ = reporting_months(program, on)
    indicators = program_indicators(actor, program=program)
    targets = program_targets(actor, program=program)
    commune_targets = {(t.indicator_id, t.participation_id): t for t in targets if t.participation_id}
    total_targets = {t.indicator_id: t for t in targets if t.participation_id is None}
    all_parts = list(Participation.objects.filter(program=program).select_related("commune", "unit"))
    seen_parts = set(participations_reported_to(actor, program=program).values_list("pk", flat=True))
    visible_entries = policy.visible(actor, Entry).filter(program=program)
    # Values of every approved entry (the totals), and which of them the reader may see per commune.
    series: dict = {}
    for pid, month, iid, number, choice in _approved_values(program):
        series.setdefault((pid, iid), {})[month] = (number, choice)
    status_by = {}
    for pid, month, status in visible_entries.filter(is_current=True).values_list(
        "participation_id", "month", "status"
    ):
        status_by[(pid, month)] = status
    per_part: dict = {}
    for p in all_parts:
        per_part[p.pk] = {
            ind.code: _cells(
                ind, series.get((p.pk, ind.pk), {}), months_, commune_targets.get((ind.pk, p.pk))
            )
            for ind in indicators
        }
    rows = []
    for p in sorted(all_parts, key=lambda p: p.commune.name):
        if p.pk not in seen_parts:
            continue
        by_month = {m: {code: cells[m] for code, cells in per_part[p.pk].items()} for m in months_}
        latest = by_month[months_[-1]] if months_ else {}
        rows.append(
            Row(
                key=p.commune.code,
                label=p.commune.name,
                unit=p.unit.name,
                participation_id=p.pk,
                by_month=by_month,
                reported={m: status_by.get((p.pk, m), "") for m in months_},
                latest=latest,
                share=_mean_share(latest),
            )
        )
    total = Row(key="total", label="total")
    n = len(all_parts)
    for m in months_:
        cells = {}
        for ind in indicators:
            parts_cells = [per_part[p.pk][ind.code][m] for p in all_parts]
            t = total_targets.get(ind.pk)
            if ind.kind == IndicatorKind.STATUS:
                at_goal = sum(1 for c in parts_cells if c.share == 1.0)
                cell = Cell(value=Decimal(at_goal), target=Decimal(n) if n else None)
            elif ind.kind == IndicatorKind.CRITERION:
                met = sum(1 for c in parts_cells if c.value == 1)
                cell = Cell(value=Decimal(met), target=Decimal(n) if n else None)
            else:
                values = [c.value for c in parts_cells if c.value is not None]
                cell = Cell(value=sum(values, Decimal(0)) if values else None)
                if t is not None and t.number is not None:
                    cell.target = t.number
                else:
                    commune_t = [
                        x.number for (iid, _pid), x in commune_targets.items() if iid == ind.pk and x.number
                    ]
                    cell.target = sum(commune_t, Decimal(0)) if commune_t else None
            if cell.target and cell.value is not None:
                cell.share = float(cell.value / cell.target)
            cells[ind.code] = cell
        total.by_month[m] = cells
    total.latest = total.by_month[months_[-1]] if months_ else {}
    total.share = _mean_share(total.latest)
    return Progress(program, months_, indicators, rows, total, missing(actor, program=program, on=on))


def colour(share: float | None) -> str:
    """Behind (red), under way (amber), on track (green), nothing to measure yet (grey)."""
    if share is None:
        return "#8c959f"
    if share < 0.5:
        return "#cf222e"
    if share < 0.9:
        return "#bf8700"
    return "#1a7f37"


def progress_layer(actor, *, program: Program, progress: Progress | None = None) -> dict:
    """The communes the reader follows, as GeoJSON points coloured by their progress (the share of
    their targets met so far), for a map layer."""
    progress = progress or selectors_progress(actor, program)
    positions = {
        p.pk: (p.commune.lon, p.commune.lat)
        for p in Participation.objects.filter(program=program).select_related("commune")
        if p.commune.lat is not None
    }
    features = []
    for row in progress.communes:
        if row.participation_id not in positions:
            continue
        lon, lat = positions[row.participation_id]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": {
                    "code": row.key,
                    "name": row.label,
                    "percent": None if row.share is None else round(row.share * 100),
                    "colour": colour(row.share),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "program": program.ref}


def selectors_progress(actor, program: Program) -> Progress:
    return progress(actor, program=program)


# --- figures for the quarterly briefing -----------------------------------------------------------


def figures(
    actor, *, start: dt.date, end: dt.date, action: str = "view", participations: Q | None = None
) -> list[dict]:
    """Each program the reader may see that runs in [start, end): per indicator, the sum of the
    approved (current) entries' values for the months in the period, and how many such entries.
    Equal, by construction and by test, to a plain SQL sum over the approved entries.

    `participations` narrows to the communes of a scope (a condition on `Participation`: the
    briefing of a district or commune counts only its communes' entries); a program none of whose
    communes is in the scope is left out."""
    if end <= start:
        raise Invalid(field="end", code="before_start", message="The end is before the start.")
    first, stop = month_of(start), end
    programs = (
        policy.visible(actor, Program, action)  # "count": the briefing's (the secretariat: node-wide)
        .filter(starts_on__lt=stop, ends_on__gte=first)
        .exclude(status=ProgramStatus.DRAFT)
        .order_by("ref")
    )
    in_scope = None
    if participations is not None:
        in_scope = Participation.objects.filter(participations).values("pk")
        programs = programs.filter(participations__in=in_scope).distinct()
    out = []
    for program in programs.select_related("owner_unit"):
        approved = Entry.objects.filter(
            program=program, is_current=True, status=EntryStatus.APPROVED, month__gte=first, month__lt=stop
        )
        if in_scope is not None:
            approved = approved.filter(participation__in=in_scope)
        sums = dict(
            EntryValue.objects.filter(entry__in=approved)
            .values("indicator_id")
            .annotate(total=Sum("number"))
            .values_list("indicator_id", "total")
        )
        out.append(
            {
                "id": program.pk,
                "ref": program.ref,
                "name_vi": program.name_vi,
                "name_en": program.name_en,
                "name_lo": program.name_lo,
                "owner_unit": program.owner_unit.name,
                "entries": approved.count(),
                "indicators": [
                    {
                        "code": ind.code,
                        "name_vi": ind.name_vi,
                        "kind": ind.kind,
                        "unit": ind.unit,
                        "sum": sums.get(ind.pk) or Decimal(0),
                    }
                    for ind in Indicator.objects.filter(program=program).order_by("position", "code")
                ],
            }
        )
    return out
