"""The named cast and shared fixtures.

The reference deployment (Thanh Hoa – Hua Phan) is loaded once per test session through the same
services as `liaison demo`; every test then runs inside a transaction that is rolled back. Tests
name people by their place in the organisation (`na_meo_post_officer`, `province_commander`, …).
"""

from __future__ import annotations

import pytest
from django.test import Client

from liaison.org.actor import SESSION_KEY, Actor
from liaison.org.models import Membership, Unit, User

# The cast: fixture name -> (username, unit code of the membership they act for)
CAST = {
    "command_centre_officer": ("trucban.ttch", "CA-TH-TTCH"),
    "na_meo_commune_police": ("trucban.ca.nameo", "CA-XA-NA-MEO"),
    "na_meo_post_officer": ("trucban.don.nameo", "BP-DON-NA-MEO"),
    "bat_mot_post_officer": ("trucban.don.batmot", "BP-DON-BAT-MOT"),
    "na_meo_customs_officer": ("trucban.haiquan", "HQ-NA-MEO"),
    "military_officer": ("trucban.quansu", "QS-TH-KV1"),
    "police_analyst": ("phantich.ca", "CA-TH-PC04"),
    "border_guard_analyst": ("phantich.bp", "BP-TH"),
    "province_commander": ("chihuy.ca", "CA-TH"),
    "border_guard_commander": ("chihuy.bp", "BP-TH"),
    "na_meo_post_commander": ("chihuy.don.nameo", "BP-DON-NA-MEO"),
    "liaison_officer": ("lienlac.bp", "BP-TH"),
    "police_administrator": ("quantri", "CA-TH"),
    "border_guard_administrator": ("quantri.bp", "BP-TH"),
    "auditor": ("kiemtra", "UB-TH"),
    "secretariat": ("thuongtruc.bcd", "UB-TH"),
    "hua_phan_partner": ("doitac.huaphan", "LA-HP-CA"),
}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference deployment once, committed, for the whole session."""
    from liaison.demo import load

    with django_db_blocker.unblock():
        load.run()


def cast_actor(name: str) -> Actor:
    username, unit_code = CAST[name]
    m = Membership.objects.select_related("unit", "user").get(
        user__username=username, unit__code=unit_code, status=Membership.Status.ACTIVE
    )
    return Actor(user=m.user, membership=m, via="session")


def signed_in_client(name: str) -> Client:
    """A client signed in as a cast member, with the second factor verified where required."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    actor = cast_actor(name)
    client = Client()
    client.force_login(actor.user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[SESSION_KEY] = str(actor.membership.pk)
    device = TOTPDevice.objects.filter(user=actor.user).first()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def cast(db):
    """`cast("na_meo_post_officer")` -> Actor acting for that membership."""
    return cast_actor


@pytest.fixture
def client_for(db):
    """`client_for("auditor")` -> a signed-in test client."""
    return signed_in_client


@pytest.fixture
def unit(db):
    return lambda code: Unit.objects.get(code=code)


@pytest.fixture
def user(db):
    return lambda username: User.objects.get(username=username)


def pytest_collection_modifyitems(config, items):
    # Every test here touches the database; mark them so that unmarked helpers are not needed.
    for item in items:
        if "django_db" not in item.keywords:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture
def link():
    """Run the chainer's link passes now: what the worker's chainer does within a second of a commit
    (decision 0018). Tests that check the chain right after a write call it first."""
    from liaison.audit.chainer import link_all

    return link_all
