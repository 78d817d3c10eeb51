"""Field reporting pages (issue 19): the offline report page, its service worker, and the small
session probe the queue asks before it replays (signed in? the CSRF token of this session).

The report page is an app shell: the service worker keeps it and its assets, the form queues the
report in IndexedDB, and the queue sends it to the JSON API (`POST /api/v1/items`, with the
Idempotency-Key made when the form opened), so that exactly-once is the API's guarantee, not the
page's. Without JavaScript the same form posts to the ordinary item page."""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core import signing
from django.db.utils import OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from liaison import policy
from liaison.core.errors import DomainError, Invalid
from liaison.field import cap, forms, selectors, services, sms, tips
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
    return render(request, "field/report.html", {"kind": "item", **selectors.report_choices()})


@gzip_page
@signed_in
def incident(request):
    """Open an incident, online or not: the types, communes and places the incidents API accepts
    from this member (`policy.visible`); the queue posts to `POST /api/v1/incidents`."""
    policy.require(request.actor, "incident.open")
    return render(
        request, "field/incident.html", {"kind": "incident", **selectors.incident_choices(request.actor)}
    )


@gzip_page
@signed_in
def checkin(request):
    """A patrol check-in, online or not: the member's patrols they may check in on (`patrol.checkin`)
    and their route's markers, kept with the page; the queue posts to
    `POST /api/v1/patrols/<id>/checkins` (the photo inside, shrunk by the browser)."""
    return render(
        request, "field/checkin.html", {"kind": "checkin", **selectors.checkin_choices(request.actor)}
    )


# The pages the worker keeps (network first) and fetches at install so that each opens offline.
PAGES = ("field:report", "field:incident", "field:checkin")


