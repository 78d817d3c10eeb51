"""The audit log proves its own tail, and `audit verify` names each way of hiding one.

Rules proven here, on whichever database the suite runs on:
- every event's hash is keyed with the chain key kept outside the database: an event appended with
  database access alone (a correct plain SHA-256, no key) is named forged, even after a checkpoint
  signed it; verify never makes up a missing key and tells a replaced key from forged events;
- checkpoints are numbered from 1, each signs the one before, written every interval (the worker),
  after every N committed events and at shutdown, and copied to a second location that catches up
  after an outage and is left alone when it differs;
- verify fails, naming the fault, when the checkpoint file is deleted, its last lines are deleted,
  a checkpoint is missing, out of order or does not sign the one before, the second copy differs,
  the tail is cut with its head moved back, or events older than two intervals lie past the last
  checkpoint; younger ones are reported unproven (the documented limit).

Time is the test's (tests/audit/conftest.py freezes the clock): "older than two intervals" never
depends on how long the suite took.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import logging
import secrets
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from liaison.audit.checkpoints import (
    checkpoint_file,
    load_or_create_key,
    payload,
    read_checkpoints,
    write_checkpoint,
)
from liaison.audit.log import hash_of_event, unkeyed_hash_of_event
from liaison.audit.models import GENESIS_HASH
from liaison.audit.verbs import Verb
from liaison.audit.verify import verify
from liaison.core import clock, worker
from tests.audit.tamper import (
    EVENTS,
    delete_lines,
    event,
    insert_forged,
    record,
    run_sql,
    set_head,
    triggers_bypassed,
)

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def officer(cast):
    return cast("na_meo_post_officer")


def note(officer, i: int = 0):
    return record(officer, Verb.USER_UPDATED, officer.user, changes={"phone": f"09120000{i}"})


def two_intervals(settings) -> dt.timedelta:
    return dt.timedelta(seconds=2 * settings.AUDIT_CHECKPOINT_INTERVAL)


@pytest.fixture
def three_checkpoints(signed_chain, officer, frozen_clock) -> int:
    """Checkpoint #1 at event #n (now - 2 min), #2 at #n+2 (now - 1 min), #3 at #n+4 (now). -> n."""
    for i in range(2):
        frozen_clock.advance(MINUTE)
        note(officer, 2 * i)
        note(officer, 2 * i + 1)
        write_checkpoint()
    assert [(cp.n, cp.seq) for cp in read_checkpoints()] == [
        (1, signed_chain),
        (2, signed_chain + 2),
        (3, signed_chain + 4),
    ]
    assert verify().ok
    return signed_chain


@pytest.fixture
def files(checkpoint_dir, copy_dir) -> tuple[Path, Path]:
    """(the checkpoint file, its second copy)."""
    name = checkpoint_file().name
    return checkpoint_dir / name, copy_dir / name


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def resigned(raw: str, **changes) -> str:
    """A checkpoint line changed and signed again with the node's key (someone holding that key)."""
    doc = {**json.loads(raw), **changes}
    doc["sig"] = base64.b64encode(load_or_create_key().sign(payload(doc))).decode()
    return json.dumps(doc, sort_keys=True)


def write_lines(path: Path, new: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in new), encoding="utf-8")


# --- 1. keyed events ----------------------------------------------------------------------------


