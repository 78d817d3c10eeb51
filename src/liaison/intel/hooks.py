"""What intel lets the contexts above it hook into, without importing them (decision 0006).

Intel knows nothing of incidents; incidents register their receivers in `IncidentsConfig.ready()`.
Receivers run inside the calling service's transaction (see `core/hooks.py`).
"""

from __future__ import annotations

from liaison.core.hooks import Hook

handling_raised = Hook(
    "intel.handling_raised",
    "An item's handling level was raised: receivers get `item` (saved, with its new `tlp`), inside "
    "`item_set_handling`'s transaction, before its audit event.",
)

beyond_this_node = Hook(
    "intel.beyond_this_node",
    "The explainer (who can see this item, and why) asks who sees it outside this node: receivers get "
    "`item` and return a list of sentences (the exchange: one per release to a partner node).",
)
