"""Outcomes (counts and seizures) and the people in an incident (identities sealed)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, crypto
from liaison.core.errors import FieldError, Invalid
from liaison.core.transactions import durable
from liaison.incidents import events as timeline
from liaison.incidents.models import Incident, Outcome, Person, PersonRole, Seizure, SeizureKind
from liaison.org.actor import Actor

COUNTS = ("arrested", "detained", "rescued", "evacuated", "deaths", "injured")
# The minimum identity a case needs. Deliberately no ethnicity, religion or political opinion.
IDENTITY_FIELDS = {"full_name": 120, "birth_year": 4, "id_number": 20, "address": 200, "contact": 60}


def outcome_record(
    actor: Actor, *, incident: Incident, seizures: list[tuple[str, object, str]] = (), **counts
) -> Outcome:
    """Replace the incident's outcome with these counts and seizures."""
    errs = []
    for k in counts:
        if k not in COUNTS:
            errs.append(FieldError(k, "unknown_field", "Not an outcome field."))
    for k in COUNTS:
        v = counts.get(k, 0)
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 100_000:
            errs.append(FieldError(k, "out_of_range", "A whole number from 0 to 100,000."))
    clean = []
    for i, (kind, qty, note) in enumerate(seizures):
        if kind not in SeizureKind.values:
            errs.append(FieldError(f"seizures.{i}.kind", "invalid_choice", "Unknown seizure kind."))
        try:
            q = Decimal(str(qty))
            if not q.is_finite() or q <= 0 or q > Decimal("1e12"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errs.append(FieldError(f"seizures.{i}.quantity", "out_of_range", "A positive quantity."))
            continue
        if len(note or "") > 200:
            errs.append(FieldError(f"seizures.{i}.note", "too_long", "At most 200 characters."))
        clean.append((kind, q, note or ""))
    if errs:
        raise Invalid(errs)
    policy.require(actor, "incident.manage", incident)
    with durable():
        out, _ = Outcome.objects.get_or_create(incident=incident, defaults={"updated_at": clock.now()})
        for k in COUNTS:
            setattr(out, k, counts.get(k, 0))
        out.updated_at = clock.now()
        out.save()
        out.seizures.all().delete()
        Seizure.objects.bulk_create([Seizure(outcome=out, kind=k, quantity=q, note=n) for k, q, n in clean])
        timeline.outcome_recorded(incident, actor)
        audit.record(
            actor,
            Verb.INCIDENT_OUTCOME_RECORDED,
            incident,
            changes={**{k: counts.get(k, 0) for k in COUNTS}, "seizures": [[k, str(q)] for k, q, _ in clean]},
        )
    return out


def person_add(
    actor: Actor, *, incident: Incident, role: str, label: str, identity: dict | None = None
) -> Person:
    """Add a person with a role, a non-identifying label and the minimum identity (sealed). The
    audit log records that a person was added, never who."""
    identity = {k: v for k, v in (identity or {}).items() if v not in (None, "")}
    errs = []
    if role not in PersonRole.values:
        errs.append(FieldError("role", "invalid_choice", "suspect, victim, witness or informant."))
    if not (label or "").strip() or len(label) > 60:
        errs.append(FieldError("label", "invalid", "A short label such as 'Nạn nhân 1' (1–60 characters)."))
    for k, v in identity.items():
        if k not in IDENTITY_FIELDS:
            errs.append(
                FieldError(f"identity.{k}", "unknown_field", "Not a field Liaison keeps about people.")
            )
        elif len(str(v)) > IDENTITY_FIELDS[k]:
            errs.append(FieldError(f"identity.{k}", "too_long", f"At most {IDENTITY_FIELDS[k]} characters."))
    if errs:
        raise Invalid(errs)
    policy.require(actor, "incident.add_person", incident)
    with durable():
        p = Person.objects.create(
            incident=incident,
            role=role,
            label=label.strip(),
            identity_sealed=crypto.seal(identity) if identity else "",
            added_by=actor.user,
        )
        timeline.person_added(incident, actor, role=role, label=p.label)
        audit.record(actor, Verb.INCIDENT_PERSON_ADDED, incident, changes={"role": role, "person": str(p.pk)})
    return p