def test_each_event_hash_is_keyed_with_a_key_file_outside_the_database(signed_chain, settings):
    ev = event(signed_chain)

    assert ev.hash == hash_of_event(ev)
    assert ev.hash != unkeyed_hash_of_event(ev)  # not what database access alone can compute
    assert hash_of_event(ev, key=secrets.token_bytes(32)) != ev.hash
    assert Path(settings.AUDIT_KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_verify_names_a_tail_event_forged_with_database_access_only(signed_chain):
    n = signed_chain
    # No trigger stands in the way: appending an event and moving the head forward is what the
    # application itself does. The forger links it correctly and hashes it as well as he can.
    insert_forged(n + 1, prev_hash=event(n).hash, keyed=False)
    set_head(n + 1)
    # The worker's next checkpoint signs the forged head: a signature cannot vouch for it.
    assert write_checkpoint().seq == n + 1

    result = verify()

    assert result.codes == ["event-forged"]
    assert result.broken_seq == n + 1
    assert "without the chain key" in result.reason and "database access alone" in result.reason


def test_verify_names_a_tail_event_hashed_with_a_guessed_key_as_altered(signed_chain, tmp_path):
    n = signed_chain
    with override_settings(AUDIT_KEY_FILE=tmp_path / "guess.key"):
        insert_forged(n + 1, prev_hash=event(n).hash)
    set_head(n + 1)

    result = verify()

    assert result.codes == ["event-altered"]
    assert result.broken_seq == n + 1


def test_verify_never_makes_up_a_missing_chain_key(signed_chain, settings, tmp_path):
    settings.AUDIT_KEY_FILE = tmp_path / "lost.key"

    result = verify()

    assert result.codes == ["audit-key"]
    assert "lost.key" in result.reason and "missing" in result.reason
    assert not (tmp_path / "lost.key").exists()


def test_verify_tells_a_replaced_chain_key_from_forged_events(signed_chain, settings, tmp_path):
    settings.AUDIT_KEY_FILE = tmp_path / "replaced.key"
    settings.AUDIT_KEY_FILE.write_text(secrets.token_hex(32) + "\n")

    result = verify()

    assert result.codes == ["audit-key", "event-altered"]
    assert "checkpoint #1" in result.reason and "replaced" in result.reason


# --- 2. checkpoints: numbered, chained, copied, written every interval and every N events -------


def test_checkpoints_are_numbered_each_signs_the_one_before_and_both_copies_agree(three_checkpoints, files):
    n = three_checkpoints
    cps = read_checkpoints()

    assert [(cp.n, cp.seq) for cp in cps] == [(1, n), (2, n + 2), (3, n + 4)]
    assert all(cp.signature_ok for cp in cps)
    assert cps[0].prev == GENESIS_HASH
    assert [cp.prev for cp in cps[1:]] == [cp.digest for cp in cps[:-1]]
    first, second = files
    assert lines(second) == lines(first)
    result = verify()
    assert result.ok and result.notes == [], result.summary()


def test_no_checkpoint_while_the_head_stands_still_unless_forced(signed_chain):
    assert write_checkpoint() is None
    assert [(cp.n, cp.seq) for cp in read_checkpoints()] == [(1, signed_chain)]

    assert write_checkpoint(force=True).n == 2
    assert verify().ok


def test_a_checkpoint_follows_every_n_committed_events(
    signed_chain, officer, settings, django_capture_on_commit_callbacks
):
    n = signed_chain
    settings.AUDIT_CHECKPOINT_EVERY = 3

    for i in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            note(officer, i)

    expected = [n] + [s for s in range(n + 1, n + 8) if s % 3 == 0]  # 2 or 3 of them, by n
    assert [cp.seq for cp in read_checkpoints()] == expected
    assert [cp.n for cp in read_checkpoints()] == list(range(1, len(expected) + 1))


def test_an_event_rolled_back_is_never_signed(
    signed_chain, officer, settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_EVERY = 1

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            note(officer)
            raise RuntimeError("the service failed after recording")

    assert callbacks == []
    assert [cp.seq for cp in read_checkpoints()] == [signed_chain]


def test_a_checkpoint_that_cannot_be_written_never_fails_the_committed_write(
    signed_chain, officer, settings, files, django_capture_on_commit_callbacks, caplog
):
    settings.AUDIT_CHECKPOINT_EVERY = 1
    first, _ = files
    first.write_text(first.read_text() + "damaged\n")

    with caplog.at_level(logging.ERROR, "liaison.audit"), django_capture_on_commit_callbacks(execute=True):
        ev = note(officer)

    assert event(ev.seq).hash == ev.hash
    assert "checkpoint after 1 events failed" in caplog.text


def test_the_worker_signs_every_interval_and_when_it_stops(signed_chain, officer, settings, files):
    n = signed_chain
    (job,) = [job for job in worker.periodic() if job.name == "audit checkpoint"]
    assert job.every() == settings.AUDIT_CHECKPOINT_INTERVAL

    assert job.run() is None  # the head has not moved
    note(officer)
    assert job.run() == f"checkpoint #2 at event #{n + 1}"
    note(officer)
    assert job.at_stop() == f"final checkpoint #3 at event #{n + 2}"
    # A damaged file stops the checkpoints, not the worker (its escalations run in the same loop).
    first, _ = files
    first.write_text(first.read_text() + "damaged\n")
    note(officer)
    assert job.run().startswith("checkpoint FAILED: the last line of")


def test_the_second_copy_catches_up_after_its_host_was_away(three_checkpoints, officer, files):
    first, second = files
    second.unlink()

    note(officer)
    assert write_checkpoint().n == 4

    assert lines(second) == lines(first) and len(lines(second)) == 4
    assert verify().ok


def test_a_second_copy_that_differs_is_left_as_it_is_for_verify(three_checkpoints, officer, files):
    first, second = files
    altered = lines(second)[:2] + [resigned(lines(second)[2], at="2026-01-01T00:00:00+00:00")]
    write_lines(second, altered)

    note(officer)
    write_checkpoint()

    assert lines(second) == altered
    assert len(lines(first)) == 4
    assert "checkpoint-copy" in verify().codes


# --- 3. verify names every way of hiding the tail -----------------------------------------------


def test_verify_names_a_deleted_checkpoint_file_from_its_second_copy(three_checkpoints, files):
    first, _ = files
    first.unlink()

    result = verify()

    assert result.codes == ["checkpoint-copy"]
    assert (
        "holds checkpoints #1–#3 that" in result.reason
        and "deleted from the checkpoint file" in result.reason
    )


def test_verify_names_deleted_checkpoints_once_events_are_older_than_two_intervals(
    signed_chain, files, settings
):
    for path in files:
        path.unlink()
    oldest = event(1).at

    # Within two intervals of the oldest event the log is merely unproven yet (a new node)...
    with clock.frozen(oldest + two_intervals(settings)):
        young = verify()
    assert young.ok, young.summary()
    assert young.notes == [
        f"events #1–#{signed_chain} come after the last checkpoint and cannot be proven yet"
    ]
    # ...after that, the missing checkpoints are a fault.
    with clock.frozen(oldest + two_intervals(settings) + dt.timedelta(seconds=1)):
        result = verify()
    assert result.codes == ["checkpoints-absent"]
    assert result.broken_seq == 1
    assert "there is no checkpoint file" in result.reason and "deleted or never written" in result.reason


def test_verify_names_the_last_checkpoint_lines_deleted_from_the_checkpoint_file(three_checkpoints, files):
    first, _ = files
    delete_lines(first, {2, 3})

    result = verify()

    assert result.codes == ["checkpoint-copy"]
    assert "holds checkpoints #2–#3" in result.reason


def test_verify_names_the_last_checkpoint_lines_deleted_from_both_copies_as_time_passes(
    three_checkpoints, files, frozen_clock
):
    n = three_checkpoints  # events #n+1, #n+2 written a minute ago, #n+3, #n+4 now
    for path in files:
        delete_lines(path, {2, 3})

    # The last interval cannot be proven (the documented limit)...
    assert verify().ok
    # ...but once the oldest unsigned event is older than two intervals, it is named,
    frozen_clock.advance(dt.timedelta(seconds=90))
    result = verify()
    assert result.codes == ["events-unproven"]
    assert result.broken_seq == n + 1
    assert f"events #{n + 1}–#{n + 4} lie past the last checkpoint (#1, event #{n})" in result.reason
    # and once the head itself is, the checkpoints end earlier than its age allows.
    frozen_clock.advance(MINUTE)
    result = verify()
    assert result.codes == ["checkpoints-end-early"]
    assert f"the checkpoints end at #1 (event #{n}" in result.reason and f"event #{n + 4}" in result.reason


def test_verify_names_a_checkpoint_missing_from_the_middle(three_checkpoints, files):
    for path in files:
        delete_lines(path, {2})

    result = verify()

    assert result.codes == ["checkpoint-missing", "checkpoint-missing"]
    assert "checkpoint #2 is missing" in result.reason and "(#1 is followed by #3)" in result.reason


def test_verify_names_checkpoints_out_of_order(three_checkpoints, files):
    first, _ = files
    one, two, three = lines(first)
    write_lines(first, [one, three, two])

    result = verify()

    assert result.codes == ["checkpoint-order", "checkpoint-copy"]
    assert "checkpoint #2 on line 3" in result.reason and "comes after #3: out of order" in result.reason


def test_verify_names_a_checkpoint_that_does_not_sign_the_one_before(three_checkpoints, files):
    # Even with the node's signing key, a checkpoint replaced in the middle breaks the chain.
    first, _ = files
    one, two, three = lines(first)
    write_lines(first, [one, resigned(two, prev="ab" * 32), three])

    result = verify()

    assert result.codes == ["checkpoint-chain", "checkpoint-copy"]
    assert "checkpoint #2" in result.reason and "does not sign checkpoint #1" in result.reason


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param(lambda ls: ls[:2], "lacks checkpoint #3 of", id="shorter"),
        pytest.param(lambda ls: [*ls, ls[-1]], "holds checkpoint #3 that", id="longer"),
        pytest.param(
            lambda ls: [*ls[:2], resigned(ls[2], at="2026-01-01T00:00:00+00:00")],
            "line 3 differs",
            id="differs",
        ),
    ],
)
def test_verify_names_a_second_copy_that_differs(three_checkpoints, files, change, named):
    _, second = files
    write_lines(second, change(lines(second)))

    result = verify()

    assert "checkpoint-copy" in result.codes
    assert named in result.fault("checkpoint-copy").message


