"""Bytes on the wire for the field report page (issue 19): first load and repeat visit.

Against a running production-mode server (`LIAISON_DEBUG=0`, `collectstatic` done, so WhiteNoise
serves its gzip copies), signed in as a duty officer, every request sent with
`Accept-Encoding: gzip` as a browser sends it; counts the response bodies as transferred plus their
status line and headers.

First load: the page, its CSS and JavaScript, the service worker and the Workbox modules it
imports, and the worker's precache of the shell (Workbox fetches each asset again with a revision
parameter, past the HTTP cache). Repeat visit (the worker installed): the browser's update check of the
worker script (304 when unchanged), the page itself (network first while there is a link) and the
queue's session probe when reports wait; every asset comes from the worker's cache. The worker keeps
the three report pages at install (an item, an incident, a patrol check-in): counted in the first
load.

    python bench/field_bytes.py --base http://127.0.0.1:8000 --user trucban.don.nameo
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "Bienphong-2026"


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str, **headers: str) -> tuple[int, int, bytes]:
        """(raw body bytes, bytes transferred, body) of one GET; a 304 transfers its headers only."""
        req = urllib.request.Request(self.base + path, headers={"Accept-Encoding": "gzip", **headers})  # noqa: S310
        try:
            r = self.opener.open(req)  # noqa: S310 - the bench's own server
        except urllib.error.HTTPError as e:
            if e.code != 304:
                raise
            r = e
        with r:
            body = r.read()
            head = len(f"HTTP/1.1 {r.status} {r.reason}\r\n") + sum(
                len(k) + len(v) + 4 for k, v in r.headers.items()
            )
            raw = len(_gunzip(body)) if r.headers.get("Content-Encoding") == "gzip" else len(body)
            self.etag = r.headers.get("ETag", "")
            return raw, len(body) + head, body

    def sign_in(self, user: str) -> None:
        _, _, page = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', _gunzip(page)).group(1).decode()
        data = urllib.parse.urlencode({"username": user, "password": PASSWORD, "csrfmiddlewaretoken": token})
        req = urllib.request.Request(  # noqa: S310
            self.base + "/accounts/login/", data=data.encode(), headers={"Referer": self.base + "/"}
        )
        self.opener.open(req).read()  # noqa: S310


def _gunzip(body: bytes) -> bytes:
    import gzip

    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def measure(base: str, user: str) -> dict:
    c = Client(base)
    c.sign_in(user)
    rows = []

    def fetch(part: str, path: str) -> bytes:
        raw, wire, body = c.get(path)
        rows.append({"part": part, "path": path, "raw": raw, "wire": wire})
        return _gunzip(body)

    page = fetch("first", "/field/").decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    for a in assets:
        fetch("first", a)
    sw = fetch("first", "/field/sw.js").decode()
    etag = c.etag
    imports = [
        u for call in re.findall(r"importScripts\(([^)]*)\)", sw) for u in re.findall(r'"([^"]+)"', call)
    ]
    prefix = re.search(r'modulePathPrefix: "([^"]+)"', sw).group(1)
    modules = [prefix + f"workbox-{m}.prod.js" for m in ("core", "precaching", "routing", "strategies")]
    for path in [*imports, *modules]:
        fetch("first (worker)", path)
    # The report pages kept at install (an item, an incident, a patrol check-in): each opens offline.
    for kept in json.loads(re.search(r"var PAGES = (\[[^\]]*\])", sw).group(1)):
        fetch("first (worker)", kept)
    for entry in json.loads(re.search(r"precacheAndRoute\((\[.*?\])\)", sw).group(1)):
        fetch("first (precache)", f"{entry['url']}?__WB_REVISION__={entry['revision']}")
    # Repeat visit: the page and every asset from the worker's cache; the browser's update check of
    # the worker script (conditional: 304 when unchanged); the queue's session probe when reports wait.
    fetch("repeat", "/field/")  # network first: the page itself while there is a link
    raw, wire, _ = c.get("/field/sw.js", **{"If-None-Match": etag})
    rows.append({"part": "repeat", "path": "/field/sw.js (If-None-Match)", "raw": raw, "wire": wire})
    fetch("repeat (reports waiting)", "/field/session/")
    total = {}
    for r in rows:
        key = r["part"].split(" ")[0] if r["part"].startswith("repeat") else "first"
        if r["part"] == "repeat (reports waiting)":
            key = "repeat_waiting"
        total[key] = total.get(key, 0) + r["wire"]
    return {
        "rows": rows,
        "first_load_bytes": total["first"],
        "repeat_visit_bytes": total["repeat"],
        "repeat_visit_with_waiting_reports_bytes": total["repeat"] + total["repeat_waiting"],
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:8000")
    p.add_argument("--user", default="trucban.don.nameo")
    a = p.parse_args()
    out = measure(a.base, a.user)
    for r in out["rows"]:
        print(f"{r['part']:<18} {r['path']:<60} raw {r['raw']:>7} B  transferred {r['wire']:>6} B")
    print(
        f"first load: {out['first_load_bytes']} B; repeat visit: {out['repeat_visit_bytes']} B "
        f"({out['repeat_visit_with_waiting_reports_bytes']} B with reports waiting)"
    )
    json.dump(out, sys.stderr)


if __name__ == "__main__":
    main()
