"""An account an administrator makes has no password until its owner activates it (PRODUCT.md,
"Accounts": one administrator alone can never make an account that reads a record).

The side door this closes: the administrator who made an account used to be shown its temporary
password; once a commander confirmed its membership, that administrator could sign in as the new
officer and read the unit's records. Now:
- the account is made with no usable password, and the page shows none;
- whoever confirms its first membership (a second person, never the one who made the account)
  receives a one-time activation code, shown in that answer only and stored only as a digest;
- the owner chooses a password with it (and, for the roles that sign in with two factors, enrols
  an authenticator, proven by its current code) — nobody else holds a secret of the account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.audit.verbs import Verb
from liaison.core.errors import Invalid, NotFound, NotPermitted
from liaison.org import services
from liaison.org.actor import Actor
from liaison.org.models import ActivationCode, Membership, User
from tests.accounts.test_sign_in import (
    OTP,
    audit_mark,
    code_for,
    events_since,
    is_signed_in,
    post_password,
    wrong_code_for,
)

ACTIVATE = "/accounts/activate/"
NEW_PASSWORD = "Mot-mat-khau-cua-toi-2026"
CODE = re.compile(r"\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b")


def made_by_admin(
    cast,
    unit,
    *,
    username="trucban.moi",
    role="duty_officer",
    unit_code="CA-TH-TTCH",
    admin="police_administrator",
):
    admin = cast(admin)
    user = services.user_create(admin, username=username, full_name="Cán bộ mới")
    m = services.membership_grant(admin, user=user, unit=unit(unit_code), role=role)
    return admin, user, m


def test_an_account_an_administrator_makes_has_no_password_and_the_page_shows_none(cast, client_for):
    client = client_for("police_administrator")
    r = client.post(
        "/admin/org/user/add/", {"username": "trucban.moi", "full_name": "Cán bộ mới", "email": ""}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    user = User.objects.get(username="trucban.moi")
    assert not user.has_usable_password()
    assert user.created_by == cast("police_administrator").user
    shown = " ".join(m.message for m in r.wsgi_request._messages)
    assert "trucban.moi" in shown and not CODE.search(shown)
    page = client.get("/admin/org/user/").content.decode()
    assert not CODE.search(page)


def test_a_person_cannot_set_the_password_of_an_account_they_make(cast):
    with pytest.raises(Invalid) as exc:
        services.user_create(
            cast("police_administrator"), username="trucban.moi", full_name="X", password=NEW_PASSWORD
        )
    assert [e.field for e in exc.value.errors] == ["password"]
    assert not User.objects.filter(username="trucban.moi").exists()


def test_the_administrator_who_made_the_account_cannot_confirm_its_membership(cast, unit, user):
    # A second administrator grants; the one who made the account is not a second person for it.
    maker = cast("police_administrator")
    new = services.user_create(maker, username="trucban.moi", full_name="Cán bộ mới")
    other = services.user_create(
        Actor.system(), username="quantri.hai", full_name="Quản trị 2", password=NEW_PASSWORD
    )
    om = services.membership_grant(Actor.system(), user=other, unit=unit("CA-TH"), role="administrator")
    m = services.membership_grant(Actor(other, om), user=new, unit=unit("CA-TH-TTCH"), role="duty_officer")
    with pytest.raises(NotPermitted):
        services.membership_approve(maker, membership=m)
    assert Membership.objects.get(pk=m.pk).status == Membership.Status.PENDING


def test_the_confirmer_gets_a_code_shown_once_and_the_owner_activates_with_it(cast, unit, client_for):
    _admin, user, m = made_by_admin(cast, unit)
    commander = client_for("province_commander")
    mark = audit_mark()
    r = commander.post(f"/accounts/memberships/{m.pk}/confirm/")
    assert r.status_code == 200
    body = r.content.decode()
    code = CODE.search(body).group(0)
    # stored as a digest only, never in a cookie
    stored = ActivationCode.objects.get(user=user)
    assert stored.digest == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert code not in " ".join(str(c.value) for c in r.cookies.values())
    assert not CODE.search(commander.get("/accounts/memberships/").content.decode())  # shown once
    assert events_since(mark, Verb.ACTIVATION_ISSUED)

    owner = Client()
    r = owner.post(
        ACTIVATE,
        {
            "username": user.username,
            "code": code.lower(),
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert r.status_code == 200 and "/accounts/login/" in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert events_since(mark, Verb.ACCOUNT_ACTIVATED)
    r = post_password(owner, user.username, NEW_PASSWORD)
    assert r.status_code == 302 and is_signed_in(owner)

    # the code works once
    again = Client().post(
        ACTIVATE,
        {
            "username": user.username,
            "code": code,
            "password": "Khac-han-2026-x",
            "password_again": "Khac-han-2026-x",
        },
    )
    assert again.status_code == 400
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_wrong_code_an_expired_code_and_a_mismatch_change_nothing_and_name_the_field(cast, unit):
    admin, user, m = made_by_admin(cast, unit)
    confirmed = services.membership_approve(cast("province_commander"), membership=m)
    code = confirmed.activation_code
    mark = audit_mark()
    c = Client()
    r = c.post(
        ACTIVATE,
        {
            "username": user.username,
            "code": "AAAA-BBBB-CCCC",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert r.status_code == 400 and 'id="id_code"' in r.content.decode() and "errorlist" in r.content.decode()
    assert events_since(mark, Verb.ACTIVATION_FAILED)
    r = c.post(
        ACTIVATE,
        {
            "username": user.username,
            "code": code,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD + "x",
        },
    )
    assert r.status_code == 400 and "password_again" in r.content.decode()
    r = c.post(
        ACTIVATE, {"username": user.username, "code": code, "password": "123", "password_again": "123"}
    )
    assert r.status_code == 400
    ActivationCode.objects.filter(user=user).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    r = c.post(
        ACTIVATE,
        {"username": user.username, "code": code, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert r.status_code == 400
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_code_for_one_account_does_not_activate_another(cast, unit):
    _a, first, m1 = made_by_admin(cast, unit, username="trucban.mot")
    _a, second, m2 = made_by_admin(cast, unit, username="trucban.hai")
    code = services.membership_approve(cast("province_commander"), membership=m1).activation_code
    services.membership_approve(cast("province_commander"), membership=m2)
    r = Client().post(
        ACTIVATE,
        {"username": second.username, "code": code, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert r.status_code == 400
    second.refresh_from_db()
    assert not second.has_usable_password()


def test_a_two_factor_role_enrols_its_authenticator_before_anything_is_saved(cast, unit, user):
    # A liaison officer signs in with two factors: the code alone does not activate the account.
    _a, new, m = made_by_admin(
        cast,
        unit,
        username="lienlac.moi",
        role="liaison_officer",
        unit_code="BP-TH",
        admin="border_guard_administrator",
    )
    code = services.membership_approve(cast("border_guard_commander"), membership=m).activation_code
    owner = Client()
    r = owner.post(
        ACTIVATE,
        {"username": new.username, "code": code, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert r.status_code == 200 and "otpauth://totp/" in r.content.decode()
    new.refresh_from_db()
    assert not new.has_usable_password()  # nothing saved before the authenticator is proven
    device = TOTPDevice.objects.get(user=new)
    assert not device.confirmed
    r = owner.post(ACTIVATE, {"otp": wrong_code_for(device)})
    assert r.status_code == 400 and 'id="id_otp"' in r.content.decode()
    # django-otp then throttles the device for a moment after a failure: the owner tries again later
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    r = owner.post(ACTIVATE, {"otp": code_for(device)})
    assert r.status_code == 200
    recovery = re.findall(r"<code>([0-9a-f]{10})</code>", r.content.decode())
    assert len(recovery) == 5
    new.refresh_from_db()
    device.refresh_from_db()
    assert new.check_password(NEW_PASSWORD) and device.confirmed
    # and the sign-in now asks for the second factor
    fresh = Client()
    r = post_password(fresh, new.username, NEW_PASSWORD)
    assert r.status_code == 302 and r["Location"] == OTP


def test_only_the_system_gives_an_account_a_second_factor(cast, user):
    from liaison.accounts import services as accounts

    with pytest.raises(NotPermitted):
        accounts.totp_enrol(cast("police_administrator"), user=user("trucban.ttch"))
    with pytest.raises(NotPermitted):
        accounts.recovery_codes_issue(cast("police_administrator"), user=user("trucban.ttch"))


def test_a_lost_code_is_issued_again_by_a_confirmer_never_by_the_maker(cast, unit, client_for):
    admin, new, m = made_by_admin(cast, unit)
    first = services.membership_approve(cast("province_commander"), membership=m).activation_code
    # the maker neither sees the account in the list nor issues a code for it
    maker_page = client_for("police_administrator").get("/accounts/memberships/").content.decode()
    assert new.username not in maker_page
    with pytest.raises(NotPermitted):
        services.activation_reissue(admin, user=new)
    r = client_for("police_administrator").post(f"/accounts/activations/{new.pk}/")
    assert r.status_code == 404
    # a post officer never
    with pytest.raises(NotPermitted):
        services.activation_reissue(cast("na_meo_post_officer"), user=new)
    # the commander of the unit does; the first code stops working
    commander = client_for("province_commander")
    assert new.username in commander.get("/accounts/memberships/").content.decode()
    r = commander.post(f"/accounts/activations/{new.pk}/")
    second = CODE.search(r.content.decode()).group(0)
    assert second != first
    r = Client().post(
        ACTIVATE,
        {"username": new.username, "code": first, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert r.status_code == 400
    r = Client().post(
        ACTIVATE,
        {"username": new.username, "code": second, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert r.status_code == 200
    # an activated account is off the list
    assert new.username not in commander.get("/accounts/memberships/").content.decode()


def test_an_account_with_a_password_gets_no_code_when_a_new_role_is_confirmed(cast, unit, user):
    officer = user("trucban.ttch")  # made by the system with its password
    m = services.membership_grant(
        cast("police_administrator"), user=officer, unit=unit("CA-XA-NA-MEO"), role="duty_officer"
    )
    confirmed = services.membership_approve(cast("province_commander"), membership=m)
    assert confirmed.activation_code is None
    assert not ActivationCode.objects.filter(user=officer).exists()


def test_a_reissue_for_an_unknown_account_answers_as_for_a_hidden_one(client_for):
    import uuid

    r = client_for("province_commander").post(f"/accounts/activations/{uuid.uuid4()}/")
    assert r.status_code == 404
    with pytest.raises(NotFound):
        from liaison.org import selectors

        selectors.user_awaiting_activation_get(cast_actor_for("province_commander"), user_id=uuid.uuid4())


def cast_actor_for(name):
    from tests.conftest import cast_actor

    return cast_actor(name)
