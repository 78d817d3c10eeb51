"""Field reporting's own data (issue 19): the phone numbers officers send SMS reports from, and the
SMS gateways allowed to call Liaison. Reports themselves are information items (intel.Item)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from liaison.core.models import BaseModel

E164 = r"^\+[1-9][0-9]{6,14}$"


class OfficerPhone(BaseModel):
    """A member's work phone number, normalised to E.164 (`+84912345678`): an SMS report is
    accepted only from a registered number, and acts for that member. An officer's work number is
    not a protected person's identity; it is still read only by the SMS service (no page lists it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_phone"
    )
    number = models.CharField(max_length=16, unique=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(number__regex=E164), name="officerphone_e164")]


class SmsGateway(BaseModel):
    """An SMS gateway (a Kannel box) allowed to deliver messages: its token is 256 random bits,
    stored as SHA-256 like API tokens."""

    name = models.CharField(max_length=80)
    token_sha256 = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
