"""The audit log is an append-only hash chain, and `audit verify` names the first broken link.

Rules proven here, on whichever database the suite runs on:
- `record` appends contiguous events, each carrying the keyed hash of the one before, only inside
  a transaction, and stores keyed hashes of changed values, never the values;
- the database itself refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the log, and lets
  the chain head only move forward;
- someone who bypasses the triggers (a database superuser) is caught by `verify`: an edited,
  deleted, reordered or forged event breaks the chain; a chain recomputed even with the chain key
  or a cut tail contradicts a signed checkpoint; a checkpoint with a bad signature is refused.

Tampering happens inside the test's transaction (trigger DDL included) and is rolled back with it.
Each test gets its own checkpoint directories and a frozen clock. The tail's proof (forgery
without the key, numbered and chained checkpoints, the second copy, freshness) is in test_tail.py.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.test import override_settings

from liaison.audit.checkpoints import payload, read_checkpoints, write_checkpoint
from liaison.audit.log import hash_of_event, record_separately, value_hash
from liaison.audit.models import AuditEvent, AuditHead
from liaison.audit.verbs import Verb
from liaison.audit.verify import verify
from tests.audit.tamper import (
    EVENTS,
    HEAD,
    chain,
    event,
    head_seq,
    insert_forged,
    make_room_after,
    rechain_from,
    record,
    run_sql,
    set_head,
    triggers_bypassed,
)

# Each test's checkpoint directories and frozen clock: tests/audit/conftest.py.


@pytest.fixture
def chain_alone(tmp_path):
    """Verify as if there were no checkpoint (and none were due yet): what the chain proves alone."""

    def run():
        with override_settings(
            AUDIT_CHECKPOINT_DIR=tmp_path / "none",
            AUDIT_CHECKPOINT_COPY_DIR=None,
            AUDIT_CHECKPOINT_INTERVAL=10**9,
        ):
            return verify()

    return run


# --- 1. writing ---------------------------------------------------------------------------------


def test_record_appends_contiguous_events_each_linked_to_the_one_before(cast):
    head = AuditHead.objects.get(pk=1)
    last = AuditEvent.objects.order_by("-seq").first()
    assert (head.seq, head.hash) == (last.seq, last.hash)
    officer = cast("na_meo_post_officer")

    for i in range(3):
        record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": f"09120000{i}"})

    new = list(AuditEvent.objects.filter(seq__gt=head.seq).order_by("seq"))
    assert [e.seq for e in new] == [head.seq + 1, head.seq + 2, head.seq + 3]
    assert [e.prev_hash for e in new] == [head.hash, new[0].hash, new[1].hash]
    # Read back from the database, each event still hashes to what it stored.
    assert [hash_of_event(e) for e in new] == [e.hash for e in new]
    assert {e.actor_name for e in new} == {officer.user.username}
    moved = AuditHead.objects.get(pk=1)
    assert (moved.seq, moved.hash) == (new[-1].seq, new[-1].hash)
    write_checkpoint()
    assert verify().ok, verify().summary()


def test_record_refuses_to_run_outside_a_transaction(cast):
    officer = cast("na_meo_post_officer")
    before = chain()
    # A test always runs inside a transaction; show `record` the connection as autocommit sees it.
    conn = connections[DEFAULT_DB_ALIAS]
    conn.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="transaction"):
            record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "0912"})
    finally:
        conn.in_atomic_block = True
    assert chain() == before


def test_record_separately_refuses_to_run_inside_a_callers_transaction(cast):
    officer = cast("na_meo_post_officer")
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable atomic block cannot be nested"):
        record_separately(officer, Verb.ACCESS_REFUSED, officer.user)


def test_changes_hold_keyed_hashes_of_values_never_the_values(cast, settings):
    officer = cast("na_meo_post_officer")
    secret = "Nguồn tin ZQX-0912-345-678 ở bản Pù Nhi"

    ev = record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": secret, "role": "commander"})

    assert ev.changes == {"phone": value_hash(secret), "role": value_hash("commander")}
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {EVENTS} WHERE seq = %s", [ev.seq])
        row = cur.fetchone()
    stored = " | ".join(str(cell) for cell in row)
    assert secret not in stored
    assert "ZQX-0912-345-678" not in stored
    assert json.dumps(secret) not in stored  # nor its escaped JSON form
    # Keyed: neither a plain hash of the value nor the same under another secret key, so a
    # low-entropy value such as a role cannot be recovered by hashing guesses.
    plain = hashlib.sha256(json.dumps("commander").encode()).hexdigest()
    assert ev.changes["role"] != plain
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert value_hash("commander") != ev.changes["role"]


# --- 2. the database refuses changes ------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(f"UPDATE {EVENTS} SET actor_name = 'someone else' WHERE seq = 1", id="update-one"),
        pytest.param(f"UPDATE {EVENTS} SET hash = prev_hash", id="update-all"),
        pytest.param(f"DELETE FROM {EVENTS} WHERE seq = 1", id="delete-one"),
        pytest.param(f"DELETE FROM {EVENTS}", id="delete-all"),
    ],
)
def test_database_refuses_to_change_or_delete_audit_events(statement):
    before = chain()
    assert before, "the reference deployment leaves events to protect"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement)

    assert chain() == before


def test_postgresql_refuses_to_truncate_the_audit_log():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL (SQLite's DELETE FROM is covered above)")
    before = chain()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"TRUNCATE {EVENTS}")

    assert chain() == before


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(f"UPDATE {HEAD} SET seq = seq - 1", id="move-back"),
        pytest.param(f"UPDATE {HEAD} SET hash = 'x'", id="rewrite-in-place"),
        pytest.param(f"DELETE FROM {HEAD}", id="delete"),
    ],
)
def test_database_lets_the_chain_head_only_move_forward(statement):
    before = list(AuditHead.objects.values_list("seq", "hash"))

    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        run_sql(statement)

    assert list(AuditHead.objects.values_list("seq", "hash")) == before


def test_postgresql_refuses_to_truncate_the_chain_head():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL (SQLite's DELETE FROM is covered above)")

    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        run_sql(f"TRUNCATE {HEAD}")


def test_tamper_helper_puts_the_triggers_back():
    with triggers_bypassed():
        run_sql(f"UPDATE {EVENTS} SET actor_name = 'someone else' WHERE seq = 1")
        set_head(head_seq() - 1)
    assert event(1).actor_name == "someone else"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        run_sql(f"DELETE FROM {EVENTS} WHERE seq = 1")
    with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
        set_head(1)


# --- 3. verify ----------------------------------------------------------------------------------


def test_verify_passes_on_the_reference_deployment(signed_chain):
    result = verify()

    assert result.ok, result.summary()
    assert (result.events, result.checkpoints, result.broken_seq) == (signed_chain, 1, None)
    assert result.notes == []
    assert read_checkpoints()[0].signature_ok


def test_verify_names_an_edited_event(signed_chain):
    m = signed_chain // 2
    with triggers_bypassed():
        run_sql(f"UPDATE {EVENTS} SET actor_name = 'someone else' WHERE seq = %s", [m])

    result = verify()

    assert not result.ok
    assert result.broken_seq == m
    assert "altered" in result.reason
    assert result.events == m - 1


def test_verify_names_an_event_deleted_from_the_middle(signed_chain):
    m = signed_chain // 2
    with triggers_bypassed():
        run_sql(f"DELETE FROM {EVENTS} WHERE seq = %s", [m])

    result = verify()

    assert not result.ok
    assert result.broken_seq == m
    assert "missing" in result.reason and "deleted" in result.reason


def test_verify_names_a_deleted_event_even_when_the_rest_is_renumbered(signed_chain):
    m = signed_chain // 2
    with triggers_bypassed():
        run_sql(f"DELETE FROM {EVENTS} WHERE seq = %s", [m])
        run_sql(f"UPDATE {EVENTS} SET seq = -seq WHERE seq > %s", [m])
        run_sql(f"UPDATE {EVENTS} SET seq = -seq - 1 WHERE seq < 0")
        set_head(signed_chain - 1)

    result = verify()

    assert not result.ok
    assert result.broken_seq == m
    assert "does not link" in result.reason


def test_verify_names_two_reordered_events(signed_chain):
    m = signed_chain // 2
    with triggers_bypassed():
        run_sql(f"UPDATE {EVENTS} SET seq = -1 WHERE seq = %s", [m])
        run_sql(f"UPDATE {EVENTS} SET seq = %s WHERE seq = %s", [m, m + 1])
        run_sql(f"UPDATE {EVENTS} SET seq = %s WHERE seq = -1", [m + 1])

    result = verify()

    assert not result.ok
    assert result.broken_seq == m
    assert "reordered" in result.reason


def test_verify_names_a_forged_event_inserted_with_a_bogus_hash(signed_chain):
    m = signed_chain // 2
    with triggers_bypassed():
        make_room_after(m)
        insert_forged(m + 1, prev_hash=event(m).hash, hash="f" * 64)

    result = verify()

    assert not result.ok
    assert result.broken_seq == m + 1
    assert "does not match its hash" in result.reason


def test_verify_names_the_link_after_an_event_forged_with_the_chain_key(signed_chain):
    m = signed_chain // 2
    with triggers_bypassed():
        make_room_after(m)
        insert_forged(m + 1, prev_hash=event(m).hash)

    result = verify()

    assert not result.ok
    assert result.broken_seq == m + 2  # the real event that followed #m no longer links
    assert "does not link" in result.reason and "forged" in result.reason


def test_verify_names_a_forged_event_appended_with_a_bogus_hash(signed_chain):
    n = signed_chain
    insert_forged(n + 1, prev_hash=event(n).hash, hash="0" * 64)  # INSERT needs no bypass

    result = verify()

    assert not result.ok
    assert result.broken_seq == n + 1
    assert "does not match its hash" in result.reason


def test_only_the_signed_checkpoint_catches_a_chain_recomputed_after_a_forged_insert(
    signed_chain, chain_alone
):
    n, m = signed_chain, signed_chain // 2
    with triggers_bypassed():
        make_room_after(m)
        insert_forged(m + 1, prev_hash=event(m).hash)
        rechain_from(m + 2)

    # The chain alone is consistent again (the forger held the chain key too)...
    alone = chain_alone()
    assert alone.ok, alone.summary()
    assert alone.events == n + 1
    # ...but event #n is no longer the one the checkpoint signed.
    result = verify()
    assert not result.ok
    assert result.broken_seq == n
    assert "checkpoint" in result.reason and "rewritten" in result.reason


def test_only_the_signed_checkpoint_catches_an_edit_with_the_chain_recomputed(signed_chain, chain_alone):
    n, m = signed_chain, signed_chain // 2
    with triggers_bypassed():
        run_sql(f"UPDATE {EVENTS} SET actor_name = 'someone else' WHERE seq = %s", [m])
        rechain_from(m)

    assert chain_alone().ok
    result = verify()
    assert not result.ok
    assert result.broken_seq == n
    assert "rewritten" in result.reason


def test_verify_names_a_tail_cut_back_past_the_last_checkpoint_with_the_head_moved(signed_chain, chain_alone):
    n = signed_chain
    with triggers_bypassed():
        run_sql(f"DELETE FROM {EVENTS} WHERE seq > %s", [n - 3])
        set_head(n - 3)

    assert chain_alone().ok  # the shorter chain is consistent in itself
    result = verify()
    assert not result.ok
    assert result.codes == ["tail-cut"]
    assert result.broken_seq == n - 2
    assert "tail was cut and the head moved back" in result.reason
    assert f"#{n}" in result.reason


def test_events_after_the_last_checkpoint_are_reported_unproven_and_a_cut_there_goes_unseen(
    signed_chain, cast
):
    # The documented limit: what came after the last checkpoint, within two intervals (and fewer
    # than AUDIT_CHECKPOINT_EVERY events), cannot be proven.
    n = signed_chain
    officer = cast("na_meo_post_officer")
    record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "1"})
    record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "2"})

    result = verify()
    assert result.ok
    assert result.notes == [
        f"events #{n + 1}–#{n + 2} come after the last checkpoint and cannot be proven yet"
    ]

    with triggers_bypassed():
        run_sql(f"DELETE FROM {EVENTS} WHERE seq > %s", [n])
        set_head(n)
    assert verify().ok


def test_a_later_checkpoint_keeps_the_earlier_ones_in_force(signed_chain, cast):
    n, m = signed_chain, signed_chain // 2
    officer = cast("na_meo_post_officer")
    record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "1"})
    assert write_checkpoint().seq == n + 1
    with triggers_bypassed():
        run_sql(f"DELETE FROM {EVENTS} WHERE seq > %s", [m])
        insert_forged(m + 1, prev_hash=event(m).hash)
        rechain_from(m + 1)
    # The chain now ends at #m + 1; both checkpoints lie beyond it.

    result = verify()

    assert not result.ok
    assert result.broken_seq == m + 2
    assert "tail was cut" in result.reason and f"#{n + 1}" in result.reason


def test_verify_catches_a_rewritten_chain_even_after_its_head_was_signed_again(signed_chain):
    # A superuser edits an event and recomputes the chain to the same length; then an operator
    # runs `liaison audit checkpoint`, which signs the rewritten head at the same seq. The first
    # checkpoint still proves that event #n was different.
    n, m = signed_chain, signed_chain // 2
    with triggers_bypassed():
        run_sql(f"UPDATE {EVENTS} SET actor_name = 'someone else' WHERE seq = %s", [m])
        rechain_from(m)
    resigned = write_checkpoint(force=True)
    assert resigned.seq == n
    assert [cp.seq for cp in read_checkpoints()] == [n, n]

    result = verify()

    assert not result.ok
    assert result.broken_seq == n
    assert "checkpoint" in result.reason


def _rewrite_line(path, number: int, **changes) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    doc = json.loads(lines[number - 1])
    doc.update(changes)
    lines[number - 1] = json.dumps(doc, sort_keys=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_verify_refuses_a_checkpoint_whose_signature_does_not_match(signed_chain, cast, checkpoint_dir):
    # A second checkpoint, then its hash replaced with a rewritten chain's head, signature kept.
    n = signed_chain
    officer = cast("na_meo_post_officer")
    record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": "1"})
    assert write_checkpoint().seq == n + 1
    (path,) = checkpoint_dir.iterdir()
    _rewrite_line(path, 2, hash="e" * 64)

    result = verify()

    assert not result.ok
    assert result.broken_seq is None  # a forged checkpoint's sequence number proves nothing
    assert "line 2" in result.reason and "signature" in result.reason


def test_verify_refuses_a_checkpoint_signed_by_another_key(signed_chain, checkpoint_dir):
    (path,) = checkpoint_dir.iterdir()
    doc = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    doc["sig"] = base64.b64encode(Ed25519PrivateKey.generate().sign(payload(doc))).decode()
    path.write_text(json.dumps(doc, sort_keys=True) + "\n", encoding="utf-8")

    result = verify()

    assert not result.ok
    assert result.broken_seq is None
    assert "line 1" in result.reason and "signature" in result.reason


def test_verify_refuses_an_unreadable_checkpoint_line(signed_chain, checkpoint_dir):
    (path,) = checkpoint_dir.iterdir()
    path.write_text(path.read_text(encoding="utf-8") + '{"seq": 5, "hash": "trust me"}\n', encoding="utf-8")

    result = verify()

    assert not result.ok
    assert result.broken_seq is None
    assert "line 2" in result.reason and "signature" in result.reason


# --- 4. the command -----------------------------------------------------------------------------


def test_verify_command_prints_ok_on_a_clean_log(signed_chain):
    out = io.StringIO()

    call_command("audit", "verify", stdout=out)

    assert out.getvalue().startswith("audit log OK")
    assert f"{signed_chain} events" in out.getvalue()


def test_verify_command_fails_naming_the_event_after_a_tamper(signed_chain):
    m = signed_chain // 2
    with triggers_bypassed():
        run_sql(f"UPDATE {EVENTS} SET actor_name = 'someone else' WHERE seq = %s", [m])

    with pytest.raises(CommandError, match=rf"BROKEN at event #{m}: event #{m} was altered"):
        call_command("audit", "verify", stdout=io.StringIO())


def test_verify_command_names_the_line_of_an_unreadable_checkpoint_not_an_event(signed_chain, checkpoint_dir):
    (path,) = checkpoint_dir.iterdir()
    path.write_text("not json\n" + path.read_text(encoding="utf-8"), encoding="utf-8")

    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify", stdout=io.StringIO())

    assert "line 1" in str(failure.value)
    assert "#None" not in str(failure.value)
