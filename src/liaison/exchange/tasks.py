"""The worker's side of the exchange: push the outbox to each peer over HTTP(S), with backoff.

A push is idempotent at the receiver (the envelope's id), so a push that timed out after the peer
stored it is simply sent again and answered "duplicate". Backoff lives in columns
(`next_attempt_at`, `attempts`), so a restarted worker carries on where the last one stopped.
"""

from __future__ import annotations

import datetime as dt
import logging

import httpx
from django.conf import settings
from django.db.models import Q

from liaison.core import clock
from liaison.exchange.models import OutEnvelope, Peer

log = logging.getLogger("liaison.exchange")

_client: httpx.Client | None = None


def client() -> httpx.Client:
    """One kept client per process (connection reuse; TLS verified against the system's roots)."""
    global _client
    if _client is None:
        _client = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0), headers={"User-Agent": "liaison"})
    return _client


def backoff(attempts: int) -> dt.timedelta:
    seconds = min(
        settings.EXCHANGE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), settings.EXCHANGE_BACKOFF_MAX_SECONDS
    )
    return dt.timedelta(seconds=seconds)


def push_one(env: OutEnvelope) -> bool:
    """Send one envelope; True when the peer stored it (now or before). A refusal is kept as the
    last error and retried later (the peer may not have registered our key yet)."""
    url = env.peer.base_url.rstrip("/") + "/exchange/inbox/"
    try:
        r = client().post(url, content=env.wire.encode(), headers={"Content-Type": "application/json"})
        ok = r.status_code == 200
        error = "" if ok else f"HTTP {r.status_code}: {r.text[:200]}"
    except httpx.HTTPError as e:
        ok, error = False, f"{type(e).__name__}: {e}"[:300]
    now = clock.now()
    if ok:
        OutEnvelope.objects.filter(pk=env.pk).update(
            delivered_at=now, last_error="", attempts=env.attempts + 1
        )
        # The peer answers again: what waits in backoff for it is due now, so the lower numbers
        # (which failed while it was down) follow at once instead of leaving a gap for the backoff.
        OutEnvelope.objects.filter(
            peer_id=env.peer_id, delivered_at__isnull=True, next_attempt_at__gt=now
        ).update(next_attempt_at=now)
    else:
        OutEnvelope.objects.filter(pk=env.pk).update(
            attempts=env.attempts + 1, next_attempt_at=now + backoff(env.attempts + 1), last_error=error
        )
    return ok


def push_due(limit: int = 200) -> str | None:
    """Push every due envelope of every active peer with an address, in sequence order."""
    due = (
        OutEnvelope.objects.filter(delivered_at__isnull=True, peer__state=Peer.State.ACTIVE)
        .exclude(peer__base_url="")
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock.now()))
        .select_related("peer")
        .order_by("peer", "seq")[:limit]
    )
    sent = failed = 0
    down: set = set()
    for env in due:
        if env.peer_id in down:  # one failure per peer per round: the rest wait for the backoff
            continue
        if push_one(env):
            sent += 1
        else:
            failed += 1
            down.add(env.peer_id)
    return f"exchange: {sent} pushed, {failed} failed" if sent or failed else None


def signed_get(peer: Peer, path: str, what: str, after: int = 0) -> httpx.Response:
    """A GET to the peer signed with this node's key (the pull and the witness endpoints)."""
    import base64

    from liaison.audit.checkpoints import load_or_create_key
    from liaison.exchange.wire import pull_signature_text

    date = clock.now().isoformat()
    text = pull_signature_text(settings.NODE_NAME, peer.name, after, date, what=what)
    sig = base64.b64encode(load_or_create_key().sign(text)).decode()
    return client().get(
        peer.base_url.rstrip("/") + path,
        params={"peer": settings.NODE_NAME, "after": after},
        headers={"X-Liaison-Date": date, "X-Liaison-Signature": sig},
    )


def witness_copies(*, peer: str) -> list[str] | None:
    """The checkpoints of this node that the partner node `peer` keeps (audit verify --witness)."""
    p = Peer.objects.filter(name=peer, state=Peer.State.ACTIVE).exclude(base_url="").first()
    if p is None:
        return None
    r = signed_get(p, "/exchange/witness/", "witness")
    r.raise_for_status()
    return [line for line in r.text.splitlines() if line.strip()]


def send_checkpoints() -> str | None:
    """Every active peer gets this node's signed checkpoints it does not hold yet (in the outbox)."""
    from liaison.exchange import services

    n = sum(services.checkpoints_send(p) for p in Peer.objects.filter(state=Peer.State.ACTIVE))
    return f"exchange: {n} checkpoint(s) queued for witnesses" if n else None
