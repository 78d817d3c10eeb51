from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison import policy
from liaison.core.inputs import DEADLINE, BoundedDateTimeField, LineField, TextField
from liaison.geo.models import Area, Place
from liaison.incidents.models import AreaKind, IncidentType, PersonRole, Severity, Status, Task
from liaison.intel.models import Tlp
from liaison.org.models import Force, Unit

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NODE_UNITS = policy.offered(Unit, "receive").order_by("force", "path")


class IncidentForm(forms.Form):
    incident_type = forms.ModelChoiceField(
        label=_("Type"), queryset=policy.offered(IncidentType, "view").filter(is_active=True)
    )
    title = LineField(label=_("Title"), max_length=200)
    description = TextField(
        label=_("Description"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    severity = forms.ChoiceField(
        label=_("Severity (blank: the type's default)"),
        required=False,
        choices=[("", "—"), *Severity.choices],
    )
    area = forms.ModelChoiceField(
        label=_("Commune"),
        required=False,
        queryset=policy.offered(Area, "locate").filter(kind="commune").order_by("name"),
    )
    place = forms.ModelChoiceField(
        label=_("Post, gate or marker"),
        required=False,
        queryset=policy.offered(Place, "view").exclude(kind="town").order_by("kind", "name"),
    )
    tlp = forms.ChoiceField(label=_("Handling level"), choices=Tlp.choices, initial=Tlp.AMBER)
    is_drill = forms.BooleanField(label=_("This is a drill"), required=False)
    item_ref = LineField(label=_("From information item (TIN-…)"), required=False, max_length=20)


class TransitionForm(forms.Form):
    """`offered`: the statuses the policy lets this reader move this incident to (`policy.choices`);
    the form offers those only, and says which need a reason or a target."""

    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    reason = TextField(
        label=_("Reason (needed to close, cancel, merge or reopen)"), max_length=2000, required=False
    )
    merge_into = LineField(label=_("Merge into (VV-…)"), max_length=20, required=False)

    def __init__(self, *args, offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offered is not None:
            self.fields["status"].choices = [(s, Status(s).label) for s in offered]
            if Status.MERGED not in offered:
                del self.fields["merge_into"]


class HandoverForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("New lead unit"), queryset=NODE_UNITS)
    reason = TextField(label=_("Reason"), max_length=2000)


class TaskForm(forms.Form):
    title = LineField(label=_("Task"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=NODE_UNITS)
    due_at = BoundedDateTimeField(label=_("Due"), widget=DT, bounds=DEADLINE)


class TaskUpdateForm(forms.Form):
    task_id = forms.UUIDField(widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("State"), choices=Task.State.choices)
    result = TextField(label=_("Result"), max_length=4000, required=False)


class OutcomeForm(forms.Form):
    arrested = forms.IntegerField(label=_("Arrested"), min_value=0, max_value=100_000, initial=0)
    detained = forms.IntegerField(label=_("Detained"), min_value=0, max_value=100_000, initial=0)
    rescued = forms.IntegerField(label=_("Rescued"), min_value=0, max_value=100_000, initial=0)
    evacuated = forms.IntegerField(label=_("Evacuated"), min_value=0, max_value=100_000, initial=0)
    deaths = forms.IntegerField(label=_("Deaths"), min_value=0, max_value=100_000, initial=0)
    injured = forms.IntegerField(label=_("Injured"), min_value=0, max_value=100_000, initial=0)
    seizures = TextField(
        label=_(
            "Seizures, one per line: kind quantity [note] "
            "(heroin_g, meth_pills, meth_g, guns, explosives_kg, detonators, goods_vnd…)"
        ),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PersonRole.choices)
    label = LineField(label=_("Label (not a name)"), max_length=60)
    full_name = LineField(label=_("Full name"), max_length=120, required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2100, required=False)
    id_number = LineField(label=_("ID number"), max_length=20, required=False)


class NameUnitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit that may see protected persons"), queryset=NODE_UNITS)


class PlanForm(forms.Form):
    incident_type = forms.ModelChoiceField(label=_("Type"), queryset=policy.offered(IncidentType, "view"))
    title = LineField(label=_("Title"), max_length=200)
    steps = TextField(
        label=_(
            "Steps, one per line: title | responsible (lead, supporting or a force) | minutes | notify,…"
        ),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class LeadRuleForm(forms.Form):
    incident_type = forms.ModelChoiceField(
        label=_("Type (blank: any)"), required=False, queryset=policy.offered(IncidentType, "view")
    )
    area_kind = forms.ChoiceField(
        label=_("Area (blank: any)"), required=False, choices=[("", "—"), *AreaKind.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity (blank: any)"), required=False, choices=[("", "—"), *Severity.choices]
    )
    lead_force = forms.ChoiceField(
        label=_("Lead force"), choices=[c for c in Force.choices if c[0] != "foreign_partner"]
    )
    supporting_forces = forms.MultipleChoiceField(
        label=_("Supporting forces"),
        required=False,
        choices=[c for c in Force.choices if c[0] != "foreign_partner"],
    )
