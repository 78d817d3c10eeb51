"""The forms of field reporting's administration pages: an officer's SMS number, an SMS gateway,
and an incident made public as a CAP 1.2 alert (the same services as the API)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.core.inputs import LineField, TextField
from liaison.field.cap import CATEGORIES, CERTAINTIES, URGENCIES


class PhoneForm(forms.Form):
    username = LineField(label=_("Member (user name)"), max_length=150)
    number = LineField(label=_("Work phone number"), max_length=32)


class GatewayForm(forms.Form):
    name = LineField(label=_("Gateway name"), max_length=80)


class PublishForm(forms.Form):
    reason = TextField(label=_("Why this incident is made public"), max_length=500)
    category = forms.ChoiceField(
        label=_("CAP category"), choices=[(c, c) for c in CATEGORIES], initial="Safety"
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=[(c, c) for c in URGENCIES], initial="Immediate")
    certainty = forms.ChoiceField(
        label=_("Certainty"), choices=[(c, c) for c in CERTAINTIES], initial="Observed"
    )
    vi_event = LineField(label=_("Event (Vietnamese)"), max_length=120)
    vi_headline = LineField(label=_("Headline (Vietnamese)"), max_length=160)
    vi_description = TextField(label=_("Description (Vietnamese)"), max_length=2000, required=False)
    vi_instruction = TextField(label=_("What people should do (Vietnamese)"), max_length=1000, required=False)
    lo_event = LineField(label=_("Event (Lao)"), max_length=120)
    lo_headline = LineField(label=_("Headline (Lao)"), max_length=160)
    lo_description = TextField(label=_("Description (Lao)"), max_length=2000, required=False)
    lo_instruction = TextField(label=_("What people should do (Lao)"), max_length=1000, required=False)
    en_event = LineField(label=_("Event (English, optional)"), max_length=120, required=False)
    en_headline = LineField(label=_("Headline (English, optional)"), max_length=160, required=False)
    en_description = TextField(label=_("Description (English, optional)"), max_length=2000, required=False)
    en_instruction = TextField(
        label=_("What people should do (English, optional)"), max_length=1000, required=False
    )

    def texts(self) -> dict:
        d = self.cleaned_data
        out = {}
        for lang in ("vi", "lo", "en"):
            t = {k: d[f"{lang}_{k}"] or "" for k in ("event", "headline", "description", "instruction")}
            if lang != "en" or t["event"] or t["headline"]:
                out[lang] = t
        return out


class WithdrawForm(forms.Form):
    reason = TextField(label=_("Why the alert is withdrawn"), max_length=500)
