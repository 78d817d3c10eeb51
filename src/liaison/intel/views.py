"""Pages for information items: list and search, create, detail with its actions, inbox, statistics,
and "why can't they see it?". The same services and selectors as the API."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import policy
from liaison.core import search
from liaison.core.errors import DomainError, Invalid, NotFound
from liaison.core.forms import is_uuid, parse_query, show_errors
from liaison.intel import exports, selectors, services, stats
from liaison.intel.forms import (
    AnswerForm,
    AttachmentForm,
    CloseForm,
    FilterForm,
    HandlingForm,
    ItemForm,
    LinkForm,
    RegradeForm,
    ShareForm,
    StatsForm,
    VerificationForm,
)
from liaison.intel.models import Item, Tlp, VerificationRequest
from liaison.intel.schemas import ItemFilter
from liaison.org.models import Force, Level, Unit
from liaison.web.decorators import signed_in


@signed_in
def item_list(request):
    form = FilterForm(request.GET or None)
    page = None
    status = 200
    query = message = None
    try:
        f = parse_query(ItemFilter, request.GET)
        query = search.parse(f.q) if f.q else None
        page = selectors.item_list(request.actor, f)
    except search.NothingSearchable as exc:  # an empty result and why, not an error page
        page, message = selectors.Page([], None, 0), exc.errors[0].message
    except Invalid as exc:
        inputs = {f.name for f in form.visible_fields()}
        for e in exc.errors:  # beside its input, or named above the filters when it has none
            if e.field in inputs:
                form.add_error(e.field, e.message)
            else:
                form.add_error(None, f"{e.field}: {e.message}")
        status = 400
    # htmx asks for the next rows ("More", which swaps its own row) or for the filtered list (the
    # filters' form, which swaps #results: it gets the whole page and selects that block from it).
    more = request.htmx and request.htmx.target != "results"
    template = "intel/_rows.html" if more and page else "intel/list.html"
    nxt = None
    if page and page.next_cursor:
        q = request.GET.copy()
        q["cursor"] = page.next_cursor
        nxt = q.urlencode()
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "next_query": nxt,
            "query": query,
            "search_message": message,
            "may_create": policy.can(request.actor, "item.create"),
        },
        status=status,
    )


@signed_in
def item_create(request):
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.item_create(
                request.actor,
                title=d["title"],
                body=d["body"],
                category=d["category"],
                observed_at=d["observed_at"],
                reliability=d["reliability"],
                credibility=d["credibility"],
                tlp=d["tlp"],
                lat=d["lat"],
                lon=d["lon"],
                area=d["area"],
                place=d["place"],
                is_drill=d["is_drill"],
            )
            messages.success(request, _("Item %(ref)s logged.") % {"ref": item.ref})
            return redirect("intel:detail", item_id=item.pk)
        except DomainError as exc:
            if exc.status == 403:
                raise
            show_errors(form, exc)
    if request.method == "GET":
        policy.require(request.actor, "item.create")
    status = 400 if request.method == "POST" else 200
    return render(request, "intel/create.html", {"form": form}, status=status)


ACTION_FORMS = {
    "share": ShareForm,
    "verify": VerificationForm,
    "answer": AnswerForm,
    "regrade": RegradeForm,
    "link": LinkForm,
    "handling": HandlingForm,
    "close": CloseForm,
    "attach": AttachmentForm,
}


def _detail_context(request, item: Item, bound: dict | None = None) -> dict:
    actor = request.actor
    forms = {name: cls(prefix=name) for name, cls in ACTION_FORMS.items()}
    forms["handling"] = HandlingForm(prefix="handling", initial={"tlp": item.tlp})
    forms["share"] = ShareForm(prefix="share", actor=actor, item=item)
    forms.update(bound or {})
    verifications = list(selectors.item_verifications(actor, item=item))
    for v in verifications:
        v.answerable = v.state == VerificationRequest.State.OPEN and policy.can(
            actor, "verification.answer", v
        )
        v.form = AnswerForm(prefix="answer", initial={"request_id": v.pk})
    receipts = list(selectors.item_receipts(actor, item=item))
    own = next((r for r in receipts if actor.unit and r.unit_id == actor.unit.pk), None)
    return {
        "item": item,
        "forms": forms,
        "verifications": verifications,
        "receipts": receipts,
        "own_receipt": own,
        "shares": selectors.item_shares(actor, item=item),
        "gradings": selectors.item_gradings(actor, item=item),
        "revisions": selectors.item_revisions(actor, item=item),
        "links": selectors.item_links(actor, item=item),
        "attachments": selectors.item_attachments(actor, item=item),
        "may": {
            "share": item.status != "closed" and policy.can(actor, "item.share", (item, [])),
            "acknowledge": own is not None and own.acknowledged_at is None,
            "verify": item.status != "closed" and policy.can(actor, "item.request_verification", item),
            "regrade": policy.can(actor, "item.regrade", item),
            "link": policy.can(actor, "item.link", (item, item)),
            "close": item.status != "closed" and policy.can(actor, "item.close", item),
            "handling": policy.can(actor, "item.raise_tlp", item)
            or policy.can(actor, "item.lower_tlp", item),
            "attach": policy.can(actor, "item.attach", item),
            # The cross-border release gate (policy/rules/exchange.py): the preview page.
            "release": policy.can(actor, "release.propose", item),
        },
        "units": policy.visible(actor, Unit, "receive").order_by("force", "path"),
    }


@signed_in
def item_detail(request, item_id):
    item = selectors.item_get(request.actor, item_id=item_id)
    services.item_open(request.actor, item=item)
    return render(request, "intel/detail.html", _detail_context(request, item))


@require_POST
@signed_in
def item_action(request, item_id, action):
    actor = request.actor
    item = selectors.item_get(actor, item_id=item_id)
    if action == "acknowledge":
        services.item_acknowledge(actor, item=item)
        messages.success(request, _("Receipt acknowledged."))
        return redirect("intel:detail", item_id=item.pk)
    cls = ACTION_FORMS.get(action)
    if cls is None:
        raise NotFound("action")
    extra = {"actor": actor, "item": item} if cls is ShareForm else {}
    form = cls(request.POST, request.FILES, prefix=action, **extra)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if action == "share":
                services.item_share(actor, item=item, units=list(d["units"]), forces=d["forces"])
            elif action == "verify":
                services.verification_request(
                    actor, item=item, unit=d["unit"], due_at=d["due_at"], question=d["question"]
                )
            elif action == "answer":
                req = policy.get_visible(actor, VerificationRequest, pk=d["request_id"], item=item)
                services.verification_answer(
                    actor,
                    request=req,
                    result=d["result"],
                    reliability=d["reliability"],
                    credibility=d["credibility"],
                    note=d["note"],
                )
            elif action == "regrade":
                services.item_regrade(
                    actor,
                    item=item,
                    reliability=d["reliability"],
                    credibility=d["credibility"],
                    reason=d["reason"],
                )
            elif action == "link":
                other = policy.visible(actor, Item).filter(ref=d["other_ref"].strip().upper()).first()
                if other is None:
                    raise Invalid(field="other_ref", code="unknown", message=_("No such item."))
                res = services.item_link(actor, item=item, other=other, kind=d["kind"])
                if res.corroboration_offered and policy.can(actor, "item.regrade", item):
                    messages.info(
                        request,
                        _(
                            "These items come from different forces and describe the same event: "
                            "you may grade the information 1 – confirmed by other sources."
                        ),
                    )
            elif action == "handling":
                services.item_set_handling(actor, item=item, tlp=d["tlp"], reason=d["reason"])
            elif action == "close":
                services.item_close(actor, item=item, reason=d["reason"])
            elif action == "attach":
                f = d["file"]
                services.attachment_add(actor, item=item, filename=f.name, data=f.read())
            messages.success(request, _("Done."))
            return redirect("intel:detail", item_id=item.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            show_errors(form, exc)
    item = selectors.item_get(actor, item_id=item_id)
    services.item_open(actor, item=item)  # the page is shown again: an audited read
    return render(request, "intel/detail.html", _detail_context(request, item, {action: form}), status=400)


@signed_in
def attachment_download(request, attachment_id):
    att, path = services.attachment_open(request.actor, attachment_id=attachment_id)
    response = FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=att.filename,  # noqa: SIM115
        content_type=att.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
def access(request, item_id):
    """Who can see the item: per role of a chosen unit, and for the reader's own memberships."""
    actor = request.actor
    item = selectors.item_get(actor, item_id=item_id)
    units = policy.visible(actor, Unit).order_by("country", "force", "path")
    unit_id = request.GET.get("unit")
    unit = units.filter(pk=unit_id).first() if unit_id and is_uuid(unit_id) else None
    result = selectors.explain_access(actor, item=item, unit=unit, user=actor.user)
    from liaison.intel import hooks

    beyond = [line for lines in hooks.beyond_this_node(item=item) for line in lines]
    return render(
        request,
        "intel/access.html",
        {
            "item": item,
            "unit": unit,
            "result": result,
            "units": units,
            "receipts": result["receipts"],
            "beyond": beyond,
        },
    )


