"""Information items (tin) exchanged between forces: graded, shared, verified, linked, counted."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import BaseModel
from liaison.core.text import in_language
from liaison.org.models import Force, Level


class Tlp(models.TextChoices):
    """Traffic Light Protocol 2.0. A level only limits sharing; it never grants access."""

    RED = "red", "TLP:RED"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"
    AMBER = "amber", "TLP:AMBER"
    GREEN = "green", "TLP:GREEN"
    CLEAR = "clear", "TLP:CLEAR"


# From most to least restrictive: a higher rank restricts more.
TLP_RANK = {Tlp.CLEAR: 0, Tlp.GREEN: 1, Tlp.AMBER: 2, Tlp.AMBER_STRICT: 3, Tlp.RED: 4}


class Reliability(models.TextChoices):
    """Admiralty grading: reliability of the source."""

    A = "A", _("A – completely reliable")
    B = "B", _("B – usually reliable")
    C = "C", _("C – fairly reliable")
    D = "D", _("D – not usually reliable")
    E = "E", _("E – unreliable")
    F = "F", _("F – reliability cannot be judged")


class Credibility(models.IntegerChoices):
    """Admiralty grading: credibility of the information."""

    CONFIRMED = 1, _("1 – confirmed by other sources")
    PROBABLY_TRUE = 2, _("2 – probably true")
    POSSIBLY_TRUE = 3, _("3 – possibly true")
    DOUBTFUL = 4, _("4 – doubtful")
    IMPROBABLE = 5, _("5 – improbable")
    CANNOT_JUDGE = 6, _("6 – truth cannot be judged")


class Status(models.TextChoices):
    NEW = "new", _("New")
    UNDER_VERIFICATION = "under_verification", _("Under verification")
    VERIFIED = "verified", _("Verified")
    REFUTED = "refuted", _("Refuted")
    CLOSED = "closed", _("Closed")


class Category(BaseModel):
    """The taxonomy (editable by administrators; a change needs a second administrator)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(max_length=40, unique=True)
    name_vi = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    name_lo = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return in_language(self.name_vi, self.name_en, self.name_lo)

    def label(self, lang: str) -> str:
        return {"en": self.name_en, "lo": self.name_lo or self.name_en}.get(lang, self.name_vi)


class Item(BaseModel):
    ref = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20_000)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    # Place: a point and/or an area, post or marker.
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey("geo.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    observed_at = models.DateTimeField()
    received_at = models.DateTimeField()
    origin_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="originated_items")
    origin_officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The originator's grading; the analyst's re-grading is kept separately (with history).
    reliability = models.CharField(max_length=1, choices=Reliability.choices)
    credibility = models.PositiveSmallIntegerField(choices=Credibility.choices)
    analyst_reliability = models.CharField(max_length=1, choices=Reliability.choices, blank=True)
    analyst_credibility = models.PositiveSmallIntegerField(choices=Credibility.choices, null=True, blank=True)
    tlp = models.CharField(max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    level = models.CharField(max_length=10, choices=Level.choices, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    is_drill = models.BooleanField(default=False)
    # When the item was first shared to a unit of another force: the period it counts in.
    exchanged_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # Normalised text (core.text.search_fields) that both databases index for full-text search
    # (core.search_schema): the title, the rest (reference, body, category and place names), stems.
    search_title = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    search_stems = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # Lists walk these newest first; the INCLUDE columns (PostgreSQL) let the walk test the
            # handling level, drills and the originator from the index alone (decision 0005).
            models.Index(
                fields=["-received_at", "-id"],
                name="item_received_desc",
                include=["tlp", "is_drill", "origin_unit", "category"],
            ),
            models.Index(fields=["origin_unit", "-received_at"], name="item_origin_received", include=["id"]),
            # Covering (PostgreSQL): the period statistics read visibility and every breakdown
            # from the index alone, without visiting the wide item rows.
            models.Index(
                fields=["exchanged_at"],
                name="item_exchanged",
                # Every column the briefing's and the statistics' exchange figures read, with the
                # key and the area: the quarter's items are counted from the index alone.
                include=["id", "origin_unit", "tlp", "is_drill", "level", "status", "category", "area"],
            ),
            models.Index(
                fields=["category", "-received_at"],
                name="item_category_received",
                include=["id", "tlp", "is_drill", "origin_unit"],
            ),
            models.Index(fields=["lat", "lon"], name="item_lat_lon"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="item_title_not_empty"),
            models.CheckConstraint(
                condition=Q(credibility__gte=1, credibility__lte=6), name="item_credibility_range"
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="item_lat"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180), name="item_lon"
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True) | Q(lat__isnull=False, lon__isnull=False),
                name="item_point_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


def exchanged_in(qs, since, until):
    """The one definition of "exchanged in the period" (PRODUCT.md, Statistics), for the item list,
    the exchange statistics and the briefing: first shared to a unit of another force (the stored
    `exchanged_at`) in [since, until); drills never count."""
    qs = qs.filter(is_drill=False)
    if since is not None:
        qs = qs.filter(exchanged_at__gte=since)
    if until is not None:
        qs = qs.filter(exchanged_at__lt=until)
    return qs


class ItemShare(models.Model):
    """One act of sharing: to a unit, or to a whole force (expanded to its units' receipts)."""

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="shares")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    force = models.CharField(max_length=20, choices=Force.choices, blank=True)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_by_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(force="")) | (Q(unit__isnull=True) & ~Q(force="")),
                name="share_unit_xor_force",
            ),
        ]


