"""Programs: campaigns run by the border communes (weapons hand-in, drug-free communes, flash-flood
resettlement), each with indicators, targets per commune and in total, and monthly entries reported
by each participating commune and approved or returned by the owner unit.

A participating commune is a commune (`geo.Area`) and the commune-level unit that reports for it in
this program (its police or its people's committee): need to know goes through that unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import BaseModel


class IndicatorKind(models.TextChoices):
    COUNT = "count", _("Count")
    AMOUNT = "amount", _("Amount (with its unit)")
    CRITERION = "criterion", _("Yes/no criterion")
    STATUS = "status", _("Status from a list")


class Named(models.Model):
    """A name in the three languages of the node (Vietnamese first)."""

    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    name_lo = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name_vi

    def name_in(self, language: str | None) -> str:
        lang = (language or "vi")[:2]
        return getattr(self, f"name_{lang}", "") or self.name_vi


class IndicatorSpec(Named):
    """What an indicator is: shared by a template's indicators and a program's."""

    code = models.SlugField(max_length=40)
    kind = models.CharField(max_length=10, choices=IndicatorKind.choices)
    # The unit of an amount ("kg", "rounds"); empty for the other kinds.
    unit = models.CharField(max_length=20, blank=True)
    # A status indicator's list: [{"code": "...", "vi": "...", "en": "...", "lo": "..."}, ...] in
    # order, the last one the goal.
    choices = models.JSONField(default=list, blank=True)
    group = models.CharField(max_length=80, blank=True)
    # A count or an amount handed in or done in the month is summed over the months; a standing
    # figure (households at risk) takes its latest value. Criteria and statuses take their latest.
    summed = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        abstract = True


class ProgramTemplate(BaseModel, Named):
    """A default program (created by a migration, editable by administrators): a program starts
    from one and copies its indicators."""

    code = models.SlugField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]


class TemplateIndicator(BaseModel, IndicatorSpec):
    template = models.ForeignKey(ProgramTemplate, on_delete=models.CASCADE, related_name="indicators")

    class Meta:
        ordering = ["template", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="template_indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in IndicatorKind]), name="template_indicator_kind"
            ),
        ]


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Program(BaseModel, Named):
    """A campaign over a period of whole months (`starts_on` and `ends_on` are first days of months)."""

    ref = models.CharField(max_length=20, unique=True)
    template = models.ForeignKey(
        ProgramTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="programs"
    )
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    owner_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT)
    # Empty: the system (a migration, the demo loader).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "ref"]
        indexes = [models.Index(fields=["owner_unit", "status"], name="program_owner_status")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="program_period"),
            models.CheckConstraint(condition=~Q(name_vi=""), name="program_name_not_empty"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ProgramStatus]), name="program_status_valid"
            ),
        ]


class Indicator(BaseModel, IndicatorSpec):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="indicators")

    class Meta:
        ordering = ["program", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in IndicatorKind]), name="indicator_kind"
            ),
        ]


class Participation(BaseModel):
    """A commune taking part in a program, and the commune-level unit that reports for it."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participations")
    commune = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["program", "commune__name"]
        indexes = [models.Index(fields=["unit"], name="participation_unit")]
        constraints = [
            models.UniqueConstraint(fields=["program", "commune"], name="participation_unique_commune"),
        ]


class Target(BaseModel):
    """A target for one indicator: for one commune, or in total (`participation` empty). A count or
    an amount has a number; a criterion is met (`number` 1); a status names the goal in `choice`."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    participation = models.ForeignKey(
        Participation, null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    choice = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "participation"],
                condition=Q(participation__isnull=False),
                name="target_unique_commune",
            ),
            models.UniqueConstraint(
                fields=["indicator"], condition=Q(participation__isnull=True), name="target_unique_total"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0), name="target_not_negative"
            ),
        ]


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Entry(BaseModel):
    """One commune's report for one month. A correction after approval is a new version (with its
    reason); the old one is kept, no longer current. One current version per commune and month."""

    ref = models.CharField(max_length=20, unique=True)
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="entries")
    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="entries")
    month = models.DateField()
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    status = models.CharField(max_length=10, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED)
    note = models.TextField(blank=True)
    correction_reason = models.TextField(blank=True)
    return_reason = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program", "month", "participation", "-version"]
        indexes = [
            models.Index(fields=["program", "status", "month"], name="entry_program_status_month"),
            models.Index(fields=["participation", "month"], name="entry_participation_month"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "month"],
                condition=Q(is_current=True),
                name="entry_one_current_per_month",
            ),
            models.UniqueConstraint(
                fields=["participation", "month", "version"], name="entry_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(correction_reason=""), name="entry_correction_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="entry_return_has_reason"
            ),
        ]


class EntryValue(BaseModel):
    """One indicator's value in an entry: a number (count, amount, criterion 0/1) or a status."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    choice = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "indicator"], name="entry_value_unique"),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=0), name="entry_value_not_negative"
            ),
        ]


class MissingNotice(BaseModel):
    """That a commune's missing month was notified (once: the worker's job is idempotent)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="notices")
    month = models.DateField()
    notified_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participation", "month"], name="missing_notice_once"),
        ]
