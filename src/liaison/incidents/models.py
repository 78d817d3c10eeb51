"""Incidents run by their response plans: types, plans (versioned), lead-force rules, lifecycle,
tasks, escalation, outcomes, the people involved (protected ones encrypted), drills."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import BaseModel
from liaison.core.text import in_language
from liaison.intel.models import Tlp
from liaison.org.models import Force


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class AreaKind(models.TextChoices):
    BORDER = "border", _("Border area")
    GATE = "gate", _("Border gate zone")
    INLAND = "inland", _("Inland")


class IncidentType(BaseModel):
    code = models.SlugField(max_length=40, unique=True)
    name_vi = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    name_lo = models.CharField(max_length=120, blank=True)
    default_severity = models.CharField(max_length=10, choices=Severity.choices)
    # Armed or defence situations: the military leads (PRODUCT.md, "Incidents").
    is_armed = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return in_language(self.name_vi, self.name_en, self.name_lo)


class SeverityRule(models.Model):
    """How long an incident of a severity may wait for acknowledgement before it escalates."""

    severity = models.CharField(max_length=10, choices=Severity.choices, unique=True)
    ack_minutes = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.severity}: {self.ack_minutes} min"


class LeadRule(models.Model):
    """(type, area kind, severity) -> lead force and supporting forces. Blank = any; the most
    specific matching rule wins (type, then area kind, then severity)."""

    incident_type = models.ForeignKey(
        IncidentType, null=True, blank=True, on_delete=models.CASCADE, related_name="lead_rules"
    )
    area_kind = models.CharField(max_length=10, choices=AreaKind.choices, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    lead_force = models.CharField(max_length=20, choices=Force.choices)
    supporting_forces = models.JSONField(default=list)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident_type", "area_kind", "severity"], name="leadrule_unique"
            ),
            models.UniqueConstraint(
                fields=["area_kind", "severity"],
                condition=Q(incident_type__isnull=True),
                name="leadrule_unique_any_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_type or '*'} / {self.area_kind or '*'} / {self.severity or '*'} -> {self.lead_force}"

    @property
    def specificity(self) -> int:
        return (
            (4 if self.incident_type_id else 0) + (2 if self.area_kind else 0) + (1 if self.severity else 0)
        )


class ResponsePlan(BaseModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    incident_type = models.ForeignKey(IncidentType, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField()
    # The title in Vietnamese (the plan's own language) and its translations, shown in the reader's.
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    title_lo = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident_type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["incident_type", "version"], name="plan_type_version"),
            models.UniqueConstraint(
                fields=["incident_type"], condition=Q(state="approved"), name="plan_one_approved_per_type"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def label(self) -> str:
        return in_language(self.title, self.title_en, self.title_lo)


class PlanStep(models.Model):
    """`responsible` is "lead", "supporting" or a force code; deadline relative to opening."""

    plan = models.ForeignKey(ResponsePlan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    title_lo = models.CharField(max_length=200, blank=True)
    responsible = models.CharField(max_length=20)
    deadline_minutes = models.PositiveIntegerField()
    notify = models.JSONField(default=list, help_text='"lead", "supporting" or force codes')

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "position"], name="step_position")]

    @property
    def label(self) -> str:
        return in_language(self.title, self.title_en, self.title_lo)


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESPONDING = "responding", _("Responding")
    CONTAINED = "contained", _("Contained")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    MERGED = "merged", _("Merged into another")


FINAL_STATUSES = {Status.CLOSED, Status.CANCELLED, Status.MERGED}

# The lifecycle: from each status, the statuses it may move to (services/lifecycle.py moves; the
# policy says who may make each move).
TRANSITIONS: dict[str, set[str]] = {
    Status.REPORTED: {Status.ACKNOWLEDGED, Status.CANCELLED, Status.MERGED},
    Status.ACKNOWLEDGED: {Status.RESPONDING, Status.CANCELLED, Status.MERGED},
    Status.RESPONDING: {Status.CONTAINED, Status.CANCELLED, Status.MERGED},
    Status.CONTAINED: {Status.RESOLVED, Status.RESPONDING, Status.MERGED},
    Status.RESOLVED: {Status.CLOSED, Status.RESPONDING},
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
    Status.MERGED: set(),
}
ORDER = [
    Status.REPORTED,
    Status.ACKNOWLEDGED,
    Status.RESPONDING,
    Status.CONTAINED,
    Status.RESOLVED,
    Status.CLOSED,
]
# Closing, cancelling and merging (and reopening, see `is_reopening`) need a reason.
NEEDS_REASON = {Status.CLOSED, Status.CANCELLED, Status.MERGED}


def is_reopening(status: str, to: str) -> bool:
    return status in (Status.CONTAINED, Status.RESOLVED) and to == Status.RESPONDING


class Incident(BaseModel):
    ref = models.CharField(max_length=20, unique=True)
    incident_type = models.ForeignKey(IncidentType, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=20_000, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REPORTED)
    tlp = models.CharField(max_length=12, choices=Tlp.choices, default=Tlp.AMBER)
    is_drill = models.BooleanField(default=False)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    area = models.ForeignKey("geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey("geo.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    area_kind = models.CharField(max_length=10, choices=AreaKind.choices)
    lead_force = models.CharField(max_length=20, choices=Force.choices)
    lead_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="led_incidents")
    plan = models.ForeignKey(
        ResponsePlan, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_by_unit = models.ForeignKey("org.Unit", null=True, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    ack_due_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalation_enqueued_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    items = models.ManyToManyField("intel.Item", blank=True, related_name="incidents")
    version = models.PositiveIntegerField(default=1)
    # Normalised text that both databases index for search (core.text.search_fields,
    # core.search_schema): the title; reference, description, type, place and area names; stems.
    search_title = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    search_stems = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-opened_at"], name="incident_status_opened"),
            # The board: open incidents newest first (a tenth of them once years have closed).
            models.Index(
                fields=["-opened_at", "-id"],
                name="incident_open_opened",
                condition=~Q(status__in=["closed", "cancelled", "merged"]),
            ),
            models.Index(
                fields=["ack_due_at"], name="incident_ack_due", condition=Q(acknowledged_at__isnull=True)
            ),
            models.Index(fields=["lat", "lon"], name="incident_lat_lon"),
            # The briefing's incident figures: opened in a period, whatever the status.
            models.Index(
                fields=["opened_at"],
                name="incident_opened",
                include=[
                    "id",
                    "is_drill",
                    "status",
                    "tlp",
                    "lead_unit",
                    "lead_force",
                    "severity",
                    "incident_type",
                    "area",
                    "opened_by_unit",
                    "ack_due_at",
                    "acknowledged_at",
                ],
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="incident_title_not_empty"),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False) | ~Q(status="merged"),
                name="incident_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Participant(models.Model):
    """A unit involved in an incident and how: lead, supporting, notified, escalated to, or named by
    the lead unit to see protected persons."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        SUPPORTING = "supporting", _("Supporting")
        NOTIFIED = "notified", _("Notified")
        ESCALATED = "escalated", _("Escalated to")
        NAMED = "named", _("Named by the lead (sees protected persons)")

    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="participants")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="incident_roles")
    role = models.CharField(max_length=12, choices=Role.choices)
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "unit", "role"], name="participant_unique")
        ]
        indexes = [models.Index(fields=["unit", "incident"], name="participant_unit_incident")]


