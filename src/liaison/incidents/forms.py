from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison import policy
from liaison.core.inputs import DEADLINE, BoundedDateTimeField, LineField, TextField
from liaison.geo.models import Area, Place
from liaison.incidents.models import (
    SEIZURE_ROW_OF_KIND,
    SEIZURE_UNITS,
    AreaKind,
    IncidentType,
    PersonRole,
    SeizedGoods,
    SeizureUnit,
    Severity,
    Status,
    Task,
)
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


class SeizureRowForm(forms.Form):
    """One seized thing: what, how much, in which unit (a blank row is skipped)."""

    goods = forms.ChoiceField(label=_("Seized"), required=False, choices=[("", "—"), *SeizedGoods.choices])
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, min_value=0, max_value=10**12, decimal_places=3
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False, choices=[("", "—"), *SeizureUnit.choices])
    note = LineField(label=_("Note"), required=False, max_length=200)

    def clean(self):
        d = super().clean()
        goods, qty, unit = d.get("goods"), d.get("quantity"), d.get("unit")
        if not goods and qty is None and not unit:
            return d  # a blank row
        if not goods:
            self.add_error("goods", _("Say what was seized."))
        if qty is None or qty <= 0:
            self.add_error("quantity", _("A quantity above zero."))
        if goods and not unit:
            self.add_error("unit", _("Choose the unit."))
        elif goods and (goods, unit) not in SEIZURE_UNITS:
            allowed = ", ".join(str(SeizureUnit(u).label) for g, u in SEIZURE_UNITS if g == goods)
            self.add_error("unit", _("For this, use: %(units)s.") % {"units": allowed})
        return d

    def seizure(self):
        """(stored kind, quantity in the kind's unit, note), or None for a blank row."""
        d = self.cleaned_data
        if not d.get("goods"):
            return None
        kind, factor = SEIZURE_UNITS[(d["goods"], d["unit"])]
        return (kind, d["quantity"] * Decimal(str(factor)), d.get("note") or "")


SeizureRows = forms.formset_factory(SeizureRowForm, extra=3, max_num=30, validate_max=True)


def seizure_rows_initial(seizures) -> list[dict]:
    """The recorded seizures as the form's rows (so that saving the outcome again keeps them)."""
    rows = []
    for s in seizures:
        goods, unit = SEIZURE_ROW_OF_KIND.get(s.kind, ("", ""))
        rows.append({"goods": goods, "quantity": s.quantity.normalize(), "unit": unit, "note": s.note})
    return rows


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
    title_en = LineField(label=_("Title in English"), max_length=200, required=False)
    title_lo = LineField(label=_("Title in Lao"), max_length=200, required=False)
    steps = TextField(
        label=_(
            "Steps, one per line: title | responsible (lead, supporting or a force) | minutes | notify,…"
            " | title in English | title in Lao"
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
