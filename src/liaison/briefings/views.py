"""Pages for briefings: the list and a new briefing, a briefing (its figures, each linked to the list
behind it, the narrative, approval and issue, the meeting and its conclusions, last period's
conclusions, what changed since the issue, the documents), a unit's conclusions, the agreements.
The same services and selectors as the API; forms are plain HTML posted without JavaScript."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import policy
from liaison.briefings import selectors, services, tasks
from liaison.briefings.models import BriefingState, ScopeKind
from liaison.briefings.schemas import (
    AgreementIn,
    BriefingIn,
    BriefingPatch,
    ConclusionIn,
    ConclusionPatch,
    MeetingIn,
)
from liaison.core.errors import DomainError, Invalid, NotFound
from liaison.core.forms import parse_query
from liaison.web.decorators import signed_in


def _errors(request, exc: DomainError) -> None:
    for e in exc.errors or []:
        messages.error(request, f"{e.field}: {e.message}" if e.field else str(e.message))
    if not exc.errors:
        messages.error(request, str(exc.message if hasattr(exc, "message") else exc))


@signed_in
def briefing_list(request):
    actor = request.actor
    if request.method == "POST":
        try:
            b = services.briefing_create(actor, **parse_query(BriefingIn, request.POST).model_dump())
        except DomainError as exc:
            _errors(request, exc)
            return redirect("briefings:list")
        messages.success(request, _("Briefing %(ref)s drafted.") % {"ref": b.ref})
        return redirect("briefings:detail", briefing_id=b.pk)
    return render(
        request,
        "briefings/list.html",
        {
            "rows": list(selectors.briefing_list(actor)),
            "may_create": policy.can(actor, "briefing.create", actor.unit),
            "scopes": ScopeKind.choices,
        },
    )


@signed_in
def briefing_detail(request, briefing_id):
    actor = request.actor
    b = selectors.briefing_get(actor, briefing_id=briefing_id, audit_read=True)
    data = selectors.briefing_out(actor, b)
    generation = (
        b.generations.filter(requested_by=actor.user)
        .defer("docx", "pdf", "xlsx")
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "briefings/detail.html",
        {
            "b": b,
            "data": data,
            "heads": [
                data["figures"]["period"]["label"],
                data["figures"]["previous_period"]["label"],
                data["figures"]["year_before_period"]["label"],
            ],
            "partial": any(data["partial"].values()),
            "drill": policy.can(actor, "briefing.drill"),
            "may_edit": policy.can(actor, "briefing.edit", b),
            "may_approve": policy.can(actor, "briefing.approve", b),
            "may_issue": policy.can(actor, "briefing.issue", b),
            "may_meeting": b.state != BriefingState.DRAFT or policy.can(actor, "briefing.meeting", b),
            "may_assign": policy.can(actor, "conclusion.assign", b),
            "generation": generation,
            "agreements": list(selectors.agreement_list(actor)),
            "cited": {a["ref"] for a in data["agreements"]},
        },
    )


@require_POST
@signed_in
def briefing_action(request, briefing_id, name):
    actor = request.actor
    b = selectors.briefing_get(actor, briefing_id=briefing_id)
    try:
        if name == "edit":
            fields = parse_query(BriefingPatch, request.POST).model_dump(exclude_none=True)
            services.briefing_edit(actor, briefing=b, **fields)
            messages.success(request, _("Briefing saved."))
        elif name == "approve":
            services.briefing_approve(actor, briefing=b)
            messages.success(request, _("Briefing approved."))
        elif name == "issue":
            services.briefing_issue(actor, briefing=b)
            messages.success(request, _("Briefing issued: its figures are now frozen."))
        elif name == "meeting":
            post = request.POST.copy()
            participants = [c for c in post.get("participants", "").replace(",", " ").split() if c]
            post.pop("participants", None)
            m = parse_query(MeetingIn, post)
            services.meeting_record(actor, briefing=b, **{**m.model_dump(), "participants": participants})
            messages.success(request, _("Meeting saved."))
        elif name == "conclusion":
            c = parse_query(ConclusionIn, request.POST)
            services.conclusion_assign(actor, briefing=b, **c.model_dump())
            messages.success(request, _("Conclusion assigned."))
        elif name == "agreements":
            cited = [r for r in request.POST.getlist("agreements") if r][:50]
            services.briefing_cite(actor, briefing=b, agreements=cited)
            messages.success(request, _("Cited agreements saved."))
        elif name == "documents":
            services.generation_request(actor, briefing=b, enqueue=tasks.generate_documents.enqueue)
            messages.success(request, _("The documents are being prepared."))
        else:
            raise NotFound("action")
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        _errors(request, exc)
    return redirect("briefings:detail", briefing_id=b.pk)


@signed_in
def generation_progress(request, generation_id):
    g = selectors.generation_get(request.actor, generation_id=generation_id)
    return render(request, "briefings/_progress.html", {"generation": g, "b": g.briefing})


@signed_in
def generation_file(request, generation_id, fmt):
    actor = request.actor
    g = selectors.generation_get(actor, generation_id=generation_id)
    if fmt not in selectors.FORMATS or g.state != "done":
        raise Http404
    resp = HttpResponse(
        selectors.generation_file(actor, generation=g, fmt=fmt), content_type=selectors.FORMATS[fmt]
    )
    resp["Content-Disposition"] = f'attachment; filename="{g.briefing.ref}.{fmt}"'
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@signed_in
def conclusion_list(request):
    actor = request.actor
    return render(request, "briefings/conclusions.html", {"rows": list(selectors.unit_conclusions(actor))})


@require_POST
@signed_in
def conclusion_action(request, conclusion_id):
    actor = request.actor
    c = selectors.conclusion_get(actor, conclusion_id=conclusion_id)
    try:
        services.conclusion_update(
            actor, conclusion=c, **parse_query(ConclusionPatch, request.POST).model_dump()
        )
        messages.success(request, _("Conclusion updated."))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        _errors(request, exc)
    return redirect("briefings:conclusions")


@signed_in
def agreement_list(request):
    actor = request.actor
    if request.method == "POST":
        try:
            f = request.FILES.get("file")
            upload = None
            if f is not None:
                if f.size > settings.ATTACHMENT_MAX_BYTES:  # refused before it is read into memory
                    raise Invalid(
                        field="file",
                        code="file_too_large",
                        message=_("At most %(mb)s MB.") % {"mb": settings.ATTACHMENT_MAX_BYTES // 1_000_000},
                    )
                upload = (f.name, f.read())
            fields = parse_query(AgreementIn, request.POST).model_dump()
            services.agreement_save(actor, **fields, upload=upload)
            messages.success(request, _("Agreement saved."))
        except DomainError as exc:
            _errors(request, exc)
        return redirect("briefings:agreements")
    return render(
        request,
        "briefings/agreements.html",
        {
            "rows": list(selectors.agreement_list(actor)),
            "may_manage": policy.can(actor, "agreement.manage"),
            "max_mb": settings.ATTACHMENT_MAX_BYTES // 1_000_000,
        },
    )


@signed_in
def agreement_file(request, agreement_id):
    a, path = selectors.agreement_file(request.actor, agreement_id=agreement_id)
    resp = FileResponse(open(path, "rb"), as_attachment=True, filename=a.file_name, content_type=a.file_type)  # noqa: SIM115
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
