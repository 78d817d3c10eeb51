"""Settings for the test suite: the production settings with test-only locations and baselines."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("LIAISON_TESTING", "1")
os.environ.setdefault("LIAISON_HTTPS", "0")

from liaison.settings import *  # noqa: E402,F403
from liaison.settings import DATA_DIR, DATABASES  # noqa: E402

_tmp = Path(tempfile.mkdtemp(prefix="liaison-test-"))
NODE_KEY_FILE = _tmp / "keys" / "node-ed25519.pem"
AUDIT_CHECKPOINT_DIR = _tmp / "checkpoints"
ATTACHMENT_DIR = _tmp / "attachments"
PERSON_KEY_FILE = _tmp / "keys" / "persons.key"
AUDIT_KEY_FILE = _tmp / "keys" / "audit-chain.key"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that WAL and synchronous=FULL are what the tests see.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}  # noqa: F405  (404s are the battery's business)
LIAISON_STREAM_IN_CALLER_THREAD = True
