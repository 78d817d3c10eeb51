"""Need to know, decided in one place. See `policy.core` for the contract and `policy.involvement`
for the one declaration per record type that access, the explanation and the feed come from."""

from liaison.policy.core import (
    Refusal,
    can,
    choices,
    explain,
    get_visible,
    offered,
    offers,
    refuse,
    require,
    shown,
    visible,
    why_not,
    without_hidden_mentions,
)


def audience(actor, model):
    from liaison.policy import involvement

    return involvement.audience(actor, model)


def explain_unit(unit, obj):
    from liaison.policy import involvement

    return involvement.explain_unit(unit, obj)


def explain_user(user, obj):
    from liaison.policy import involvement

    return involvement.explain_user(user, obj)


__all__ = [
    "Refusal",
    "audience",
    "can",
    "choices",
    "explain",
    "explain_unit",
    "explain_user",
    "get_visible",
    "offered",
    "offers",
    "refuse",
    "require",
    "shown",
    "visible",
    "why_not",
    "without_hidden_mentions",
]
