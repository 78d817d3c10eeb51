"""API tokens and CSRF on the API: a session POST needs the CSRF token; tokens are shown once,
stored as SHA-256, act for the membership they were made under, and stop at expiry or revocation."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets

import pytest
from django.conf import settings
from django.db.models import Max
from django.shortcuts import resolve_url
from django.test import Client
from django.utils import timezone

from liaison.accounts.models import ApiToken
from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.org.actor import SESSION_KEY
from liaison.org.models import Membership

TOKENS = "/api/v1/tokens"
ME = "/api/v1/me"
PROBLEM = "application/problem+json"


# --- helpers ---------------------------------------------------------------------------------


def audit_mark() -> int:
    return AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0


def events_since(mark: int, *verbs: Verb):
    return list(AuditEvent.objects.filter(id__gt=mark, verb__in=[int(v) for v in verbs]).order_by("id"))


def membership(username: str, unit_code: str) -> Membership:
    return Membership.objects.select_related("user", "unit").get(
        user__username=username, unit__code=unit_code, status=Membership.Status.ACTIVE
    )


def session_client(m: Membership) -> tuple[Client, str]:
    """A signed-in client that enforces CSRF like a browser would meet it, and its CSRF token."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(m.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_KEY] = str(m.pk)
    session.save()
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200
    return client, client.cookies[settings.CSRF_COOKIE_NAME].value


