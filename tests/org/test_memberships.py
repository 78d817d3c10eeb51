"""No lone administrator (PRODUCT.md, "Accounts"): every new membership, of any role, is active only
once a second person confirms it (a second administrator, or a commander of that unit); the
commander and administrator roles need a second administrator; nobody confirms their own grant or
their own membership. A pending membership grants nothing.

The attack these tests were written for: the police administrator (CA-TH) alone makes a user, gives
it a duty-officer membership in the Na Mèo commune police (CA-XA-NA-MEO, in his subtree), signs in as
it and reads that unit's RED item.
"""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.core.errors import NotPermitted
from liaison.org import services
from liaison.org.actor import Actor
from liaison.org.models import Membership, User
from tests.support.records import log_item

PASSWORD = "Mat-khau-moi-rat-dai-2026"
TITLE = "Tin mật: đường dây vận chuyển qua mốc 12"
MEMBERSHIPS = "/accounts/memberships/"


def red_item_of_na_meo_police(cast):
    return log_item(
        cast("na_meo_commune_police"),
        title=TITLE,
        body="Chỉ đơn vị được biết.",
        category="drug_trafficking",
        reliability="B",
        credibility=2,
        tlp="red",
    )


def admin_makes_user_and_grant(client_for, unit, *, role="duty_officer", unit_code="CA-XA-NA-MEO"):
    """What one administrator can do alone, through the admin pages."""
    admin = client_for("police_administrator")
    r = admin.post("/admin/org/user/add/", {"username": "nguoi.moi", "full_name": "Người mới", "email": ""})
    assert r.status_code == 302, r.content[:800]
    new = User.objects.get(username="nguoi.moi")
    r = admin.post(
        "/admin/org/membership/add/", {"user": str(new.pk), "unit": str(unit(unit_code).pk), "role": role}
    )
    assert r.status_code == 302, r.content[:800]
    new.set_password(PASSWORD)  # the test knows the temporary password the admin was shown
    new.save(update_fields=["password"])
    return new, Membership.objects.get(user=new)


def password_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.20.0.1")


def session_of(user: User) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def second_police_administrator() -> Actor:
    """Another administrator of the provincial police, made by the system (the CLI)."""
    system = Actor.system()
    user = services.user_create(system, username="quantri.hai", full_name="Quản trị 2", password=PASSWORD)
    from liaison.org.models import Unit

    m = services.membership_grant(
        system, user=user, unit=Unit.objects.get(code="CA-TH"), role="administrator"
    )
    return Actor(user, m)


# --- the attack ------------------------------------------------------------------------------


def test_one_administrator_alone_cannot_make_an_account_that_reads_a_record(cast, client_for, unit):
    item = red_item_of_na_meo_police(cast)
    new, m = admin_makes_user_and_grant(client_for, unit)

    assert m.status == Membership.Status.PENDING
    # Signing in with the password: no active unit, refused.
    r = password_client().post("/accounts/login/", {"username": "nguoi.moi", "password": PASSWORD})
    assert r.status_code == 400 and "no active unit" in r.content.decode()
    # Even with a session: the item is answered like a missing one, and no list shows it.
    c = session_of(new)
    assert c.get(f"/items/{item.pk}/").status_code == 404
    assert c.get(f"/api/v1/items/{item.pk}").status_code == 404
    assert TITLE not in c.get("/items/").content.decode()
    assert TITLE not in c.get("/api/v1/items").content.decode()
    assert c.get("/api/v1/me").json()["active"] is None
    # Nor can the session act for the pending membership by switching to it.
    assert c.post("/accounts/switch/", {"membership_id": str(m.pk)}).status_code == 302
    assert c.get(f"/items/{item.pk}/").status_code == 404
    r = c.post("/api/v1/me/active-unit", {"membership_id": str(m.pk)}, content_type="application/json")
    assert r.status_code in (400, 403, 422)
    assert c.get(f"/items/{item.pk}/").status_code == 404


