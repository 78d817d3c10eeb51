"""The append-only, hash-chained audit log.

An event is appended by the request's transaction unlinked: its row id, its content and the keyed
hash of that content (`content_hash`), no chain position, no link (decision 0018). One chainer (the
worker's, or `liaison audit link`) later gives it the next position in the chain (`seq`), the hash
of the event before it (`prev_hash`) and its chain hash (`hash`). Database triggers refuse DELETE
(and TRUNCATE on PostgreSQL) and every UPDATE but that one: linking an unlinked event, its content
unchanged. The chain head is one row, moved only by the chainer; triggers let it only move forward.
"""

from __future__ import annotations

from django.db import models

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    # The order events were appended in (taken at insert, before commit: not the chain's order).
    id = models.BigAutoField(primary_key=True)
    # The chain position, given by the chainer in the order it saw events committed; None = unlinked.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
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
    # Keyed hash of the content and the row id, written at insert ('' for events chained before 0018).
    content_hash = models.CharField(max_length=64, blank=True, default="")
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # What the chainer reads every pass: small, since events leave it within a second.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unlinked"),
        ]

    def __str__(self) -> str:
        where = f"#{self.seq}" if self.seq is not None else f"(unlinked, id {self.id})"
        return f"{where} {self.verb_name} {self.object_type}:{self.object_ref or self.object_id}"

    @property
    def linked(self) -> bool:
        return self.seq is not None


class AuditHead(models.Model):
    """The chain head: the last sequence number and hash. One row, id 1, created by migration."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
