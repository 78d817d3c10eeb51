"""Error codes of the information-exchange context (tests assert these, not wording)."""

CLOSED = "item_closed"
PARTNER_UNIT = "partner_unit"
NOT_RECIPIENT = "not_recipient"
ALREADY_ANSWERED = "already_answered"
SAME_ITEM = "same_item"
FILE_TYPE = "file_type"
FILE_TOO_LARGE = "file_too_large"