def test_after_a_commander_of_the_unit_confirms_the_new_officer_reads_the_units_item(cast, client_for, unit):
    item = red_item_of_na_meo_police(cast)
    new, m = admin_makes_user_and_grant(client_for, unit)

    commander = client_for("province_commander")  # commander of CA-TH, above CA-XA-NA-MEO
    page = commander.get(MEMBERSHIPS)
    assert page.status_code == 200 and "nguoi.moi" in page.content.decode()
    r = commander.post(f"{MEMBERSHIPS}{m.pk}/confirm/")
    assert r.status_code == 302

    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE
    assert m.approved_by == cast("province_commander").user
    assert AuditEvent.objects.filter(verb=Verb.MEMBERSHIP_APPROVED, object_id=str(m.pk)).exists()
    c = password_client()
    r = c.post("/accounts/login/", {"username": "nguoi.moi", "password": PASSWORD})
    assert r.status_code == 302
    assert c.get(f"/items/{item.pk}/").status_code == 200
    assert TITLE in c.get("/items/").content.decode()


def test_after_a_second_administrator_confirms_in_the_admin_the_new_officer_reads_it(cast, client_for, unit):
    item = red_item_of_na_meo_police(cast)
    new, m = admin_makes_user_and_grant(client_for, unit)
    # The granting administrator's own "confirm" action in the admin changes nothing.
    first = client_for("police_administrator")
    first.post("/admin/org/membership/", {"action": "approve", "_selected_action": [str(m.pk)], "index": "0"})
    m.refresh_from_db()
    assert m.status == Membership.Status.PENDING

    second = second_police_administrator()
    services.membership_approve(second, membership=m)

    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE and m.approved_by == second.user
    c = session_of(new)
    assert c.get(f"/items/{item.pk}/").status_code == 200


def test_a_second_administrator_confirms_through_the_admin_action(client_for, unit):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from liaison.org.actor import SESSION_KEY

    _new, m = admin_makes_user_and_grant(client_for, unit)
    second = second_police_administrator()
    device = TOTPDevice.objects.create(user=second.user, name="authenticator", confirmed=True)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(second.user, backend="django.contrib.auth.backends.ModelBackend")
    session = c.session
    session[SESSION_KEY] = str(second.membership.pk)
    session["otp_device_id"] = device.persistent_id
    session.save()

    r = c.post("/admin/org/membership/", {"action": "approve", "_selected_action": [str(m.pk)], "index": "0"})

    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE and m.approved_by == second.user


# --- who may confirm -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["duty_officer", "analyst", "liaison_officer", "auditor"])
def test_every_grant_by_an_administrator_waits_for_a_second_person(cast, unit, user, role):
    m = services.membership_grant(
        cast("police_administrator"), user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role=role
    )
    assert m.status == Membership.Status.PENDING
    assert m.approved_by is None
    assert AuditEvent.objects.filter(verb=Verb.MEMBERSHIP_REQUESTED, object_id=str(m.pk)).exists()


def test_the_system_still_grants_at_once(unit, user):
    m = services.membership_grant(
        Actor.system(), user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="duty_officer"
    )
    assert m.status == Membership.Status.ACTIVE


@pytest.mark.parametrize("role", ["commander", "administrator"])
def test_a_commander_cannot_confirm_a_commander_or_administrator_grant(cast, unit, user, role):
    m = services.membership_grant(
        cast("police_administrator"), user=user("trucban.ca.nameo"), unit=unit("CA-XA-NA-MEO"), role=role
    )
    commander = cast("province_commander")
    with pytest.raises(NotPermitted):
        services.membership_approve(commander, membership=m)
    assert not Membership.objects.filter(pk=m.pk, status=Membership.Status.ACTIVE).exists()
    # Nor does his page offer it.
    from liaison.org import selectors

    assert m not in list(selectors.membership_pending_list(commander))
    # A second administrator does confirm it.
    approved = services.membership_approve(second_police_administrator(), membership=m)
    assert approved.status == Membership.Status.ACTIVE


