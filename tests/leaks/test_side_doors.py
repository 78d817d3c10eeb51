"""Need to know through side doors (issue 11): references to hidden records in timelines and
histories, administrators reading through their unit, reference data the admin could not see.

The rules (PRODUCT.md, "Need to know"): a record a person may not see is answered exactly like a
record that does not exist, everywhere — a timeline or a history that names it gives away that it
exists, so an entry that names a hidden record is not shown at all. Involvement grants access only to
the operational roles (duty officer, analyst, commander, liaison officer): an administrator or an
auditor membership never reads a record through its unit.
"""

from __future__ import annotations

import datetime as dt

import pytest

from liaison.core import clock
from liaison.geo.models import Area
from liaison.incidents import services as incidents
from liaison.incidents.models import Incident, IncidentType, Status
from liaison.intel import services as intel
from liaison.org.actor import Actor
from liaison.org.models import Unit
from tests.conftest import cast_actor, signed_in_client
from tests.support.records import log_item

NA_MEO = "VN-38-15013"
BAT_MOT = "VN-38-15607"


def _item(who: str, *, tlp: str = "amber", title: str = "Hàng lậu qua đường mòn"):
    return log_item(cast_actor(who), tlp=tlp, title=title)


def _incident(who: str, area: str, *, tlp: str = "amber", title: str = "Buôn lậu pháo qua đường mòn"):
    return incidents.incident_open(
        cast_actor(who),
        incident_type=IncidentType.objects.get(code="smuggling"),
        title=title,
        area=Area.objects.get(code=area),
        tlp=tlp,
    )


def _texts(name: str, *urls: str) -> str:
    client = signed_in_client(name)
    out = []
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, (name, url, r.status_code)
        out.append(r.content.decode())
    return "\n".join(out)


def test_an_incident_timeline_does_not_name_a_linked_item_the_reader_cannot_see(db):
    item = _item("na_meo_post_officer", title="Tin mật về đường dây")
    inc = _incident("na_meo_post_officer", NA_MEO)
    incidents.incident_link_item(cast_actor("na_meo_post_officer"), incident=inc, item=item)
    # The Bát Mọt post is given a task: it sees the incident, not the item (never shared with it).
    incidents.task_add(
        cast_actor("na_meo_post_officer"),
        incident=inc,
        title="Chốt chặn đường mòn",
        unit=Unit.objects.get(code="BP-DON-BAT-MOT"),
        due_at=clock.now() + dt.timedelta(hours=6),
    )
    # The item's level is raised: the incident follows it, and its timeline says because of which item.
    intel.item_set_handling(cast_actor("na_meo_post_officer"), item=item, tlp="amber_strict")
    assert Incident.objects.get(pk=inc.pk).tlp == "amber_strict"
    urls = (f"/incidents/{inc.pk}/", f"/api/v1/incidents/{inc.pk}")
    seen_by_post = _texts("na_meo_post_officer", *urls)
    assert item.ref in seen_by_post and "item_linked" in seen_by_post and "handling" in seen_by_post
    seen_by_bat_mot = _texts("bat_mot_post_officer", *urls)
    assert inc.ref in seen_by_bat_mot
    assert item.ref not in seen_by_bat_mot
    assert "item_linked" not in seen_by_bat_mot
    assert '"kind": "handling"' not in seen_by_bat_mot


def test_an_item_history_does_not_show_a_link_to_an_item_the_reader_cannot_see(db):
    shared = _item("na_meo_post_officer", title="Tin chia sẻ")
    hidden = _item("na_meo_post_officer", title="Tin không chia sẻ")
    post = cast_actor("na_meo_post_officer")
    intel.item_share(post, item=shared, units=[Unit.objects.get(code="CA-XA-NA-MEO")])
    intel.item_link(post, item=shared, other=hidden)
    urls = (f"/items/{shared.pk}/", f"/api/v1/items/{shared.pk}/history", f"/api/v1/items/{shared.pk}")
    assert hidden.ref in _texts("na_meo_post_officer", *urls)
    seen = _texts("na_meo_commune_police", *urls)
    assert shared.ref in seen
    assert hidden.ref not in seen and str(hidden.pk) not in seen
    assert '"linked"' not in seen  # no history entry at all for the hidden link


def test_a_merged_incident_names_its_target_only_to_readers_who_see_the_target(db):
    """The border guard commander merges a Bát Mọt incident into a Na Mèo one: the Bát Mọt post sees
    its incident as merged, but not into what."""
    source = _incident("bat_mot_post_officer", BAT_MOT, title="Buôn lậu pháo (Bát Mọt)")
    target = _incident("na_meo_post_officer", NA_MEO, title="Buôn lậu pháo (Na Mèo)")
    incidents.incident_transition(
        cast_actor("border_guard_commander"),
        incident=source,
        to=Status.MERGED,
        merge_into=target,
        reason="Cùng một vụ",
    )
    urls = (f"/incidents/{source.pk}/", f"/api/v1/incidents/{source.pk}")
    assert target.ref in _texts("border_guard_commander", *urls)
    seen = _texts("bat_mot_post_officer", *urls)
    assert source.ref in seen
    assert target.ref not in seen and str(target.pk) not in seen


def test_an_administrator_never_reads_a_red_incident_escalated_to_his_unit(db):
    """A RED incident of the Na Mèo post escalates to the provincial border-guard command: its
    commander reads it (the command is now involved); its administrator does not."""
    inc = _incident("na_meo_post_officer", NA_MEO, tlp="red")
    later = clock.now() + dt.timedelta(days=2)
    with clock.frozen(later):
        assert incidents.incident_escalate(Actor.system(), incident_id=str(inc.pk), level=1)
    inc = Incident.objects.get(pk=inc.pk)
    assert inc.participants.filter(unit__code="BP-TH", active=True).exists()
    for name, status in (("border_guard_commander", 200), ("border_guard_administrator", 404)):
        client = signed_in_client(name)
        for url in (f"/incidents/{inc.pk}/", f"/api/v1/incidents/{inc.pk}"):
            assert client.get(url).status_code == status, (name, url)
        rows = client.get("/api/v1/incidents").json()
        assert (str(inc.pk) in {r["id"] for r in rows}) == (status == 200), name


@pytest.mark.parametrize("name", ["police_administrator", "border_guard_administrator"])
def test_administrators_see_the_risk_zones_they_manage_in_the_admin(db, name):
    from liaison.situation import services as situation

    zone = situation.risk_zone_save(
        cast_actor(name),
        name="Vùng lũ quét bản Pù Nhi",
        kind="flash_flood",
        geometry={
            "type": "Polygon",
            "coordinates": [[[104.9, 20.3], [105.0, 20.3], [105.0, 20.4], [104.9, 20.4], [104.9, 20.3]]],
        },
    )
    r = signed_in_client(name).get("/admin/situation/riskzone/")
    assert r.status_code == 200
    assert zone.name in r.content.decode()


def test_every_timeline_kind_that_names_a_record_is_declared_as_a_mention():
    """A new timeline kind that stores another record's reference (`x.ref`) must be declared with
    `policy.mention`, or readers who may not see that record would read its reference."""
    import inspect
    import re

    from liaison import policy
    from liaison.incidents import events

    source = inspect.getsource(events)
    naming = set()
    for fn in re.split(r"\ndef ", source)[1:]:
        kind = re.search(r'_add\(\s*incident,\s*"(\w+)"', fn)
        if kind and re.search(r"\w\.ref\b|because", fn):
            naming.add(kind.group(1))
    assert {"item_linked", "handling"} <= naming
    assert naming <= set(policy.core.mentions("incident.timeline")), naming
