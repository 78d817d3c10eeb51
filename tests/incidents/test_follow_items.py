"""An incident's level is at least the highest level of the items linked to it (PRODUCT.md), also
when an item's level is raised later. Intel does not import incidents (issue 11): it calls its
`handling_raised` hook, on which incidents register `incidents_follow_item`; the receiver runs inside
the item's transaction, so the item and its incidents rise together or not at all, and the item's
handling change stays the one audited act.
"""

from __future__ import annotations

import pytest

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.incidents.models import Incident, TimelineEvent
from liaison.incidents.services.lifecycle import incidents_follow_item
from liaison.intel import hooks
from liaison.intel import services as intel
from liaison.intel.models import Item
from liaison.org.actor import Actor
from tests.support.records import log_item


@pytest.fixture
def linked(cast, open_incident):
    """An AMBER item of the Bat Mot post, and an incident opened from it (AMBER, from the item)."""
    officer = cast("bat_mot_post_officer")
    item = log_item(
        officer,
        title="Tin báo vận chuyển ma túy qua đường mòn",
        body="Hai đối tượng mang ba lô.",
        category="drug_trafficking",
        reliability="B",
        credibility=2,
    )
    inc = open_incident(items=[item])
    assert inc.tlp == "amber"
    return officer, item, inc


def test_incidents_register_on_intels_hook():
    assert incidents_follow_item in hooks.handling_raised.receivers


def test_raising_the_item_raises_the_incident_naming_the_item_in_its_timeline(linked):
    officer, item, inc = linked
    version = inc.version
    audited = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    intel.item_set_handling(officer, item=item, tlp="red")
    inc.refresh_from_db()
    assert (inc.tlp, inc.version) == ("red", version + 1)
    entry = TimelineEvent.objects.filter(incident=inc, kind="handling").get()
    assert entry.data == {"old": "amber", "new": "red", "because": item.ref}
    assert (entry.actor, entry.unit) == (None, None)
    # One audited act: the item's handling change (the incident's rise is its consequence).
    assert list(AuditEvent.objects.filter(id__gt=audited).values_list("verb", flat=True)) == [
        int(Verb.ITEM_HANDLING_CHANGED)
    ]


def test_the_item_and_its_incidents_rise_in_one_transaction(linked, monkeypatch):
    """A failure after the hook (here, the item's audit event) rolls the incident back too."""
    officer, item, inc = linked

    def broken(*args, **kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr("liaison.intel.services.items.audit.record", broken)
    with pytest.raises(RuntimeError, match="audit unavailable"):
        intel.item_set_handling(officer, item=item, tlp="red")
    assert Item.objects.get(pk=item.pk).tlp == "amber"
    assert Incident.objects.get(pk=inc.pk).tlp == "amber"
    assert not TimelineEvent.objects.filter(incident=inc, kind="handling").exists()


def test_lowering_the_item_leaves_the_incident_where_it_is(linked):
    """Only a raise is followed: the incident's level is a floor, not a copy of the item's."""
    officer, item, inc = linked
    intel.item_set_handling(officer, item=item, tlp="red")
    intel.item_set_handling(Actor.system(), item=item, tlp="green", reason="Đã xác minh")
    assert Item.objects.get(pk=item.pk).tlp == "green"
    assert Incident.objects.get(pk=inc.pk).tlp == "red"
