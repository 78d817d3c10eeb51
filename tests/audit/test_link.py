"""Events leave the request's critical path (decision 0018): appended unlinked, linked by one chainer.

Rules proven here, on whichever database the suite runs on:
- a write, a read and a refusal each append their event unlinked: no chain position, no link, the
  head unmoved, and a content hash over the content and the row id;
- a link pass gives the committed unlinked events the next chain positions, each linked to the one
  before, and moves the head; an event that commits after later ones were linked (a smaller row id
  seen late) is simply linked later, and the chain still verifies;
- the database lets an UPDATE do nothing but link an unlinked event;
- checkpoints sign linked events only;
- `audit verify` names an event still unlinked past `AUDIT_LINK_LIMIT`, and an unlinked event altered
  before it was linked; the chainer refuses to link the altered one and records the refusal, which
  verify names too;
- the worker runs the chainer on a thread of its own; `liaison audit link` runs passes.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from liaison.audit import log
from liaison.audit.chainer import link_all, link_pass, worker_link
from liaison.audit.checkpoints import read_checkpoints, write_checkpoint
from liaison.audit.log import content_hash_of_event, hash_of_event, record_refusal, record_separately
from liaison.audit.models import AuditEvent, AuditHead
from liaison.audit.verbs import Verb
from liaison.audit.verify import verify
from liaison.core import worker
from tests.audit.tamper import EVENTS, run_sql, triggers_bypassed


@pytest.fixture
def officer(cast):
    return cast("na_meo_post_officer")


def head() -> tuple[int, str]:
    h = AuditHead.objects.get(pk=1)
    return h.seq, h.hash


def unlinked() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__isnull=True).order_by("id"))


def test_the_reference_deployment_is_linked_whole(signed_chain):
    assert unlinked() == []
    assert AuditEvent.objects.count() == signed_chain == head()[0]


def test_a_write_a_read_and_a_refusal_append_unlinked_events_leaving_the_head_alone(signed_chain, officer):
    before = head()

    with transaction.atomic():
        written = log.record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "0912"})
    read = record_separately(officer, Verb.ITEM_READ, officer.user)
    refused = record_refusal(officer, "item.read", officer.user)

    assert head() == before
    events = [AuditEvent.objects.get(id=e.id) for e in (written, read, refused)]
    assert [(e.seq, e.prev_hash, e.hash) for e in events] == [(None, "", "")] * 3
    assert [e.verb for e in events] == [Verb.USER_UPDATED, Verb.ITEM_READ, Verb.ACCESS_REFUSED]
    # Each carries the keyed hash of its content and row id, written at insert.
    assert all(len(e.content_hash) == 64 and content_hash_of_event(e) == e.content_hash for e in events)
    assert len({e.content_hash for e in events}) == 3
    # Appended after every event of the reference deployment, in the order they were written.
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert events[0].id > signed_chain
    # Young unlinked events are noted, not faults.
    result = verify()
    assert result.ok, result.summary()
    assert any("not linked yet" in n for n in result.notes)


def test_a_link_pass_links_committed_events_in_order_and_moves_the_head(signed_chain, officer):
    seq0, hash0 = head()
    for i in range(3):
        log.record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": str(i)})
    appended = unlinked()

    done = link_pass()

    assert (done.linked, done.refused, done.head) == (3, [], seq0 + 3)
    linked = [AuditEvent.objects.get(id=e.id) for e in appended]
    assert [e.seq for e in linked] == [seq0 + 1, seq0 + 2, seq0 + 3]
    assert [e.prev_hash for e in linked] == [hash0, linked[0].hash, linked[1].hash]
    assert [hash_of_event(e) for e in linked] == [e.hash for e in linked]
    assert head() == (seq0 + 3, linked[-1].hash)
    assert unlinked() == []
    assert link_pass().linked == 0  # nothing twice
    write_checkpoint()
    assert verify().ok, verify().summary()


def test_an_event_committed_late_is_linked_by_a_later_pass_and_the_chain_holds(signed_chain, officer):
    """A transaction that took its row id first but commits last: its event is seen by a later pass
    and linked after events appended after it. No commit horizon holds the others back."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: its events commit in the order of their ids")
    late_id = log._next_id()  # the long transaction takes its id ...
    log.record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "early"})
    link_pass()  # ... the others are linked meanwhile ...
    seq0 = head()[0]
    fields = AuditEvent.objects.filter(seq=seq0).values(*log.CONTENT_FIELDS)[0]
    log.append({**fields, "id": late_id, "content_hash": ""})  # ... and it commits now

    assert link_pass().linked == 1
    assert AuditEvent.objects.get(id=late_id).seq == seq0 + 1
    assert AuditEvent.objects.get(seq=seq0).id > late_id
    write_checkpoint()
    assert verify().ok, verify().summary()


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(f"UPDATE {EVENTS} SET actor_name = 'someone else' WHERE seq IS NULL", id="content"),
        pytest.param(
            f"UPDATE {EVENTS} SET seq = 999999, prev_hash = 'x', hash = 'y', actor_name = 'x' WHERE seq IS NULL",
            id="link-and-content",
        ),
        pytest.param(f"UPDATE {EVENTS} SET seq = 999999 WHERE seq IS NULL", id="position-without-hash"),
        pytest.param(f"UPDATE {EVENTS} SET seq = NULL, prev_hash = '', hash = '' WHERE seq = 1", id="unlink"),
        pytest.param(
            f"UPDATE {EVENTS} SET seq = 999999, prev_hash = 'x', hash = 'y' WHERE seq = 1", id="relink"
        ),
        pytest.param(f"DELETE FROM {EVENTS} WHERE seq IS NULL", id="delete-unlinked"),
    ],
)
def test_the_database_lets_an_update_only_link_an_unlinked_event(signed_chain, officer, statement):
    with transaction.atomic():
        log.record(officer, Verb.USER_UPDATED, officer.user)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        run_sql(statement)

    with transaction.atomic():
        run_sql(f"UPDATE {EVENTS} SET seq = 999999, prev_hash = 'x', hash = 'y' WHERE seq IS NULL")