def test_the_granter_cannot_confirm_his_own_grant(cast, unit, user):
    admin = cast("police_administrator")
    m = services.membership_grant(
        admin, user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    with pytest.raises(NotPermitted):
        services.membership_approve(admin, membership=m)
    assert Membership.objects.get(pk=m.pk).status == Membership.Status.PENDING


def test_the_granter_cannot_confirm_through_another_of_his_memberships(cast, unit, user):
    admin = cast("police_administrator")
    m = services.membership_grant(
        admin, user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    # The same person also commands the province police: still the granter.
    cm = services.membership_grant(Actor.system(), user=admin.user, unit=unit("CA-TH"), role="commander")
    with pytest.raises(NotPermitted):
        services.membership_approve(Actor(admin.user, cm), membership=m)


def test_the_grantee_cannot_confirm_his_own_membership(cast, unit):
    # The province commander is given a second membership; he cannot confirm it himself.
    commander = cast("province_commander")
    m = services.membership_grant(
        cast("police_administrator"), user=commander.user, unit=unit("CA-TH-TTCH"), role="analyst"
    )
    with pytest.raises(NotPermitted):
        services.membership_approve(commander, membership=m)
    # Nor can a second administrator who is the grantee: an administrator grant for quantri.hai.
    second = second_police_administrator()
    m2 = services.membership_grant(
        cast("police_administrator"), user=second.user, unit=unit("CA-TH-TTCH"), role="duty_officer"
    )
    with pytest.raises(NotPermitted):
        services.membership_approve(second, membership=m2)


def test_a_commander_outside_the_units_subtree_cannot_confirm(cast, unit, user):
    m = services.membership_grant(
        cast("police_administrator"), user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    for name in ("border_guard_commander", "na_meo_post_commander"):
        with pytest.raises(NotPermitted):
            services.membership_approve(cast(name), membership=m)


@pytest.mark.parametrize(
    "name",
    ["na_meo_commune_police", "police_analyst", "liaison_officer", "auditor", "border_guard_administrator"],
)
def test_other_roles_cannot_confirm(cast, unit, user, name):
    m = services.membership_grant(
        cast("police_administrator"), user=user("trucban.ca.nameo"), unit=unit("CA-XA-NA-MEO"), role="analyst"
    )
    with pytest.raises(NotPermitted):
        services.membership_approve(cast(name), membership=m)


def test_an_active_or_revoked_membership_is_not_confirmed_again(cast, unit, user):
    admin = cast("police_administrator")
    m = services.membership_grant(
        admin, user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    commander = cast("province_commander")
    services.membership_approve(commander, membership=m)
    with pytest.raises(NotPermitted):
        services.membership_approve(second_police_administrator(), membership=m)
    m2 = services.membership_grant(
        admin, user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="liaison_officer"
    )
    services.membership_revoke(admin, membership=m2)
    with pytest.raises(NotPermitted):
        services.membership_approve(commander, membership=m2)


def test_a_stale_copy_cannot_confirm_a_membership_revoked_meanwhile(cast, unit, user):
    admin = cast("police_administrator")
    m = services.membership_grant(
        admin, user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    stale = Membership.objects.get(pk=m.pk)
    services.membership_revoke(admin, membership=m)
    with pytest.raises(NotPermitted):
        services.membership_approve(cast("province_commander"), membership=stale)
    assert Membership.objects.get(pk=m.pk).status == Membership.Status.REVOKED


# --- the commander's page ----------------------------------------------------------------------


def test_the_page_lists_only_what_the_reader_may_confirm(cast, client_for, unit, user):
    admin = cast("police_administrator")
    analyst = services.membership_grant(
        admin, user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    commander_grant = services.membership_grant(
        admin, user=user("trucban.don.nameo"), unit=unit("CA-TH-TTCH"), role="commander"
    )
    body = client_for("province_commander").get(MEMBERSHIPS).content.decode()
    assert str(analyst.pk) in body and str(commander_grant.pk) not in body
    # The border guard's commander sees neither; a duty officer gets an empty page.
    assert str(analyst.pk) not in client_for("border_guard_commander").get(MEMBERSHIPS).content.decode()
    r = client_for("na_meo_post_officer").get(MEMBERSHIPS)
    assert r.status_code == 200 and str(analyst.pk) not in r.content.decode()


def test_confirming_what_one_may_not_confirm_is_answered_as_missing(cast, client_for, unit, user):
    admin = cast("police_administrator")
    m = services.membership_grant(
        admin, user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="commander"
    )
    assert client_for("province_commander").post(f"{MEMBERSHIPS}{m.pk}/confirm/").status_code == 404
    assert client_for("police_administrator").post(f"{MEMBERSHIPS}{m.pk}/confirm/").status_code == 404
    assert Membership.objects.get(pk=m.pk).status == Membership.Status.PENDING


def test_the_confirm_button_needs_a_post_and_the_csrf_token(cast, unit, user):
    from tests.conftest import signed_in_client

    m = services.membership_grant(
        cast("police_administrator"), user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    c = signed_in_client("province_commander")
    assert c.get(f"{MEMBERSHIPS}{m.pk}/confirm/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = c.cookies
    assert strict.post(f"{MEMBERSHIPS}{m.pk}/confirm/").status_code == 403
    assert Membership.objects.get(pk=m.pk).status == Membership.Status.PENDING


def test_the_confirm_page_needs_a_verified_second_factor(cast, unit, user):
    m = services.membership_grant(
        cast("police_administrator"), user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    c = session_of(cast("province_commander").user)  # a session without the second factor
    assert str(m.pk) not in c.get(MEMBERSHIPS).content.decode()
    before = AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count()
    assert c.post(f"{MEMBERSHIPS}{m.pk}/confirm/").status_code == 403
    assert Membership.objects.get(pk=m.pk).status == Membership.Status.PENDING
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED).count() == before + 1


def test_a_refused_confirmation_is_audited(cast, client_for, unit, user):
    m = services.membership_grant(
        cast("police_administrator"), user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="commander"
    )
    before = AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED, object_id=str(m.pk)).count()
    assert client_for("province_commander").post(f"{MEMBERSHIPS}{m.pk}/confirm/").status_code == 404
    assert AuditEvent.objects.filter(verb=Verb.ACCESS_REFUSED, object_id=str(m.pk)).count() == before + 1


def test_the_page_speaks_vietnamese_first(client_for):
    from django.conf import settings

    c = client_for("province_commander")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    body = c.get(MEMBERSHIPS).content.decode()
    assert "Thành viên chờ xác nhận" in body
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "lo"
    assert "ສະມາຊິກທີ່ລໍຖ້າການຢືນຢັນ" in c.get(MEMBERSHIPS).content.decode()


def test_the_database_refuses_a_persons_grant_active_without_a_second_person(cast, unit, user):
    from django.db import IntegrityError, transaction

    admin = cast("police_administrator")
    m = services.membership_grant(
        admin, user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    rows = Membership.objects.filter(pk=m.pk)
    for change in (
        {"status": Membership.Status.ACTIVE},  # no confirmer
        {"status": Membership.Status.ACTIVE, "approved_by": admin.user},  # the granter
        {"status": Membership.Status.ACTIVE, "approved_by": m.user},  # the grantee
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**change)
    assert rows.get().status == Membership.Status.PENDING


def test_the_system_confirms_nothing_a_confirmation_names_a_person(cast, unit, user):
    m = services.membership_grant(
        cast("police_administrator"), user=user("trucban.ca.nameo"), unit=unit("CA-TH-TTCH"), role="analyst"
    )
    with pytest.raises(NotPermitted):
        services.membership_approve(Actor.system(), membership=m)


@pytest.mark.parametrize(
    "who, shown",
    [
        ("province_commander", True),
        ("police_administrator", True),
        ("na_meo_post_officer", False),
        ("auditor", False),
    ],
)
def test_only_those_who_confirm_memberships_are_offered_the_page(client_for, who, shown):
    body = client_for(who).get("/").content.decode()
    assert (MEMBERSHIPS in body) == shown
