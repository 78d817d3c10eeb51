"""Writes to patrols: plans, patrols and their lifecycle, check-ins, findings, coverage settings,
segments and markers (the CSV import). Actor first; validate, policy, write, audit, one transaction."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, events
from liaison.core.errors import Conflict, FieldError, Invalid
from liaison.core.inputs import control_character
from liaison.core.refs import next_ref
from liaison.core.transactions import composite, durable
from liaison.geo.models import Place, PlaceKind
from liaison.geo.reference import km
from liaison.org.actor import Actor
from liaison.org.models import Unit
from liaison.patrols.models import (
    CheckIn,
    Condition,
    Finding,
    Kind,
    Marker,
    MarkerCondition,
    MarkerType,
    Patrol,
    PatrolPlan,
    PatrolUnit,
    PostCoverage,
    RouteStop,
    Segment,
    Status,
)

# The lifecycle (docs/architecture.md, "Patrols"): from -> the states it may move to.
TRANSITIONS: dict[str, set[str]] = {
    Status.PLANNED: {Status.UNDER_WAY, Status.CANCELLED},
    Status.UNDER_WAY: {Status.DONE, Status.CANCELLED},
    Status.DONE: set(),
    Status.CANCELLED: set(),
}
MAX_WINDOW = dt.timedelta(days=7)
CHECKIN_SLACK = dt.timedelta(days=1)  # a check-in may be this far outside the patrol's window
MAX_DISTANCE_KM = 50.0  # a check-in at a marker must be within this distance of it
MAX_PEOPLE = 500
FUTURE_SKEW = dt.timedelta(minutes=5)


def month_start(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.replace(day=1)


# --- plans ------------------------------------------------------------------------------------


def plan_draft(actor: Actor, *, post: Unit, month: dt.date, note: str = "") -> PatrolPlan:
    """A post's plan for a month (one per post and month), as a draft."""
    errs = []
    if not isinstance(month, dt.date):
        errs.append(FieldError("month", "required", "Which month?"))
    if len(note or "") > 2000:
        errs.append(FieldError("note", "too_long", "At most 2,000 characters."))
    if errs:
        raise Invalid(errs)
    policy.require(actor, "patrolplan.draft", post)
    month = month_start(month)
    if PatrolPlan.objects.filter(post=post, month=month).exists():
        raise Invalid(field="month", code="duplicate", message="This post already has a plan for this month.")
    with durable():
        plan = PatrolPlan.objects.create(post=post, month=month, note=note or "", drafted_by=actor.user)
        audit.record(
            actor, Verb.PATROL_PLAN_DRAFTED, plan, changes={"post": str(post.pk), "month": month.isoformat()}
        )
    return plan


def plan_approve(actor: Actor, *, plan: PatrolPlan) -> PatrolPlan:
    policy.require(actor, "patrolplan.approve", plan)
    if plan.state != PatrolPlan.State.DRAFT:
        raise Conflict("not_draft", "Only a draft plan can be approved.")
    with durable():
        plan.state = PatrolPlan.State.APPROVED
        plan.approved_by = actor.user
        plan.approved_at = clock.now()
        plan.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
        audit.record(actor, Verb.PATROL_PLAN_APPROVED, plan, changes={"state": plan.state})
    return plan


# --- patrols ----------------------------------------------------------------------------------


