"""Constants and helpers shared by the incident tests (fixtures are in conftest.py)."""

from __future__ import annotations

import datetime as dt

from liaison.audit.models import AuditEvent
from liaison.audit.verbs import Verb
from liaison.core import clock

BAT_MOT = "VN-38-15607"
NA_MEO = "VN-38-15013"
PU_NHI = "VN-38-14863"
INLAND = "VN-38-14869"  # Xã Hồi Xuân
GATE = "GATE-NA-MEO"

ACCESS_REFUSED = int(Verb.ACCESS_REFUSED)  # 910: refusals are audited by design (PRODUCT.md)


def audit_count(**filters) -> int:
    """Audit events other than refusals (which are recorded on purpose, even for refused writes)."""
    return AuditEvent.objects.exclude(verb=ACCESS_REFUSED).filter(**filters).count()


def future(hours: int = 24) -> str:
    return (clock.now() + dt.timedelta(hours=hours)).isoformat()
