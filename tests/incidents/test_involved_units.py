"""Each incident keeps the units involved in it beside its row (`search_units`, decision 0023), and
the incident rule reads that column. The rule, stated here from PRODUCT.md ("Need to know") and
never asked of the code under test: a unit is involved in an incident when it opened it, takes part
in it as an *active* participant (lead, supporting, notified, escalated-to or named), or was
assigned one of its tasks.

These tests hold the promises that make the column safe to read: after every kind of write
(opening, a task, a unit named, the lead handed over, a participation ended, a task moved to
another unit, rows removed) the column is exactly that set of units; every incident of the
deployment carries it; and search narrowed by the reader's units inside the index answers exactly
what the exact rule alone answers, for every member of the cast."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection

from liaison import policy
from liaison.core import clock, search
from liaison.incidents import services
from liaison.incidents.models import Incident, Participant, Task
from tests.conftest import CAST
from tests.incidents.incident_helpers import BAT_MOT, NA_MEO
from tests.support.units import stored_units as units_in_row


def stored_units(incident) -> set[str]:
    return units_in_row("incidents_incident", incident.pk)


def involved(incident) -> set[str]:
    """The rule, written out: the opener, every active participant, every tasked unit."""
    units = {incident.opened_by_unit_id} if incident.opened_by_unit_id else set()
    units |= set(Participant.objects.filter(incident=incident, active=True).values_list("unit_id", flat=True))
    units |= set(Task.objects.filter(incident=incident).values_list("unit_id", flat=True))
    return {uuid.UUID(str(u)).hex for u in units}


def fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def test_the_column_is_the_involved_units_after_every_kind_of_write(cast, unit, open_incident):
    inc = open_incident("bat_mot_post_officer", area=BAT_MOT)
    assert stored_units(inc) == involved(inc)
    assert len(involved(inc)) >= 2  # the opener and the lead at least
    lead = cast("bat_mot_post_officer")

    # a task for a unit not yet involved
    outsider = unit("CA-XA-NA-MEO")
    assert outsider.pk.hex not in stored_units(inc)
    task = services.task_add(
        lead,
        incident=inc,
        title="Xác minh tại chỗ",
        unit=outsider,
        due_at=clock.now() + dt.timedelta(hours=4),
    )
    assert outsider.pk.hex in stored_units(inc)
    assert stored_units(inc) == involved(inc)

    # the task moved to another unit (no service does this; the triggers still keep the column true)
    other = unit("BP-DON-NA-MEO")
    Task.objects.filter(pk=task.pk).update(unit=other)
    assert stored_units(inc) == involved(inc)

    # a unit named by the lead
    named = unit("HQ-NA-MEO")
    services.incident_name_unit(lead, incident=fresh(inc), unit=named)
    assert named.pk.hex in stored_units(inc)
    assert stored_units(inc) == involved(inc)

    # the lead handed over: the old lead's and the named unit's participations end
    commander = cast("border_guard_commander")
    services.incident_handover(commander, incident=fresh(inc), unit=other, reason="Gần hiện trường hơn")
    assert stored_units(inc) == involved(inc)
    assert named.pk.hex not in stored_units(inc)

    # a participation switched back on and off directly, and rows removed
    Participant.objects.filter(incident=inc, unit=named).update(active=True)
    assert named.pk.hex in stored_units(inc) and stored_units(inc) == involved(inc)
    Participant.objects.filter(incident=inc, unit=named).update(active=False)
    assert named.pk.hex not in stored_units(inc) and stored_units(inc) == involved(inc)
    Task.objects.filter(incident=inc).delete()
    assert stored_units(inc) == involved(inc)


def test_every_incident_of_the_deployment_carries_its_involved_units(open_incident):
    open_incident("na_meo_post_officer", area=NA_MEO)
    incidents = list(Incident.objects.all())
    assert len(incidents) > 5
    for inc in incidents:
        assert stored_units(inc) == involved(inc), inc.ref


def test_the_column_does_not_stand_in_for_a_participation_that_ended(cast, unit, open_incident):
    """A named unit that lost its participation no longer sees the incident (it opened none of it
    and holds no task): the rule reads the column, so the column must have let it go."""
    inc = open_incident("bat_mot_post_officer", area=BAT_MOT)
    named = unit("HQ-NA-MEO")
    services.incident_name_unit(cast("bat_mot_post_officer"), incident=inc, unit=named)
    customs = cast("na_meo_customs_officer")
    assert customs.unit.pk == named.pk
    assert policy.visible(customs, Incident).filter(pk=inc.pk).exists()
    Participant.objects.filter(incident=inc, unit=named).update(active=False)
    assert not policy.visible(customs, Incident).filter(pk=inc.pk).exists()


QUERIES = ["ma tuy", "vận chuyển", "ma t", "Bát", "trái phép -gỗ", "ma tuy OR buôn", '"chất ma"']


def ranked(actor, q: str, *, narrowed: bool) -> list:
    qs = policy.visible(actor, Incident)
    audience = policy.audience(actor, Incident) if narrowed else None
    qs = search.matching(qs, search.parse(q), table="incidents_incident", audience=audience)
    return list(qs.order_by("search_rank", "-opened_at", "-id").values_list("id", flat=True))


@pytest.fixture
def incidents_around(open_incident):
    """Incidents opened by several units, one RED below the province commander."""
    open_incident(
        "bat_mot_post_officer", area=BAT_MOT, title="Vận chuyển trái phép chất ma túy qua đường mòn"
    )
    open_incident("na_meo_post_officer", area=NA_MEO, title="Buôn lậu gỗ qua cửa khẩu", tlp="red")
    open_incident("na_meo_post_officer", area=NA_MEO, title="Tàng trữ chất ma túy tại bản Bát")
    open_incident("command_centre_officer", area=NA_MEO, title="Ma túy tổng hợp vận chuyển bằng xe máy")


@pytest.mark.parametrize("member", sorted(CAST))
def test_the_narrowing_never_changes_a_result(cast, incidents_around, member):
    actor = cast(member)
    for q in QUERIES:
        assert ranked(actor, q, narrowed=True) == ranked(actor, q, narrowed=False), q


def test_the_indexes_the_rules_read_keep_no_pending_list():
    """PostgreSQL: the GIN indexes over `search_units` merge each insert at once (no `fastupdate`
    pending list that every read would scan after a burst of creates); SQLite has none."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL index option")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN "
            "('intel_item_search_tsv', 'incidents_incident_search_tsv', 'patrols_patrol_search_units')"
        )
        options = dict(cur.fetchall())
    assert set(options) == {
        "intel_item_search_tsv",
        "incidents_incident_search_tsv",
        "patrols_patrol_search_units",
    }
    assert all(opts and "fastupdate=off" in opts for opts in options.values()), options
