"""Deployment: production settings pass `check --deploy`, a wrong environment value stops start-up
with a message naming it, and pages carry the security headers (CSP with a script nonce)."""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.template import engines
from django.urls import path

import liaison.urls

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """The process environment without any Liaison/Django/database variable, plus production values."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith(("LIAISON_", "DJANGO_")) or k in {"DATABASE_URL", "PYTHONPATH"})
    }
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "liaison.settings",
            "LIAISON_DEBUG": "0",
            "LIAISON_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(60)),
            "LIAISON_ALLOWED_HOSTS": "liaison.example",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "PYTHONPATH": str(SRC),
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def django_command(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "django", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


# --- check --deploy --------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = django_command(
        production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING", cwd=tmp_path
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_https_is_turned_off(tmp_path):
    """The check above can fail: the same settings without HTTPS are not fit to deploy."""
    result = django_command(
        production_env(tmp_path, LIAISON_HTTPS="0"),
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stdout + result.stderr


# --- strict environment ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LIAISON_DEBUG", "maybe"),
        ("LIAISON_HTTPS", "sometimes"),
        ("LIAISON_LOCKOUT_FAILURES", "five"),
        ("LIAISON_LOCKOUT_FAILURES", "0"),
        ("LIAISON_SESSION_HOURS", "-3"),
        ("LIAISON_TIME_ZONE", "Mars/Olympus_Mons"),
    ],
)
def test_a_wrong_environment_value_stops_start_up_naming_the_variable(tmp_path, name, value):
    result = django_command(production_env(tmp_path, **{name: value}), "check", cwd=tmp_path)
    assert result.returncode != 0, result.stdout
    assert name in result.stderr
    assert value in result.stderr
    assert "Traceback" not in result.stderr, result.stderr  # a message, not a crash


def test_an_unsupported_database_url_stops_start_up_naming_the_variable(tmp_path):
    url = "mysql://liaison@db.example/liaison"
    result = django_command(production_env(tmp_path, DATABASE_URL=url), "check", cwd=tmp_path)
    assert result.returncode != 0, result.stdout
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr  # a message, not a crash


def test_a_missing_secret_key_stops_start_up_when_debug_is_off(tmp_path):
    result = django_command(production_env(tmp_path, LIAISON_SECRET_KEY=None), "check", cwd=tmp_path)
    assert result.returncode != 0
    assert "LIAISON_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_short_secret_key_stops_start_up_without_printing_it(tmp_path):
    short = "k3y-" + secrets.token_hex(10)  # 24 characters
    result = django_command(production_env(tmp_path, LIAISON_SECRET_KEY=short), "check", cwd=tmp_path)
    assert result.returncode != 0
    assert "LIAISON_SECRET_KEY" in result.stderr
    assert short not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "template",
    [
        "mysql://liaison:{password}@db.example/liaison",  # a scheme we do not run on
        "postgres://liaison:{password}@db.example:port/liaison",  # a URL that does not parse
    ],
)
def test_a_rejected_database_url_does_not_print_its_password(tmp_path, template):
    password = "pw-" + secrets.token_hex(8)
    url = template.format(password=password)
    result = django_command(production_env(tmp_path, DATABASE_URL=url), "check", cwd=tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr
    assert password not in result.stderr + result.stdout


# --- security headers ------------------------------------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_carry_csp_and_security_headers(client, client_for, signed_in):
    c = client_for("na_meo_post_officer") if signed_in else client
    r = c.get("/" if signed_in else "/accounts/login/")

    assert r.status_code == 200
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    d = _directives(csp)
    assert d["object-src"] == ["'none'"]
    assert d["frame-ancestors"] == ["'none'"]
    for directive in ("default-src", "script-src", "style-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(d.get(directive, []))
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=_-]{16,})'")


def test_a_page_gives_script_src_a_nonce_that_its_script_tag_carries(client):
    r = client.get("/accounts/login/")
    script_src = _directives(r.headers["Content-Security-Policy"])["script-src"]
    nonces = [m.group(1) for v in script_src if (m := NONCE.fullmatch(v))]
    assert len(nonces) == 1
    assert f'nonce="{nonces[0]}"' in r.content.decode()


def _nonce_probe(request):
    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">void 0</script>')
    return HttpResponse(template.render({}, request))


urlpatterns = [path("test-csp-nonce/", _nonce_probe), *liaison.urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_script_src_takes_a_fresh_nonce_whenever_a_template_uses_one(client):
    seen = []
    for _ in range(2):
        r = client.get("/test-csp-nonce/")
        assert r.status_code == 200
        d = _directives(r.headers["Content-Security-Policy"])
        nonces = [m.group(1) for v in d["script-src"] if (m := NONCE.fullmatch(v))]
        assert len(nonces) == 1, d["script-src"]
        assert "'self'" in d["script-src"]
        assert f'nonce="{nonces[0]}"' in r.content.decode()
        seen.append(nonces[0])
    assert seen[0] != seen[1]
