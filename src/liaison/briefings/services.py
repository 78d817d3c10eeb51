"""Every write of briefings (issue 18): a plain function, actor first; policy, validation, write and
audit in one durable transaction."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.briefings import figures
from liaison.briefings.models import (
    NARRATIVE,
    Agreement,
    Briefing,
    BriefingState,
    Conclusion,
    ConclusionState,
    Generation,
    Meeting,
)
from liaison.core import clock
from liaison.core.errors import Conflict, FieldError, Invalid
from liaison.core.refs import next_ref
from liaison.core.transactions import durable
from liaison.geo.models import Area
from liaison.org.models import Unit


def scope_of(briefing: Briefing) -> figures.Scope:
    return figures.Scope(briefing.scope_kind, briefing.scope_code)


def period_of(briefing: Briefing) -> figures.Period:
    return figures.Period(briefing.period_kind, briefing.starts_on, briefing.ends_on)


def _check_scope(scope_kind: str, scope_code: str) -> None:
    if scope_kind not in figures.SCOPE_KINDS:
        raise Invalid(field="scope_kind", code="invalid_choice", message="province, border, area or unit.")
    if scope_kind == "area" and not Area.objects.filter(code=scope_code).exists():
        raise Invalid(field="scope_code", code="unknown_area", message="No area has this code.")
    if scope_kind == "unit" and not Unit.objects.filter(code=scope_code, is_active=True).exists():
        raise Invalid(field="scope_code", code="unknown_unit", message="No unit has this code.")


def default_title(p: figures.Period) -> str:
    return _("Coordination briefing %(period)s") % {"period": p.label}


def briefing_create(
    actor,
    *,
    period_kind: str = "quarter",
    on: dt.date | None = None,
    ends_on: dt.date | None = None,
    scope_kind: str = "province",
    scope_code: str = "",
    title: str = "",
) -> Briefing:
    """A draft briefing of the actor's unit for a period (default: last quarter) and a scope. Its
    figures are computed from the records when read; they are stored when it is issued."""
    p = figures.period(period_kind, on, ends_on) if on else figures.last_quarter()
    _check_scope(scope_kind, scope_code if scope_kind in ("area", "unit") else "")
    policy.require(actor, "briefing.create", actor.unit)
    with durable():
        b = Briefing.objects.create(
            ref=next_ref("GB"),
            title=(title or default_title(p))[:200],
            owner_unit=actor.unit,
            period_kind=p.kind,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            scope_kind=scope_kind,
            scope_code=scope_code if scope_kind in ("area", "unit") else "",
            created_by=actor.user,
        )
        audit.record(actor, Verb.BRIEFING_CREATED, b, object_ref=b.ref)
    return b


def briefing_edit(actor, *, briefing: Briefing, **fields) -> Briefing:
    unknown = set(fields) - set(NARRATIVE)
    if unknown:
        raise Invalid(
            [FieldError(k, "unknown_field", "Not a field of the briefing.") for k in sorted(unknown)]
        )
    with durable():
        b = Briefing.objects.select_for_update().get(pk=briefing.pk)
        policy.require(actor, "briefing.edit", b)
        changed = {}
        for k, v in fields.items():
            if v is not None and getattr(b, k) != v:
                setattr(b, k, v)
                changed[k] = v
        if changed:
            b.save()
            audit.record(actor, Verb.BRIEFING_EDITED, b, object_ref=b.ref, changes=changed)
    return b


def briefing_approve(actor, *, briefing: Briefing) -> Briefing:
    with durable():
        b = Briefing.objects.select_for_update().get(pk=briefing.pk)
        policy.require(actor, "briefing.approve", b)
        b.state, b.approved_by, b.approved_at = BriefingState.APPROVED, actor.user, clock.now()
        b.save()
        audit.record(actor, Verb.BRIEFING_APPROVED, b, object_ref=b.ref, changes={"state": b.state})
    return b


def briefing_issue(actor, *, briefing: Briefing) -> Briefing:
    """Issue an approved briefing: its figures, generated for the issuing commander through the
    policy, are stored and never recomputed (the issued document does not change with the records)."""
    with durable():
        b = Briefing.objects.select_for_update().get(pk=briefing.pk)
        policy.require(actor, "briefing.issue", b)
        b.figures = figures.generate(actor, period_of(b), scope_of(b))
        b.state, b.issued_by, b.issued_at = BriefingState.ISSUED, actor.user, clock.now()
        b.save()
        audit.record(actor, Verb.BRIEFING_ISSUED, b, object_ref=b.ref, changes={"state": b.state})
    return b


def meeting_record(
    actor,
    *,
    briefing: Briefing,
    held_on: dt.date,
    place: str,
    chair: str,
    minutes: str = "",
    participants: list[str] = (),  # type: ignore[assignment]
) -> Meeting:
    """The briefing's meeting (created or updated). Participating units are named by code; units of
    the partner across the border are references (nothing is shared with them)."""
    errors = []
    if not place.strip():
        errors.append(FieldError("place", "required", "The place is required."))
    if not chair.strip():
        errors.append(FieldError("chair", "required", "The chair is required."))
    units = list(Unit.objects.filter(code__in=list(participants), is_active=True))
    missing = set(participants) - {u.code for u in units}
    if missing:
        errors.append(
            FieldError("participants", "unknown_unit", "Unknown unit: " + ", ".join(sorted(missing)))
        )
    if errors:
        raise Invalid(errors)
    with durable():
        b = Briefing.objects.select_for_update().get(pk=briefing.pk)
        policy.require(actor, "briefing.meeting", b)
        m, _created = Meeting.objects.update_or_create(
            briefing=b, defaults={"held_on": held_on, "place": place, "chair": chair, "minutes": minutes}
        )
        m.participants.set(units)
        audit.record(
            actor, Verb.MEETING_RECORDED, m, object_ref=b.ref, changes={"held_on": held_on.isoformat()}
        )
    return m


def conclusion_assign(
    actor,
    *,
    briefing: Briefing,
    text: str,
    unit: str,
    due_on: dt.date,
    agreement: str | None = None,
) -> Conclusion:
    """A conclusion of the meeting: a task for a unit of this node with a deadline; it goes on that
    unit's task list, and the worker escalates it to the parent unit once overdue."""

    errors = []
    if not text.strip():
        errors.append(FieldError("text", "required", "The conclusion is required."))
    target = Unit.objects.filter(code=unit, is_active=True).first()
    if target is None:
        errors.append(FieldError("unit", "unknown_unit", "No unit has this code."))
    elif not policy.can(actor, "conclusion.unit", target):
        errors.append(FieldError("unit", "partner_unit", "Nothing is assigned to a unit of the partner."))
    agr = None
    if agreement:
        agr = policy.visible(actor, Agreement).filter(ref=agreement).first()
        if agr is None:
            errors.append(FieldError("agreement", "unknown_agreement", "No agreement has this reference."))
    if errors:
        raise Invalid(errors)
    with durable():
        b = Briefing.objects.select_for_update().get(pk=briefing.pk)
        policy.require(actor, "conclusion.assign", b)
        meeting = Meeting.objects.filter(briefing=b).first()
        if meeting is None:
            raise Conflict("no_meeting", "Record the meeting before its conclusions.")
        position = meeting.conclusions.count() + 1
        c = Conclusion.objects.create(
            meeting=meeting, position=position, text=text, unit=target, due_on=due_on, agreement=agr
        )
        audit.record(
            actor,
            Verb.CONCLUSION_ASSIGNED,
            c,
            object_ref=b.ref,
            changes={"unit": str(target.pk), "due_on": due_on.isoformat()},
        )
    return c


