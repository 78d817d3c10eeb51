from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.audit.verbs import Verb, verb_label


class AuditFilterForm(forms.Form):
    verb = forms.TypedChoiceField(
        label=_("Action"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=lambda: [("", "—")] + [(v.value, verb_label(v.value)) for v in Verb],
    )
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=60)
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    since = forms.DateTimeField(label=_("From"), required=False)
    until = forms.DateTimeField(label=_("Until"), required=False)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