def _validate_patrol(
    *,
    kind,
    lead_unit,
    starts_at,
    ends_at,
    people,
    route,
    participants,
    partner_unit,
    partner_people,
    plan,
    purpose,
) -> list[FieldError]:
    errs: list[FieldError] = []
    if kind not in Kind.values:
        errs.append(FieldError("kind", "invalid_choice", "routine, joint, bilateral or special."))
    if not isinstance(starts_at, dt.datetime):
        errs.append(FieldError("starts_at", "required", "When does the patrol start?"))
    if not isinstance(ends_at, dt.datetime):
        errs.append(FieldError("ends_at", "required", "When does the patrol end?"))
    elif isinstance(starts_at, dt.datetime):
        if ends_at <= starts_at:
            errs.append(FieldError("ends_at", "before_start", "The end must come after the start."))
        elif ends_at - starts_at > MAX_WINDOW:
            errs.append(FieldError("ends_at", "too_long", "A patrol lasts at most 7 days."))
    if not isinstance(people, int) or isinstance(people, bool) or not 1 <= people <= MAX_PEOPLE:
        errs.append(FieldError("people", "out_of_range", f"From 1 to {MAX_PEOPLE} people."))
    if partner_people is not None and (
        not isinstance(partner_people, int) or not 1 <= partner_people <= MAX_PEOPLE
    ):
        errs.append(FieldError("partner_people", "out_of_range", f"From 1 to {MAX_PEOPLE} people."))
    if len(purpose or "") > 300:
        errs.append(FieldError("purpose", "too_long", "At most 300 characters."))
    if not route:
        errs.append(FieldError("route", "required", "Give the route: segments and markers in order."))
    elif len(route) > 100:
        errs.append(FieldError("route", "too_long", "At most 100 stops."))
    elif any(not isinstance(s, Segment | Marker) for s in route):
        errs.append(FieldError("route", "invalid", "A route is made of segments and markers."))
    if any(not _node_unit(u) for u in participants):
        errs.append(
            FieldError("participants", "invalid", "Participating units are active units of this node.")
        )
    elif lead_unit is not None and any(u.pk == lead_unit.pk for u in participants):
        errs.append(FieldError("participants", "is_lead", "The lead unit is not also a participant."))
    if (
        kind == Kind.JOINT
        and lead_unit is not None
        and not any(u.force != lead_unit.force for u in participants)
    ):
        errs.append(
            FieldError("participants", "required", "A joint patrol takes part with a unit of another force.")
        )
    if kind == Kind.BILATERAL:
        if partner_unit is None:
            errs.append(FieldError("partner_unit", "required", "A bilateral patrol names the partner unit."))
        elif not _partner(partner_unit):
            errs.append(
                FieldError("partner_unit", "not_partner", "The partner unit is a unit across the border.")
            )
    elif partner_unit is not None or partner_people is not None:
        errs.append(
            FieldError("partner_unit", "not_bilateral", "Only a bilateral patrol has a partner unit.")
        )
    if plan is not None and lead_unit is not None:
        if plan.post_id != lead_unit.pk:
            errs.append(FieldError("plan", "other_post", "The plan is another post's."))
        elif plan.state != PatrolPlan.State.DRAFT:
            errs.append(FieldError("plan", "approved", "The plan is approved: it takes no more patrols."))
        elif isinstance(starts_at, dt.datetime) and month_start(starts_at) != plan.month:
            errs.append(
                FieldError("starts_at", "outside_plan", "The patrol starts outside the plan's month.")
            )
    return errs


def _node_unit(unit) -> bool:
    return policy.can(Actor.system(), "patrol.participant", unit)


def _partner(unit) -> bool:
    return policy.can(Actor.system(), "patrol.partner", unit)


