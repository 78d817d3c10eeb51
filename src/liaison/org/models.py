"""Forces, units (a tree of any depth), users and their memberships (unit + role)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import BaseModel


class Force(models.TextChoices):
    POLICE = "police", _("Police")
    BORDER_GUARD = "border_guard", _("Border guard")
    MILITARY = "military", _("Military")
    CUSTOMS = "customs", _("Customs")
    GOVERNMENT = "government", _("Government")
    FOREIGN_PARTNER = "foreign_partner", _("Foreign partner")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune / post")


class UnitKind(models.TextChoices):
    PROVINCE_COMMAND = "province_command", _("Province command")
    PROVINCE_DEPARTMENT = "province_department", _("Province department or centre")
    PROVINCE_COMMITTEE = "province_committee", _("Province people's committee")
    DISTRICT = "district", _("District or regional unit")
    CUSTOMS_BRANCH = "customs_branch", _("Customs branch")
    COMMUNE_POLICE = "commune_police", _("Commune police")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune people's committee")
    BORDER_POST = "border_post", _("Border-guard post")
    STATION = "station", _("Station")
    INTERDISCIPLINARY_TEAM = "interdisciplinary_team", _("Interdisciplinary team")


# The level of a unit follows from its kind, never from its depth in the tree (two-level local
# government since 2025: depth says nothing about level).
KIND_LEVEL: dict[str, str] = {
    UnitKind.PROVINCE_COMMAND: Level.PROVINCE,
    UnitKind.PROVINCE_DEPARTMENT: Level.PROVINCE,
    UnitKind.PROVINCE_COMMITTEE: Level.PROVINCE,
    UnitKind.DISTRICT: Level.DISTRICT,
    UnitKind.CUSTOMS_BRANCH: Level.DISTRICT,
    UnitKind.COMMUNE_POLICE: Level.COMMUNE,
    UnitKind.COMMUNE_COMMITTEE: Level.COMMUNE,
    UnitKind.BORDER_POST: Level.COMMUNE,
    UnitKind.STATION: Level.COMMUNE,
    UnitKind.INTERDISCIPLINARY_TEAM: Level.COMMUNE,
}


def _kind_level_constraint() -> Q:
    q = Q()
    for level in Level.values:
        kinds = [k for k, lv in KIND_LEVEL.items() if lv == level]
        q |= Q(kind__in=kinds, level=level)
    return q


class Role(models.TextChoices):
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    ANALYST = "analyst", _("Analyst")
    COMMANDER = "commander", _("Commander")
    LIAISON_OFFICER = "liaison_officer", _("Liaison officer")
    ADMINISTRATOR = "administrator", _("Administrator")
    AUDITOR = "auditor", _("Auditor")
    # The standing office of the provincial coordination mechanism: node-wide counts for the joint
    # briefing, no drill-down, and no record through its unit (not an operational role).
    SECRETARIAT = "secretariat", _("Coordination secretariat")


# Roles that must sign in with a second factor (PRODUCT.md, "Accounts").
TWO_FACTOR_ROLES = frozenset({Role.COMMANDER, Role.ADMINISTRATOR, Role.LIAISON_OFFICER, Role.AUDITOR})
# Roles whose grant needs the confirmation of a second administrator (a commander of the unit may
# confirm the other roles).
PRIVILEGED_ROLES = frozenset({Role.COMMANDER, Role.ADMINISTRATOR})


class Unit(BaseModel):
    """A unit of one force. `path` lists the ids from the root to the unit itself, so that a subtree
    is a prefix match that both databases index."""

    code = models.SlugField(max_length=40, unique=True, help_text="Short human reference, e.g. BP-DON-NA-MEO")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80, blank=True)
    force = models.CharField(max_length=20, choices=Force.choices)
    kind = models.CharField(max_length=30, choices=UnitKind.choices)
    level = models.CharField(max_length=10, choices=Level.choices, editable=False)
    country = models.CharField(max_length=2, default="VN")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=1200, editable=False, db_index=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    area = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["force", "country"], name="unit_force_country"),
        ]
        constraints = [
            models.CheckConstraint(condition=_kind_level_constraint(), name="unit_level_follows_kind"),
            models.CheckConstraint(condition=~Q(name=""), name="unit_name_not_empty"),
            models.CheckConstraint(condition=Q(country__regex=r"^[A-Z]{2}$"), name="unit_country_iso2"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @staticmethod
    def path_segment(unit_id: uuid.UUID) -> str:
        return unit_id.hex + "/"


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    full_name = models.CharField(max_length=150, blank=True)
    # The administrator who made the account (none: the system). Nobody confirms a membership of an
    # account they made, and an account a person makes has no password until its owner activates it.
    created_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.username


class ActivationCode(BaseModel):
    """The one-time code with which the owner of a new account chooses its password (and enrols its
    second factor). It is given to the second person who confirms the account's first membership,
    never to the administrator who made the account, and only its SHA-256 digest is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_codes")
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="org_activation_user")]


class Membership(BaseModel):
    """A user's role in a unit. A user acts for one membership at a time (the active unit)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # PROTECT: a confirmed membership keeps its confirmer (see `membership_confirmed_by_a_second_person`).
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=~Q(status="revoked"),
                name="membership_unique_live",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("granted_by")),
                name="membership_second_approver",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("user")),
                name="membership_not_confirmed_by_grantee",
            ),
            # What a person granted is active only with a confirmer; only the system (granted_by
            # empty: CLI, demo loader) grants at once.
            models.CheckConstraint(
                condition=~Q(status="active") | Q(granted_by__isnull=True) | Q(approved_by__isnull=False),
                name="membership_confirmed_by_a_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


def units_below(code: str):
    """The unit with this code and every unit below it: a scope of a filter (a briefing's post, a
    list's `lead_within`), never a visibility decision (that is policy's)."""
    path = Unit.objects.filter(code=code).values_list("path", flat=True).first()
    return Unit.objects.filter(path__startswith=path) if path else Unit.objects.none()
