"""Every language whole: every message the code and templates mark for translation is in the
Vietnamese and Lao catalogues, translated. The catalogues are extracted afresh (Django's
makemessages over a copy of the source, into a copy of the catalogues), so a message added to the
code without its translation fails here, not only one left empty in a .po file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.support.node import ROOT

SRC = ROOT / "src" / "liaison"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("catalogues")
    copy = tmp / "liaison"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "vendor", "node_modules"))
    (tmp / "extract_settings.py").write_text(
        f"from liaison.settings import *  # noqa\nLOCALE_PATHS = [{str(copy / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT / 'src'}",
        "DJANGO_SETTINGS_MODULE": "extract_settings",
        "LIAISON_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp / 'unused.sqlite3'}",
    }
    r = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "vi", "-l", "lo", "--add-location=file"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return copy / "locale"


@pytest.mark.parametrize("lang", ["vi", "lo"])
def test_every_message_in_the_code_is_translated(extracted, lang):
    po = polib.pofile(str(extracted / lang / "LC_MESSAGES" / "django.po"))
    missing = [
        e.msgid
        for e in po
        if not e.obsolete and (e.fuzzy or (not e.msgstr and not any(e.msgstr_plural.values())))
    ]
    assert missing == [], f"{len(missing)} messages without a {lang} translation"


def test_a_lao_page_falls_back_to_english_never_to_vietnamese(client_for):
    """Django's own words (the admin's) that nobody translated to Lao read in English."""
    c = client_for("police_administrator")
    c.cookies["liaison-lang"] = "lo"
    body = c.get("/admin/").content.decode()
    assert "Người sử dụng" not in body and "Đơn vị" not in body