def patrol_create(
    actor: Actor,
    *,
    lead_unit: Unit,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    people: int,
    route: list,
    participants: list[Unit] = (),
    partner_unit: Unit | None = None,
    partner_people: int | None = None,
    plan: PatrolPlan | None = None,
    purpose: str = "",
) -> Patrol:
    participants = list({u.pk: u for u in participants}.values())
    errs = _validate_patrol(
        kind=kind,
        lead_unit=lead_unit,
        starts_at=starts_at,
        ends_at=ends_at,
        people=people,
        route=list(route),
        participants=participants,
        partner_unit=partner_unit,
        partner_people=partner_people,
        plan=plan,
        purpose=purpose,
    )
    if errs:
        raise Invalid(errs)
    policy.require(actor, "patrol.create", lead_unit)
    with durable():
        patrol = Patrol.objects.create(
            ref=next_ref("TT"),
            plan=plan,
            kind=kind,
            purpose=purpose or "",
            lead_unit=lead_unit,
            starts_at=starts_at,
            ends_at=ends_at,
            people=people,
            partner_unit=partner_unit,
            partner_people=partner_people,
            created_by=actor.user,
        )
        PatrolUnit.objects.bulk_create([PatrolUnit(patrol=patrol, unit=u) for u in participants])
        RouteStop.objects.bulk_create(
            [
                RouteStop(
                    patrol=patrol,
                    position=i,
                    segment=s if isinstance(s, Segment) else None,
                    marker=s if isinstance(s, Marker) else None,
                )
                for i, s in enumerate(route, start=1)
            ]
        )
        events.emit("patrol.created", patrol, units=[lead_unit, *participants], data={"kind": kind})
        audit.record(
            actor,
            Verb.PATROL_CREATED,
            patrol,
            changes={
                "kind": kind,
                "lead_unit": str(lead_unit.pk),
                "participants": sorted(str(u.pk) for u in participants),
                "partner_unit": str(partner_unit.pk) if partner_unit else "",
                "route": len(route),
                "people": people,
            },
        )
    return patrol


def patrol_transition(actor: Actor, *, patrol: Patrol, to: str, reason: str = "") -> Patrol:
    """planned → under way → done; planned or under way → cancelled (with a reason)."""
    if to not in Status.values:
        raise Invalid(field="status", code="invalid_choice", message="planned, under_way, done or cancelled.")
    reason = (reason or "").strip()
    if to == Status.CANCELLED and not reason:
        raise Invalid(field="reason", code="required", message="Say why the patrol is cancelled.")
    if len(reason) > 500:
        raise Invalid(field="reason", code="too_long", message="At most 500 characters.")
    policy.require(actor, "patrol.transition", patrol)
    with durable():
        current = Patrol.objects.select_for_update().get(pk=patrol.pk)
        if to not in TRANSITIONS[current.status]:
            raise Conflict(
                "invalid_transition",
                f"A patrol {current.status} cannot become {to}.",
            )
        before = current.status
        current.status = to
        now = clock.now()
        if to == Status.UNDER_WAY:
            current.started_at = now
        if to in (Status.DONE, Status.CANCELLED):
            current.finished_at = now
        if to == Status.CANCELLED:
            current.cancel_reason = reason
        current.save()
        events.emit(
            "patrol.status",
            current,
            units=[current.lead_unit_id, *_participant_ids(current)],
            data={"to": to},
        )
        audit.record(
            actor, Verb.PATROL_STATUS_CHANGED, current, changes={"from": before, "to": to, "reason": reason}
        )
    return current


def _participant_ids(patrol: Patrol) -> list:
    return list(PatrolUnit.objects.filter(patrol=patrol).values_list("unit_id", flat=True))


# --- check-ins --------------------------------------------------------------------------------


@dataclass
class Photo:
    filename: str
    data: bytes


def _validate_checkin(patrol: Patrol, *, marker, at, lat, lon, condition, note) -> list[FieldError]:
    errs: list[FieldError] = []
    if patrol.status == Status.CANCELLED:
        errs.append(FieldError("patrol", "cancelled", "The patrol was cancelled: it takes no check-ins."))
    if marker is not None:
        on_route = RouteStop.objects.filter(patrol=patrol, marker=marker).exists()
        if not on_route:
            errs.append(FieldError("marker", "not_on_route", "This marker is not on the patrol's route."))
        if condition not in Condition.values:
            errs.append(
                FieldError(
                    "condition", "required", "The marker's condition: intact, damaged, moved or missing."
                )
            )
    elif condition:
        errs.append(FieldError("condition", "no_marker", "A waypoint has no marker condition."))
    if not isinstance(at, dt.datetime):
        errs.append(FieldError("at", "required", "When?"))
    else:
        if at > clock.now() + FUTURE_SKEW:
            errs.append(FieldError("at", "in_future", "Cannot be in the future."))
        elif at < patrol.starts_at - CHECKIN_SLACK or at > patrol.ends_at + CHECKIN_SLACK:
            errs.append(
                FieldError("at", "outside_window", "More than a day outside the patrol's time window.")
            )
    bad_position = False
    if not isinstance(lat, int | float) or isinstance(lat, bool) or not -90 <= lat <= 90:
        errs.append(FieldError("lat", "out_of_range", "Latitude between -90 and 90."))
        bad_position = True
    if not isinstance(lon, int | float) or isinstance(lon, bool) or not -180 <= lon <= 180:
        errs.append(FieldError("lon", "out_of_range", "Longitude between -180 and 180."))
        bad_position = True
    if marker is not None and not bad_position:
        distance = km((lon, lat), (marker.place.lon, marker.place.lat))
        if distance > MAX_DISTANCE_KM:
            errs.append(
                FieldError(
                    "lat", "too_far", f"The position is {distance:.0f} km from the marker (at most 50 km)."
                )
            )
    if len(note or "") > 4000:
        errs.append(FieldError("note", "too_long", "At most 4,000 characters."))
    elif control_character(note or "", free_text=True):
        errs.append(FieldError("note", "control_character", "A control character is not allowed."))
    return errs


