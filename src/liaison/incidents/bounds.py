"""The incident columns that the input layer bounds (`core.inputs`), for `liaison check-bounds`."""

from __future__ import annotations

from liaison.core.inputs import DEADLINE, PAST
from liaison.incidents.models import Incident, Task

BOUNDS = [
    (Incident, "opened_at", PAST),
    (Task, "due_at", DEADLINE),
]
