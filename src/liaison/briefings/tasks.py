"""Background work of briefings: the documents' generation (a Django task with its progress on the
`Generation` row) and the worker's sweep (overdue conclusions escalated, agreements' reviews
reminded). Every job is idempotent."""

from __future__ import annotations

import datetime as dt
import time

from django.tasks import task
from django.utils import timezone

from liaison.briefings import documents, figures, selectors, services
from liaison.briefings.models import Agreement, Conclusion, ConclusionState, Generation
from liaison.core import clock
from liaison.org.actor import Actor
from liaison.org.models import Membership


def _progress(g: Generation, percent: int, step: str) -> None:
    Generation.objects.filter(pk=g.pk).update(percent=percent, step=step[:80], updated_at=clock.now())


def run_generation(generation_id: str) -> bool:
    """Generate the three documents for the requester, counting through their policy."""
    g = (
        Generation.objects.select_related("briefing__owner_unit", "requested_by")
        .filter(pk=generation_id)
        .first()
    )
    if g is None or g.state == Generation.State.DONE:
        return False
    m = (
        Membership.objects.filter(
            user=g.requested_by, unit=g.requested_unit, role=g.requested_role, status=Membership.Status.ACTIVE
        )
        .select_related("unit")
        .first()
    )
    if m is None:
        Generation.objects.filter(pk=g.pk).update(state=Generation.State.FAILED, error="membership ended")
        return False
    # The requester, acting for the membership they asked with (never the system: it counts all).
    actor = Actor(user=g.requested_by, membership=m, via="session")
    started = time.perf_counter()
    Generation.objects.filter(pk=g.pk).update(state=Generation.State.RUNNING, percent=1)
    try:
        b = g.briefing
        if b.state == "issued" and b.figures:
            figs = b.figures
        else:
            figs = figures.generate(
                actor,
                selectors.period_of(b),
                selectors.scope_of(b),
                progress=lambda n, s: _progress(g, int(n * 0.7), s),
            )
        _progress(g, 72, "conclusions")
        c = documents.content(b, figs, selectors.last_conclusions(actor, briefing=b))
        _progress(g, 75, "docx")
        docx = documents.to_docx(c)
        _progress(g, 85, "pdf")
        pdf = documents.to_pdf(c)
        _progress(g, 95, "xlsx")
        xlsx = documents.to_xlsx(c)
    except Exception as exc:  # the failure is shown on the page; the job does not retry by itself
        Generation.objects.filter(pk=g.pk).update(state=Generation.State.FAILED, error=str(exc)[:400])
        raise
    Generation.objects.filter(pk=g.pk).update(
        state=Generation.State.DONE,
        percent=100,
        step="done",
        docx=docx,
        pdf=pdf,
        xlsx=xlsx,
        seconds=time.perf_counter() - started,
    )
    return True


@task()
def generate_documents(generation_id: str) -> bool:
    return run_generation(generation_id)


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """The worker's sweep (registered in apps.py): overdue conclusions not yet escalated are
    escalated, and agreements whose review is near and not yet reminded are reminded. Both services
    are idempotent and short, so the sweep calls them directly (no queue to flood)."""
    today = timezone.localdate(now or clock.now())
    system = Actor.system()
    n = m = 0
    for pk in Conclusion.objects.filter(
        state=ConclusionState.OPEN, escalated_at__isnull=True, due_on__lt=today
    ).values_list("pk", flat=True)[:500]:
        n += services.conclusion_escalate(system, conclusion_id=pk)
    soon = today + dt.timedelta(days=services.REVIEW_NOTICE_DAYS)
    for a in Agreement.objects.filter(review_on__lte=soon).values("pk", "review_on", "reminded_for")[:500]:
        if a["reminded_for"] != a["review_on"]:
            m += services.agreement_remind(system, agreement_id=a["pk"])
    return {"conclusions_escalated": n, "agreements_reminded": m}