def conclusion_update(actor, *, conclusion: Conclusion, state: str, result: str = "") -> Conclusion:
    if state not in ConclusionState.values:
        raise Invalid(field="state", code="invalid_choice", message="open, done or cancelled.")
    with durable():
        c = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
        policy.require(actor, "conclusion.update", c)
        c.state, c.result = state, result or c.result
        c.done_at = clock.now() if state == ConclusionState.DONE else None
        c.save()
        audit.record(actor, Verb.CONCLUSION_UPDATED, c, changes={"state": state})
    return c


def conclusion_escalate(actor, *, conclusion_id) -> bool:
    """The worker's escalation of an overdue conclusion (idempotent): marked escalated, shown to the
    parent unit's commanders (they see the conclusions below them) on their task list."""
    with durable():
        c = Conclusion.objects.select_for_update().filter(pk=conclusion_id).select_related("unit").first()
        today = timezone.localdate(clock.now())
        if c is None or c.escalated_at is not None or c.state != ConclusionState.OPEN or c.due_on >= today:
            return False
        c.escalated_at = clock.now()
        c.save(update_fields=["escalated_at", "updated_at"])
        target = c.unit.parent or c.unit
        audit.record(actor, Verb.CONCLUSION_ESCALATED, c, changes={"to": str(target.pk)})
    return True


