"""Areas (country, province, optional district, commune) and named places (posts, gates, markers,
towns). Every position says where it came from; a position with no real source is approximate."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import BaseModel


class AreaKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class Area(BaseModel):
    """An administrative area. `code` is ours and stable (e.g. `VN-38-15013`); `official_code` is the
    code in the reference data it was loaded from (`source`)."""

    code = models.CharField(max_length=40, unique=True)
    official_code = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=10, choices=AreaKind.choices)
    name = models.CharField(max_length=150)
    country = models.CharField(max_length=2)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Communes on the border line and the gate zone (PRODUCT.md: "border area").
    is_border_area = models.BooleanField(default=False)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    position_approximate = models.BooleanField(default=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["country", "code"]
        indexes = [models.Index(fields=["kind", "country"], name="area_kind_country")]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90), name="area_lat_range"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180), name="area_lon_range"
            ),
            models.CheckConstraint(
                condition=Q(is_border_area=False) | Q(kind="commune"), name="area_border_is_commune"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    POST = "post", _("Border-guard post")
    STATION = "station", _("Border-guard station")
    GATE = "gate", _("Border gate")
    MARKER = "marker", _("Border marker")
    TOWN = "town", _("Town")


class Place(BaseModel):
    code = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=10, choices=PlaceKind.choices)
    name = models.CharField(max_length=150)
    lat = models.FloatField()
    lon = models.FloatField()
    approximate = models.BooleanField(
        default=True, help_text="No surveyed source: a demo or derived position"
    )
    source = models.CharField(max_length=200)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="places")
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="places"
    )
    # Normalised text that both databases index for search (core.text.search_fields,
    # core.search_schema): the name; the code and the area's name; stems.
    search_title = models.TextField(editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    search_stems = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["kind", "code"]
        indexes = [
            models.Index(fields=["kind", "code"], name="place_kind_code"),
            models.Index(fields=["lat", "lon"], name="place_lat_lon"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="place_lat_range"),
            models.CheckConstraint(condition=Q(lon__gte=-180, lon__lte=180), name="place_lon_range"),
        ]

    def __str__(self) -> str:
        return self.name
