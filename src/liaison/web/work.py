"""The work waiting for the reader's unit, as counts: the home page's "work first" card and the
navigation's badges (kept live: the badges are fetched again on every event of the live feed).
Every count comes from a context's selector, through the policy."""

from __future__ import annotations

from liaison import policy


def work(actor) -> dict | None:
    """None for a reader whose pages are not work (an administrator, an auditor, no unit)."""
    if actor is None or actor.unit is None or not policy.can(actor, "work.operational"):
        return None
    from liaison.incidents import selectors as incidents
    from liaison.intel import selectors as intel

    w = {**intel.work_counts(actor), **incidents.work_counts(actor)}
    w["inbox"] = w["unacknowledged"] + w["verifications"]
    w["inbox_overdue"] = w["verifications_overdue"]
    w["watched"] = w["watched_overdue"] + w["watched_tasks_overdue"] + w["watched_unacknowledged"]
    return w
