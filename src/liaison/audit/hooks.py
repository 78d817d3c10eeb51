"""The audit log's extension points (decision 0006): the exchange fills them in its `ready()`."""

from __future__ import annotations

from liaison.core.hooks import Hook

witness_copies = Hook(
    "audit.witness_copies",
    "(peer=name) -> the lines of this node's signed checkpoints that the partner node `name` keeps as "
    "its witness, fetched from it; None when no receiver knows that peer.",
)