class ItemReceipt(models.Model):
    """A recipient unit: delivered when shared, then read and acknowledged (who, when)."""

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="item_receipts")
    share = models.ForeignKey(ItemShare, on_delete=models.PROTECT, related_name="receipts")
    delivered_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "unit"], name="receipt_unique")]
        indexes = [
            models.Index(fields=["unit", "acknowledged_at"], name="receipt_unit_ack"),
            models.Index(fields=["unit", "item"], name="receipt_unit_item"),
            # The inbox: a unit's unacknowledged receipts, newest first (issue 15).
            models.Index(
                fields=["unit", "-delivered_at"],
                name="receipt_unit_waiting",
                condition=models.Q(acknowledged_at__isnull=True),
                include=["item"],
            ),
            # The briefing's timeliness scorecard: the receipts delivered in a period.
            models.Index(
                fields=["delivered_at"],
                name="receipt_delivered",
                include=["item", "unit", "acknowledged_at"],
            ),
        ]


class VerificationRequest(BaseModel):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CANCELLED = "cancelled", _("Cancelled")

    class Result(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        REFUTED = "refuted", _("Refuted")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="verifications")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="verification_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    question = models.TextField(max_length=2000, blank=True)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    result = models.CharField(max_length=12, choices=Result.choices, blank=True)
    reliability = models.CharField(max_length=1, choices=Reliability.choices, blank=True)
    credibility = models.PositiveSmallIntegerField(choices=Credibility.choices, null=True, blank=True)
    note = models.TextField(max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["unit", "state", "due_at"], name="verif_unit_state_due")]


class ItemLink(models.Model):
    class Kind(models.TextChoices):
        SAME_EVENT = "same_event", _("Describes the same event")
        RELATED = "related", _("Related")

    id = models.BigAutoField(primary_key=True)
    a = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_a")
    b = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links_b")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )  # null: the system
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="link_unique_pair"),
            models.CheckConstraint(condition=Q(a__lt=models.F("b")), name="link_ordered_pair"),
        ]


class ItemRevision(models.Model):
    """The readable history of an item (under the item's policy; the audit log holds only hashes)."""

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    changes = models.JSONField(default=dict)  # field -> [old, new]
    reason = models.TextField(max_length=2000, blank=True)
    # null: done by the system (imports, the demo loader)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    by_unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["item", "id"]


class Grading(models.Model):
    """Every grading of an item: the originator's and each analyst re-grading, with history."""

    class Kind(models.TextChoices):
        ORIGINATOR = "originator", _("Originator")
        ANALYST = "analyst", _("Analyst")
        VERIFICATION = "verification", _("Verification")

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="gradings")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reliability = models.CharField(max_length=1, choices=Reliability.choices)
    credibility = models.PositiveSmallIntegerField(choices=Credibility.choices)
    reason = models.TextField(max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["item", "id"]


class Attachment(BaseModel):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_by_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]


# --- the item's history in words (one sentence per action; tests/pages/test_sentences.py fails on
# an action written by the services without its sentence here) ---------------------------------

