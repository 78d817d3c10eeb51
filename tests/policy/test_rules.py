"""The ground rules of PRODUCT.md, as readable tests. Each states its expectation itself."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from liaison import policy
from liaison.audit.models import AuditEvent
from liaison.core.errors import Invalid, NotPermitted
from liaison.geo.models import Area, Place
from liaison.org import services
from liaison.org.actor import Actor
from liaison.org.models import Membership, Unit


def test_a_partner_user_on_this_node_sees_nothing(cast):
    partner = cast("hua_phan_partner")
    for model in (Unit, Area, Place, AuditEvent, Membership):
        assert not policy.visible(partner, model).exists(), model


def test_the_auditor_reads_the_audit_log_and_nothing_else(cast):
    auditor = cast("auditor")
    assert policy.visible(auditor, AuditEvent).exists()
    for model in (Unit, Area, Place):
        assert not policy.visible(auditor, model).exists(), model


@pytest.mark.parametrize(
    "name",
    [
        "police_administrator",
        "province_commander",
        "na_meo_post_officer",
        "liaison_officer",
        "police_analyst",
    ],
)
def test_nobody_but_the_auditor_reads_the_audit_log(cast, name):
    assert not policy.visible(cast(name), AuditEvent).exists()
    assert not policy.can(cast(name), "audit.read")


def test_reading_the_audit_log_is_itself_audited(client_for):
    before = AuditEvent.objects.filter(verb=600).count()
    assert client_for("auditor").get("/api/v1/audit/events").status_code == 200
    assert AuditEvent.objects.filter(verb=600).count() == before + 1


def test_a_refused_audit_read_is_a_403_and_is_audited(client_for):
    before = AuditEvent.objects.filter(verb=910).count()
    r = client_for("police_administrator").get("/api/v1/audit/events")
    assert r.status_code == 403 and r.json()["code"] == "not_permitted"
    assert AuditEvent.objects.filter(verb=910).count() == before + 1


def test_an_unknown_action_is_refused_for_everyone(cast):
    for name in ("police_administrator", "province_commander", "auditor"):
        assert not policy.can(cast(name), "unit.obliterate")


def test_no_actor_sees_nothing():
    assert not policy.visible(None, Unit).exists()
    assert not policy.can(None, "unit.create", None)


def test_a_model_without_rules_shows_nothing(cast):
    from liaison.core.models import IdempotencyRecord

    assert not policy.visible(cast("police_administrator"), IdempotencyRecord).exists()


def test_administrators_add_units_only_within_their_subtree(cast, unit):
    admin = cast("police_administrator")  # administrator of the provincial police
    created = services.unit_create(
        admin,
        code="CA-XA-TEST",
        name="Công an xã Thử",
        force="police",
        kind="commune_police",
        parent=unit("CA-TH"),
    )
    assert created.path.startswith(unit("CA-TH").path)
    with pytest.raises(NotPermitted):
        services.unit_create(
            admin,
            code="BP-TEST",
            name="Đồn thử",
            force="border_guard",
            kind="border_post",
            parent=unit("BP-TH"),
        )


def test_administrators_cannot_change_their_own_memberships(cast, unit, user):
    admin = cast("police_administrator")
    with pytest.raises(NotPermitted):
        services.membership_grant(admin, user=admin.user, unit=unit("CA-TH-TTCH"), role="commander")


def test_granting_commander_needs_a_second_administrator(cast, unit, user):
    first, second = cast("police_administrator"), cast("border_guard_administrator")
    officer = user("trucban.ttch")
    m = services.membership_grant(first, user=officer, unit=unit("CA-TH-TTCH"), role="commander")
    assert m.status == Membership.Status.PENDING
    with pytest.raises(NotPermitted):
        services.membership_approve(first, membership=m)  # not by the one who granted it
    # The border-guard administrator's subtree does not hold the police command centre.
    with pytest.raises(NotPermitted):
        services.membership_approve(second, membership=m)


def test_a_second_administrator_of_the_same_subtree_approves(cast, unit, user):
    first = cast("police_administrator")
    officer = user("trucban.ttch")
    m = services.membership_grant(first, user=officer, unit=unit("CA-TH-TTCH"), role="administrator")
    other_admin = services.user_create(
        Actor.system(), username="quantri.thu.ba", full_name="Quản trị 2", password="Mat-khau-rat-dai-2026"
    )
    am = services.membership_grant(Actor.system(), user=other_admin, unit=unit("CA-TH"), role="administrator")
    approved = services.membership_approve(Actor(other_admin, am), membership=m)
    assert approved.status == Membership.Status.ACTIVE and approved.approved_by == other_admin


def test_a_duty_officer_grant_waits_for_a_second_person_a_commander_of_the_unit_confirms(cast, unit, user):
    m = services.membership_grant(
        cast("police_administrator"),
        user=user("trucban.ca.nameo"),
        unit=unit("CA-TH-TTCH"),
        role="duty_officer",
    )
    assert m.status == Membership.Status.PENDING  # one administrator alone grants nothing
    confirmed = services.membership_approve(cast("province_commander"), membership=m)
    assert confirmed.status == Membership.Status.ACTIVE


def test_a_unit_level_follows_its_kind_not_its_depth(unit):
    # A commune police unit directly below the province command is still commune level.
    assert unit("CA-XA-NA-MEO").level == "commune" and unit("CA-XA-NA-MEO").depth == 1
    # A station two levels down is commune/post level, like the post above it.
    assert unit("BP-TRAM-CKQT-NA-MEO").level == "commune" and unit("BP-TRAM-CKQT-NA-MEO").depth == 2
    u = unit("CA-TH-TTCH")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=u.pk).update(level="commune")  # the database refuses a mismatch


def test_moving_a_unit_moves_its_subtree(cast, unit):
    system = Actor.system()
    post = unit("BP-DON-NA-MEO")
    services.unit_update(system, unit=post, parent=unit("BP-DON-TAM-THANH"))
    station = unit("BP-TRAM-CKQT-NA-MEO")
    assert station.path.startswith(unit("BP-DON-TAM-THANH").path) and station.depth == 3


def test_a_unit_cannot_move_below_itself(unit):
    with pytest.raises(Invalid) as exc:
        services.unit_update(Actor.system(), unit=unit("BP-DON-NA-MEO"), parent=unit("BP-TRAM-CKQT-NA-MEO"))
    assert exc.value.errors[0].field == "parent"


def test_switching_the_active_unit_only_to_ones_own_membership(client_for, user):
    c = client_for("border_guard_analyst")
    second = Membership.objects.get(user=user("phantich.bp"), unit__code="BP-DON-NA-MEO")
    r = c.post("/api/v1/me/active-unit", {"membership_id": str(second.pk)}, content_type="application/json")
    assert r.status_code == 200
    assert c.get("/api/v1/me").json()["active"]["unit_code"] == "BP-DON-NA-MEO"
    foreign = Membership.objects.filter(user=user("chihuy.ca")).first()
    r = c.post("/api/v1/me/active-unit", {"membership_id": str(foreign.pk)}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "membership_id"
    assert AuditEvent.objects.filter(verb=920, actor_name="phantich.bp").count() == 1
