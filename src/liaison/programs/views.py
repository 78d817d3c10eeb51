"""Pages for programs: the list, a program (progress table, chart, missing months, entries), a new
program, one commune's month on one form, an entry with its versions and the owner's decision. The
same services and selectors as the API."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison import policy
from liaison.core.errors import DomainError, Invalid, NotFound, NotPermitted
from liaison.core.forms import show_errors
from liaison.programs import exports, selectors, services
from liaison.programs import forms as f
from liaison.programs.models import EntryStatus, Participation
from liaison.web.decorators import signed_in


@signed_in
def program_list(request):
    actor = request.actor
    status = request.GET.get("status") or None
    if status not in (None, "draft", "active", "closed"):
        status = None
    try:
        page = selectors.program_list(actor, status=status, cursor=request.GET.get("cursor") or None)
    except Invalid:
        page = selectors.Page([], None)
    lang = (get_language() or "vi")[:2]
    for r in page.rows:
        r["name"] = r.get(f"name_{lang}") or r["name_vi"]
    return render(
        request,
        "programs/list.html",
        {"page": page, "status": status, "may_create": policy.can(actor, "program.create")},
    )


def _commune_label(p: Participation) -> str:
    return f"{p.commune.name} · {p.unit.short_name or p.unit.name}"


@signed_in
def program_detail(request, program_id):
    actor = request.actor
    program = selectors.program_get(actor, program_id=program_id, audit_read=True)
    progress = selectors.progress(actor, program=program)
    lang = get_language()
    rows = []
    for row in [*progress.communes, progress.total]:
        cells = [(ind, row.latest.get(ind.code)) for ind in progress.indicators]
        rows.append(
            {
                "row": row,
                "label": _("Total") if row.key == "total" else row.label,
                "cells": [(exports.cell_text(ind, c), c) for ind, c in cells],
                "months": [(m, row.reported.get(m, "")) for m in progress.months],
                "percent": None if row.share is None else round(row.share * 100),
            }
        )
    # A status's history (the drug-free commune's status month by month), per commune.
    histories = [
        (
            ind.name_in(lang),
            [
                (row.label, [exports.cell_text(ind, row.by_month[m].get(ind.code)) for m in progress.months])
                for row in progress.communes
            ],
        )
        for ind in progress.indicators
        if ind.kind == "status"
    ]
    entries = selectors.entry_list(actor, program=program, limit=200).rows
    reporting = [
        p
        for p in selectors.program_participations(actor, program=program)
        if policy.can(actor, "entry.submit", p)
    ]
    return render(
        request,
        "programs/detail.html",
        {
            "program": program,
            "name": program.name_in(lang),
            "progress": progress,
            "indicators": [(i, i.name_in(lang)) for i in progress.indicators],
            "rows": rows,
            "chart": mark_safe(exports.chart_svg(progress, title=program.name_in(lang))),  # noqa: S308 (escaped inside)
            "map": mark_safe(  # noqa: S308 (escaped inside)
                exports.map_svg(
                    selectors.progress_layer(actor, program=program, progress=progress), program.ref
                )
            ),
            "entries": entries,
            "histories": histories,
            "missing": progress.missing,
            "may": {
                "activate": policy.can(actor, "program.activate", program),
                "close": policy.can(actor, "program.close", program),
                "report": bool(reporting),
                "edit": policy.can(actor, "program.edit", program),
            },
            "communes": selectors.program_participations(actor, program=program),
        },
    )


@signed_in
def program_new(request):
    actor = request.actor
    policy.require(actor, "program.create")
    form = f.ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            program = services.program_create(
                actor,
                name_vi=d["name_vi"],
                name_en=d["name_en"],
                name_lo=d["name_lo"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                template=d["template"],
                communes=[(u.area, u) for u in d["units"]],
            )
            messages.success(request, _("Program %(ref)s created as a draft.") % {"ref": program.ref})
            return redirect("programs:detail", program_id=program.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            exc.errors = [e for e in exc.errors]
            for e in exc.errors:
                if e.field.startswith("communes."):
                    e.field = "units"
            show_errors(form, exc)
    return render(
        request, "programs/new.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@signed_in
def program_edit(request, program_id):
    """The owner's corrections to a program: names, description, months, communes. A commune that
    has reported stays; the months must hold every entry (the service says which field is wrong)."""
    actor = request.actor
    program = selectors.program_get(actor, program_id=program_id)
    policy.require(actor, "program.edit", program)
    initial = {
        "name_vi": program.name_vi,
        "name_en": program.name_en,
        "name_lo": program.name_lo,
        "description": program.description,
        "starts_on": program.starts_on,
        "ends_on": program.ends_on,
        "units": [p.unit_id for p in program.participations.all()],
    }
    form = f.ProgramEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.program_update(
                actor,
                program,
                name_vi=d["name_vi"],
                name_en=d["name_en"],
                name_lo=d["name_lo"],
                description=d["description"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                communes=[(u.area, u) for u in d["units"]],
            )
            messages.success(request, _("Program %(ref)s saved.") % {"ref": program.ref})
            return redirect("programs:detail", program_id=program.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            for e in exc.errors:
                if e.field.startswith("communes"):
                    e.field = "units"
            show_errors(form, exc)
    return render(
        request,
        "programs/edit.html",
        {"form": form, "program": program},
        status=400 if request.method == "POST" else 200,
    )


@signed_in
def program_targets(request, program_id):
    """Targets per commune and in total, for every count and amount, on one table."""
    actor = request.actor
    program = selectors.program_get(actor, program_id=program_id)
    policy.require(actor, "program.edit", program)
    lang = get_language()
    indicators = [
        i for i in selectors.program_indicators(actor, program=program) if i.kind in ("count", "amount")
    ]
    parts = selectors.program_participations(actor, program=program)
    current = {
        (t.indicator.code, t.participation.commune.code if t.participation_id else "total"): t.number
        for t in selectors.program_targets(actor, program=program)
    }
    rows = [("total", _("Total"), None)] + [(p.commune.code, p.commune.name, p.commune) for p in parts]
    errors, status = [], 200
    if request.method == "POST":
        targets, keys = [], []
        for key, _label, commune in rows:
            for ind in indicators:
                raw = (request.POST.get(f"t_{key}_{ind.code}") or "").strip()
                if raw == "" and current.get((ind.code, key)) is None:
                    continue
                targets.append({"indicator": ind.code, "commune": commune, "number": raw or "0"})
                keys.append((key, ind.code))
        try:
            services.program_targets_set(actor, program, targets=targets)
            messages.success(request, _("Targets saved."))
            return redirect("programs:detail", program_id=program.pk)
        except Invalid as exc:
            status = 400
            for e in exc.errors:
                parts_ = e.field.split(".")
                if len(parts_) > 1 and parts_[1].isdigit():
                    key, code = keys[int(parts_[1])]
                    errors.append(f"{key} · {code}: {e.message}")
                else:
                    errors.append(e.message)
    table = [
        (
            key,
            label,
            [
                (
                    ind,
                    f"t_{key}_{ind.code}",
                    request.POST.get(f"t_{key}_{ind.code}", current.get((ind.code, key))),
                )
                for ind in indicators
            ],
        )
        for key, label, _c in rows
    ]
    return render(
        request,
        "programs/targets.html",
        {
            "program": program,
            "name": program.name_in(lang),
            "indicators": [(i, i.name_in(lang)) for i in indicators],
            "table": table,
            "errors": errors,
        },
        status=status,
    )


@require_POST
@signed_in
def program_action(request, program_id, name):
    actor = request.actor
    program = selectors.program_get(actor, program_id=program_id)
    if name == "activate":
        services.program_activate(actor, program)
        messages.success(request, _("Program activated."))
    elif name == "close":
        services.program_close(actor, program)
        messages.success(request, _("Program closed."))
    else:
        raise NotFound("action")
    return redirect("programs:detail", program_id=program.pk)


@signed_in
def program_export(request, program_id, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    actor = request.actor
    program = selectors.program_get(actor, program_id=program_id)
    return exports.progress_export(actor, selectors.progress(actor, program=program), fmt)


def _month_label(m: dt.date) -> str:
    return m.strftime("%m/%Y")


@signed_in
def entry_form(request, program_id):
    """One commune's month on one form: a new entry, a returned one sent again, or a correction of
    an approved one (with its reason)."""
    actor = request.actor
    program = selectors.program_get(actor, program_id=program_id)
    parts = [
        p
        for p in selectors.program_participations(actor, program=program)
        if policy.can(actor, "entry.submit", p)
    ]
    if not parts:
        err = NotPermitted()
        err.refused = ("entry.submit", program)  # type: ignore[attr-defined]
        raise err
    months = list(reversed(selectors.reporting_months(program)))
    data = request.POST or request.GET
    commune = data.get("commune") or parts[0].commune.code
    part = next((p for p in parts if p.commune.code == commune), parts[0])
    try:
        month = (
            services.month_of(dt.date.fromisoformat(data.get("month") or "")) if data.get("month") else None
        )
    except ValueError:
        month = None
    month = month if month in months else (months[0] if months else None)
    current = (
        selectors.entry_list(actor, program=program, month=month, commune=part.commune.code).rows
        if month
        else []
    )
    current_entry = selectors.entry_get(actor, entry_id=current[0]["id"]) if current else None
    correcting = current_entry is not None and current_entry.status == EntryStatus.APPROVED
    locked = current_entry is not None and current_entry.status == EntryStatus.SUBMITTED
    indicators = selectors.program_indicators(actor, program=program)
    initial = {"commune": part.commune.code, "month": str(month) if month else ""}
    if current_entry is not None:
        for v in selectors.entry_values(actor, entry=current_entry):
            ind = v.indicator
            if ind.kind == "criterion":
                value = "yes" if v.number == 1 else "no"
            elif ind.kind == "status":
                value = v.choice
            elif ind.kind == "count":
                value = int(v.number)
            else:
                value = v.number
            initial[f.field_name(ind)] = value
        initial["note"] = current_entry.note
    form = f.EntryForm(
        request.POST if request.method == "POST" and not locked else None,
        initial=initial,
        indicators=indicators,
        communes=[(p.commune.code, _commune_label(p)) for p in parts],
        months=[(str(m), _month_label(m)) for m in months],
        correcting=correcting,
    )
    if request.method == "POST" and not locked and form.is_valid():
        values = form.values()
        try:
            if current_entry is None:
                entry = services.entry_submit(
                    actor,
                    program=program,
                    commune=part.commune,
                    month=month,
                    values=values,
                    note=form.cleaned_data["note"],
                )
            elif current_entry.status == EntryStatus.RETURNED:
                entry = services.entry_resubmit(
                    actor, current_entry, values=values, note=form.cleaned_data["note"]
                )
            else:
                entry = services.entry_correct(
                    actor, current_entry, values=values, reason=form.cleaned_data["reason"]
                )
            messages.success(request, _("Entry %(ref)s sent.") % {"ref": entry.ref})
            return redirect("programs:entry", entry_id=entry.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            for e in exc.errors:
                if e.field.startswith("values.") and e.field.split(".")[1].isdigit():
                    code = values[int(e.field.split(".")[1])][0]
                    e.field = f"v_{code}"
                elif e.field == "values":
                    e.field = "__all__"
            show_errors(form, exc)
    return render(
        request,
        "programs/entry_form.html",
        {
            "program": program,
            "name": program.name_in(get_language()),
            "form": form,
            "current": current_entry,
            "locked": locked,
            "correcting": correcting,
        },
        status=400 if request.method == "POST" else 200,
    )


@signed_in
def entry_detail(request, entry_id):
    actor = request.actor
    entry = selectors.entry_get(actor, entry_id=entry_id)
    lang = get_language()
    values = [
        (v.indicator.name_in(lang) + (f" ({v.indicator.unit})" if v.indicator.unit else ""), _value_text(v))
        for v in selectors.entry_values(actor, entry=entry)
    ]
    return render(
        request,
        "programs/entry.html",
        {
            "entry": entry,
            "program_name": entry.program.name_in(lang),
            "values": values,
            "versions": selectors.entry_versions(actor, entry=entry),
            "may_decide": policy.can(actor, "entry.decide", entry),
            "may_fix": policy.can(actor, "entry.resubmit", entry)
            or policy.can(actor, "entry.correct", entry),
            "return_form": f.ReturnForm(),
        },
    )


def _value_text(v) -> str:
    ind = v.indicator
    if ind.kind == "criterion":
        return _("yes") if v.number == 1 else _("no")
    if ind.kind == "status":
        lang = (get_language() or "vi")[:2]
        return next(
            (c.get(lang) or c.get("vi") for c in ind.choices or [] if c.get("code") == v.choice), v.choice
        )
    return exports.number(v.number)


@require_POST
@signed_in
def entry_decide(request, entry_id, name):
    actor = request.actor
    entry = selectors.entry_get(actor, entry_id=entry_id)
    if name == "approve":
        services.entry_approve(actor, entry)
        messages.success(request, _("Entry approved."))
    elif name == "return":
        form = f.ReturnForm(request.POST)
        reason = form.data.get("reason", "")
        try:
            services.entry_return(actor, entry, reason=reason)
        except Invalid as exc:
            form.is_valid()
            show_errors(form, exc)
            return render(
                request,
                "programs/entry.html",
                {
                    "entry": entry,
                    "program_name": entry.program.name_in(get_language()),
                    "values": [],
                    "versions": selectors.entry_versions(actor, entry=entry),
                    "may_decide": True,
                    "return_form": form,
                },
                status=400,
            )
        messages.success(request, _("Entry returned to the commune."))
    else:
        raise NotFound("action")
    return redirect("programs:entry", entry_id=entry.pk)