def page_revision(request) -> str:
    """What the kept report pages depend on: the member and unit they show, the forms' choices, and
    the patrols the check-in page offers."""
    if not request.user.is_authenticated:
        return "signed-out"
    from liaison.org.actor import actor_for_request

    actor = actor_for_request(request)
    choices = selectors.report_choices()
    parts = [
        str(request.user.pk),
        str(actor.unit.pk if actor.unit else ""),
        translation.get_language() or "",
        *(f"{c.code}:{c}" for c in choices["categories"]),
        *(f"{p.code}:{p.name}" for p in choices["places"]),
        # The check-in page's patrols and markers (kept for offline use: renewed when they change).
        *(
            f"{c['patrol'].pk}:{c['patrol'].status}:" + ",".join(m.number for m in c["markers"])
            for c in selectors.checkin_choices(actor)["patrols"]
        ),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@gzip_page
@require_GET
def service_worker(request):
    """The service worker, scoped to /field/: Workbox's modules served from our static files (npm),
    the shell precached, the page kept (cache first; the worker changes when the page would), and
    a background-sync hook that replays the queue. Answered 304 to the browser's update check when
    unchanged (an ETag of its content)."""
    prefix = static("vendor/workbox/")
    response = render(
        request,
        "field/sw.js",
        {
            "prefix": prefix,
            "manifest": json.dumps(precache_manifest()),
            "idb": static("vendor/idb/umd.js"),
            "queue": static("field/queue.js"),
            "modules": WORKBOX_MODULES,
            "pages": json.dumps([reverse(p) for p in PAGES]),
            "page_revision": page_revision(request),
        },
        content_type="text/javascript; charset=utf-8",
    )
    etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/field/"
    return response


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
    sender, message = request.GET.get("from", ""), request.GET.get("text", "")
    if sms.is_tip(message):  # a villager's tip: TB <commune> [DY] <text>
        code, reply = tips.tip_from_sms(sender=sender, message=message)
    else:  # an officer's report: BC <post> <category> <text>
        outcome = services.sms_report_receive(gateway=gateway, sender=sender, message=message)
        code, reply = outcome.code, outcome.reply
    response = HttpResponse(reply, content_type="text/plain; charset=utf-8")
    response["X-Liaison-Outcome"] = code
    return response


# --- the public tip line -------------------------------------------------------------------------

TIP_LANGUAGES = ("vi", "lo")
TIP_FORM_SALT = "liaison.field.tip-form"
TIP_FORM_MAX_AGE = 2 * 3600


def _tip_language(request) -> str:
    lang = request.GET.get("lang") or request.POST.get("lang") or "vi"
    return lang if lang in TIP_LANGUAGES else "vi"


@csrf_exempt  # no cookie at all: the form carries its own signed, dated token instead (see below)
@never_cache
def tip(request):
    """The public tip line: no sign-in, no cookie, no third-party asset, in Vietnamese and Lao.

    CSRF protects a signed-in user's cookie; this page has no user and sets no cookie, so the
    anti-forgery check is a token signed with the node's secret key and dated when the form was
    served (valid two hours): a post must come from a form this node served. Rate limits per
    address and per number (`field.tips`) stop floods."""
    lang = _tip_language(request)
    with translation.override(lang):
        communes = tips.duty_units()
        ctx = {"lang": lang, "communes": communes, "errors": {}, "values": {}}
        status = 200
        if request.method == "POST":
            ctx["values"] = request.POST
            try:
                signing.TimestampSigner(salt=TIP_FORM_SALT).unsign(
                    request.POST.get("form_token", ""), max_age=TIP_FORM_MAX_AGE
                )
            except signing.BadSignature:
                ctx["errors"]["form_token"] = _("This form is too old: send it again.")
                status = 400
            else:
                try:
                    ctx["tip"] = tips.tip_submit(
                        channel="web",
                        commune_code=request.POST.get("commune", ""),
                        text=request.POST.get("text", ""),
                        address=request.META.get("REMOTE_ADDR", ""),
                        number=request.POST.get("number", "").strip(),
                        consent=request.POST.get("consent") == "1",
                    )
                    status = 201
                except OperationalError as exc:
                    # SQLite's writer lock held past its timeout (a burst on the embedded database):
                    # nothing was stored; the sender is told to send again.
                    if "locked" not in str(exc):
                        raise
                    ctx["errors"]["form"] = _(
                        "The server is busy: nothing was stored. Send it again in a minute."
                    )
                    status = 503
                except tips.RateLimited:
                    ctx["errors"]["form"] = _(
                        "Too many tips from here in a short time: try again in an hour."
                    )
                    status = 429
                except Invalid as exc:
                    ctx["errors"] = {e.field: TIP_FIELD_MESSAGES.get(e.field, e.message) for e in exc.errors}
                    status = 422
        ctx["form_token"] = signing.TimestampSigner(salt=TIP_FORM_SALT).sign(secrets.token_urlsafe(8))
        response = render(request, "field/tip.html", ctx, status=status)
    if status == 429:
        response["Retry-After"] = str(settings.TIP_WINDOW_SECONDS)
    elif status == 503:
        response["Retry-After"] = "60"
    return response


TIP_FIELD_MESSAGES = {
    "text": _("Write what you saw."),
    "commune": _("Choose your commune."),
    "number": _("This phone number is not valid."),
}


@signed_in
def tip_list(request):
    """The duty unit's tips from the public (policy: its operational members only)."""
    return render(request, "field/tip_list.html", {"tips": selectors.tip_list(request.actor)})


@signed_in
def tip_detail(request, tip_id):
    """One tip, with the sender's number when they agreed to leave it (an audited read)."""
    tip = selectors.tip_get(request.actor, tip_id=tip_id)
    return render(
        request,
        "field/tip_detail.html",
        {"tip": tip, "sender": tips.tip_sender(request.actor, tip=tip), "item": tip.item},
    )


# CAP 1.2 (issue 19, item 6): public, no sign-in; an incident never made public answers 404 exactly
# like a missing one (the same body).
def _cap_not_found():
    return HttpResponse(b"Not found\n", status=404, content_type="text/plain; charset=utf-8")


@require_GET
def cap_alert(request, incident_id):
    message = cap.current(incident_id)
    if message is None:
        return _cap_not_found()
    return HttpResponse(cap.alert_xml(message), content_type="application/cap+xml; charset=utf-8")


@require_GET
def cap_feed(request):
    body = cap.feed_xml(
        cap.latest_messages(),
        self_url=request.build_absolute_uri(reverse("field:cap_feed")),
        alert_url=lambda i: request.build_absolute_uri(reverse("field:cap_alert", args=[i])),
    )
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


# --- administration pages: the same services as the API (issue 19, items 4 and 6) ---------------


def _show(form, exc: DomainError) -> None:
    """A service's field errors on the form (`vi.event` is the form's `vi_event`)."""
    for e in exc.errors or []:
        name = e.field.replace(".", "_")
        form.add_error(name if name in form.fields else None, e.message)
    if not exc.errors:
        form.add_error(None, exc.message)


@signed_in
def phones(request):
    """An administrator registers a member's work number for SMS reports (`field.phone.register`,
    as `PUT /api/v1/field/phones/<user>`). No page lists the numbers: the form answers with the one
    just registered."""
    policy.require(request.actor, "field.gateway.manage")
    form = forms.PhoneForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        user = selectors.member_by_username(request.actor, form.cleaned_data["username"])
        if user is None:
            form.add_error("username", _("No such member."))
        else:
            try:
                done = services.phone_register(request.actor, user=user, number=form.cleaned_data["number"])
                form = forms.PhoneForm()
            except DomainError as exc:
                if exc.status == 403:
                    form.add_error("username", str(exc.message) if exc.message else _("Not permitted."))
                else:
                    _show(form, exc)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "field/phones.html", {"form": form, "done": done}, status=status)