class Task(BaseModel):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(PlanStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="incident_tasks")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_tasks",
    )
    due_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    result = models.TextField(max_length=4000, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["unit", "state", "due_at"], name="task_unit_state_due"),
            models.Index(
                fields=["due_at"], name="task_due_open", condition=Q(state__in=["open", "in_progress"])
            ),
        ]

    @property
    def label(self) -> str:
        """A task made from a plan step reads as the step in the reader's language (load `step`
        with the task); a task added by hand reads as written."""
        return self.step.label if self.step_id and self.step else self.title


class TimelineEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["incident", "id"]


class Outcome(models.Model):
    """Structured results that feed the briefings."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="outcome")
    arrested = models.PositiveIntegerField(default=0)
    detained = models.PositiveIntegerField(default=0)
    rescued = models.PositiveIntegerField(default=0)
    evacuated = models.PositiveIntegerField(default=0)
    deaths = models.PositiveIntegerField(default=0)
    injured = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()


class SeizureKind(models.TextChoices):
    HEROIN_G = "heroin_g", _("Heroin (grams)")
    OTHER_DRUGS_G = "other_drugs_g", _("Other drugs (grams)")
    METH_PILLS = "meth_pills", _("Methamphetamine (pills)")
    METH_G = "meth_g", _("Methamphetamine (grams)")
    GUNS = "guns", _("Guns (pieces)")
    AMMUNITION = "ammunition", _("Ammunition (rounds)")
    BLADES = "blades", _("Knives and blades (pieces)")
    EXPLOSIVES_KG = "explosives_kg", _("Explosives (kg)")
    DETONATORS = "detonators", _("Detonators (pieces)")
    GOODS_VND = "goods_vnd", _("Goods (value in VND)")


class SeizedGoods(models.TextChoices):
    """What the outcome form asks first: the substance or object, then its unit (`SEIZURE_UNITS`)."""

    HEROIN = "heroin", _("Heroin")
    OTHER_DRUGS = "other_drugs", _("Other drugs")
    METH = "meth", _("Methamphetamine")
    GUNS = "guns", _("Guns")
    AMMUNITION = "ammunition", _("Ammunition")
    BLADES = "blades", _("Knives and blades")
    EXPLOSIVES = "explosives", _("Explosives")
    DETONATORS = "detonators", _("Detonators")
    GOODS = "goods", _("Smuggled goods")


class SeizureUnit(models.TextChoices):
    GRAMS = "g", _("grams")
    KILOGRAMS = "kg", _("kilograms")
    PILLS = "pills", _("pills")
    PIECES = "pieces", _("pieces")
    ROUNDS = "rounds", _("rounds")
    VND = "vnd", _("VND (value)")


# (goods, unit) -> (stored kind, factor to the kind's unit)
SEIZURE_UNITS: dict[tuple[str, str], tuple[str, int | float]] = {
    ("heroin", "g"): (SeizureKind.HEROIN_G, 1),
    ("heroin", "kg"): (SeizureKind.HEROIN_G, 1000),
    ("other_drugs", "g"): (SeizureKind.OTHER_DRUGS_G, 1),
    ("other_drugs", "kg"): (SeizureKind.OTHER_DRUGS_G, 1000),
    ("meth", "pills"): (SeizureKind.METH_PILLS, 1),
    ("meth", "g"): (SeizureKind.METH_G, 1),
    ("meth", "kg"): (SeizureKind.METH_G, 1000),
    ("guns", "pieces"): (SeizureKind.GUNS, 1),
    ("ammunition", "rounds"): (SeizureKind.AMMUNITION, 1),
    ("blades", "pieces"): (SeizureKind.BLADES, 1),
    ("explosives", "kg"): (SeizureKind.EXPLOSIVES_KG, 1),
    ("explosives", "g"): (SeizureKind.EXPLOSIVES_KG, 0.001),
    ("detonators", "pieces"): (SeizureKind.DETONATORS, 1),
    ("goods", "vnd"): (SeizureKind.GOODS_VND, 1),
}
# stored kind -> (goods, unit) as the form shows it again
SEIZURE_ROW_OF_KIND = {kind: key for key, (kind, factor) in SEIZURE_UNITS.items() if factor == 1}


class Seizure(models.Model):
    id = models.BigAutoField(primary_key=True)
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="seizures")
    kind = models.CharField(max_length=16, choices=SeizureKind.choices)
    quantity = models.DecimalField(max_digits=18, decimal_places=3)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="seizure_positive")]


class PersonRole(models.TextChoices):
    SUSPECT = "suspect", _("Suspect")
    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")
    INFORMANT = "informant", _("Informant")


PROTECTED_ROLES = {PersonRole.VICTIM, PersonRole.INFORMANT}


class Person(BaseModel):
    """A person in an incident: a role, a non-identifying label, and the minimum identity the case
    needs, encrypted at rest (core.crypto). No fields for ethnicity, religion or political opinion;
    never searchable, exported, counted or fed."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=10, choices=PersonRole.choices)
    label = models.CharField(max_length=60, help_text="Non-identifying, e.g. 'Nạn nhân 1'")
    identity_sealed = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["incident", "created_at"]
