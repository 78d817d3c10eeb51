"""The programs' forms: a new program from a default, one commune's month on one form, a return."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from liaison import policy
from liaison.core.inputs import LineField, PeriodDateField, TextField
from liaison.org.models import Unit
from liaison.programs.models import IndicatorKind, ProgramTemplate

DATE = forms.DateInput(attrs={"type": "date"})


class TemplateChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name_in(get_language())


class ProgramEditForm(forms.Form):
    """A program's names, description, months and communes (its template stays what it was)."""

    name_vi = LineField(max_length=200, label=_("Name (Vietnamese)"))
    name_en = LineField(max_length=200, required=False, label=_("Name (English)"))
    name_lo = LineField(max_length=200, required=False, label=_("Name (Lao)"))
    description = TextField(
        max_length=5000, required=False, label=_("Description"), widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = PeriodDateField(widget=DATE, label=_("First month"))
    ends_on = PeriodDateField(widget=DATE, label=_("Last month"))
    units = forms.ModelMultipleChoiceField(
        queryset=policy.offered(Unit, "report").filter(area__isnull=False).order_by("name"),
        label=_("Reporting units of the participating communes"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class ProgramForm(ProgramEditForm):
    """A new program: the same fields, started from a default (template); no description yet."""

    template = TemplateChoice(
        queryset=policy.offered(ProgramTemplate, "view").filter(is_active=True), label=_("Start from")
    )
    description = None
    field_order = ["template", "name_vi", "name_en", "name_lo", "starts_on", "ends_on", "units"]


class ReturnForm(forms.Form):
    reason = TextField(max_length=5000, label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


YES_NO = [("", "—"), ("yes", _("yes")), ("no", _("no"))]


def field_name(ind) -> str:
    return f"v_{ind.code}"


class EntryForm(forms.Form):
    """One commune's month: every indicator of the program on one form."""

    note = TextField(
        max_length=5000, required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, indicators=(), communes=(), months=(), correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        lang = get_language()
        self.indicators = list(indicators)
        self.fields["commune"] = forms.ChoiceField(choices=list(communes), label=_("Commune"))
        self.fields["month"] = forms.ChoiceField(choices=list(months), label=_("Month"))
        for ind in self.indicators:
            label = ind.name_in(lang) + (f" ({ind.unit})" if ind.unit else "")
            if ind.kind == IndicatorKind.COUNT:
                field = forms.IntegerField(min_value=0, max_value=999_999_999, required=False, label=label)
            elif ind.kind == IndicatorKind.AMOUNT:
                field = forms.DecimalField(
                    min_value=0, max_digits=14, decimal_places=2, required=False, label=label
                )
            elif ind.kind == IndicatorKind.CRITERION:
                field = forms.ChoiceField(choices=YES_NO, required=False, label=label)
            else:
                lang2 = (lang or "vi")[:2]
                choices = [("", "—")] + [(c["code"], c.get(lang2) or c.get("vi")) for c in ind.choices or []]
                field = forms.ChoiceField(choices=choices, required=False, label=label)
            field.widget.attrs["inputmode"] = "decimal" if ind.kind == IndicatorKind.AMOUNT else "numeric"
            self.fields[field_name(ind)] = field
        if correcting:
            self.fields["reason"] = TextField(
                max_length=5000,
                label=_("Reason for the correction"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        order = ["commune", "month", *[field_name(i) for i in self.indicators], "note"]
        self.order_fields(order + (["reason"] if correcting else []))

    def values(self) -> list[tuple[str, object]]:
        out = []
        for ind in self.indicators:
            v = self.cleaned_data.get(field_name(ind))
            if v in (None, ""):
                continue
            out.append((ind.code, v))
        return out