def test_checkpoints_sign_linked_events_only(signed_chain, officer):
    log.record(officer, Verb.USER_UPDATED, officer.user)

    cp = write_checkpoint(force=True)

    assert (cp.seq, cp.hash) == head() == (signed_chain, AuditEvent.objects.get(seq=signed_chain).hash)
    link_all()
    assert write_checkpoint().seq == signed_chain + 1
    assert [c.seq for c in read_checkpoints()] == [signed_chain, signed_chain, signed_chain + 1]


def test_verify_names_an_event_left_unlinked_past_the_limit(signed_chain, officer, settings, frozen_clock):
    settings.AUDIT_LINK_LIMIT = 60
    ev = log.record(officer, Verb.USER_UPDATED, officer.user)

    frozen_clock.advance(dt.timedelta(seconds=59))
    assert verify().ok
    frozen_clock.advance(dt.timedelta(seconds=2))
    result = verify()

    assert result.codes == ["event-not-linked"]
    assert f"event id {ev.id}" in result.reason and "still unlinked" in result.reason
    link_all()
    write_checkpoint()
    assert verify().ok, verify().summary()


def test_an_unlinked_event_altered_before_linking_is_refused_recorded_and_named(
    signed_chain, officer, caplog
):
    honest = log.record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "1"})
    altered = log.record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "2"})
    after = log.record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "3"})
    with triggers_bypassed():
        run_sql(f"UPDATE {EVENTS} SET actor_name = 'someone else' WHERE id = %s", [altered.id])
    # Caught before linking, too.
    assert verify().codes == ["event-altered"]

    done = link_pass()

    assert done.refused == [altered.id]
    assert "altered after it was appended" in caplog.text
    assert AuditEvent.objects.get(id=altered.id).seq is None  # never linked
    assert AuditEvent.objects.get(id=honest.id).seq == signed_chain + 1
    # The refusal takes the place the altered event would have had, in the same pass.
    refusal = AuditEvent.objects.get(seq=signed_chain + 2)
    assert AuditEvent.objects.get(id=after.id).seq == signed_chain + 3
    assert (refusal.verb, refusal.object_type, refusal.object_id) == (
        Verb.AUDIT_LINK_REFUSED,
        "audit.auditevent",
        str(altered.id),
    )
    assert link_pass().linked == 0  # refused once, not every pass
    write_checkpoint()
    result = verify()
    assert sorted(result.codes) == ["event-altered", "link-refused"]
    assert f"event id {altered.id}" in result.fault("link-refused").message
    assert f"unlinked event id {altered.id}" in result.fault("event-altered").message


def test_an_unlinked_event_inserted_without_the_chain_key_is_refused(signed_chain, officer):
    model = log.record(officer, Verb.USER_UPDATED, officer.user)
    link_all()
    fields = AuditEvent.objects.filter(id=model.id).values()[0]
    fields.update(
        id=model.id + 1000, seq=None, prev_hash="", hash="", actor_name="forger", content_hash="f" * 64
    )
    AuditEvent.objects.create(**fields)

    assert link_pass().refused == [model.id + 1000]
    assert "link-refused" in verify().codes


def test_a_copy_of_an_event_is_refused(signed_chain, officer):
    """The content hash covers the row id: a replayed copy of a genuine event does not link."""
    ev = log.record(officer, Verb.ITEM_READ, officer.user)
    fields = AuditEvent.objects.filter(id=ev.id).values()[0]
    fields.update(id=ev.id + 1000)
    AuditEvent.objects.create(**fields)

    assert link_pass().refused == [ev.id + 1000]


def test_the_chainer_runs_on_a_thread_of_the_worker(signed_chain, officer, settings):
    (job,) = [job for job in worker.threaded() if job.name == "audit chainer"]
    assert job.every() == settings.AUDIT_LINK_POLL <= 0.5
    log.record(officer, Verb.USER_UPDATED, officer.user)

    assert job.run is worker_link
    assert job.run() is None
    assert unlinked() == []


def test_the_link_command_links_and_names_refusals(signed_chain, officer):
    log.record(officer, Verb.USER_UPDATED, officer.user)
    out = io.StringIO()
    call_command("audit", "link", stdout=out)
    assert out.getvalue().strip() == "linked 1 event(s)"

    bad = log.record(officer, Verb.USER_UPDATED, officer.user)
    with triggers_bypassed():
        run_sql(f"UPDATE {EVENTS} SET object_ref = 'x' WHERE id = %s", [bad.id])
    with pytest.raises(CommandError, match=f"refused to link altered event\\(s\\) id {bad.id}"):
        call_command("audit", "link", stdout=io.StringIO())


def test_only_one_chainer_links_at_a_time_on_postgresql(signed_chain, officer, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time already")
    from django.db import connections

    log.record(officer, Verb.USER_UPDATED, officer.user)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(b"lia-link", "big")])
            assert link_pass().busy
            cur.execute("ROLLBACK")
    finally:
        other.close()
    assert link_pass().linked == 1
