from __future__ import annotations

import json

from django import forms
from django.contrib import admin

from liaison.core.errors import DomainError
from liaison.situation import services
from liaison.situation.models import RiskZone
from liaison.web.admin_site import PolicyAdmin, site


class RiskZoneForm(forms.ModelForm):
    """Edit a risk zone's name, kind, note or polygon (GeoJSON); saved through the service."""

    class Meta:
        model = RiskZone
        fields = ("name", "kind", "geometry", "note")

    def clean(self):
        data = super().clean()
        errs, _bounds = services._validate(
            data.get("name") or "", data.get("kind") or "", data.get("geometry"), data.get("note") or ""
        )
        for e in errs:
            if e.field in self.fields and e.field not in self.errors:
                self.add_error(e.field, e.message)
        return data


@admin.register(RiskZone, site=site)
class RiskZoneAdmin(PolicyAdmin):
    form = RiskZoneForm
    list_display = ("name", "kind", "note", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        zone = RiskZone.objects.get(pk=obj.pk) if change else None
        geometry = obj.geometry if isinstance(obj.geometry, dict) else json.loads(obj.geometry)
        try:
            saved = services.risk_zone_save(
                self._actor(request),
                zone=zone,
                name=obj.name,
                kind=obj.kind,
                geometry=geometry,
                note=obj.note,
            )
        except DomainError:  # validated by the form already; a race is the only way here
            raise
        obj.pk = saved.pk
