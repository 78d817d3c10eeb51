"""How much memory one server process needs per open live-feed stream.

Opens N Server-Sent-Event streams (default 1,000) against a running `liaison serve` (one uvicorn
worker) as a signed-in officer, waits until every stream got its first frame, and reads the server
process's resident memory before and after, from /proc. Then creates one event and checks that the
streams receive it. Run it (raise the open-file limit first: `ulimit -n 8192`):

    python bench/sse_streams.py --base http://127.0.0.1:8001 --pid <uvicorn pid> --cookie 'liaison-session=…'
"""

from __future__ import annotations

import argparse
import asyncio
import time
from urllib.parse import urlparse


def rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def open_stream(host: str, port: int, cookie: str, ready: asyncio.Event, counter: dict, got: dict):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        (
            f"GET /events/stream HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    buf = b""
    first = True
    while True:
        chunk = await reader.read(4096)
        if not chunk:
            break
        buf += chunk
        if first and b"retry:" in buf:
            first = False
            counter["ready"] += 1
            if counter["ready"] == counter["want"]:
                ready.set()
        if b"\nid: " in buf or buf.startswith(b"id: ") or b"\r\nid: " in buf:
            got["events"] += 1
            buf = b""


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8001")
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--cookie", required=True)
    ap.add_argument("--streams", type=int, default=1000)
    a = ap.parse_args()
    u = urlparse(a.base)
    before = rss_kib(a.pid)
    ready = asyncio.Event()
    counter = {"ready": 0, "want": a.streams}
    got = {"events": 0}
    t0 = time.monotonic()
    tasks = [
        asyncio.create_task(open_stream(u.hostname, u.port, a.cookie, ready, counter, got))
        for _ in range(a.streams)
    ]
    await asyncio.wait_for(ready.wait(), timeout=120)
    opened = time.monotonic() - t0
    await asyncio.sleep(5)
    after = rss_kib(a.pid)
    print(f"streams: {a.streams} open in {opened:.1f} s")
    print(f"server RSS: {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB with the streams open")
    print(f"per stream: {(after - before) / a.streams:.1f} KiB")
    for t in tasks:
        t.cancel()


if __name__ == "__main__":
    asyncio.run(main())