def agreement_save(
    actor,
    *,
    title: str,
    parties: str,
    signed_on: dt.date,
    review_on: dt.date,
    valid_until: dt.date | None = None,
    file_name: str = "",
    agreement: Agreement | None = None,
    upload: tuple[str, bytes] | None = None,
) -> Agreement:
    """Register (or correct) an agreement; `upload` (name, content) is its signed file, checked and
    stored as `agreement_file_attach` does, in the same transaction."""
    errors = []
    if not title.strip():
        errors.append(FieldError("title", "required", "The title is required."))
    if valid_until is not None and valid_until < signed_on:
        errors.append(FieldError("valid_until", "before_signed", "Valid until a day after it was signed."))
    cleaned = None
    if upload is not None:
        try:
            cleaned = _cleaned_file(*upload)
        except Invalid as exc:
            errors.extend(exc.errors or [])
    if errors:
        raise Invalid(errors)
    policy.require(actor, "agreement.manage")
    sha = _store(cleaned[2]) if cleaned else None
    with durable():
        if agreement is None:
            a = Agreement(ref=next_ref("TTHT"), owner_unit=actor.unit)
        else:
            a = Agreement.objects.select_for_update().get(pk=agreement.pk)
        a.title, a.parties, a.signed_on, a.review_on = title, parties, signed_on, review_on
        a.valid_until = valid_until
        if cleaned:
            a.file_name, a.file_type, a.file_size, a.file_sha256 = (
                cleaned[0],
                cleaned[1],
                len(cleaned[2]),
                sha,
            )
        elif file_name:
            a.file_name = file_name
        a.save()
        audit.record(actor, Verb.AGREEMENT_SAVED, a, object_ref=a.ref)
        if cleaned:
            audit.record(
                actor,
                Verb.AGREEMENT_FILE_ATTACHED,
                a,
                object_ref=a.ref,
                changes={"file_name": a.file_name, "file_type": a.file_type},
            )
    return a


# The signed file of an agreement: these types, checked by content (a scan or the document itself).
AGREEMENT_FILE_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/jpeg",
    "image/png",
}


def _cleaned_file(filename: str, data: bytes) -> tuple[str, str, bytes]:
    from liaison.intel.services import attachments

    return attachments.cleaned(filename, data, field="file", allowed=AGREEMENT_FILE_TYPES)


def _store(data: bytes) -> str:
    from liaison.intel.services import attachments

    return attachments.store(data)


def agreement_file_attach(actor, *, agreement: Agreement, filename: str, data: bytes) -> Agreement:
    """The signed file of an agreement (replacing the one before): PDF, DOCX, JPEG or PNG by its
    content, within the attachment size limit; an error names the field `file`."""
    name, mime, clean = _cleaned_file(filename, data)
    policy.require(actor, "agreement.manage")
    sha = _store(clean)
    with durable():
        a = Agreement.objects.select_for_update().get(pk=agreement.pk)
        a.file_name, a.file_type, a.file_size, a.file_sha256 = name, mime, len(clean), sha
        a.save(update_fields=["file_name", "file_type", "file_size", "file_sha256", "updated_at"])
        audit.record(
            actor,
            Verb.AGREEMENT_FILE_ATTACHED,
            a,
            object_ref=a.ref,
            changes={"file_name": name, "file_type": mime},
        )
    return a


def briefing_cite(actor, *, briefing: Briefing, agreements: list[str]) -> Briefing:
    """The agreements a briefing cites (by reference; replaces the list). An unknown reference, or
    one the actor may not see, is an error on `agreements`."""
    refs = sorted({r.strip() for r in agreements if r and r.strip()})
    found = list(policy.visible(actor, Agreement).filter(ref__in=refs))
    missing = set(refs) - {a.ref for a in found}
    if missing:
        raise Invalid(
            field="agreements",
            code="unknown_agreement",
            message="No agreement has this reference: " + ", ".join(sorted(missing)),
        )
    with durable():
        b = Briefing.objects.select_for_update().get(pk=briefing.pk)
        policy.require(actor, "briefing.edit", b)
        b.agreements.set(found)
        audit.record(actor, Verb.BRIEFING_AGREEMENTS_CITED, b, object_ref=b.ref, changes={"agreements": refs})
    return b


# Reminded this many days before an agreement's review date.
REVIEW_NOTICE_DAYS = 30


def agreement_remind(actor, *, agreement_id) -> bool:
    """Remind (once per review date) that an agreement's review is near: idempotent."""
    with durable():
        a = Agreement.objects.select_for_update().filter(pk=agreement_id).first()
        today = timezone.localdate(clock.now())
        if (
            a is None
            or a.reminded_for == a.review_on
            or a.review_on > today + dt.timedelta(days=REVIEW_NOTICE_DAYS)
        ):
            return False
        a.reminded_for = a.review_on
        a.save(update_fields=["reminded_for", "updated_at"])
        audit.record(actor, Verb.AGREEMENT_REVIEW_REMINDED, a, object_ref=a.ref)
    return True


def generation_request(actor, *, briefing: Briefing, enqueue) -> Generation:
    """Queue the documents' generation (a background job, `enqueue(generation_id)` from tasks.py;
    its progress is on the row). Enqueued in the same transaction: an outbox for free."""
    with durable():
        g = Generation.objects.create(
            briefing=briefing,
            requested_by=actor.user,
            requested_unit=actor.unit,
            requested_role=actor.role or "",
        )
        enqueue(str(g.pk))
        audit.record(
            actor,
            Verb.BRIEFING_EXPORTED,
            briefing,
            object_ref=briefing.ref,
            changes={"generation": str(g.pk)},
        )
    return g