@signed_in
def gateways(request):
    """An administrator registers an SMS gateway (`field.gateway.manage`); its token is shown once,
    on the answer to the form (only its SHA-256 is kept)."""
    policy.require(request.actor, "field.gateway.manage")
    form = forms.GatewayForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        gw, token = services.gateway_register(request.actor, name=form.cleaned_data["name"])
        made = {"gateway": gw, "token": token}
        form = forms.GatewayForm()
    status = 400 if request.method == "POST" and form.errors else 200
    response = render(request, "field/gateways.html", {"form": form, "made": made}, status=status)
    response["Cache-Control"] = "no-store"  # the token is shown once
    return response


@signed_in
def incident_public(request, incident_id):
    """The lead unit makes an incident public as a CAP 1.2 alert, publishes an update, or withdraws
    it (`incident.publish`; `field.cap`'s services, as the API)."""
    from liaison.incidents import selectors as incident_selectors

    actor = request.actor
    incident = incident_selectors.incident_get(actor, incident_id=incident_id)
    policy.require(actor, "incident.publish", incident)
    current = cap.current(incident.pk)
    publish_form = forms.PublishForm(request.POST if request.POST.get("do") == "publish" else None)
    withdraw_form = forms.WithdrawForm(request.POST if request.POST.get("do") == "withdraw" else None)
    if request.method == "POST":
        form = publish_form if request.POST.get("do") == "publish" else withdraw_form
        if form.is_valid():
            try:
                if form is publish_form:
                    d = form.cleaned_data
                    cap.publish(
                        actor,
                        incident,
                        reason=d["reason"],
                        texts=form.texts(),
                        category=d["category"],
                        urgency=d["urgency"],
                        certainty=d["certainty"],
                    )
                    messages.success(request, _("Published: the public alert is on the CAP feed."))
                else:
                    cap.withdraw(actor, incident, reason=form.cleaned_data["reason"])
                    messages.success(request, _("The public alert was withdrawn."))
                return redirect("field:incident_public", incident_id=incident.pk)
            except DomainError as exc:
                if exc.status in (403, 404):
                    raise
                _show(form, exc)
    elif current is not None and current.msg_type != "Cancel":
        initial = {"category": current.category, "urgency": current.urgency, "certainty": current.certainty}
        for lang, t in (current.texts or {}).items():
            initial.update({f"{lang}_{k}": v for k, v in t.items()})
        publish_form = forms.PublishForm(initial=initial)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "field/incident_public.html",
        {
            "inc": incident,
            "current": current,
            "public": current is not None and current.msg_type != "Cancel",
            "publish_form": publish_form,
            "withdraw_form": withdraw_form,
        },
        status=status,
    )
