"""Field reporting pages (issue 19): the offline report page, its service worker, and the small
session probe the queue asks before it replays (signed in? the CSRF token of this session).

The report page is an app shell: the service worker keeps it and its assets, the form queues the
report in IndexedDB, and the queue sends it to the JSON API (`POST /api/v1/items`, with the
Idempotency-Key made when the form opened), so that exactly-once is the API's guarantee, not the
page's. Without JavaScript the same form posts to the ordinary item page."""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from liaison import policy
from liaison.field import selectors, services
from liaison.web.decorators import signed_in

# What the service worker keeps for the report page to open with no connection (the page itself is
# kept on each visit, network first). The worker's own modules are kept by the browser with it.
SHELL_ASSETS = (
    "liaison/liaison.css",
    "field/field.css",
    "field/queue.js",
    "field/report.js",
    "vendor/idb/umd.js",
    "vendor/workbox/workbox-window.prod.umd.js",
)
WORKBOX_MODULES = ("workbox-core", "workbox-routing", "workbox-strategies", "workbox-precaching")


@cache
def _revision(name: str) -> str:
    path = finders.find(name)
    if path is None:  # collected only (no finder): the collected copy
        from django.contrib.staticfiles.storage import staticfiles_storage

        path = staticfiles_storage.path(name)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def precache_manifest() -> list[dict[str, str]]:
    """The shell's assets with a revision each (a hash of the file): a changed file is fetched again,
    an unchanged one never."""
    return [{"url": static(name), "revision": _revision(name)} for name in SHELL_ASSETS]


# Compressed: the page is for slow links (its CSRF token is masked per response: no BREACH oracle).
@gzip_page
@signed_in
def report(request):
    """The report page: log an item, online or not. Offers the categories and places a form offers
    before its reader is known (policy.offered); the API asks the policy again when it arrives."""
    policy.require(request.actor, "item.create")
    return render(request, "field/report.html", selectors.report_choices())


@gzip_page
@require_GET
def service_worker(request):
    """The service worker, scoped to /field/: Workbox's modules served from our static files (npm),
    the shell precached, the page network-first, and a background-sync hook that replays the queue."""
    prefix = static("vendor/workbox/")
    body = render(
        request,
        "field/sw.js",
        {
            "prefix": prefix,
            "manifest": json.dumps(precache_manifest()),
            "idb": static("vendor/idb/umd.js"),
            "queue": static("field/queue.js"),
            "modules": WORKBOX_MODULES,
        },
        content_type="text/javascript; charset=utf-8",
    )
    body["Cache-Control"] = "no-cache"
    body["Service-Worker-Allowed"] = "/field/"
    return body


@never_cache
@require_GET
def session(request):
    """Is this browser signed in, and the CSRF token of its session: the queue asks before it
    sends (a replay after a new sign-in needs the new token). 401 when signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True, "csrf": get_token(request)})


@never_cache
@require_GET
def sms_kannel(request):
    """Kannel's sms-service callback (`get-url = ".../field/sms/kannel/?token=…&from=%p&text=%a"`):
    the answer's body is the SMS Kannel sends back to the sender. A wrong or missing token gets 403
    and an empty body (nothing is sent to the phone). No session, no cookie, no CSRF: a GET that
    creates, as Kannel's sms-service works, authenticated by the gateway's token."""
    gateway = services.gateway_for_token(
        request.GET.get("token", "") or request.headers.get("X-Liaison-Token", "")
    )
    if gateway is None:
        return HttpResponse("", status=403, content_type="text/plain; charset=utf-8")
    outcome = services.sms_report_receive(
        gateway=gateway, sender=request.GET.get("from", ""), message=request.GET.get("text", "")
    )
    response = HttpResponse(outcome.reply, content_type="text/plain; charset=utf-8")
    response["X-Liaison-Outcome"] = outcome.code
    return response
