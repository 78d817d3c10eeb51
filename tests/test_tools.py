"""Let tools carry the rules: the import contract (policy never imports services, selectors or
interfaces) and the lint rules hold on the whole tree."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once per suite (on the SQLite half)")
def test_the_import_contract_holds():
    r = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once per suite (on the SQLite half)")
def test_ruff_finds_nothing():
    r = subprocess.run(
        [str(BIN / "ruff"), "check", "--quiet", "src", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
