"""The shared kernel's data: the base model every record inherits, and idempotency records."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class BaseModel(models.Model):
    """UUID primary key (federation needs global ids) and creation/update times (UTC)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """One `Idempotency-Key` as used by one user on one route, with the hash of its payload.

    A retry with the same key and payload returns the stored result; the same key with another
    payload is refused (422); a key still in flight answers 409.
    """

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight"
        DONE = "done"

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    route = models.CharField(max_length=100)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FLIGHT)
    status_code = models.PositiveSmallIntegerField(null=True)
    result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "route", "key"], name="idempotency_unique_key"),
        ]


class WorkerHeartbeat(models.Model):
    """A running worker says it is alive every `WORKER_HEARTBEAT_SECONDS`. A job whose worker has
    not beaten for `WORKER_DEAD_AFTER_SECONDS` (or has no row: it stopped) is taken back at once,
    whatever its age; a live worker's long job is never taken from it."""

    worker_id = models.CharField(max_length=100, primary_key=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()


class RefCounter(models.Model):
    """Per-prefix, per-year counters for human references (TIN-2026-000123, VV-2026-000045)."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="refcounter_unique")]


class Event(models.Model):
    """Something that happened, for feeds and notifications (not the audit log)."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=40)
    at = models.DateTimeField()
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_ref = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="event_object")]


class EventAudience(models.Model):
    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="audience")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "-event"], name="audience_unit_event")]
        constraints = [models.UniqueConstraint(fields=["event", "unit"], name="audience_unique")]
