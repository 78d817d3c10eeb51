"""Let tools carry the rules: the import contracts (pyproject.toml, [tool.importlinter]: the kernel
knows no context, intel does not import incidents, models ← policy ← selectors/services ← interfaces
inside a context, nothing imports the shell) and the lint rules hold on the whole tree."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_the_import_contracts_hold():
    """On both halves of the suite (it takes a second)."""
    r = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout, r.stdout


# One import that breaks each contract, added to a copy of the source tree: (module, line to append).
BREAKS = {
    "The kernel knows no context: liaison.core imports nothing else of liaison": (
        "core/clock.py",
        "from liaison.incidents import models",
    ),
    "Intel does not import incidents (incidents hook into intel.hooks)": (
        "intel/hooks.py",
        "from liaison.incidents.models import Incident",
    ),
    "Models import no policy": ("geo/models.py", "from liaison import policy"),
    "Policy depends on models only, never on services, selectors or interfaces": (
        "policy/sql.py",
        "from liaison.intel import selectors",
    ),
    "Inside a context: interfaces above selectors and services, above models": (
        "incidents/selectors.py",
        "from liaison.incidents import tasks",
    ),
    "The shell and the demo sit on top: nothing below imports them": (
        "web/context.py",
        "from liaison.demo import load",
    ),
}


def contract_names() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="runs once per suite (on the SQLite half)")
def test_every_import_contract_fails_when_broken(tmp_path):
    """The contracts are not vacuous: one forbidden import each, in a copy of the tree, and each is
    reported broken (and a module a context has not placed in its layers breaks the layers)."""
    assert set(BREAKS) == set(contract_names()), "give every contract one import that breaks it"
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "liaison", src / "liaison", ignore=shutil.ignore_patterns("__pycache__"))
    for module, line in BREAKS.values():
        with open(src / "liaison" / module, "a", encoding="utf-8") as fh:
            fh.write(f"\n{line}  # breaks a contract (test_tools)\n")
    (src / "liaison" / "situation" / "helpers.py").write_text('"""A module no layer names."""\n')
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    r = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode != 0, r.stdout + r.stderr
    out = " ".join(r.stdout.split())  # the report wraps long lines
    for name in contract_names():
        assert f"{name} BROKEN" in out, out
    assert f"{len(BREAKS)} broken" in out, out
    assert "liaison.situation.helpers" in out, out  # exhaustive: an unplaced module is named


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
