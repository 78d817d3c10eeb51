"""Pages for patrols: monthly plans, the patrol list, a patrol with its check-in form, coverage, and
the administrators' marker import. The same services and selectors as the API."""

from __future__ import annotations

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import policy
from liaison.core.errors import DomainError, Invalid
from liaison.core.forms import parse_query, show_errors
from liaison.patrols import forms as f
from liaison.patrols import selectors, services
from liaison.patrols.models import FINAL_STATUSES, Kind, Marker, PatrolPlan, Segment, Status
from liaison.patrols.schemas import PatrolFilter
from liaison.web.decorators import signed_in


def _labelled(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["kind_label"], r["status_label"] = Kind(r["kind"]).label, Status(r["status"]).label
    return rows


def _raise_hidden(exc: DomainError) -> None:
    if exc.status in (403, 404):
        raise exc


# --- plans ------------------------------------------------------------------------------------


@signed_in
def plans(request):
    actor = request.actor
    may_draft = actor.unit is not None and policy.can(actor, "patrolplan.draft", actor.unit)
    form = f.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_draft(
                actor, post=actor.unit, month=form.cleaned_data["month"], note=form.cleaned_data["note"]
            )
            messages.success(request, _("Plan drafted."))
            return redirect("patrols:plan", plan_id=plan.pk)
        except DomainError as exc:
            _raise_hidden(exc)
            show_errors(form, exc)
    return render(
        request,
        "patrols/plans.html",
        {"plans": selectors.plan_list(actor), "form": form, "may_draft": may_draft},
        status=400 if request.method == "POST" else 200,
    )


@signed_in
def plan_detail(request, plan_id):
    actor = request.actor
    plan = selectors.plan_get(actor, plan_id=plan_id)
    return render(
        request,
        "patrols/plan.html",
        {
            "plan": plan,
            "patrols": _labelled(selectors.plan_patrols(actor, plan=plan)),
            "may_approve": plan.state == PatrolPlan.State.DRAFT
            and policy.can(actor, "patrolplan.approve", plan),
            "may_add": plan.state == PatrolPlan.State.DRAFT and policy.can(actor, "patrol.create", plan.post),
        },
    )


@signed_in
@require_POST
def plan_approve(request, plan_id):
    plan = selectors.plan_get(request.actor, plan_id=plan_id)
    try:
        services.plan_approve(request.actor, plan=plan)
        messages.success(request, _("Plan approved."))
    except DomainError as exc:
        _raise_hidden(exc)
        messages.error(request, exc.message)
    return redirect("patrols:plan", plan_id=plan.pk)


# --- patrols ----------------------------------------------------------------------------------


@signed_in
def patrol_list(request):
    actor = request.actor
    try:
        page, errors = selectors.patrol_list(actor, parse_query(PatrolFilter, request.GET)), []
    except Invalid as exc:
        page, errors = selectors.Page([], None), exc.errors
    _labelled(page.rows)
    next_url = None
    if page.next_cursor:
        q = QueryDict(mutable=True)
        q.update({k: v for k, v in request.GET.items() if k != "cursor"})
        q["cursor"] = page.next_cursor
        next_url = "?" + q.urlencode()
    return render(
        request,
        "patrols/list.html",
        {
            "page": page,
            "errors": errors,
            "next_url": next_url,
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "may_create": actor.unit is not None and policy.can(actor, "patrol.create", actor.unit),
        },
        status=400 if errors else 200,
    )


def _route(actor, text: str) -> list:
    out = []
    for token in [t.strip() for t in (text or "").split(",") if t.strip()]:
        seg = policy.visible(actor, Segment).filter(code=token).first()
        marker = None if seg else policy.visible(actor, Marker).filter(number=token).first()
        if seg is None and marker is None:
            raise Invalid(
                field="route", code="unknown", message=_("No segment or marker %(code)s.") % {"code": token}
            )
        out.append(seg or marker)
    return out


@signed_in
def patrol_new(request):
    actor = request.actor
    policy.require(actor, "patrol.create", actor.unit)
    form = f.PatrolForm(request.POST or None, initial={"plan": request.GET.get("plan", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = None
            if d["plan"]:
                plan = policy.visible(actor, PatrolPlan).filter(pk=d["plan"]).first()
            p = services.patrol_create(
                actor,
                lead_unit=actor.unit,
                kind=d["kind"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                people=d["people"],
                route=_route(actor, d["route"]),
                participants=list(d["participants"]),
                partner_unit=d["partner_unit"],
                partner_people=d["partner_people"],
                plan=plan,
                purpose=d["purpose"],
            )
            messages.success(request, _("Patrol %(ref)s planned.") % {"ref": p.ref})
            return redirect("patrols:detail", patrol_id=p.pk)
        except DomainError as exc:
            _raise_hidden(exc)
            show_errors(form, exc)
    return render(
        request,
        "patrols/new.html",
        {"form": form, "segments": selectors.segments(actor)},
        status=400 if request.method == "POST" else 200,
    )


def _detail(request, patrol, bound: dict | None = None, status: int = 200):
    actor = request.actor
    forms = {
        "transition": f.TransitionForm(prefix="transition"),
        "checkin": f.CheckInForm(prefix="checkin"),
        "finding": f.FindingForm(prefix="finding"),
    }
    forms.update(bound or {})
    checkins = selectors.patrol_checkins(actor, patrol=patrol)
    may_check_in = patrol.status != Status.CANCELLED and policy.can(actor, "patrol.checkin", patrol)
    return render(
        request,
        "patrols/detail.html",
        {
            "p": patrol,
            "forms": forms,
            "route": selectors.patrol_route(actor, patrol=patrol),
            "participants": selectors.patrol_participants(actor, patrol=patrol),
            "checkins": checkins,
            "findings": selectors.patrol_findings(actor, patrol=patrol),
            "may_move": patrol.status not in FINAL_STATUSES
            and policy.can(actor, "patrol.transition", patrol),
            "may_check_in": may_check_in,
            "may_report": bool(checkins) and policy.can(actor, "patrol.finding", patrol),
        },
        status=status,
    )


@signed_in
def patrol_detail(request, patrol_id):
    return _detail(request, selectors.patrol_get(request.actor, patrol_id=patrol_id, audit_read=True))


@signed_in
@require_POST
def patrol_action(request, patrol_id, name):
    actor = request.actor
    patrol = selectors.patrol_get(actor, patrol_id=patrol_id)
    if name == "transition":
        form = f.TransitionForm(request.POST, prefix="transition")
        if form.is_valid():
            try:
                services.patrol_transition(
                    actor, patrol=patrol, to=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
                )
                return redirect("patrols:detail", patrol_id=patrol.pk)
            except DomainError as exc:
                _raise_hidden(exc)
                show_errors(form, exc)
    elif name == "checkin":
        form = f.CheckInForm(request.POST, request.FILES, prefix="checkin")
        if form.is_valid():
            d = form.cleaned_data
            try:
                marker = None
                if d["marker"]:
                    marker = (
                        policy.visible(actor, Marker)
                        .select_related("place")
                        .filter(number=d["marker"])
                        .first()
                    )
                    if marker is None:
                        raise Invalid(field="marker", code="unknown", message=_("No such marker."))
                upload = d["photo"]
                photo = services.Photo(upload.name, upload.read()) if upload else None
                services.checkin_record(
                    actor,
                    patrol=patrol,
                    marker=marker,
                    at=d["at"],
                    lat=d["lat"],
                    lon=d["lon"],
                    condition=d["condition"],
                    note=d["note"],
                    photo=photo,
                )
                messages.success(request, _("Check-in recorded."))
                return redirect("patrols:detail", patrol_id=patrol.pk)
            except DomainError as exc:
                _raise_hidden(exc)
                show_errors(form, exc)
    elif name == "finding":
        form = f.FindingForm(request.POST, prefix="finding")
        if form.is_valid():
            d = form.cleaned_data
            try:
                checkin = selectors.checkin_get(actor, checkin_id=d["checkin_id"])
                if checkin.patrol_id != patrol.pk:
                    raise Invalid(
                        field="checkin_id", code="other_patrol", message=_("Another patrol's check-in.")
                    )
                finding = services.finding_report(
                    actor,
                    checkin=checkin,
                    as_=d["as_"],
                    title=d["title"],
                    body=d["body"],
                    category=d["category"],
                    incident_type=d["incident_type"],
                    severity=d["severity"] or None,
                    tlp=d["tlp"],
                )
                ref = (finding.item or finding.incident).ref
                messages.success(request, _("Reported as %(ref)s.") % {"ref": ref})
                return redirect("patrols:detail", patrol_id=patrol.pk)
            except DomainError as exc:
                _raise_hidden(exc)
                show_errors(form, exc)
    else:
        return redirect("patrols:detail", patrol_id=patrol.pk)
    return _detail(request, patrol, {name: form}, status=400)


# --- coverage and markers ---------------------------------------------------------------------


@signed_in
def coverage(request):
    actor = request.actor
    form = f.CoverageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.coverage_configure(actor, post=form.cleaned_data["post"], days=form.cleaned_data["days"])
            messages.success(request, _("Saved."))
            return redirect("patrols:coverage")
        except DomainError as exc:
            if exc.status == 404:
                raise
            show_errors(form, exc)
    rows = selectors.marker_coverage(actor)
    months = selectors.coverage_by_month(actor, months=3)
    return render(
        request,
        "patrols/coverage.html",
        {
            "unchecked": [r for r in rows if r["unchecked"]],
            "markers": rows,
            "by_post": selectors.unchecked_by_post(actor),
            "damaged": selectors.damaged_markers(actor),
            "months": months,
            "form": form,
            "may_configure": policy.can(actor, "coverage.configure", actor.unit),
        },
        status=400 if request.method == "POST" else 200,
    )


@signed_in
def marker_import(request):
    actor = request.actor
    policy.require(actor, "marker.import")
    form = f.MarkerImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            raw = form.cleaned_data["file"].read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise Invalid(
                    field="file", code="encoding", message=_("The file is not UTF-8 text.")
                ) from None
            result = services.markers_import(actor, text=text, source=form.cleaned_data["source"])
            messages.success(request, _("Imported: %(created)d new, %(updated)d moved.") % result)
            return redirect("patrols:coverage")
        except DomainError as exc:
            _raise_hidden(exc)
            show_errors(form, exc)
    return render(
        request, "patrols/import.html", {"form": form}, status=400 if request.method == "POST" else 200
    )
