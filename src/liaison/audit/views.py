from __future__ import annotations

from django.shortcuts import render

from liaison.audit import selectors
from liaison.audit.forms import AuditFilterForm
from liaison.audit.verbs import record_type_label, verb_label
from liaison.web.decorators import signed_in


@signed_in
def audit_page(request):
    form = AuditFilterForm(request.GET or None)
    events = []
    status = 200
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        events = selectors.audit_events(
            request.actor,
            verb=data.get("verb"),
            actor_name=data.get("actor") or None,
            object_type=data.get("object_type") or None,
            object_id=data.get("object_id") or None,
            since=data.get("since"),
            until=data.get("until"),
            before_seq=data.get("before"),
        )
    else:
        status = 400
        selectors.audit_events(request.actor, limit=1)  # still refuses non-auditors, audited
    for e in events:
        e.verb_label, e.record_label = verb_label(e.verb), record_type_label(e.object_type)
    older = events[-1].id if len(events) == selectors.PAGE else None
    return render(request, "audit/list.html", {"form": form, "events": events, "older": older}, status=status)
