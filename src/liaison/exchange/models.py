"""Cross-border exchange (issue 20): peers, releases, signed envelopes in and out, partner items.

Each node is sovereign: what one releases travels to the other as an envelope (RFC 8785 canonical
JSON signed with the node's Ed25519 key). An envelope out is a row of `OutEnvelope` (the outbox,
numbered per peer); an envelope in is a row of `InEnvelope`, keyed by the envelope's own id, stored
in the same transaction as the records it creates: exactly once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import BaseModel


class Peer(BaseModel):
    """A partner node, registered by an administrator after checking its key's fingerprint out of
    band. `unit` is the partner's unit (a reference on this node) that owns what arrives from it."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    name = models.SlugField(max_length=60, unique=True)
    country = models.CharField(max_length=2)
    base_url = models.URLField(max_length=300, blank=True)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The last sequence number given to an envelope for this peer (locked to take the next).
    out_seq = models.PositiveBigIntegerField(default=0)
    # Received envelopes are applied in sequence: the highest applied without a gap.
    in_applied = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="peer_country")]

    def __str__(self) -> str:
        return self.name


class PeerKey(BaseModel):
    """One public key of a peer. A rotation ends the old key's validity after an overlap; a
    revocation ends it at once. An envelope is accepted under a key valid when it is received."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="keys")
    public_key = models.CharField(max_length=64)  # raw 32 bytes, base64
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the raw key, hex
    valid_until = models.DateTimeField(null=True, blank=True)  # null: the current key
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["peer", "fingerprint"], name="peerkey_unique")]


class Release(BaseModel):
    """An item proposed for release to a peer. The payload is frozen when proposed: the preview,
    the approval and the envelope all carry these exact bytes."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        SENT = "sent", _("Released")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ref = models.CharField(max_length=20, unique=True)
    # What is released: an information item, or an incident's summary (exactly one of the two).
    item = models.ForeignKey(
        "intel.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="releases"
    )
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="releases"
    )
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="releases")
    # The partner's units (their codes) the release is addressed to.
    to_units = models.JSONField(default=list)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_by_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # What the partner's signed receipts say.
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "peer"], name="release_item_peer"),
            models.UniqueConstraint(fields=["incident", "peer"], name="release_incident_peer"),
            models.CheckConstraint(
                condition=Q(item__isnull=False, incident__isnull=True)
                | Q(item__isnull=True, incident__isnull=False),
                name="release_item_or_incident",
            ),
        ]

    @property
    def subject(self):
        """The item or the incident released."""
        return self.item if self.item_id else self.incident

    @property
    def is_incident(self) -> bool:
        return self.incident_id is not None


class OutEnvelope(BaseModel):
    """The outbox: one signed envelope for one peer, numbered per peer; pushed by the worker with
    backoff, pulled by the peer, or exported to a file."""

    class Kind(models.TextChoices):
        RELEASE = "release", _("Release")
        UPDATE = "update", _("Update")
        RECEIPT = "receipt", _("Receipt")
        CHECKPOINT = "checkpoint", _("Audit checkpoint")

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="outbox")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    wire = models.TextField()  # the signed envelope as sent: {"envelope": {...}, "sig": "..."}
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["peer", "seq"]
        constraints = [models.UniqueConstraint(fields=["peer", "seq"], name="outenvelope_peer_seq")]
        indexes = [models.Index(fields=["delivered_at", "next_attempt_at"], name="outenvelope_due")]


class InEnvelope(models.Model):
    """A received envelope, stored once (its id is the key) with the records it creates. Applied in
    sequence: one that arrived ahead of a gap waits (applied_at null) until the gap fills."""

    id = models.UUIDField(primary_key=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="inbox")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=12)
    wire = models.TextField()
    received_at = models.DateTimeField()
    via = models.CharField(max_length=10)  # push | pull | file
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["peer", "seq"]
        constraints = [models.UniqueConstraint(fields=["peer", "seq"], name="inenvelope_peer_seq")]


class PartnerItem(BaseModel):
    """An item released to this node by a partner: owned by the partner's unit, in its original
    language, visible to the units it was released to. A translation sits beside the original."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn by the partner")

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="items")
    release_id = models.UUIDField()  # the sender's release (unique per peer)
    owner_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(max_length=40)  # the sender's reference
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20_000)
    language = models.CharField(max_length=5)
    category = models.CharField(max_length=120, blank=True)
    tlp = models.CharField(max_length=12)
    reliability = models.CharField(max_length=1, blank=True)
    credibility = models.PositiveSmallIntegerField(null=True, blank=True)
    area_code = models.CharField(max_length=40, blank=True)
    area_name = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    observed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    translated_title = models.CharField(max_length=200, blank=True)
    translated_body = models.TextField(max_length=20_000, blank=True)
    translation_language = models.CharField(max_length=5, blank=True)
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "release_id"], name="partneritem_peer_release")
        ]

    @property
    def tlp_label(self) -> str:
        from liaison.intel.models import Tlp

        return str(Tlp(self.tlp).label) if self.tlp in Tlp.values else self.tlp


class PartnerItemUnit(models.Model):
    """A unit of this node the partner released the item to."""

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(PartnerItem, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "unit"], name="partneritemunit_unique")]


class PartnerIncident(BaseModel):
    """An incident summary released to this node by a partner: its type, severity, status, dates,
    place (the commune where the handling level asks it) and outcome totals, never a person.
    Owned by the partner's unit, visible to the units it was released to; later envelopes update
    its status, severity, outcome and handling level, or withdraw it, in sequence."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn by the partner")

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="incidents")
    release_id = models.UUIDField()  # the sender's release (unique per peer)
    owner_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(max_length=40)  # the sender's reference
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=5)
    type_code = models.CharField(max_length=40, blank=True)
    type_names = models.JSONField(default=dict)  # {"vi": ..., "en": ..., "lo": ...}
    severity = models.CharField(max_length=10)
    status = models.CharField(max_length=12)
    tlp = models.CharField(max_length=12)
    area_code = models.CharField(max_length=40, blank=True)
    area_name = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict)  # totals: {"arrested": 2, ..., "seizures": {kind: qty}}
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "release_id"], name="partnerincident_peer_release")
        ]

    @property
    def tlp_label(self) -> str:
        from liaison.intel.models import Tlp

        return str(Tlp(self.tlp).label) if self.tlp in Tlp.values else self.tlp


class PartnerIncidentUnit(models.Model):
    """A unit of this node the partner released the incident summary to."""

    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(PartnerIncident, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "unit"], name="partnerincidentunit_unique")
        ]


class WitnessedCheckpoint(models.Model):
    """A peer's signed audit checkpoint, kept here as its witness (verified on arrival)."""

    id = models.BigAutoField(primary_key=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="witnessed")
    n = models.PositiveBigIntegerField()
    line = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["peer", "n"]
        constraints = [models.UniqueConstraint(fields=["peer", "n"], name="witnessed_peer_n")]
