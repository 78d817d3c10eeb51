"""The audit log is read by auditors, and by nobody else (not administrators, not commanders)."""

from __future__ import annotations

from django.db.models import Q

from liaison.audit.models import AuditEvent
from liaison.policy.core import permission, visibility
from liaison.policy.facts import is_auditor, is_system


@visibility(AuditEvent)
def audit_visible(actor):
    return Q() if is_system(actor) or is_auditor(actor) else None


@permission("audit.read")
def can_read_audit(actor, _obj):
    return is_system(actor) or is_auditor(actor)
