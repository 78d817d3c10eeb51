from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison import policy
from liaison.core.inputs import DEADLINE, BoundedDateTimeField, LineField, PeriodDateField, TextField
from liaison.incidents.models import IncidentType, Severity
from liaison.intel.models import Category, Tlp
from liaison.org.models import Unit
from liaison.patrols.models import Condition, Kind, Status

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NODE_UNITS = policy.offered(Unit, "receive").order_by("force", "path")


class PlanForm(forms.Form):
    month = PeriodDateField(label=_("Month (any day of it)"), widget=forms.DateInput(attrs={"type": "date"}))
    note = TextField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PatrolForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    purpose = LineField(label=_("Purpose"), max_length=300, required=False)
    starts_at = BoundedDateTimeField(label=_("Starts"), widget=DT, bounds=DEADLINE)
    ends_at = BoundedDateTimeField(label=_("Ends"), widget=DT, bounds=DEADLINE)
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=500)
    route = LineField(
        label=_("Route: segment codes and marker numbers in order, separated by commas"), max_length=2000
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participating units"), queryset=NODE_UNITS, required=False
    )
    partner_unit = forms.ModelChoiceField(
        label=_("Partner unit across the border (bilateral)"),
        queryset=policy.offered(Unit, "partner").order_by("code"),
        required=False,
    )
    partner_people = forms.IntegerField(
        label=_("Partner's number of people"), min_value=1, max_value=500, required=False
    )
    plan = forms.UUIDField(required=False, widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"), choices=[c for c in Status.choices if c[0] != "planned"]
    )
    reason = TextField(label=_("Reason (when cancelled)"), max_length=500, required=False)


class CheckInForm(forms.Form):
    marker = LineField(label=_("Marker number (blank: a waypoint)"), max_length=20, required=False)
    at = BoundedDateTimeField(label=_("Time"), widget=DT, bounds=DEADLINE)
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    condition = forms.ChoiceField(
        label=_("Marker condition"), choices=[("", "—"), *Condition.choices], required=False
    )
    note = TextField(
        label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(label=_("Photo (optional)"), required=False)


class FindingForm(forms.Form):
    checkin_id = forms.UUIDField(widget=forms.HiddenInput)
    as_ = forms.ChoiceField(
        label=_("Report as"), choices=[("item", _("Information item")), ("incident", _("Incident"))]
    )
    title = LineField(label=_("Title"), max_length=200)
    body = TextField(
        label=_("Description"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    category = forms.ModelChoiceField(
        label=_("Category (item)"),
        queryset=policy.offered(Category, "view").filter(state="active"),
        required=False,
        to_field_name="code",
    )
    incident_type = forms.ModelChoiceField(
        label=_("Type (incident)"),
        queryset=policy.offered(IncidentType, "view").filter(is_active=True),
        required=False,
        to_field_name="code",
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—"), *Severity.choices], required=False)
    tlp = forms.ChoiceField(label=_("Handling level"), choices=Tlp.choices, initial=Tlp.AMBER)


class CoverageForm(forms.Form):
    post = forms.ModelChoiceField(label=_("Post"), queryset=NODE_UNITS)
    days = forms.IntegerField(label=_("Unchecked after (days)"), min_value=1, max_value=365)


class MarkerImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file: number,lat,lon,type"))
    source = LineField(label=_("Source of the positions"), max_length=150, required=False)
