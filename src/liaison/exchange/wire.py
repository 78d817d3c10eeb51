"""The node-to-node endpoints: no session, no cookie; the signed envelope is the credential.

POST /exchange/inbox/           one envelope (push). 200 stored or duplicate; 400 refused (reason).
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
from liaison.exchange.models import OutEnvelope, Peer, PeerKey

PULL_WINDOW = dt.timedelta(minutes=5)


@csrf_exempt
@require_POST
def inbox(request):
    try:
        result = services.envelope_receive(request.body, via="push")
    except envl.EnvelopeError as e:
        return JsonResponse({"refused": e.reason}, status=400)
    return JsonResponse(result)


def pull_signature_text(peer: str, node: str, after: int, date: str) -> bytes:
    return f"pull\n{peer}\n{node}\n{after}\n{date}".encode()


@require_GET
def outbox(request):
    name = request.GET.get("peer", "")
    date = request.headers.get("X-Liaison-Date", "")
    try:
        after = int(request.GET.get("after", "0"))
        sig = base64.b64decode(request.headers.get("X-Liaison-Signature", ""), validate=True)
        when = dt.datetime.fromisoformat(date)
    except ValueError:
        return HttpResponse(status=404)
    peer = Peer.objects.filter(name=name, state=Peer.State.ACTIVE).first()
    if peer is None or when.tzinfo is None or abs(clock.now() - when) > PULL_WINDOW:
        return HttpResponse(status=404)
    text = pull_signature_text(name, settings.NODE_NAME, after, date)
    for key in PeerKey.objects.filter(peer=peer, revoked_at__isnull=True):
        if key.valid_until is not None and key.valid_until < clock.now():
            continue
        try:
            envl.load_public(key.public_key).verify(sig, text)
            break
        except Exception:  # noqa: S112 - the next key may be the one
            continue
    else:
        return HttpResponse(status=404)
    wires = (
        OutEnvelope.objects.filter(peer=peer, seq__gt=after)
        .order_by("seq")
        .values_list("wire", flat=True)[:500]
    )
    return HttpResponse("".join(w + "\n" for w in wires), content_type="application/x-ndjson")
