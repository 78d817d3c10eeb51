"""Patrols along the border: segments of the border line, markers' condition, monthly plans, patrols
with their route and participating units, check-ins at markers and waypoints, and what a check-in
found (an information item or an incident, through their own services)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import BaseModel

DEFAULT_UNCHECKED_DAYS = 30


class Segment(BaseModel):
    """A named stretch of the border line (km from its start along the line in geo), and the post
    responsible for it. Reference data."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=150)
    post = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="patrol_segments")
    position = models.PositiveSmallIntegerField(default=0)
    start_km = models.FloatField(default=0)
    end_km = models.FloatField(default=0)
    line = models.JSONField(default=list, help_text="[[lon, lat], …] of the stretch")

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end_km__gte=F("start_km")), name="segment_km_order"),
            models.CheckConstraint(condition=~Q(name=""), name="segment_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class MarkerType(models.TextChoices):
    MAIN = "main", _("Main marker")
    AUXILIARY = "auxiliary", _("Auxiliary marker")
    REFERENCE = "reference", _("Reference post")


class Condition(models.TextChoices):
    INTACT = "intact", _("Intact")
    DAMAGED = "damaged", _("Damaged")
    MOVED = "moved", _("Moved")
    MISSING = "missing", _("Missing")


BAD_CONDITIONS = (Condition.DAMAGED, Condition.MOVED, Condition.MISSING)


class Marker(BaseModel):
    """A border marker's facts: the geo place of kind marker, its number, type and current condition."""

    place = models.OneToOneField("geo.Place", on_delete=models.PROTECT, related_name="marker")
    number = models.CharField(max_length=20, unique=True)
    marker_type = models.CharField(max_length=10, choices=MarkerType.choices, default=MarkerType.MAIN)
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="markers"
    )
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.INTACT)
    condition_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.CheckConstraint(condition=~Q(number=""), name="marker_number_not_empty")]

    def __str__(self) -> str:
        return self.number


class MarkerCondition(BaseModel):
    """The condition history of a marker: one row per observation (a check-in or an import)."""

    marker = models.ForeignKey(Marker, on_delete=models.CASCADE, related_name="history")
    condition = models.CharField(max_length=10, choices=Condition.choices)
    at = models.DateTimeField()
    source = models.CharField(max_length=20, default="checkin")  # checkin, import
    recorded_by_unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["marker", "-at"]
        indexes = [models.Index(fields=["marker", "-at"], name="marker_condition_at")]


class PostCoverage(models.Model):
    """Per post: after how many days without a check-in a marker counts as unchecked."""

    post = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="patrol_coverage")
    unchecked_days = models.PositiveSmallIntegerField(default=DEFAULT_UNCHECKED_DAYS)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(unchecked_days__gte=1, unchecked_days__lte=365), name="coverage_days_range"
            )
        ]


class PatrolPlan(BaseModel):
    """A post's monthly plan: drafted by the post, approved by its commander."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    post = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="patrol_plans")
    month = models.DateField(help_text="The first day of the month")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    note = models.TextField(max_length=2000, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "post"]
        constraints = [
            models.UniqueConstraint(fields=["post", "month"], name="patrolplan_one_per_post_month"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="patrolplan_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("drafted_by")),
                name="patrolplan_not_approved_by_drafter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.month:%m/%Y}"


class Kind(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    JOINT = "joint", _("Joint")
    BILATERAL = "bilateral", _("Bilateral")
    SPECIAL = "special", _("Special")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATUSES = (Status.DONE, Status.CANCELLED)
# Patrols the figures (the briefing, the list's `counted` filter) never count.
NOT_COUNTED = (Status.CANCELLED,)


class Patrol(BaseModel):
    ref = models.CharField(max_length=20, unique=True)
    plan = models.ForeignKey(
        PatrolPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="patrols"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    purpose = models.CharField(max_length=300, blank=True)
    lead_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="led_patrols")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    people = models.PositiveSmallIntegerField()
    # A bilateral patrol's partner unit across the border: a reference only (nothing is shared with it).
    partner_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    partner_people = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["-starts_at", "-id"], name="patrol_starts"),
            models.Index(fields=["lead_unit", "-starts_at"], name="patrol_lead_starts"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="patrol_window_order"),
            models.CheckConstraint(condition=Q(people__gte=1), name="patrol_people_positive"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="patrol_cancel_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(kind="bilateral") | Q(partner_unit__isnull=True),
                name="patrol_partner_if_bilateral",
            ),
        ]

    def __str__(self) -> str:
        return self.ref


class PatrolUnit(BaseModel):
    """A unit taking part in a patrol beside the lead unit (of any force of this node)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="patrol_participations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patrol", "unit"], name="patrolunit_unique")]
        indexes = [models.Index(fields=["unit", "patrol"], name="patrolunit_unit")]


class RouteStop(BaseModel):
    """One step of a patrol's route, in order: a segment walked or a marker visited."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="route")
    position = models.PositiveSmallIntegerField()
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    marker = models.ForeignKey(Marker, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["patrol", "position"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "position"], name="routestop_position"),
            models.CheckConstraint(
                condition=Q(segment__isnull=True, marker__isnull=False)
                | Q(segment__isnull=False, marker__isnull=True),
                name="routestop_segment_or_marker",
            ),
        ]


class CheckIn(BaseModel):
    """A check-in at a marker of the route (with its condition) or at a waypoint."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="checkins")
    marker = models.ForeignKey(
        Marker, null=True, blank=True, on_delete=models.PROTECT, related_name="checkins"
    )
    at = models.DateTimeField()
    lat = models.FloatField()
    lon = models.FloatField()
    condition = models.CharField(max_length=10, choices=Condition.choices, blank=True)
    note = models.TextField(max_length=4000, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)
    photo_size = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["patrol", "at", "id"]
        indexes = [
            models.Index(fields=["marker", "-at"], name="checkin_marker_at"),
            models.Index(fields=["patrol", "at"], name="checkin_patrol_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="checkin_lat_range"),
            models.CheckConstraint(condition=Q(lon__gte=-180, lon__lte=180), name="checkin_lon_range"),
            models.CheckConstraint(
                condition=Q(marker__isnull=True, condition="") | Q(marker__isnull=False) & ~Q(condition=""),
                name="checkin_condition_at_marker",
            ),
        ]


class Finding(BaseModel):
    """What a check-in found, become an information item or an incident through their services."""

    class As(models.TextChoices):
        ITEM = "item", _("Information item")
        INCIDENT = "incident", _("Incident")

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="findings")
    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=10, choices=As.choices)
    item = models.ForeignKey("intel.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_by_unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="item", item__isnull=False, incident__isnull=True)
                | Q(kind="incident", incident__isnull=False, item__isnull=True),
                name="finding_item_or_incident",
            )
        ]
