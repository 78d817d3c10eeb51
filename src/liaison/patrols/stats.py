"""Figures for the quarterly briefing: what the briefing's selector calls. Every figure counts the
rows the reader may see (policy), over patrols that start in the period and are not cancelled."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import Count

from liaison import policy
from liaison.patrols.models import NOT_COUNTED, CheckIn, Finding, Kind, Patrol, PatrolUnit


def counted_patrols(actor, since: dt.datetime | None, until: dt.datetime | None, *, action: str = "view"):
    """The one definition the briefing's figures and the patrol list's `counted` filter share: the
    patrols the reader may `action` that start in [since, until) and are not cancelled."""
    qs = policy.visible(actor, Patrol, action).exclude(status__in=NOT_COUNTED)
    if since is not None:
        qs = qs.filter(starts_at__gte=since)
    if until is not None:
        qs = qs.filter(starts_at__lt=until)
    return qs


def _patrols(actor, since: dt.datetime, until: dt.datetime, action: str = "view", where=None):
    qs = counted_patrols(actor, since, until, action=action)
    return qs.filter(where) if where is not None else qs


def people_days(people: int, starts_at: dt.datetime, ends_at: dt.datetime) -> int:
    """People × days on patrol, a started day counting whole (a 6-hour patrol of 8 is 8 people-days)."""
    return people * max(1, math.ceil((ends_at - starts_at).total_seconds() / 86400))


def patrol_figures(
    actor, *, since: dt.datetime, until: dt.datetime, action: str = "view", where=None
) -> dict:
    """`action` "count" for the secretariat's node-wide figures; `where` a Q narrowing the patrols
    (the briefing's scope)."""
    patrols = _patrols(actor, since, until, action, where)
    rows = list(
        patrols.values_list(
            "id", "kind", "lead_unit__code", "lead_unit__force", "people", "starts_at", "ends_at"
        )
    )
    ids = [r[0] for r in rows]
    by_kind = {k: 0 for k in Kind.values}
    by_post: dict[str, int] = {}
    forces: dict = {r[0]: {r[3]} for r in rows}
    for pid, force in PatrolUnit.objects.filter(patrol__in=patrols).values_list("patrol_id", "unit__force"):
        forces.setdefault(pid, set()).add(force)
    by_force: dict[str, int] = {}
    total_people_days = 0
    for pid, kind, post, _force, people, starts, ends in rows:
        by_kind[kind] += 1
        by_post[post] = by_post.get(post, 0) + 1
        total_people_days += people_days(people, starts, ends)
        for f in forces.get(pid, ()):
            by_force[f] = by_force.get(f, 0) + 1
    # Check-ins and findings of a counted patrol count with it (they are its children).
    checkins = CheckIn.objects.filter(patrol__in=patrols)
    findings = Finding.objects.filter(patrol__in=patrols)
    by_finding = dict(findings.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "patrols": len(ids),
        "by_kind": by_kind,
        "by_force": dict(sorted(by_force.items())),
        "by_post": dict(sorted(by_post.items())),
        "joint": by_kind[Kind.JOINT],
        "bilateral": by_kind[Kind.BILATERAL],
        "people_days": total_people_days,
        "checkins": checkins.count(),
        "markers_checked": checkins.filter(marker__isnull=False).values("marker_id").distinct().count(),
        "findings": sum(by_finding.values()),
        "findings_items": by_finding.get(Finding.As.ITEM, 0),
        "findings_incidents": by_finding.get(Finding.As.INCIDENT, 0),
    }