def checkin_record(
    actor: Actor,
    *,
    patrol: Patrol,
    at: dt.datetime,
    lat: float,
    lon: float,
    marker: Marker | None = None,
    condition: str = "",
    note: str = "",
    photo: Photo | None = None,
) -> CheckIn:
    """A check-in at a marker of the route (its condition joins the marker's history and, when it is
    the newest observation, becomes its condition) or at a waypoint; an optional photo, checked and
    stripped by the attachment rules of intel."""
    from liaison.intel.services import attachments

    errs = _validate_checkin(patrol, marker=marker, at=at, lat=lat, lon=lon, condition=condition, note=note)
    mime = sha = ""
    size = None
    if photo is not None:
        try:
            _name, mime, data = attachments.cleaned(
                photo.filename, photo.data, field="photo", allowed=attachments.IMAGES
            )
        except Invalid as exc:
            errs.extend(exc.errors)
        else:
            size = len(data)
    if errs:
        raise Invalid(errs)
    policy.require(actor, "patrol.checkin", patrol)
    if photo is not None:
        sha = attachments.store(data)
    with durable():
        checkin = CheckIn.objects.create(
            patrol=patrol,
            marker=marker,
            at=at,
            lat=lat,
            lon=lon,
            condition=condition or "",
            note=note or "",
            photo_sha256=sha,
            photo_type=mime,
            photo_size=size,
            recorded_by=actor.user,
            recorded_by_unit=actor.unit,
        )
        if marker is not None:
            MarkerCondition.objects.create(
                marker=marker, condition=condition, at=at, source="checkin", recorded_by_unit=actor.unit
            )
            current = Marker.objects.select_for_update().get(pk=marker.pk)
            if current.condition_at is None or at >= current.condition_at:
                current.condition, current.condition_at = condition, at
                current.save(update_fields=["condition", "condition_at", "updated_at"])
        events.emit(
            "patrol.checkin",
            patrol,
            units=[patrol.lead_unit_id, *_participant_ids(patrol)],
            data={"marker": marker.number if marker else "", "condition": condition},
        )
        audit.record(
            actor,
            Verb.PATROL_CHECKED_IN,
            patrol,
            changes={
                "checkin": str(checkin.pk),
                "marker": marker.number if marker else "",
                "condition": condition,
                "photo": sha,
            },
        )
    return checkin


def checkin_photo(actor: Actor, *, checkin: CheckIn):
    """The photo's path, for a reader who sees the check-in (audited)."""
    from liaison.intel.services import attachments

    audit.record_separately(
        actor, Verb.PATROL_PHOTO_READ, checkin.patrol, changes={"checkin": str(checkin.pk)}
    )
    return attachments.path_for(checkin.photo_sha256)


# --- findings ---------------------------------------------------------------------------------


