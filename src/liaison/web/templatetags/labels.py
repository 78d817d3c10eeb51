"""`{{ code|label:"kind" }}`: the translated label of a stored code, for rows read as values."""

from django import template

register = template.Library()


def _choices():
    from liaison.incidents.models import PersonRole, Severity
    from liaison.incidents.models import Status as IncidentStatus
    from liaison.intel.models import ItemLink, Status
    from liaison.org.models import Force, Level, Role

    return {
        "item_status": Status,
        "level": Level,
        "force": Force,
        "role": Role,
        "person_role": PersonRole,
        "link_kind": ItemLink.Kind,
        "incident_status": IncidentStatus,
        "severity": Severity,
    }


@register.filter
def label(code, kind):
    choices = _choices().get(kind)
    if choices is None or code in (None, ""):
        return code
    try:
        return choices(code).label
    except ValueError:
        return code
