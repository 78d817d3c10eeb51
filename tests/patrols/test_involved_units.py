"""Each patrol keeps the units involved in it on its row (`search_units`, decision 0023), and the
patrol rule (with its check-ins, findings and coverage) reads that column. The rule, stated here
from PRODUCT.md and never asked of the code under test: a unit is involved in a patrol when it
leads it or takes part in it; the partner unit across the border is a reference, never involved.
The column must be exactly that set after every kind of write, for every patrol of the
deployment."""

from __future__ import annotations

import uuid

from liaison import policy
from liaison.org.models import Unit
from liaison.patrols.models import Patrol, PatrolUnit
from tests.conftest import cast_actor
from tests.patrols.conftest import make_patrol
from tests.support.units import stored_units as units_in_row


def stored_units(patrol) -> set[str]:
    return units_in_row("patrols_patrol", patrol.pk)


def involved(patrol) -> set[str]:
    """The rule, written out: the lead unit and every participating unit."""
    units = {Patrol.objects.get(pk=patrol.pk).lead_unit_id}
    units |= set(PatrolUnit.objects.filter(patrol=patrol).values_list("unit_id", flat=True))
    return {uuid.UUID(str(u)).hex for u in units}


def test_the_column_is_the_involved_units_after_every_kind_of_write(db):
    patrol = make_patrol(kind="bilateral", participants=["CA-XA-NA-MEO", "HQ-NA-MEO"], partner="LA-HP-CA")
    assert stored_units(patrol) == involved(patrol) and len(stored_units(patrol)) == 3
    assert Unit.objects.get(code="LA-HP-CA").pk.hex not in stored_units(patrol)  # a reference only

    bat_mot = Unit.objects.get(code="BP-DON-BAT-MOT")
    PatrolUnit.objects.create(patrol=patrol, unit=bat_mot)  # no service adds one later; triggers do
    assert bat_mot.pk.hex in stored_units(patrol) and stored_units(patrol) == involved(patrol)
    PatrolUnit.objects.filter(patrol=patrol, unit=bat_mot).update(unit=Unit.objects.get(code="BP-TH"))
    assert bat_mot.pk.hex not in stored_units(patrol) and stored_units(patrol) == involved(patrol)
    PatrolUnit.objects.filter(patrol=patrol).delete()
    assert stored_units(patrol) == involved(patrol) and len(stored_units(patrol)) == 1
    Patrol.objects.filter(pk=patrol.pk).update(lead_unit=bat_mot)
    assert stored_units(patrol) == involved(patrol) == {bat_mot.pk.hex}


def test_every_patrol_of_the_deployment_carries_its_involved_units(db):
    make_patrol(participants=["CA-XA-NA-MEO"])
    patrols = list(Patrol.objects.all())
    assert len(patrols) > 5
    for p in patrols:
        assert stored_units(p) == involved(p), p.ref


def test_a_unit_that_no_longer_takes_part_no_longer_sees_the_patrol(db):
    p = make_patrol(participants=["HQ-NA-MEO"])
    customs = cast_actor("na_meo_customs_officer")
    assert policy.visible(customs, Patrol).filter(pk=p.pk).exists()
    PatrolUnit.objects.filter(patrol=p, unit__code="HQ-NA-MEO").delete()
    assert not policy.visible(customs, Patrol).filter(pk=p.pk).exists()
    # a commander above the post still sees it through the subtree; one elsewhere does not
    assert policy.visible(cast_actor("border_guard_commander"), Patrol).filter(pk=p.pk).exists()
    assert not policy.visible(cast_actor("province_commander"), Patrol).filter(pk=p.pk).exists()
