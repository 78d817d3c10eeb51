"""Each audit test signs checkpoints into directories of its own (the checkpoint file and its second
copy, unseen by other tests) and holds the clock, so that "older than two intervals" is decided by
the test, never by how long the suite took."""

from __future__ import annotations

import pytest
from django.utils import timezone

from liaison.audit.checkpoints import write_checkpoint
from liaison.audit.models import AuditHead
from liaison.audit.verify import verify
from liaison.core import clock


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_COPY_DIR = tmp_path / "copy"
    return tmp_path / "checkpoints"


@pytest.fixture
def copy_dir(checkpoint_dir, settings):
    return settings.AUDIT_CHECKPOINT_COPY_DIR


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(timezone.now()) as frozen:
        yield frozen


@pytest.fixture
def signed_chain(checkpoint_dir) -> int:
    """The reference deployment's log, intact, with checkpoint #1 of its head in both copies. -> its
    length."""
    n = AuditHead.objects.get(pk=1).seq
    assert n >= 10, "the reference deployment should leave a chain long enough to tamper with"
    cp = write_checkpoint(force=True)
    assert cp is not None and (cp.n, cp.seq) == (1, n)
    assert verify().ok, verify().summary()
    return n
