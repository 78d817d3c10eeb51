from __future__ import annotations

from django.contrib import admin

from liaison.geo import services
from liaison.geo.models import Area, Place
from liaison.web.admin_site import PolicyAdmin, site


@admin.register(Area, site=site)
class AreaAdmin(PolicyAdmin):
    """Areas come from the reference packages (`liaison geo import`): read-only here."""

    list_display = ("code", "name", "kind", "country", "is_border_area", "source")
    list_filter = ("kind", "country", "is_border_area")
    search_fields = ("code", "name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Place, site=site)
class PlaceAdmin(PolicyAdmin):
    list_display = ("code", "name", "kind", "lat", "lon", "approximate", "source")
    list_filter = ("kind", "approximate")
    search_fields = ("code", "name")
    fields = ("code", "kind", "name", "lat", "lon", "approximate", "source", "area", "unit")
    autocomplete_fields = ("area", "unit")  # searchable pickers, not raw ids

    def save_model(self, request, obj, form, change):
        saved = services.place_upsert(
            self._actor(request),
            code=obj.code,
            kind=obj.kind,
            name=obj.name,
            lat=obj.lat,
            lon=obj.lon,
            source=obj.source,
            approximate=obj.approximate,
            area=obj.area,
            unit=obj.unit,
        )
        obj.pk = saved.pk
