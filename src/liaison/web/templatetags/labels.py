"""Words, not codes, in the pages.

`{{ code|label:"kind" }}`: the translated label of a stored code, for rows read as values.
`{{ row|named:"category" }}`: a reference record's name in the reader's language, from a `.values()`
row holding `category__name_vi`, `…_en` and `…_lo`.
`{{ codes|labels:"force" }}`: a list of codes as their labels, joined by commas.
"""

from django import template

from liaison.core.text import in_language

register = template.Library()


def _choices():
    from liaison.incidents.models import AreaKind, Participant, PersonRole, ResponsePlan, Severity, Task
    from liaison.incidents.models import Status as IncidentStatus
    from liaison.intel.models import ItemLink, Status, Tlp, VerificationRequest
    from liaison.org.models import Force, Level, Role, UnitKind
    from liaison.patrols.models import Condition as MarkerCondition

    return {
        "item_status": Status,
        "level": Level,
        "force": Force,
        "role": Role,
        "person_role": PersonRole,
        "link_kind": ItemLink.Kind,
        "incident_status": IncidentStatus,
        "severity": Severity,
        "tlp": Tlp,
        "task_state": Task.State,
        "participant_role": Participant.Role,
        "area_kind": AreaKind,
        "plan_state": ResponsePlan.State,
        "verification_result": VerificationRequest.Result,
        "unit_kind": UnitKind,
        "marker_condition": MarkerCondition,
    }


def _responsible(code):
    """Who a plan step names: the lead unit, the supporting units, or a force."""
    from django.utils.translation import gettext_lazy as _

    from liaison.org.models import Force

    named = {"lead": _("the lead unit"), "supporting": _("the supporting units")}
    if code in named:
        return named[code]
    try:
        return Force(code).label
    except ValueError:
        return code


def label_of(code, kind):
    if kind == "responsible":
        return _responsible(code)
    choices = _choices().get(kind)
    if choices is None or code in (None, ""):
        return code
    try:
        return choices(code).label
    except ValueError:
        return code


@register.filter
def label(code, kind):
    return label_of(code, kind)


@register.filter
def labels(codes, kind):
    return ", ".join(str(label_of(c, kind)) for c in (codes or []))


@register.filter
def named(row, prefix):
    get = row.get if isinstance(row, dict) else lambda k, d="": getattr(row, k, d)
    return in_language(
        get(f"{prefix}__name_vi", ""), get(f"{prefix}__name_en", ""), get(f"{prefix}__name_lo", "")
    )
