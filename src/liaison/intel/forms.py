from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from liaison import policy
from liaison.core.inputs import DEADLINE, PAST, BoundedDateTimeField, LineField, PeriodDateField, TextField
from liaison.geo.models import Area, Place
from liaison.intel.models import (
    Category,
    Credibility,
    ItemLink,
    Reliability,
    Status,
    Tlp,
    VerificationRequest,
)
from liaison.org.models import Force, Unit

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ItemForm(forms.Form):
    title = LineField(label=_("Title"), max_length=200)
    body = TextField(
        label=_("What was observed"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6})
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=policy.offered(Category, "view").filter(state="active")
    )
    observed_at = BoundedDateTimeField(label=_("Observed at"), widget=DT, bounds=PAST)
    reliability = forms.ChoiceField(label=_("Source reliability"), choices=Reliability.choices, initial="C")
    credibility = forms.TypedChoiceField(
        label=_("Information credibility"), choices=Credibility.choices, coerce=int, initial=3
    )
    tlp = forms.ChoiceField(label=_("Handling level"), choices=Tlp.choices, initial=Tlp.AMBER)
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
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    is_drill = forms.BooleanField(label=_("Drill"), required=False)


class ShareForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        required=False,
        queryset=policy.offered(Unit, "receive").order_by("force", "path"),
    )
    forces = forms.MultipleChoiceField(
        label=_("Whole forces"),
        required=False,
        choices=[c for c in Force.choices if c[0] != Force.FOREIGN_PARTNER],
    )

    def __init__(self, *args, actor=None, item=None, **kwargs):
        """With the actor and the item: only the units and forces the policy lets this actor share
        this item with (policy.choices "item.share"; whole forces only where "item.share_force")."""
        super().__init__(*args, **kwargs)
        if actor is None or item is None:
            return
        units = policy.choices(actor, "item.share", item)
        self.fields["units"].queryset = (
            policy.offered(Unit, "receive").filter(pk__in=[u.pk for u in units]).order_by("force", "path")
        )
        forces = {u.force for u in units} if policy.can(actor, "item.share_force", item) else set()
        self.fields["forces"].choices = [c for c in self.fields["forces"].choices if c[0] in forces]


class VerificationForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit to verify"), queryset=policy.offered(Unit, "receive"))
    due_at = BoundedDateTimeField(label=_("Deadline"), widget=DT, bounds=DEADLINE)
    question = TextField(
        label=_("Question"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    request_id = forms.UUIDField(widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("Result"), choices=VerificationRequest.Result.choices)
    reliability = forms.ChoiceField(label=_("Source reliability"), choices=Reliability.choices)
    credibility = forms.TypedChoiceField(
        label=_("Information credibility"), choices=Credibility.choices, coerce=int
    )
    note = TextField(
        label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RegradeForm(forms.Form):
    reliability = forms.ChoiceField(label=_("Source reliability"), choices=Reliability.choices)
    credibility = forms.TypedChoiceField(
        label=_("Information credibility"), choices=Credibility.choices, coerce=int
    )
    reason = TextField(label=_("Reason"), max_length=2000, required=False)


class LinkForm(forms.Form):
    other_ref = LineField(label=_("Other item reference (TIN-…)"), max_length=20)
    kind = forms.ChoiceField(label=_("Link"), choices=ItemLink.Kind.choices)


class HandlingForm(forms.Form):
    tlp = forms.ChoiceField(label=_("Handling level"), choices=Tlp.choices)
    reason = TextField(label=_("Reason (required to lower)"), max_length=2000, required=False)


class CloseForm(forms.Form):
    reason = TextField(label=_("Reason"), max_length=2000, required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class FilterForm(forms.Form):
    """The inputs of the list's filters, named as `schemas.ItemFilter`'s fields. The page parses its
    query string through that schema (one definition with the API and the selector): this form only
    draws the inputs and shows the schema's errors, and never validates on its own."""

    q = LineField(label=_("Search"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=policy.offered(Category, "view"), to_field_name="code"
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *Status.choices])
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[
            ("", "—"),
            ("province", _("Province")),
            ("district", _("District")),
            ("commune", _("Commune / post")),
        ],
    )
    tlp = forms.ChoiceField(label=_("Handling level"), required=False, choices=[("", "—"), *Tlp.choices])
    origin_force = forms.ChoiceField(
        label=_("Originating force"), required=False, choices=[("", "—"), *Force.choices]
    )
    area = forms.ModelChoiceField(
        label=_("Commune"),
        required=False,
        to_field_name="code",
        queryset=policy.offered(Area, "locate").filter(kind="commune").order_by("name"),
    )
    reliability = forms.ChoiceField(
        label=_("Reliability"), required=False, choices=[("", "—"), *Reliability.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    cursor = LineField(required=False, widget=forms.HiddenInput, max_length=200)

    def full_clean(self):
        self._errors = ErrorDict()
        self.cleaned_data = {}


class StatsForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("custom", _("Custom")),
        ],
        initial="quarter",
    )
    on = PeriodDateField(
        label=_("Date in the period (or start)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = PeriodDateField(
        label=_("End (custom)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
