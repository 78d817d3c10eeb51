"""`liaison serve` (decision 0019): one port; pages and the API answered by gunicorn's WSGI workers,
the live feed's stream path handed to the ASGI stream process, which answers it on the same
connection and closes it after."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    conn.close()
    return r


server_pids: dict[int, int] = {}


def stream_process(port: int) -> int | None:
    """The pid of the server's stream process (a child of gunicorn's arbiter), read from /proc."""
    parent = server_pids[port]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if ppid == parent and b"liaison.core.serving" in cmd:
            return int(entry)
    return None


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.path.join(ROOT, "src"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "LIAISON_DEBUG": "0",
        "LIAISON_SECRET_KEY": "a-test-secret-key-that-is-long-enough-0123456789-abcdefghij",
        "LIAISON_ALLOWED_HOSTS": "127.0.0.1",
        "LIAISON_SSL_REDIRECT": "0",
    }
    env.pop("LIAISON_TESTING", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    p = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "liaison.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for _ in range(1500):  # a loaded machine starts Django slowly (up to 5 min)
            if p.poll() is not None:
                raise AssertionError(p.stdout.read().decode(errors="replace"))
            try:
                get(port, "/api/v1/items")
                break
            except OSError:
                time.sleep(0.2)
        server_pids[port] = p.pid
        yield port
    finally:
        os.killpg(p.pid, 15)
        p.wait(20)


def test_the_api_is_answered_by_gunicorn_and_the_stream_by_the_stream_process_on_the_same_port(server):
    api = get(server, "/api/v1/items")
    assert api.status == 401 and api.getheader("Server") == "gunicorn"

    stream = get(server, "/events/stream")  # not signed in: the stream view's own refusal
    assert stream.status == 401
    assert stream.getheader("Server") is None  # not gunicorn's answer: the stream process's
    assert stream.getheader("Connection") == "close"


def test_a_stream_process_that_dies_is_started_again(server):
    """A killed stream process (a crash, the out-of-memory killer) is replaced while the server
    runs: the feed answers again from a new process, and pages never stopped."""
    first = stream_process(server)
    assert first is not None
    os.kill(first, 9)
    answered = None
    for _ in range(300):  # restarted after a pause of 1 s; Django's start is slow on a loaded machine
        assert get(server, "/api/v1/items").status == 401  # pages are served throughout
        r = get(server, "/events/stream")
        if r.status == 401 and r.getheader("Server") is None:
            answered = stream_process(server)
            break
        assert r.status == 503 and r.getheader("Retry-After")  # meanwhile: try again later
        time.sleep(0.2)
    assert answered is not None and answered != first