def create_token(client: Client, csrf: str, name: str = "sync client", **headers):
    return client.post(
        TOKENS,
        {"name": name, "days": 30},
        content_type="application/json",
        headers={"X-CSRFToken": csrf, **headers},
    )


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def assert_problem(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status
    assert body["code"] == code
    return body


@pytest.fixture
def officer(db) -> Membership:
    return membership("trucban.don.nameo", "BP-DON-NA-MEO")


# --- CSRF on the API -------------------------------------------------------------------------


def test_a_session_post_without_the_csrf_token_is_refused_with_problem_details(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer.user, backend="django.contrib.auth.backends.ModelBackend")
    before = ApiToken.objects.count()
    mark = audit_mark()

    r = client.post(TOKENS, {"name": "no csrf"}, content_type="application/json")

    assert_problem(r, 403, "csrf_failed")
    assert ApiToken.objects.count() == before
    refused = events_since(mark, Verb.ACCESS_REFUSED)
    assert refused and all(e.actor_id == officer.user.pk for e in refused)
    assert not events_since(mark, Verb.API_TOKEN_CREATED)


def test_an_api_csrf_refusal_is_one_audit_event(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer.user, backend="django.contrib.auth.backends.ModelBackend")
    mark = audit_mark()

    r = client.post(TOKENS, {"name": "no csrf"}, content_type="application/json")

    assert r.status_code == 403
    refused = events_since(mark, Verb.ACCESS_REFUSED)
    assert [(e.object_type, e.object_ref) for e in refused] == [("api", TOKENS)]


def test_a_session_post_with_a_wrong_csrf_token_is_refused(officer):
    client, _csrf = session_client(officer)
    before = ApiToken.objects.count()
    r = create_token(client, "x" * 32)
    assert_problem(r, 403, "csrf_failed")
    assert ApiToken.objects.count() == before


def test_a_session_post_with_the_csrf_token_is_accepted(officer):
    client, csrf = session_client(officer)
    r = create_token(client, csrf)
    assert r.status_code == 201, r.content
    assert ApiToken.objects.filter(user=officer.user, name="sync client").count() == 1


# --- creating and storing --------------------------------------------------------------------


def test_the_token_is_shown_once_and_stored_only_as_its_sha256(officer):
    client, csrf = session_client(officer)
    mark = audit_mark()

    r = create_token(client, csrf)

    assert r.status_code == 201, r.content
    body = r.json()
    raw = body["token"]
    random_part = raw.split("_", 1)[-1]
    assert len(base64.urlsafe_b64decode(random_part + "=" * (-len(random_part) % 4))) >= 32  # 256 bits
    row = ApiToken.objects.get(pk=body["id"])
    assert row.digest == hashlib.sha256(raw.encode()).hexdigest()
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert raw not in stored
    audit = json.dumps(list(AuditEvent.objects.filter(id__gt=mark).values()), default=str)
    assert raw not in audit
    assert len(events_since(mark, Verb.API_TOKEN_CREATED)) == 1
    listing = client.get(TOKENS)
    assert listing.status_code == 200
    assert body["id"] in listing.content.decode()
    assert raw not in listing.content.decode()
    page = client.get("/accounts/tokens/")
    assert raw not in page.content.decode()


def test_a_bad_name_names_the_field_and_creates_nothing(officer):
    client, csrf = session_client(officer)
    before = ApiToken.objects.count()
    r = create_token(client, csrf, name="")
    body = assert_problem(r, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["name"]
    assert ApiToken.objects.count() == before


# --- using a token ---------------------------------------------------------------------------


def test_a_bearer_token_authenticates_and_acts_for_its_membership(db):
    # phantich.bp is an analyst at BP-TH (first membership) and at BP-DON-NA-MEO (second).
    second = membership("phantich.bp", "BP-DON-NA-MEO")
    client, csrf = session_client(second)
    r = create_token(client, csrf)
    assert r.status_code == 201, r.content
    assert r.json()["membership_id"] == str(second.pk)

    me = bearer(r.json()["token"]).get(ME)

    assert me.status_code == 200, me.content
    body = me.json()
    assert body["username"] == "phantich.bp"
    assert body["via"] == "token"
    assert body["active"]["unit_code"] == "BP-DON-NA-MEO"
    assert body["active"]["role"] == "analyst"


def test_an_unknown_token_gets_401_problem_details(db):
    r = bearer("lia_" + secrets.token_urlsafe(32)).get(ME)
    body = assert_problem(r, 401, "unauthenticated")
    assert body["type"].endswith("unauthenticated")
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_gets_401_and_the_refusal_is_audited(officer):
    client, csrf = session_client(officer)
    created = create_token(client, csrf).json()
    assert bearer(created["token"]).get(ME).status_code == 200
    ApiToken.objects.filter(pk=created["id"]).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    mark = audit_mark()

    r = bearer(created["token"]).get(ME)

    assert_problem(r, 401, "unauthenticated")
    refused = events_since(mark, Verb.API_TOKEN_REFUSED)
    assert len(refused) == 1 and refused[0].actor_id == officer.user.pk


def test_a_revoked_token_gets_401(officer):
    client, csrf = session_client(officer)
    created = create_token(client, csrf).json()
    assert bearer(created["token"]).get(ME).status_code == 200
    mark = audit_mark()

    r = client.delete(f"{TOKENS}/{created['id']}", headers={"X-CSRFToken": csrf})

    assert r.status_code == 200, r.content
    assert r.json()["revoked_at"] is not None
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None
    assert len(events_since(mark, Verb.API_TOKEN_REVOKED)) == 1
    after = bearer(created["token"]).get(ME)
    assert_problem(after, 401, "unauthenticated")
    assert len(events_since(mark, Verb.API_TOKEN_REFUSED)) == 1


def test_another_users_token_id_gets_404_on_delete(officer):
    owner_client, owner_csrf = session_client(officer)
    created = create_token(owner_client, owner_csrf).json()
    other_client, other_csrf = session_client(membership("trucban.don.batmot", "BP-DON-BAT-MOT"))

    r = other_client.delete(f"{TOKENS}/{created['id']}", headers={"X-CSRFToken": other_csrf})

    assert_problem(r, 404, "not_found")
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is None
    assert bearer(created["token"]).get(ME).status_code == 200


def test_a_token_cannot_mint_tokens(officer):
    client, csrf = session_client(officer)
    raw = create_token(client, csrf).json()["token"]
    before = ApiToken.objects.count()
    mark = audit_mark()

    r = bearer(raw).post(TOKENS, {"name": "from a token"}, content_type="application/json")

    assert_problem(r, 403, "not_permitted")
    assert ApiToken.objects.count() == before
    assert len(events_since(mark, Verb.ACCESS_REFUSED)) == 1


# --- retries ---------------------------------------------------------------------------------


def test_an_idempotent_retry_returns_the_same_token_without_a_second_row(officer):
    client, csrf = session_client(officer)
    mark = audit_mark()

    first = create_token(client, csrf, **{"Idempotency-Key": "create-token-7f1c"})
    second = create_token(client, csrf, **{"Idempotency-Key": "create-token-7f1c"})

    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    assert second.json()["id"] == first.json()["id"]
    assert first.json()["token"]
    assert second.json()["token"] is None  # the plain token is shown once, never again
    assert ApiToken.objects.filter(user=officer.user).count() == 1
    assert len(events_since(mark, Verb.API_TOKEN_CREATED)) == 1


def test_the_same_key_with_another_payload_gets_422_naming_the_key(officer):
    client, csrf = session_client(officer)
    first = create_token(client, csrf, name="first", **{"Idempotency-Key": "create-token-9a2b"})
    assert first.status_code == 201

    r = create_token(client, csrf, name="second", **{"Idempotency-Key": "create-token-9a2b"})

    body = assert_problem(r, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["Idempotency-Key"]
    assert list(ApiToken.objects.filter(user=officer.user).values_list("name", flat=True)) == ["first"]


def test_the_openapi_document_answers_a_bearer_token(officer):
    """A client generating code from the document has only its token (finding of issue 12)."""
    client, csrf = session_client(officer)
    created = create_token(client, csrf).json()
    r = bearer(created["token"]).get("/api/v1/openapi.json")
    assert r.status_code == 200, r.content
    assert r.json()["info"]["title"] == "Liaison API"


def test_the_openapi_document_refuses_a_bad_token_with_401_and_a_browser_is_sent_to_sign_in(db):
    r = bearer("lia_" + secrets.token_urlsafe(32)).get("/api/v1/openapi.json")
    assert_problem(r, 401, "unauthenticated")
    anonymous = Client().get("/api/v1/docs")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(resolve_url(settings.LOGIN_URL))


# --- what the token lookup reads (issue 15) ---------------------------------------------------


def test_a_token_is_resolved_in_one_statement_that_never_reads_the_password_hash(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liaison.accounts.services import api_token_authenticate, api_token_create
    from tests.conftest import cast_actor

    actor = cast_actor("na_meo_post_officer")
    token, raw = api_token_create(actor, name="narrow", days=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # no last-use write now
    with CaptureQueriesContext(connection) as q:
        found = api_token_authenticate(raw)
        # What the policy, the audit and the answers read of the actor: no further statement.
        seen = (
            found.user.pk,
            found.user.username,
            found.user.full_name,
            found.user.is_active,
            found.membership.pk,
            found.role,
            found.unit.pk,
            found.unit.code,
            found.unit.path,
            found.unit.level,
            found.unit.force,
            found.unit.country,
        )
    assert len(q.captured_queries) == 1
    assert "password" not in q.captured_queries[0]["sql"]
    m = actor.membership
    assert seen == (
        m.user.pk,
        m.user.username,
        m.user.full_name,
        m.user.is_active,
        m.pk,
        m.role,
        m.unit.pk,
        m.unit.code,
        m.unit.path,
        m.unit.level,
        m.unit.force,
        m.unit.country,
    )
