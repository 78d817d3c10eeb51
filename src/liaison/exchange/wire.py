"""The node-to-node endpoints: no session, no cookie; the signed envelope is the credential.

POST /exchange/inbox/           one envelope (push). 200 stored or duplicate; 400 refused (reason).
GET  /exchange/witness/?peer=NAME  NAME's own audit checkpoints as kept here (signed like a pull, "witness").
GET  /exchange/outbox/?peer=NAME&after=N
                                the pull fallback: the envelopes for NAME numbered above N, as JSON
                                lines, for a request signed by NAME's key (headers X-Liaison-Date and
                                X-Liaison-Signature over "pull\\nNAME\\nTHIS-NODE\\nN\\nDATE").
"""

from __future__ import annotations

import base64
import datetime as dt

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from liaison.core import clock
from liaison.exchange import envelope as envl
from liaison.exchange import services
from liaison.exchange.models import OutEnvelope, Peer, PeerKey, WitnessedCheckpoint

PULL_WINDOW = dt.timedelta(minutes=5)


@csrf_exempt
@require_POST
def inbox(request):
    try:
        result = services.envelope_receive(request.body, via="push")
    except envl.EnvelopeError as e:
        return JsonResponse({"refused": e.reason}, status=400)
    return JsonResponse(result)


def pull_signature_text(peer: str, node: str, after: int, date: str, *, what: str = "pull") -> bytes:
    return f"{what}\n{peer}\n{node}\n{after}\n{date}".encode()


def _signed_peer(request, what: str) -> tuple[Peer | None, int]:
    """The active peer whose key signed this request (`what`, peer, this node, after, date), or None."""
    name = request.GET.get("peer", "")
    date = request.headers.get("X-Liaison-Date", "")
    try:
        after = int(request.GET.get("after", "0"))
        sig = base64.b64decode(request.headers.get("X-Liaison-Signature", ""), validate=True)
        when = dt.datetime.fromisoformat(date)
    except ValueError:
        return None, 0
    peer = Peer.objects.filter(name=name, state=Peer.State.ACTIVE).first()
    if peer is None or when.tzinfo is None or abs(clock.now() - when) > PULL_WINDOW:
        return None, 0
    text = pull_signature_text(name, settings.NODE_NAME, after, date, what=what)
    for key in PeerKey.objects.filter(peer=peer, revoked_at__isnull=True):
        if key.valid_until is not None and key.valid_until < clock.now():
            continue
        try:
            envl.load_public(key.public_key).verify(sig, text)
            return peer, after
        except Exception:  # noqa: S112 - the next key may be the one
            continue
    return None, 0


@require_GET
def outbox(request):
    peer, after = _signed_peer(request, "pull")
    if peer is None:
        return HttpResponse(status=404)
    wires = (
        OutEnvelope.objects.filter(peer=peer, seq__gt=after)
        .order_by("seq")
        .values_list("wire", flat=True)[:500]
    )
    return HttpResponse("".join(w + "\n" for w in wires), content_type="application/x-ndjson")


@require_GET
def witness(request):
    """The requesting peer's own signed checkpoints, as this node keeps them (its witness)."""
    peer, _after = _signed_peer(request, "witness")
    if peer is None:
        return HttpResponse(status=404)
    lines = WitnessedCheckpoint.objects.filter(peer=peer).order_by("n").values_list("line", flat=True)
    return HttpResponse("".join(line + "\n" for line in lines), content_type="application/x-ndjson")