def finding_report(
    actor: Actor,
    *,
    checkin: CheckIn,
    as_: str,
    title: str,
    body: str = "",
    category=None,
    incident_type=None,
    severity: str | None = None,
    tlp: str = "amber",
):
    """A finding becomes an information item or an incident through intel's and incidents' own
    services, prefilled from the check-in (time, position, marker, the patrol's reference), in one
    transaction with the patrol's link to it (`core.transactions.composite`)."""
    from liaison.incidents.services import lifecycle
    from liaison.intel.services import items

    patrol = checkin.patrol
    if as_ not in Finding.As.values:
        raise Invalid(field="as", code="invalid_choice", message="item or incident.")
    policy.require(actor, "patrol.finding", patrol)
    where = f"{patrol.ref}" + (f", mốc {checkin.marker.number}" if checkin.marker_id else "")
    text = (body or checkin.note or "").strip()
    prefilled = (
        f"{text}\n\n[Tuần tra / patrol {where}, {timezone.localtime(checkin.at):%d/%m/%Y %H:%M}]".strip()
    )
    place = checkin.marker.place if checkin.marker_id else None
    with composite():
        if as_ == Finding.As.ITEM:
            record = items.item_create(
                actor,
                title=title,
                body=prefilled,
                category=category,
                observed_at=checkin.at,
                reliability="B",
                credibility=2,
                tlp=tlp,
                lat=checkin.lat,
                lon=checkin.lon,
                place=place,
            )
            finding = Finding(
                checkin=checkin, patrol=patrol, kind=as_, item=record, reported_by_unit=actor.unit
            )
        else:
            record = lifecycle.incident_open(
                actor,
                incident_type=incident_type,
                title=title,
                description=prefilled,
                severity=severity or None,
                lat=checkin.lat,
                lon=checkin.lon,
                place=place,
                tlp=tlp,
            )
            finding = Finding(
                checkin=checkin, patrol=patrol, kind=as_, incident=record, reported_by_unit=actor.unit
            )
        finding.save()
        audit.record(
            actor,
            Verb.PATROL_FINDING_REPORTED,
            patrol,
            changes={"checkin": str(checkin.pk), "as": as_, "record": str(record.pk), "ref": record.ref},
        )
    return finding


# --- coverage, segments, markers ---------------------------------------------------------------


def coverage_configure(actor: Actor, *, post: Unit, days: int) -> PostCoverage:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        raise Invalid(field="days", code="out_of_range", message="From 1 to 365 days.")
    policy.require(actor, "coverage.configure", post)
    with durable():
        setting, _ = PostCoverage.objects.update_or_create(post=post, defaults={"unchecked_days": days})
        audit.record(actor, Verb.COVERAGE_CONFIGURED, post, changes={"unchecked_days": days})
    return setting


def segment_save(
    actor: Actor,
    *,
    code: str,
    name: str,
    post: Unit,
    position: int,
    start_km: float,
    end_km: float,
    line: list,
) -> Segment:
    """Create or update a segment of the border line (reference data: administrators)."""
    policy.require(actor, "marker.import")
    errs = []
    if not code or len(code) > 40:
        errs.append(FieldError("code", "invalid", "1–40 characters."))
    if not (name or "").strip():
        errs.append(FieldError("name", "required", "A segment needs a name."))
    if end_km < start_km:
        errs.append(FieldError("end_km", "before_start", "The end lies before the start."))
    if errs:
        raise Invalid(errs)
    values = {
        "name": name,
        "post": post,
        "position": position,
        "start_km": start_km,
        "end_km": end_km,
        "line": line,
    }
    with durable():
        seg, _ = Segment.objects.update_or_create(code=code, defaults=values)
        audit.record(actor, Verb.SEGMENT_SAVED, seg, changes={"post": str(post.pk), "km": [start_km, end_km]})
    return seg


