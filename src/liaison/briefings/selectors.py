"""Every read of briefings, through the policy: the briefings a reader opens, their figures (live
for a draft, as stored for an issued one, with what changed since), last period's conclusions, a
unit's conclusions (its task list), the agreements register, a generation's progress."""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.briefings import figures, tables
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
from liaison.core.errors import NotFound


def briefing_list(actor):
    return (
        policy.visible(actor, Briefing, "read")
        .select_related("owner_unit")
        .order_by("-starts_on", "-created_at")
        .values("id", "ref", "title", "state", "period_kind", "starts_on", "ends_on", "owner_unit__name")[
            :200
        ]
    )


def briefing_get(actor, *, briefing_id, audit_read: bool = False) -> Briefing:
    b = policy.get_visible(actor, Briefing, "read", what="briefing", pk=briefing_id)
    b = Briefing.objects.select_related("owner_unit", "approved_by", "issued_by").get(pk=b.pk)
    if audit_read:
        audit.record_separately(actor, Verb.BRIEFING_READ, b)
    return b


def period_of(b: Briefing) -> figures.Period:
    return figures.Period(b.period_kind, b.starts_on, b.ends_on)


def scope_of(b: Briefing) -> figures.Scope:
    return figures.Scope(b.scope_kind, b.scope_code)


def briefing_figures(actor, *, briefing: Briefing) -> dict:
    """A draft's figures are computed now for this reader; an issued briefing's are those stored."""
    if briefing.state == BriefingState.ISSUED and briefing.figures:
        return briefing.figures
    return figures.generate(actor, period_of(briefing), scope_of(briefing))


def changes_since(actor, *, briefing: Briefing) -> list[dict]:
    """For an issued briefing: the headline figures that differ now from the stored ones (records
    entered or corrected after the issue), counted for this reader."""
    if briefing.state != BriefingState.ISSUED or not briefing.figures:
        return []
    now = figures.section_figures(actor, period_of(briefing), scope_of(briefing))
    stored = briefing.figures["current"]
    names = tables.labels()
    out = []
    for section, key, label in (
        ("exchange", "total", _("Items exchanged")),
        ("verification", "requested", names["verification"]["requested"]),
        ("verification", "overdue", names["verification"]["overdue"]),
        ("incidents", "total", _("Incidents")),
        ("patrols", "patrols", _("Patrols")),
    ):
        was, is_ = stored[section][key], now[section][key]
        if was != is_:
            out.append({"section": section, "key": key, "label": label, "issued": was, "now": is_})
    for key, is_ in now["incidents"]["outcomes"].items():
        was = stored["incidents"]["outcomes"].get(key, 0)
        if was != is_:
            label = names["outcomes"].get(key, key)
            out.append(
                {"section": "incidents.outcomes", "key": key, "label": label, "issued": was, "now": is_}
            )
    return out


def meeting_of(actor, *, briefing: Briefing) -> Meeting | None:
    return Meeting.objects.filter(briefing=briefing).prefetch_related("participants").first()


def conclusions_of(actor, *, briefing: Briefing) -> list[Conclusion]:
    return list(
        policy.visible(actor, Conclusion)
        .filter(meeting__briefing=briefing)
        .select_related("unit", "agreement")
        .order_by("position")
    )


def previous_briefing(actor, *, briefing: Briefing) -> Briefing | None:
    """The briefing of the previous period for the same unit and scope, if the reader may open it."""
    prev = figures.Period(briefing.period_kind, briefing.starts_on, briefing.ends_on).previous()
    return (
        policy.visible(actor, Briefing, "read")
        .filter(
            owner_unit=briefing.owner_unit,
            scope_kind=briefing.scope_kind,
            scope_code=briefing.scope_code,
            starts_on=prev.starts_on,
            ends_on=prev.ends_on,
        )
        .order_by("-created_at")
        .first()
    )


def last_conclusions(actor, *, briefing: Briefing) -> list[dict]:
    """Last period's conclusions and their state (the next briefing lists them)."""
    prev = previous_briefing(actor, briefing=briefing)
    if prev is None:
        return []
    today = timezone.localdate(clock.now())
    return [
        {
            "id": str(c.pk),
            "text": c.text,
            "unit": c.unit.name,
            "due_on": c.due_on.strftime("%d/%m/%Y"),
            "state": str(c.get_state_display()),
            "state_code": c.state,
            "overdue": c.state == ConclusionState.OPEN and c.due_on < today,
        }
        for c in conclusions_of(actor, briefing=prev)
    ]


def unit_conclusions(actor, *, open_only: bool = True):
    """The conclusions on the reader's task list: assigned to the active unit; for a commander,
    also the overdue (escalated) ones of the units below."""
    if actor.unit is None:
        return Conclusion.objects.none()
    qs = policy.visible(actor, Conclusion, "tasklist")
    if open_only:
        qs = qs.filter(state=ConclusionState.OPEN)
    return qs.select_related("unit", "meeting__briefing").order_by("due_on")


def conclusion_get(actor, *, conclusion_id) -> Conclusion:
    return policy.get_visible(actor, Conclusion, what="conclusion", pk=conclusion_id)


def agreement_list(actor):
    return policy.visible(actor, Agreement).select_related("owner_unit").order_by("review_on")


def agreement_get(actor, *, agreement_id) -> Agreement:
    return policy.get_visible(actor, Agreement, what="agreement", pk=agreement_id)


