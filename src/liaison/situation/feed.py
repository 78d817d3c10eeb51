"""Reading the event table for the live feed, filtered by policy.

A stream resumes from `Last-Event-ID`. Ids come from a sequence and do not commit in order: on
PostgreSQL only rows whose writing transaction is older than every transaction still running are
read (`txid < pg_snapshot_xmin(pg_current_snapshot())`), so a row that commits later with a smaller
id is never skipped. SQLite serialises writers, so its ids commit in order.
"""

from __future__ import annotations

from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison import policy
from liaison.core.models import Event
from liaison.policy.involvement import feed_models


def latest_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def settled(qs):
    """Only rows that can no longer be overtaken by a transaction committing later."""
    if connection.vendor == "postgresql":
        # (Its own writes are settled for a transaction itself: only tests read inside the writer.)
        return qs.extra(
            where=[
                "(core_event.txid < pg_snapshot_xmin(pg_current_snapshot())"
                " OR core_event.txid = pg_current_xact_id_if_assigned())"
            ]
        )
    return qs


def events_after(actor, after: int, limit: int = 200) -> tuple[list[dict], int]:
    """Events after `after` that the actor may see, and the id to resume from.

    Who hears an event and whether its record may be shown are both policy's: the events visible
    to the actor (its audience rule), then only those whose record is visible to the actor now
    (a RED item never reaches a commander's subtree; a record is seen through its declaration)."""
    rows = list(
        settled(Event.objects.filter(id__gt=after))
        .order_by("id")
        .values("id", "kind", "at", "object_type", "object_id", "object_ref", "data")[:limit]
    )
    if not rows:
        return [], after
    heard = set(
        policy.visible(actor, Event).filter(id__in=[r["id"] for r in rows]).values_list("id", flat=True)
    )
    out = [r for r in rows if r["id"] in heard]
    by_type: dict[str, set] = {}
    for r in out:
        by_type.setdefault(r["object_type"], set()).add(r["object_id"])
    visible: set[tuple[str, str]] = set()
    models = feed_models()
    for otype, oids in by_type.items():
        model = models.get(otype)
        if model is None:  # fail closed: only records with a need-to-know declaration reach the feed
            continue
        for pk in policy.visible(actor, model).filter(pk__in=oids).values_list("pk", flat=True):
            visible.add((otype, str(pk)))
    result = []
    for r in out:
        if (r["object_type"], r["object_id"]) in visible:
            r["url"] = _url(r["object_type"], r["object_id"], r["data"])
            r["text"] = sentence(r["kind"], r["object_ref"], r["data"])
            r["at"] = r["at"].isoformat()
            result.append(r)
    return result, rows[-1]["id"]


def _url(otype: str, oid: str, data: dict) -> str:
    if otype == "intel.item":
        return reverse("intel:detail", args=[oid])
    if otype == "incidents.incident":
        return reverse("incidents:detail", args=[oid])
    # programs (issue 17): an entry, or a commune's missing month (its participation)
    if otype == "programs.program":
        return reverse("programs:detail", args=[oid])
    if otype == "programs.entry":
        return reverse("programs:entry", args=[oid])
    if otype == "programs.participation":
        return reverse("programs:list")
    return reverse("incidents:tasks")


# One sentence per kind of event, in the reader's language (tests/pages/test_sentences.py fails on a
# kind emitted by a service without its sentence here).
SENTENCES = {
    "item.created": _("New information item %(ref)s"),
    "item.shared": _("Information item %(ref)s shared with your unit"),
    "incident.opened": _("Incident %(ref)s opened"),
    "incident.acknowledged": _("Incident %(ref)s acknowledged"),
    "incident.responding": _("Responding to incident %(ref)s"),
    "incident.contained": _("Incident %(ref)s contained"),
    "incident.resolved": _("Incident %(ref)s resolved"),
    "incident.closed": _("Incident %(ref)s closed"),
    "incident.cancelled": _("Incident %(ref)s cancelled"),
    "incident.merged": _("Incident %(ref)s merged into another"),
    "incident.escalated": _("Incident %(ref)s escalated: not acknowledged in time"),
    "incident.handover": _("Lead of incident %(ref)s handed over"),
    "task.assigned": _("New task for incident %(incident)s"),
    "task.escalated": _("A task of incident %(incident)s is overdue: escalated"),
    "riskzone.saved": _("Risk zone saved: %(ref)s"),
    "patrol.created": _("Patrol %(ref)s planned with your unit"),
    "patrol.status": _("Patrol %(ref)s changed status"),
    "patrol.checkin": _("Check-in on patrol %(ref)s"),
    "program.created": _("Program %(ref)s created"),
    "program.activated": _("Program %(ref)s is active: report each month"),
    "program.closed": _("Program %(ref)s closed"),
    "program.entry_submitted": _("A monthly entry of %(ref)s waits for approval"),
    "program.entry_approved": _("A monthly entry of %(ref)s approved"),
    "program.entry_returned": _("A monthly entry of %(ref)s returned: put it right"),
    "program.entry_corrected": _("A monthly entry of %(ref)s corrected"),
    "program.entry_missing": _("A monthly entry of %(ref)s is overdue"),
}


def sentence(kind: str, ref: str, data: dict | None) -> str:
    """The event as a short sentence in the active language (the reader's)."""
    text = SENTENCES.get(kind)
    if text is None:
        return f"{ref or ''} · {kind}"
    values = {"ref": ref or "", "incident": (data or {}).get("incident") or ref or ""}
    return str(text) % values