def test_verify_names_a_missing_second_copy_and_notes_an_unconfigured_one(three_checkpoints, files, settings):
    _, second = files
    second.unlink()
    assert verify().codes == ["checkpoint-copy"]
    assert "is missing" in verify().reason

    settings.AUDIT_CHECKPOINT_COPY_DIR = None
    result = verify()
    assert result.ok
    assert result.notes == ["no second copy of the checkpoints is configured (LIAISON_CHECKPOINT_COPY_DIR)"]


def test_verify_names_a_tail_cut_with_its_head_moved_and_the_checkpoint_lines_deleted(
    three_checkpoints, files
):
    n = three_checkpoints
    first, _ = files
    with triggers_bypassed():
        run_sql(f"DELETE FROM {EVENTS} WHERE seq > %s", [n + 2])
        set_head(n + 2)
    delete_lines(first, {3})

    result = verify()

    assert result.codes == ["checkpoint-copy", "tail-cut"]
    assert "checkpoint #3 signed at" in result.fault("tail-cut").message
    assert (
        f"covers event #{n + 4}: the tail was cut and the head moved back" in result.fault("tail-cut").message
    )


def test_with_both_copies_cut_as_well_nothing_is_left_to_tell(three_checkpoints, files):
    # The documented limit: whoever can write the database and both copies of the checkpoints can
    # cut the tail unseen. Keep the second copy out of the database administrators' reach.
    n = three_checkpoints
    with triggers_bypassed():
        run_sql(f"DELETE FROM {EVENTS} WHERE seq > %s", [n + 2])
        set_head(n + 2)
    for path in files:
        delete_lines(path, {3})

    assert verify().ok


def test_verify_command_exits_non_zero_naming_every_fault(three_checkpoints, files):
    first, _ = files
    one, two, three = lines(first)
    write_lines(first, [one, three, two])

    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")

    assert failure.value.returncode == 1
    assert "[checkpoint-order]" in str(failure.value) and "[checkpoint-copy]" in str(failure.value)