HISTORY_SENTENCES = {
    "amended": _("Amended."),
    "shared": _("Shared with %(units)s."),
    "verification_requested": _("Verification requested from %(unit)s."),
    "verification_answered": _("Verification answered: %(result)s."),
    "regraded": _("Re-graded by an analyst: %(grading)s."),
    "linked": _("Linked to information item %(item)s (%(kind)s)."),
    "handling": _("Handling level changed from %(old)s to %(new)s."),
    "closed": _("Closed."),
}
HISTORY_FIELDS = {
    "title": _("Title"),
    "body": _("Text"),
    "category": _("Category"),
    "lat": _("Latitude"),
    "lon": _("Longitude"),
    "area": _("Commune"),
    "place": _("Place"),
    "observed_at": _("Observed"),
    "status": _("Status"),
    "tlp": _("Handling level"),
}


def _choice_label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return "" if code is None else str(code)


def describe_revision(action: str, changes: dict, unit_names: dict) -> tuple[str, list[tuple[str, str]]]:
    """A history entry as a sentence in the reader's language, and the fields it changed as
    (label, "old → new") pairs with codes shown as their labels."""
    c = changes or {}

    def names(codes) -> str:
        return ", ".join(unit_names.get(code, code) for code in (codes or []) if code) or "—"

    def pair(key):
        v = c.get(key) or [None, None]
        return (v + [None, None])[:2] if isinstance(v, list) else [None, v]

    values = {
        "units": names(c.get("new_recipients") or c.get("units")),
        "unit": names([pair("verification_requested")[1]]),
        "result": _choice_label(VerificationRequest.Result, pair("verification")[1]),
        "grading": f"{pair('analyst_reliability')[1] or ''}{pair('analyst_credibility')[1] or ''}",
        "item": pair("link")[1] or "—",
        "kind": _choice_label(ItemLink.Kind, c.get("kind")),
        "old": _choice_label(Tlp, pair("tlp")[0]),
        "new": _choice_label(Tlp, pair("tlp")[1]),
    }
    sentence = HISTORY_SENTENCES.get(action)
    text = str(sentence) % values if sentence is not None else action
    details = []
    for key, label in HISTORY_FIELDS.items():
        if key not in c or (key == "tlp" and action == "handling"):
            continue
        old, new = pair(key)
        if key == "status":
            old, new = _choice_label(Status, old), _choice_label(Status, new)
        elif key == "tlp":
            old, new = _choice_label(Tlp, old), _choice_label(Tlp, new)
        details.append((str(label), f"{old or '—'} → {new or '—'}"))
    return text, details


VERIFICATION_BUCKETS = ("requested", "in_time", "overdue")


# An item delivered to a unit is acknowledged in time within this many hours (items carry no
# deadline of their own; decision 0015): the briefing's scorecard and the item list's filter.
ACK_HOURS = 24


def receipt_q(acknowledged: str | None, since, until) -> Q:
    """Receipts delivered in [since, until): all, acknowledged ("yes"), or acknowledged within
    ACK_HOURS of delivery ("in_time"). The scorecard and the item list's `delivered_to` share it."""
    q = Q()
    if since is not None:
        q &= Q(delivered_at__gte=since)
    if until is not None:
        q &= Q(delivered_at__lt=until)
    if acknowledged == "yes":
        q &= Q(acknowledged_at__isnull=False)
    elif acknowledged == "in_time":
        q &= Q(acknowledged_at__lte=models.F("delivered_at") + dt.timedelta(hours=ACK_HOURS))
    return q


def verification_q(bucket: str, since, until, now) -> Q:
    """Verification requests of a bucket, asked in [since, until) (the briefing's verification
    figures and the item list's `verification` filter share it):
    requested: every request not cancelled; in_time: answered by its deadline; overdue: answered
    after its deadline, or still open past it at `now`."""
    q = ~Q(state=VerificationRequest.State.CANCELLED)
    if since is not None:
        q &= Q(created_at__gte=since)
    if until is not None:
        q &= Q(created_at__lt=until)
    answered = Q(state=VerificationRequest.State.ANSWERED)
    if bucket == "in_time":
        q &= answered & Q(answered_at__lte=models.F("due_at"))
    elif bucket == "overdue":
        q &= (answered & Q(answered_at__gt=models.F("due_at"))) | Q(
            state=VerificationRequest.State.OPEN, due_at__lt=now
        )
    elif bucket != "requested":
        return Q(pk__in=[])
    return q
