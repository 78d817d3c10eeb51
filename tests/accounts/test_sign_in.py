"""Signing in through the pages: password, a second factor for the roles that need one, lockout,
sign-out. Every outcome lands in the audit log, and no password ever does."""

from __future__ import annotations

import datetime as dt
import json
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.core import clock
from liaison.demo.load import DEMO_PASSWORD
from liaison.org.models import Membership, User

LOGIN = "/accounts/login/"
OTP = "/accounts/login/otp/"
LOGOUT = "/accounts/logout/"

DUTY_OFFICER = "trucban.don.nameo"  # duty officer: password only
OTHER_DUTY_OFFICER = "trucban.don.batmot"
COMMANDER = "chihuy.ca"  # commander: password, then TOTP
LIAISON_OFFICER = "lienlac.bp"

WRONG_PASSWORD = "Not-the-password-42"
MSG_WRONG = "Wrong username or password."
MSG_LOCKED = "Too many failed attempts: this account is locked for a while."
MSG_BAD_CODE = "That code is not valid."


# --- helpers ---------------------------------------------------------------------------------


def new_client(address: str = "127.0.0.1", **kwargs) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address, **kwargs)


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie and cookie.value else None


def plant_session(client: Client) -> str:
    """Give the client an anonymous session first (what a fixation attacker would plant)."""
    session = client.session
    session["planted"] = "yes"
    session.save()
    key = session_key(client)
    assert key
    return key


def session_exists(key: str) -> bool:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    return store.exists(key)


def audit_mark() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def events_since(mark: int, *verbs: Verb):
    qs = AuditEvent.objects.filter(id__gt=mark).order_by("id")
    if verbs:
        qs = qs.filter(verb__in=[int(v) for v in verbs])
    return list(qs)


def assert_no_secret_in_audit(mark: int, *secrets: str) -> None:
    rows = list(AuditEvent.objects.filter(id__gt=mark).values())
    assert rows, "expected audit events"
    dump = json.dumps(rows, default=str, ensure_ascii=False)
    for secret in secrets:
        assert secret not in dump


