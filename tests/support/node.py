"""A Liaison node in its own database and process, for tests that need real processes (the browser,
the worker crash test): migrated, loaded with the demo data, optionally serving."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, tmp: Path, *, name: str = "", **env: str):
        self.tmp = tmp
        self.pg_name = None
        if connection.vendor == "postgresql":
            import psycopg

            self.pg_name = name or f"liaison_node_{secrets.token_hex(4)}"
            s = connection.settings_dict
            self._pg = dict(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None)
            with psycopg.connect(dbname="postgres", autocommit=True, **self._pg) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')  # a crashed run's
                c.execute(f'CREATE DATABASE "{self.pg_name}"')
            user = s["USER"] or "postgres"
            self.url = f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{self.pg_name}"
        else:
            self.url = f"sqlite:///{tmp / 'node.sqlite3'}"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "LIAISON_DEBUG": "1",
            "LIAISON_HTTPS": "0",
            "LIAISON_DATA_DIR": str(tmp),
            "DJANGO_SETTINGS_MODULE": "liaison.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "LIAISON_NODE_MODULES": str(ROOT / "node_modules"),
            **env,
        }
        self.env.pop("LIAISON_TESTING", None)
        self.procs: list[subprocess.Popen] = []

    def run(self, *args: str, timeout: int = 300) -> str:
        r = subprocess.run(
            [sys.executable, "-m", "liaison.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.tmp,
        )
        assert r.returncode == 0, f"liaison {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
        return r.stdout

    def start(self, *args: str, **env) -> subprocess.Popen:
        p = subprocess.Popen(
            [sys.executable, "-m", "liaison.cli", *args],
            env={**self.env, **env},
            cwd=self.tmp,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Its own process group: the server's workers and stream process go with it (a kill -9
            # of the receiver is `os.killpg`, and `close` leaves no orphan behind).
            start_new_session=True,
        )
        self.procs.append(p)
        return p

    def query(self, sql: str, *params) -> list[tuple]:
        """Plain SQL on the node's database (its tables as the models name them)."""
        if self.pg_name:
            import psycopg

            with psycopg.connect(dbname=self.pg_name, autocommit=True, **self._pg) as c:
                return c.execute(sql.replace("?", "%s"), params).fetchall()
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(self.tmp / "node.sqlite3", timeout=20)) as c:
            return c.execute(sql, params).fetchall()

    def serve(self) -> str:
        port = free_port()
        self.server = self.start("serve", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        import urllib.request

        for _ in range(300):  # 60 s: a loaded 2-core machine starts Django slowly
            if self.procs[-1].poll() is not None:
                break
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)  # noqa: S310
                return base
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the server did not start:\n" + self.output())

    def output(self) -> str:
        out = []
        for p in self.procs:
            if p.poll() is not None and p.stdout:
                out.append(p.stdout.read() or "")
        return "\n".join(out)

    def close(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
            try:  # whatever the process left behind in its group (a killed master's workers)
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.pg_name:
            import psycopg

            with psycopg.connect(dbname="postgres", autocommit=True, **self._pg) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
