"""Risk zones (flash-flood and landslide areas) drawn by administrators on the map."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.models import BaseModel


class RiskZone(BaseModel):
    class Kind(models.TextChoices):
        FLASH_FLOOD = "flash_flood", _("Flash flood")
        LANDSLIDE = "landslide", _("Landslide")

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A GeoJSON Polygon (WGS84), validated with shapely; the bounding box is kept in columns so
    # bounding-box filters run in SQL.
    geometry = models.JSONField()
    min_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lat = models.FloatField()
    max_lon = models.FloatField()
    note = models.CharField(max_length=300, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
