"""The interface speaks Vietnamese first, then English and Lao.

The language comes from the language cookie (set by the switcher in the page header), else from the
browser's Accept-Language, else it is Vietnamese. The login page needs no sign-in, so it is where the
three languages are checked; the catalogues themselves are checked for completeness, since a Lao string
left untranslated would fall back to Vietnamese, not to English.

`make test` compiles the catalogues first (`messages`); run alone, this module compiles any .mo that is
missing or older than its .po, the same way scripts/compile-messages does.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.signals import setting_changed
from django.test import Client

LOGIN = "/accounts/login/"
SIGN_IN = {"vi": "Đăng nhập", "en": "Sign in", "lo": "ເຂົ້າສູ່ລະບົບ"}
USERNAME_LABEL = {"vi": "Tên đăng nhập", "en": "Username", "lo": "ຊື່ຜູ້ໃຊ້"}
TRANSLATED = ("vi", "lo")  # English is the msgid language: its msgstrs stay empty


def _catalogues() -> list[Path]:
    return sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.po"))


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    compiled = False
    for po in _catalogues():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            polib.pofile(str(po)).save_as_mofile(str(mo))
            compiled = True
    if compiled:
        # Catalogues and "is there such a language" answers are cached per process: forget any read
        # before the .mo files existed, the way Django's own receivers do when the settings change.
        for setting in ("LANGUAGES", "LOCALE_PATHS"):
            setting_changed.send(sender=None, setting=setting, value=getattr(settings, setting), enter=False)


def _html_lang(body: str) -> str:
    m = re.search(r'<html lang="([^"]*)"', body)
    assert m, "the page has no <html lang>"
    return m.group(1)


def _login_page(client: Client, **headers) -> tuple[str, str]:
    r = client.get(LOGIN, headers=headers)
    assert r.status_code == 200
    return r.content.decode(), r.headers.get("Content-Language", "")


def _assert_language(body: str, content_language: str, lang: str) -> None:
    assert _html_lang(body) == lang
    assert content_language == lang
    assert SIGN_IN[lang] in body
    assert USERNAME_LABEL[lang] in body  # a form label (gettext_lazy in forms.py), not only the template
    for other, text in SIGN_IN.items():
        if other != lang:
            assert text not in body, f"{other} text {text!r} on the {lang} page"


def test_vietnamese_is_the_default():
    body, content_language = _login_page(Client())
    _assert_language(body, content_language, "vi")


@pytest.mark.parametrize("lang", ["vi", "en", "lo"])
def test_the_language_cookie_chooses(lang):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    _assert_language(*_login_page(client), lang)


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("lo", "lo"),
        ("lo-LA,lo;q=0.9,en;q=0.5", "lo"),
        ("vi-VN,vi;q=0.9", "vi"),
        ("fr-FR,fr;q=0.9", "vi"),  # a language we do not speak: the default
    ],
)
def test_the_browser_language_chooses_without_a_cookie(accept, lang):
    _assert_language(*_login_page(Client(), accept_language=accept), lang)


def test_the_cookie_wins_over_the_browser_language():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "lo"
    _assert_language(*_login_page(client, accept_language="en"), "lo")


def test_an_unknown_cookie_falls_back_to_the_browser_then_the_default():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    _assert_language(*_login_page(client, accept_language="en"), "en")
    _assert_language(*_login_page(client), "vi")


def test_the_switcher_sets_the_language_cookie():
    client = Client()
    r = client.post("/i18n/setlang/", {"language": "lo", "next": LOGIN})
    assert r.status_code == 302
    assert r.headers["Location"] == LOGIN
    cookie = r.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "lo"
    assert cookie["httponly"]
    _assert_language(*_login_page(client), "lo")


def test_the_switcher_offers_each_language_in_its_own_name():
    body, _ = _login_page(Client())
    for code, name in settings.LANGUAGES:
        assert f'value="{code}"' in body
        assert name in body


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang):
    [po] = [p for p in _catalogues() if p.parent.parent.name == lang]
    catalogue = polib.pofile(str(po))
    assert catalogue.metadata["Language"] == lang
    assert "charset=UTF-8" in catalogue.metadata["Content-Type"]
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not catalogue.metadata_is_fuzzy
    live = [e for e in catalogue if not e.obsolete]
    assert live, "empty catalogue"
    assert [e.msgid for e in live if not e.msgstr and not any(e.msgstr_plural.values())] == []
    assert [e.msgid for e in live if e.fuzzy] == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_survive_translation(lang):
    [po] = [p for p in _catalogues() if p.parent.parent.name == lang]
    placeholder = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{[^{}]*\}")
    for e in polib.pofile(str(po)):
        if e.obsolete:
            continue
        expected = sorted(placeholder.findall(e.msgid))
        for text in [e.msgstr, *e.msgstr_plural.values()]:
            if text:
                assert sorted(placeholder.findall(text)) == expected, e.msgid


def test_lao_messages_are_written_in_lao_script():
    [po] = [p for p in _catalogues() if p.parent.parent.name == "lo"]
    lao = re.compile("[\u0e80-\u0eff]")
    assert [e.msgid for e in polib.pofile(str(po)) if not e.obsolete and not lao.search(e.msgstr)] == []
