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


class Tip(BaseModel):
    """A villager's tip (the public tip line, web or SMS): it becomes an unverified information item
    (graded F6, AMBER) of the duty unit of its commune (the commune police), which alone sees it.
    The sender's number is kept only with their consent, encrypted like a protected person's
    identity (`core.crypto`), and shown only to that unit. `code` is the short code the sender is
    told, to cite in a later tip (`refers_to`)."""

    class Channel(models.TextChoices):
        WEB = "web", "web"
        SMS = "sms", "SMS"

    code = models.CharField(max_length=12, unique=True)
    channel = models.CharField(max_length=3, choices=Channel.choices)
    commune = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="field_tips")
    item = models.OneToOneField("intel.Item", on_delete=models.PROTECT, related_name="field_tip")
    refers_to = models.CharField(max_length=12, blank=True)
    # {"number": "+84…"} sealed with the person key; empty without consent.
    sender_sealed = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "-created_at"], name="tip_unit_created")]


class RateWindow(models.Model):
    """A rate-limit counter: one row per (key, window start), counted with a conditional UPDATE, so
    the limit holds across processes and on both databases. The key is an HMAC of the address or
    the number, never the address itself."""

    id = models.BigAutoField(primary_key=True)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratewindow_unique")]


class CapMessage(BaseModel):
    """A CAP 1.2 message about an incident its lead unit marked public (a flash flood, a landslide,
    a missing person): `Alert` when first published, `Update` when republished, `Cancel` when
    withdrawn. Only the texts the lead unit wrote for the public (vi, lo, en) are published, never
    the incident's own description, people or restricted fields. Public: no sign-in."""

    class MsgType(models.TextChoices):
        ALERT = "Alert", "Alert"
        UPDATE = "Update", "Update"
        CANCEL = "Cancel", "Cancel"

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="cap_messages")
    sequence = models.PositiveIntegerField()
    msg_type = models.CharField(max_length=6, choices=MsgType.choices)
    sent_at = models.DateTimeField()
    category = models.CharField(max_length=10)
    urgency = models.CharField(max_length=10)
    certainty = models.CharField(max_length=10)
    # {"vi": {"event", "headline", "description", "instruction"}, "lo": {...}, "en": {...}}
    texts = models.JSONField(default=dict)
    area_desc = models.CharField(max_length=200)
    circle = models.CharField(max_length=60, blank=True)
    reason = models.CharField(max_length=500)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "sequence"], name="capmessage_seq")]
        indexes = [models.Index(fields=["-sent_at"], name="capmessage_sent")]
