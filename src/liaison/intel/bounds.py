"""The intel columns that the input layer bounds (`core.inputs`), for `liaison check-bounds`."""

from __future__ import annotations

from liaison.core.inputs import DEADLINE, PAST
from liaison.intel.models import Item, VerificationRequest

BOUNDS = [
    (Item, "observed_at", PAST),
    (Item, "received_at", PAST),
    (VerificationRequest, "due_at", DEADLINE),
]