def post_password(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def device_of(username: str) -> TOTPDevice:
    return TOTPDevice.objects.get(user__username=username, confirmed=True)


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return str(value).zfill(device.digits)


def wrong_code_for(device: TOTPDevice) -> str:
    """A well-formed code that is valid at no nearby time step."""
    near = {code_for(device, drift) for drift in range(-3, 4)}
    return next(c for c in (str(n).zfill(device.digits) for n in range(10**6)) if c not in near)


def is_signed_in(client: Client) -> bool:
    r = client.get("/")
    if r.status_code == 200:
        return True
    assert r.status_code == 302 and r["Location"].startswith(LOGIN), (r.status_code, r.get("Location"))
    return False


# --- password only ---------------------------------------------------------------------------


def test_duty_officer_signs_in_with_password_and_the_session_key_changes(db):
    mark = audit_mark()
    client = new_client()
    planted = plant_session(client)

    r = post_password(client, DUTY_OFFICER, DEMO_PASSWORD)

    assert r.status_code == 302
    assert r["Location"] == "/"
    new_key = session_key(client)
    assert new_key and new_key != planted
    assert not session_exists(planted), "the pre-login session must not survive sign-in (fixation)"
    assert is_signed_in(client)
    user = User.objects.get(username=DUTY_OFFICER)
    signed = events_since(mark, Verb.SIGN_IN)
    assert len(signed) == 1
    assert signed[0].actor_id == user.pk
    assert signed[0].unit_name  # acting for a unit from the first request on
    assert_no_secret_in_audit(mark, DEMO_PASSWORD)


def test_an_offsite_next_is_ignored_and_a_local_one_followed(db):
    r = post_password(new_client(), DUTY_OFFICER, DEMO_PASSWORD, next="https://evil.example/")
    assert r.status_code == 302 and r["Location"] == "/"
    r = post_password(new_client(), DUTY_OFFICER, DEMO_PASSWORD, next="/units/")
    assert r.status_code == 302 and r["Location"] == "/units/"


def test_wrong_password_is_refused_and_audited_without_the_password(db):
    mark = audit_mark()
    client = new_client()

    r = post_password(client, DUTY_OFFICER, WRONG_PASSWORD)

    assert r.status_code == 400
    assert MSG_WRONG in r.content.decode()
    assert not is_signed_in(client)
    failed = events_since(mark, Verb.SIGN_IN_FAILED)
    assert len(failed) == 1
    assert failed[0].actor_id is None
    assert failed[0].actor_name == DUTY_OFFICER
    assert not events_since(mark, Verb.SIGN_IN)
    assert_no_secret_in_audit(mark, WRONG_PASSWORD, DEMO_PASSWORD)


def test_unknown_username_is_refused_with_the_same_message_and_audited(db):
    mark = audit_mark()
    r = post_password(new_client(), "nobody.here", DEMO_PASSWORD)
    assert r.status_code == 400
    assert MSG_WRONG in r.content.decode()
    assert [e.actor_name for e in events_since(mark, Verb.SIGN_IN_FAILED)] == ["nobody.here"]
    assert_no_secret_in_audit(mark, DEMO_PASSWORD)


def test_a_user_with_no_active_membership_is_refused_and_audited(db):
    user = User.objects.get(username=OTHER_DUTY_OFFICER)
    Membership.objects.filter(user=user).update(status=Membership.Status.REVOKED)
    mark = audit_mark()
    client = new_client()

    r = post_password(client, OTHER_DUTY_OFFICER, DEMO_PASSWORD)

    assert r.status_code == 400
    assert "no active unit" in r.content.decode()
    assert not is_signed_in(client)
    refused = events_since(mark, Verb.ACCESS_REFUSED)
    assert len(refused) == 1 and refused[0].actor_id == user.pk
    assert not events_since(mark, Verb.SIGN_IN)
    assert_no_secret_in_audit(mark, DEMO_PASSWORD)


def test_passwords_are_hashed_with_argon2(db):
    for username in (DUTY_OFFICER, COMMANDER):
        assert User.objects.get(username=username).password.startswith("argon2$argon2")


def test_an_older_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(db):
    User.objects.filter(username=DUTY_OFFICER).update(
        password=make_password(DEMO_PASSWORD, hasher="pbkdf2_sha256")
    )
    assert User.objects.get(username=DUTY_OFFICER).password.startswith("pbkdf2_sha256$")

    r = post_password(new_client(), DUTY_OFFICER, DEMO_PASSWORD)

    assert r.status_code == 302
    assert User.objects.get(username=DUTY_OFFICER).password.startswith("argon2$argon2")


# --- two factors -----------------------------------------------------------------------------


@pytest.fixture
def commander_after_password(db):
    """A client that has passed the commander's password step: (client, key before, key after)."""
    client = new_client()
    planted = plant_session(client)
    r = post_password(client, COMMANDER, DEMO_PASSWORD)
    assert r.status_code == 302
    assert r["Location"] == OTP
    return client, planted, session_key(client)


def test_commander_password_step_rotates_the_key_but_does_not_sign_in(commander_after_password):
    mark = audit_mark()
    client, planted, after_password = commander_after_password

    assert after_password and after_password != planted
    assert not session_exists(planted)
    assert not is_signed_in(client)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get(OTP).status_code == 200
    assert not events_since(mark, Verb.SIGN_IN)


def test_commander_password_step_is_not_audited_as_a_sign_in(db):
    mark = audit_mark()
    post_password(new_client(), COMMANDER, DEMO_PASSWORD)
    assert not events_since(mark, Verb.SIGN_IN)


def test_a_wrong_code_is_refused_and_audited(commander_after_password):
    client, _planted, _after_password = commander_after_password
    user = User.objects.get(username=COMMANDER)
    mark = audit_mark()
    code = wrong_code_for(device_of(COMMANDER))

    r = client.post(OTP, {"code": code})

    assert r.status_code == 400
    assert MSG_BAD_CODE in r.content.decode()
    assert not is_signed_in(client)
    failed = events_since(mark, Verb.TWO_FACTOR_FAILED)
    assert len(failed) == 1 and failed[0].actor_id == user.pk
    assert not events_since(mark, Verb.SIGN_IN)
    assert_no_secret_in_audit(mark, code)


def test_the_right_code_signs_in_and_rotates_the_key_again(commander_after_password):
    client, planted, after_password = commander_after_password
    user = User.objects.get(username=COMMANDER)
    device = device_of(COMMANDER)
    mark = audit_mark()

    r = client.post(OTP, {"code": code_for(device)})

    assert r.status_code == 302
    assert r["Location"] == "/"
    after_code = session_key(client)
    assert after_code not in (None, planted, after_password)
    assert not session_exists(after_password)
    assert is_signed_in(client)
    assert client.get("/api/v1/me").json()["username"] == COMMANDER
    assert client.session.get("otp_device_id") == device.persistent_id  # the session is OTP-verified
    signed = events_since(mark, Verb.SIGN_IN)
    assert len(signed) == 1 and signed[0].actor_id == user.pk
    assert_no_secret_in_audit(mark, DEMO_PASSWORD)


def test_a_code_cannot_be_used_twice(db):
    device = device_of(COMMANDER)
    code = code_for(device)
    first = new_client()
    post_password(first, COMMANDER, DEMO_PASSWORD)
    assert first.post(OTP, {"code": code}).status_code == 302

    second = new_client()
    post_password(second, COMMANDER, DEMO_PASSWORD)
    r = second.post(OTP, {"code": code})
    assert r.status_code == 400
    assert not is_signed_in(second)


def test_a_recovery_code_signs_in_once(db):
    user = User.objects.get(username=COMMANDER)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    recovery.token_set.create(token="rc7f3a91d2")
    mark = audit_mark()

    client = new_client()
    post_password(client, COMMANDER, DEMO_PASSWORD)
    r = client.post(OTP, {"code": "rc7f3a91d2"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert is_signed_in(client)
    assert len(events_since(mark, Verb.SIGN_IN)) == 1

    again = new_client()
    post_password(again, COMMANDER, DEMO_PASSWORD)
    r = again.post(OTP, {"code": "rc7f3a91d2"})
    assert r.status_code == 400
    assert not is_signed_in(again)
    assert len(events_since(mark, Verb.TWO_FACTOR_FAILED)) == 1
    assert_no_secret_in_audit(mark, "rc7f3a91d2", DEMO_PASSWORD)


def test_the_code_page_needs_the_password_step_first(db):
    client = new_client()
    r = client.get(OTP)
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    r = client.post(OTP, {"code": code_for(device_of(COMMANDER))})
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    assert not is_signed_in(client)


def test_a_stale_password_step_does_not_lead_to_sign_in(db):
    start = dt.datetime.now(dt.UTC)
    client = new_client()
    with clock.frozen(start) as frozen:
        post_password(client, COMMANDER, DEMO_PASSWORD)
        frozen.advance(dt.timedelta(minutes=30))
        r = client.post(OTP, {"code": code_for(device_of(COMMANDER))})
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    assert not is_signed_in(client)


def test_a_two_factor_role_without_an_authenticator_is_refused_and_audited(db):
    user = User.objects.get(username=LIAISON_OFFICER)
    TOTPDevice.objects.filter(user=user).delete()
    mark = audit_mark()
    client = new_client()

    r = post_password(client, LIAISON_OFFICER, DEMO_PASSWORD)

    assert r.status_code == 400
    assert "no authenticator is enrolled" in r.content.decode()
    assert not is_signed_in(client)
    missing = events_since(mark, Verb.TWO_FACTOR_MISSING)
    assert len(missing) == 1 and missing[0].actor_id == user.pk
    assert not events_since(mark, Verb.SIGN_IN)


# --- lockout ---------------------------------------------------------------------------------


def test_after_the_failure_limit_even_the_right_password_is_refused(settings):
    settings.AXES_FAILURE_LIMIT = 3
    mark = audit_mark()
    client = new_client()

    statuses = [post_password(client, DUTY_OFFICER, WRONG_PASSWORD).status_code for _ in range(2)]
    assert statuses == [400, 400]
    third = post_password(client, DUTY_OFFICER, WRONG_PASSWORD)
    assert third.status_code == 403
    assert MSG_LOCKED in third.content.decode()

    r = post_password(client, DUTY_OFFICER, DEMO_PASSWORD)

    assert r.status_code == 403
    assert MSG_LOCKED in r.content.decode()
    assert not is_signed_in(client)
    verbs = [e.verb for e in events_since(mark, Verb.SIGN_IN_FAILED, Verb.LOCKED_OUT, Verb.SIGN_IN)]
    assert verbs == [Verb.SIGN_IN_FAILED, Verb.SIGN_IN_FAILED, Verb.LOCKED_OUT, Verb.LOCKED_OUT]
    assert_no_secret_in_audit(mark, WRONG_PASSWORD, DEMO_PASSWORD)


def test_five_typos_lock_the_account_not_the_border_posts_connection(settings):
    """PRODUCT.md, "Accounts": locked per account; an address is only slowed down, never locked."""
    assert settings.AXES_FAILURE_LIMIT == 5
    post, elsewhere = "10.9.0.1", "10.9.0.2"
    mark = audit_mark()
    statuses = [post_password(new_client(post), DUTY_OFFICER, WRONG_PASSWORD).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 403]

    # The officer's account is locked, from the post and from anywhere else.
    for address in (post, elsewhere):
        r = post_password(new_client(address), DUTY_OFFICER, DEMO_PASSWORD)
        assert r.status_code == 403 and MSG_LOCKED in r.content.decode()
    # Another officer behind the same connection signs in.
    client = new_client(post)
    r = post_password(client, OTHER_DUTY_OFFICER, DEMO_PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/"
    assert is_signed_in(client)

    verbs = [e.verb for e in events_since(mark, Verb.SIGN_IN_FAILED, Verb.LOCKED_OUT, Verb.SIGN_IN)]
    assert verbs == [Verb.SIGN_IN_FAILED] * 4 + [Verb.LOCKED_OUT] * 3 + [Verb.SIGN_IN]
    assert_no_secret_in_audit(mark, WRONG_PASSWORD, DEMO_PASSWORD)


def test_spraying_from_one_address_locks_no_address(settings):
    """Wrong passwords for many accounts from one address: each account keeps its own count, and
    a correct password of any account from that address is never refused."""
    post = "10.9.0.5"
    for username in ["nobody.1", "nobody.2", "nobody.3", "nobody.4", "nobody.5", "nobody.6"]:
        for _ in range(3):
            assert post_password(new_client(post), username, WRONG_PASSWORD).status_code == 400
    r = post_password(new_client(post), DUTY_OFFICER, DEMO_PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/"


# --- throttle by address ------------------------------------------------------------------------


def test_an_address_is_slowed_down_after_its_free_failures_never_refused(settings, sign_in_pauses):
    from liaison.accounts import throttle

    settings.SIGN_IN_THROTTLE_FREE_FAILURES = 3
    post, other = "10.9.1.1", "10.9.1.2"
    usernames = [
        "nobody.a",
        "nobody.b",
        "nobody.c",
        "nobody.d",
        "nobody.e",
        "nobody.f",
        "nobody.g",
        "nobody.h",
    ]
    waits = []
    for username in usernames:  # different accounts: no account is locked, only the address counts
        sign_in_pauses.clear()
        assert post_password(new_client(post), username, WRONG_PASSWORD).status_code == 400
        waits.append(sum(sign_in_pauses))
    # Three free failures, then each attempt waits longer: doubling, capped.
    assert waits == [0, 0, 0, 0.25, 0.5, 1.0, 2.0, 3.0]
    assert throttle.failures(post) == len(usernames)

    # A correct password of another account from the slowed address: answered late, not refused.
    sign_in_pauses.clear()
    client = new_client(post)
    r = post_password(client, OTHER_DUTY_OFFICER, DEMO_PASSWORD)
    assert r.status_code == 302 and is_signed_in(client)
    assert sign_in_pauses == [3.0]
    # Another address is not slowed at all.
    sign_in_pauses.clear()
    assert post_password(new_client(other), DUTY_OFFICER, DEMO_PASSWORD).status_code == 302
    assert sign_in_pauses == []


def test_the_delay_grows_and_is_capped():
    from liaison.accounts import throttle

    free = 10
    delays = [throttle.delay_for(n) for n in range(0, 200)]
    assert delays[:free] == [0.0] * free
    assert delays[free] > 0
    assert delays == sorted(delays)  # never shrinks while failures grow
    assert max(delays) == 3.0
    assert throttle.delay_for(10**9) == 3.0


def test_failures_from_one_address_are_counted_apart_from_another(settings):
    from liaison.accounts import throttle

    for _ in range(4):
        post_password(new_client("10.9.2.1"), "nobody.x", WRONG_PASSWORD)
    post_password(new_client("10.9.2.2"), "nobody.y", WRONG_PASSWORD)
    post_password(new_client("10.9.2.2"), DUTY_OFFICER, DEMO_PASSWORD)  # a success counts nothing
    assert (throttle.failures("10.9.2.1"), throttle.failures("10.9.2.2")) == (4, 1)


def test_a_sign_in_before_the_limit_clears_the_failures(settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = new_client()
    for _ in range(2):
        assert post_password(client, DUTY_OFFICER, WRONG_PASSWORD).status_code == 400
    assert post_password(client, DUTY_OFFICER, DEMO_PASSWORD).status_code == 302
    client.post(LOGOUT)
    for _ in range(2):
        assert post_password(client, DUTY_OFFICER, WRONG_PASSWORD).status_code == 400
    assert post_password(client, DUTY_OFFICER, DEMO_PASSWORD).status_code == 302


# --- sign-out and CSRF on pages ---------------------------------------------------------------


def test_logout_refuses_get(client_for):
    client = client_for("na_meo_post_officer")
    r = client.get(LOGOUT)
    assert r.status_code == 405
    assert is_signed_in(client)


def test_logout_by_post_ends_the_session_and_is_audited(client_for, cast):
    actor = cast("na_meo_post_officer")
    client = client_for("na_meo_post_officer")
    key = session_key(client)
    mark = audit_mark()

    r = client.post(LOGOUT)

    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    assert not session_exists(key)
    assert not is_signed_in(client)
    out = events_since(mark, Verb.SIGN_OUT)
    assert len(out) == 1 and out[0].actor_id == actor.user.pk


def test_logout_without_the_csrf_token_is_refused(cast):
    user = cast("na_meo_post_officer").user
    client = new_client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    mark = audit_mark()

    r = client.post(LOGOUT)

    assert r.status_code == 403
    assert is_signed_in(client)
    assert not events_since(mark, Verb.SIGN_OUT)
    assert len(events_since(mark, Verb.ACCESS_REFUSED)) == 1


def test_a_login_post_without_the_csrf_token_is_refused_and_audited(db):
    mark = audit_mark()
    client = new_client(enforce_csrf_checks=True)

    r = post_password(client, DUTY_OFFICER, DEMO_PASSWORD)

    assert r.status_code == 403
    assert not is_signed_in(client)
    refused = events_since(mark, Verb.ACCESS_REFUSED)
    assert len(refused) == 1 and refused[0].object_ref == LOGIN
    assert not events_since(mark, Verb.SIGN_IN)
    assert_no_secret_in_audit(mark, DEMO_PASSWORD)


def test_a_login_post_with_the_csrf_token_signs_in(db):
    client = new_client(enforce_csrf_checks=True)
    assert client.get(LOGIN).status_code == 200
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    r = post_password(client, DUTY_OFFICER, DEMO_PASSWORD, csrfmiddlewaretoken=token)
    assert r.status_code == 302 and r["Location"] == "/"
    assert is_signed_in(client)


def test_the_admin_has_no_sign_in_form_of_its_own(db):
    """/admin/login/ would check passwords outside the audited, throttled sign-in: it sends there."""
    client = new_client()
    r = client.get("/admin/login/?next=/admin/org/unit/")
    assert (
        r.status_code == 302 and r["Location"].startswith(LOGIN) and "next=/admin/org/unit/" in r["Location"]
    )
    mark = audit_mark()
    r = client.post("/admin/login/", {"username": DUTY_OFFICER, "password": WRONG_PASSWORD})
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    assert not events_since(mark)  # no password was checked
    r = client.get("/admin/login/?next=https://evil.example/")
    assert "evil.example" not in r["Location"]
