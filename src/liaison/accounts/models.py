"""Per-user API tokens for machine clients: 256 random bits, stored as SHA-256, expiring, revocable.

A token acts for one of its user's memberships (unit + role), so the audit log knows the unit."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from liaison.core.models import BaseModel


class ApiToken(BaseModel):
    user = models.ForeignKey("org.User", on_delete=models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey("org.Membership", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token")
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="apitoken_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