def agreement_file(actor, *, agreement_id):
    """The signed file of an agreement the reader may see: (agreement, path), one audited read."""
    from liaison.intel.services import attachments

    a = agreement_get(actor, agreement_id=agreement_id)
    if not a.file_sha256:
        raise NotFound("agreement file")
    path = attachments.path_for(a.file_sha256)
    if not path.exists():
        raise NotFound("agreement file")
    audit.record_separately(actor, Verb.AGREEMENT_FILE_READ, a, changes={"file_name": a.file_name})
    return a, path


def agreement_out(a: Agreement) -> dict:
    return {
        "id": str(a.pk),
        "ref": a.ref,
        "title": a.title,
        "parties": a.parties,
        "owner_unit": a.owner_unit.code,
        "signed_on": as_date(a.signed_on),
        "valid_until": as_date(a.valid_until),
        "review_on": as_date(a.review_on),
        "file_name": a.file_name,
        "file_type": a.file_type,
        "file_size": a.file_size,
        "file_url": reverse("api:agreement_file", args=[a.pk]) if a.file_sha256 else None,
        "reminded_for": as_date(a.reminded_for),
    }


def cited_agreements(actor, *, briefing: Briefing) -> list[Agreement]:
    return list(
        policy.visible(actor, Agreement)
        .filter(briefings=briefing)
        .select_related("owner_unit")
        .order_by("ref")
    )


def generation_get(actor, *, generation_id) -> Generation:
    """A generation is its requester's (its figures were counted for them), of a briefing they open."""
    g = (
        Generation.objects.filter(
            pk=generation_id,
            requested_by_id=getattr(actor.user, "pk", None),
            briefing__in=policy.visible(actor, Briefing, "read").values("pk"),
        )
        .defer("docx", "pdf", "xlsx")
        .first()
    )
    if g is None:
        raise NotFound("generation")
    return g


def generation_file(actor, *, generation: Generation, fmt: str) -> bytes:
    """A generated document (docx, pdf or xlsx): one audited read per download."""
    data = Generation.objects.filter(pk=generation.pk).values_list(fmt, flat=True).first()
    if data is None:
        raise NotFound("document")
    audit.record_separately(
        actor,
        Verb.BRIEFING_EXPORTED,
        generation.briefing,
        changes={"format": fmt, "generation": str(generation.pk)},
    )
    return bytes(data)


# --- a briefing as the page and the API show it -----------------------------------------------------

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def as_date(d) -> str | None:
    return d.isoformat() if d else None


def figure_url(section: str, key: str, p: figures.Period, scope: figures.Scope) -> str | None:
    target = figures.link(section, key, p, scope)
    if target is None:
        return None
    q = QueryDict(mutable=True)
    q.update(target[1])
    return reverse(target[0]) + "?" + q.urlencode()


def conclusion_out(c: Conclusion) -> dict:
    return {
        "id": str(c.pk),
        "position": c.position,
        "text": c.text,
        "unit": c.unit.code,
        "unit_name": c.unit.name,
        "due_on": as_date(c.due_on),
        "state": c.state,
        "result": c.result,
        "escalated": c.escalated_at is not None,
        "agreement": c.agreement.ref if c.agreement_id else None,
    }


def briefing_out(actor, b: Briefing, *, with_figures: bool = True) -> dict:
    out = {
        "id": str(b.pk),
        "ref": b.ref,
        "title": b.title,
        "state": b.state,
        "owner_unit": b.owner_unit.code,
        "period_kind": b.period_kind,
        "starts_on": as_date(b.starts_on),
        "ends_on": as_date(b.ends_on),
        "scope_kind": b.scope_kind,
        "scope_code": b.scope_code,
        **{k: getattr(b, k) for k in NARRATIVE if k != "title"},
    }
    if not with_figures:
        return out
    figs = briefing_figures(actor, briefing=b)
    p, scope = period_of(b), scope_of(b)
    drill = policy.can(actor, "briefing.drill")
    shown = []
    for t in tables.tables(figs):
        shown.append(
            {
                "section": t.section,
                "title": t.title,
                "partial": t.partial,
                "rows": [
                    {
                        "key": r.key,
                        "label": r.label,
                        "current": r.values[0],
                        "previous": r.values[1],
                        "year_before": r.values[2],
                        "link": figure_url(t.section, r.key, p, scope) if drill else None,
                        "link_previous": figure_url(t.section, r.key, p.previous(), scope) if drill else None,
                        "link_year_before": figure_url(t.section, r.key, p.year_before(), scope)
                        if drill
                        else None,
                    }
                    for r in t.rows
                ],
            }
        )
    card = [
        {
            **r,
            "links": {
                column: figure_url(f"scorecard.{column}", r["unit"], p, scope) if drill else None
                for column in figures.SCORECARD_COLUMNS
            },
        }
        for r in figs.get("scorecard", [])
    ]
    meeting = meeting_of(actor, briefing=b)
    # The participants, read once (codes and names from the same rows).
    participants = list(meeting.participants.all()) if meeting is not None else []
    out.update(
        figures=figs,
        tables=shown,
        scorecard=card,
        partial=figs.get("partial", {}),
        changes_since_issue=changes_since(actor, briefing=b),
        last_conclusions=last_conclusions(actor, briefing=b),
        meeting=None
        if meeting is None
        else {
            "held_on": as_date(meeting.held_on),
            "place": meeting.place,
            "chair": meeting.chair,
            "minutes": meeting.minutes,
            "participants": [u.code for u in participants],
            "participant_names": [u.name for u in participants],
        },
        conclusions=[conclusion_out(c) for c in conclusions_of(actor, briefing=b)],
        agreements=[agreement_out(a) for a in cited_agreements(actor, briefing=b)],
    )
    return out
