"""Every write to information items. Actor first, keyword-only, one transaction, audited.

`item_*` functions are spread over topic modules and re-exported here, so `services.item_`
lists everything that can happen to an item.
"""

from liaison.intel.services.attachments import attachment_add, attachment_open
from liaison.intel.services.grading import item_link, item_regrade
from liaison.intel.services.items import item_amend, item_close, item_create, item_open, item_set_handling
from liaison.intel.services.sharing import item_acknowledge, item_share
from liaison.intel.services.taxonomy import category_approve, category_propose
from liaison.intel.services.verification import verification_answer, verification_request

__all__ = [
    "attachment_add",
    "attachment_open",
    "category_approve",
    "category_propose",
    "item_acknowledge",
    "item_amend",
    "item_close",
    "item_create",
    "item_link",
    "item_open",
    "item_regrade",
    "item_set_handling",
    "item_share",
    "verification_answer",
    "verification_request",
]
