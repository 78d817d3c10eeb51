"""The append-only, hash-chained audit log.

Each event carries the keyed hash of the one before; database triggers refuse UPDATE and DELETE
(and TRUNCATE on PostgreSQL). The chain head is one row, locked last in the writing transaction;
triggers let it only move forward.
"""

from __future__ import annotations

from django.db import models

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(max_length=150, blank=True)
    unit_id = models.UUIDField(null=True, blank=True)
    unit_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, blank=True)
    via = models.CharField(max_length=10, blank=True)
    verb = models.PositiveSmallIntegerField(db_index=True)
    verb_name = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_ref = models.CharField(max_length=120, blank=True)
    # Field names that changed and keyed hashes of their values, never the values themselves.
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb_name} {self.object_type}:{self.object_ref or self.object_id}"


class AuditHead(models.Model):
    """The chain head: the last sequence number and hash. One row, id 1, created by migration."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