@signed_in
def inbox(request):
    return render(request, "intel/inbox.html", {"box": selectors.inbox(request.actor)})


def _list_url(p, section=None, key=None) -> str:
    """The item list behind a figure: the same filters, so it shows exactly that count."""
    q = QueryDict(mutable=True)
    q.update(stats.list_query(p, section, key))
    return reverse("intel:list") + "?" + q.urlencode()


@signed_in
def stats_page(request):
    form = StatsForm(request.GET or None)
    data = (
        form.cleaned_data
        if request.GET and form.is_valid()
        else {"period": "quarter", "on": None, "end": None}
    )
    result = None
    status = 200
    if request.GET and not form.is_valid():
        status = 400
    else:
        try:
            p = stats.period(data["period"], data.get("on") or timezone.localdate(), data.get("end"))
            result = stats.exchange_stats(request.actor, p)
        except Invalid as exc:
            show_errors(form, exc)
            status = 400
    fmt = request.GET.get("format")
    if result and fmt in ("csv", "xlsx"):
        return exports.exchange_export(request.actor, result, fmt)
    labels = exports._labels()
    # The secretariat counts node-wide and opens no record: its figures carry no links.
    drill = policy.can(request.actor, "briefing.drill")
    sections = []
    if result:
        for key, title in (
            ("by_level", _("By level")),
            ("by_origin_force", _("By originating force")),
            ("by_pair", _("Who sent to whom")),
            ("by_category", _("By category")),
            ("by_status", _("By status")),
        ):
            cur, prev = result["current"][key], result["previous"][key]
            rows = [
                (
                    labels[key].get(k, k),
                    cur.get(k, 0),
                    prev.get(k, 0),
                    _list_url(result["period"], key, k) if drill else None,
                    _list_url(result["previous_period"], key, k) if drill else None,
                )
                for k in sorted(set(cur) | set(prev))
            ]
            sections.append((title, rows))
    # The export links carry the period shown, also before "Show" was pressed (no query string yet).
    query = QueryDict(mutable=True)
    if result:
        query["period"] = data["period"]
        query["on"] = (data.get("on") or timezone.localdate()).isoformat()
        if data.get("end"):
            query["end"] = data["end"].isoformat()
    return render(
        request,
        "intel/stats.html",
        {
            "form": form,
            "result": result,
            "sections": sections,
            "query": query.urlencode(),
            "total_links": (_list_url(result["period"]), _list_url(result["previous_period"]))
            if result and drill
            else None,
            "levels": Level,
            "forces": Force,
            "tlp": Tlp,
        },
        status=status,
    )
