"""API tokens belong to their user: only they list, create and revoke them."""

from __future__ import annotations

from django.db.models import Q

from liaison.accounts.models import ApiToken
from liaison.policy.core import permission, visibility
from liaison.policy.facts import is_member


@visibility(ApiToken)
def tokens_visible(actor):
    return Q(user=actor.user) if is_member(actor) else None


@permission("apitoken.create")
def can_create_token(actor, _obj):
    # Tokens act for one of the user's memberships; a partner user on this node gets none.
    return is_member(actor) and actor.via == "session"


@permission("apitoken.revoke")
def can_revoke_token(actor, token):
    return is_member(actor) and token is not None and token.user_id == actor.user.pk
