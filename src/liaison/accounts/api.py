"""/api/v1/tokens: a user's own API tokens."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Router, Schema, Status
from pydantic import Field

from liaison import policy
from liaison.accounts import services
from liaison.accounts.models import ApiToken
from liaison.core.api import actor_of, idempotent_create
from liaison.core.inputs import Input, Line

router = Router(tags=["tokens"])


class TokenIn(Input):
    name: Line = Field(min_length=1, max_length=80)
    days: int = Field(90, ge=1, le=365)


class TokenOut(Schema):
    id: uuid.UUID
    name: str
    prefix: str
    membership_id: uuid.UUID
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str | None = Field(None, description="The token itself: shown once, never again (null on a retry)")


@router.get("", response=list[TokenOut])
def list_tokens(request):
    return list(policy.visible(actor_of(request), ApiToken).order_by("-created_at")[:200])


@router.post("", response={201: TokenCreatedOut})
def create_token(request, payload: TokenIn):
    actor = actor_of(request)
    holder: dict[str, str] = {}

    def create():
        token, raw = services.api_token_create(actor, name=payload.name, days=payload.days)
        holder["raw"] = raw
        return token

    status, token = idempotent_create(
        request,
        "tokens.create",
        create,
        replay=lambda rid: policy.get_visible(actor, ApiToken, what="token", pk=rid),
    )
    return Status(status, TokenCreatedOut.from_orm(token).model_copy(update={"token": holder.get("raw")}))


@router.delete("/{token_id}", response=TokenOut)
def revoke_token(request, token_id: uuid.UUID):
    return services.api_token_revoke(actor_of(request), token_id=token_id)
