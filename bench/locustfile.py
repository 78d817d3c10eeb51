"""Officers at work, for locust: each simulated officer holds the API token of one real officer of the
database (several simulated officers may share one) and, between pauses, looks at its inbox,
lists and searches items, opens the map's item layer and the incident board, opens items it saw,
logs new items and acknowledges what reached its unit.

bench/load.py writes the tokens and starts everything; it runs this file as

    LIAISON_LOAD_FILE=var/…tokens.json LIAISON_LOAD_WAIT=2,8 locust -f bench/locustfile.py --headless …

Task weights: inbox 30, filtered list 20, search 10, map layer 10, incident board 10, item detail
10, create 8, acknowledge 2. Every id it opens or acknowledges comes from the officer's own
inbox, lists or creates, so a 403 or 404 is a failure of the server, not of the script. An officer
with nothing to open or acknowledge yet looks at its list or inbox instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import uuid
from collections import deque
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

with open(os.environ["LIAISON_LOAD_FILE"]) as _f:
    CONFIG = json.load(_f)
WAIT = tuple(float(x) for x in os.environ.get("LIAISON_LOAD_WAIT", "2,8").split(","))
_officers = itertools.count()


class Officer(FastHttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        cred = CONFIG["officers"][next(_officers) % len(CONFIG["officers"])]
        self.headers = {"Authorization": f"Bearer {cred['token']}", "Accept-Encoding": "gzip"}
        self.seen: deque[str] = deque(maxlen=100)  # item ids from this officer's own answers
        self.unacknowledged: list[str] = []

    def _get(self, path: str, name: str):
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}: {(r.text or '')[:200]} {r.error or ''}")
                return None
            return r.json()

    def _post(self, path: str, name: str, expect: int, body=None, headers=None):
        h = {**self.headers, **(headers or {})}
        with self.client.post(path, json=body, headers=h, name=name, catch_response=True) as r:
            if r.status_code != expect:
                r.failure(f"HTTP {r.status_code}: {(r.text or '')[:200]} {r.error or ''}")
                return None
            return r.json()

    def _remember(self, rows):
        for row in rows:
            self.seen.append(row["id"])

    @task(30)
    def inbox(self):
        data = self._get("/api/v1/inbox", "GET /inbox")
        if data is not None:
            self.unacknowledged = [r["id"] for r in data["unacknowledged"]]
            self._remember(data["unacknowledged"])

    @task(20)
    def item_list(self):
        q = {"category": random.choice(CONFIG["categories"]), "tlp": random.choice(CONFIG["tlps"])}
        data = self._get(f"/api/v1/items?{urlencode(q)}", "GET /items?category&tlp")
        if data is not None:
            self._remember(data["items"])

    @task(10)
    def search(self):
        data = self._get(
            f"/api/v1/items?{urlencode({'q': random.choice(CONFIG['queries'])})}", "GET /items?q"
        )
        if data is not None:
            self._remember(data["items"])

    @task(10)
    def map_layer(self):
        self._get("/api/v1/layers/items?window=30d", "GET /layers/items?window=30d")

    @task(10)
    def incident_board(self):
        self._get("/api/v1/incidents", "GET /incidents")

    @task(10)
    def item_detail(self):
        if not self.seen:
            return self.item_list()
        self._get(f"/api/v1/items/{random.choice(self.seen)}", "GET /items/{id}")

    @task(8)
    def create(self):
        body = {
            "title": "Hàng lậu qua đường mòn",
            "body": "Phát hiện 5 kiện hàng tại khu vực mốc giới.",
            "category": random.choice(CONFIG["categories"]),
            "observed_at": (
                dt.datetime.now(dt.UTC) - dt.timedelta(minutes=random.randint(0, 600))
            ).isoformat(),
            "reliability": random.choice("ABC"),
            "credibility": random.randint(1, 3),
            "tlp": random.choice(["green", "amber", "clear"]),
        }
        key = {"Idempotency-Key": f"load-{uuid.uuid4()}"}
        data = self._post("/api/v1/items", "POST /items", 201, body, key)
        if data is not None:
            self.seen.append(data["id"])

    @task(2)
    def acknowledge(self):
        if not self.unacknowledged:
            return self.inbox()
        item = self.unacknowledged.pop(random.randrange(len(self.unacknowledged)))
        self._post(f"/api/v1/items/{item}/acknowledge", "POST /items/{id}/acknowledge", 200)