def marker_register(
    actor: Actor,
    *,
    place: Place,
    number: str,
    marker_type: str = MarkerType.MAIN,
    segment: Segment | None = None,
) -> Marker:
    """Give a marker place its number, type and segment (re-runnable)."""
    policy.require(actor, "marker.import")
    if place.kind != PlaceKind.MARKER:
        raise Invalid(field="place", code="not_marker", message="The place is not a border marker.")
    with durable():
        marker, _ = Marker.objects.update_or_create(
            place=place, defaults={"number": number, "marker_type": marker_type, "segment": segment}
        )
        audit.record(actor, Verb.MARKERS_IMPORTED, marker, changes={"number": number, "type": marker_type})
    return marker


CSV_COLUMNS = ("number", "lat", "lon", "type")
MAX_IMPORT_ROWS = 10_000


def _float(value: str):
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def markers_import(actor: Actor, *, text: str, source: str = "") -> dict[str, int]:
    """Surveyed marker positions from CSV (number, lat, lon, type): known numbers are moved and marked
    surveyed (no longer approximate), new numbers become markers on the nearest segment. Any bad row
    refuses the whole file, naming its line; nothing is written."""
    policy.require(actor, "marker.import")
    source = (source or "").strip()[:150] or "surveyed positions (CSV import)"
    reader = csv.reader(io.StringIO(text or ""))
    errs: list[FieldError] = []
    rows = []
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:4]] != list(CSV_COLUMNS):
        raise Invalid(field="file", code="header", message="Line 1: the header must be number,lat,lon,type.")
    seen: set[str] = set()
    for line_no, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            errs.append(FieldError("file", "too_many", f"At most {MAX_IMPORT_ROWS} rows."))
            break
        if len(row) < 4:
            errs.append(FieldError("file", "columns", f"Line {line_no}: four columns expected."))
            continue
        number, lat, lon, mtype = (c.strip() for c in row[:4])
        problem = ""
        if not number or len(number) > 20 or control_character(number):
            problem = "the number must be 1–20 characters"
        elif number in seen:
            problem = f"marker {number} appears twice"
        elif (la := _float(lat)) is None or not -90 <= la <= 90:
            problem = "latitude between -90 and 90"
        elif (lo := _float(lon)) is None or not -180 <= lo <= 180:
            problem = "longitude between -180 and 180"
        elif mtype not in MarkerType.values:
            problem = "type: main, auxiliary or reference"
        if problem:
            errs.append(FieldError("file", "bad_row", f"Line {line_no}: {problem}."))
            continue
        seen.add(number)
        rows.append((number, la, lo, mtype))
    if errs:
        raise Invalid(errs)
    if not rows:
        raise Invalid(field="file", code="empty", message="No rows.")
    segments = list(Segment.objects.all())
    created = moved = 0
    with durable():
        existing = {m.number: m for m in Marker.objects.select_related("place").filter(number__in=seen)}
        for number, lat, lon, mtype in rows:
            m = existing.get(number)
            if m is None:
                code = f"MARKER-{number}"[:40]
                if Place.objects.filter(code=code).exists():
                    raise Invalid(
                        field="file", code="duplicate", message=f"Place {code} exists but is no marker."
                    )
                place = Place.objects.create(
                    code=code,
                    kind=PlaceKind.MARKER,
                    name=f"Mốc {number}",
                    lat=lat,
                    lon=lon,
                    approximate=False,
                    source=source,
                )
                Marker.objects.create(
                    place=place, number=number, marker_type=mtype, segment=_nearest(segments, lat, lon)
                )
                created += 1
            else:
                Place.objects.filter(pk=m.place_id).update(lat=lat, lon=lon, approximate=False, source=source)
                Marker.objects.filter(pk=m.pk).update(marker_type=mtype)
                moved += 1
        audit.record(
            actor,
            Verb.MARKERS_IMPORTED,
            object_type="patrols.marker",
            object_ref="csv",
            changes={"created": created, "updated": moved, "source": source},
        )
    return {"created": created, "updated": moved, "rows": len(rows)}


def _nearest(segments: list[Segment], lat: float, lon: float) -> Segment | None:
    best, best_d = None, None
    for s in segments:
        for p in s.line or []:
            d = km((lon, lat), (p[0], p[1]))
            if best_d is None or d < best_d:
                best, best_d = s, d
    return best
