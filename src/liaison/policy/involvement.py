"""Need to know, declared once per record type (PRODUCT.md, "Need to know").

A record type (an item, an incident, later a patrol, a program entry, a briefing) declares *how a
unit is involved in it*: a list of named relations, each a model and the column that names the
unit. Everything else is generated from that one declaration:

- the access query for a member: the records the active unit is involved in, by any relation;
- the commander-subtree rule: records whose involved units lie below the commander's unit, except
  those the declaration keeps out of the subtree (RED);
- the explanation ("who can see this, and why"), per user, per membership and per unit and role;
- the units a record's events are for, and who hears an event in the live feed;
- the records that are visible exactly when their parent is (attachments, tasks, timelines, …).

The ground rules, stated once here and nowhere else:
- involvement grants access only to the operational roles (duty officer, analyst, commander,
  liaison officer): an administrator or auditor membership never reads a record through its unit;
- a commander also sees, through the subtree, the records whose involved units lie in the subtree
  below the commander's unit, except what the declaration excludes (RED);
- a unit of another country, an inactive unit, or a pending membership grants nothing.
Nothing else grants access: not a place, not an area, not a handling level, not being an
administrator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Exists, Model, OuterRef, Q
from django.utils.translation import gettext_lazy as _

import liaison.policy.sql  # noqa: F401 (registers the in_set lookup)
from liaison.org.models import Role, Unit
from liaison.policy.core import _VISIBILITY, _ensure_loaded
from liaison.policy.facts import is_staff_member, is_system, subtree_unit_ids
from liaison.policy.sql import InvolvedAny

# The roles through which involvement grants access (PRODUCT.md: "for the operational roles only").
OPERATIONAL_ROLES = (Role.DUTY_OFFICER, Role.ANALYST, Role.COMMANDER, Role.LIAISON_OFFICER)
# The role that also sees its subtree.
SUBTREE_ROLES = (Role.COMMANDER,)


@dataclass(frozen=True)
class Relation:
    """One way a unit is involved in a record: rows of `model` whose `unit_field` names the unit
    and whose `record_field` names the record (`record_field=""`: the record's own column)."""

    name: str  # stable code, e.g. "originator"
    label: Any  # what the explanation shows (translated)
    model: type[Model] | None  # None: a column of the record itself
    unit_field: str
    record_field: str = ""
    where: dict = field(default_factory=dict)  # further conditions on the relation's rows

    def _rows(self, record_model: type[Model]):
        model = self.model or record_model
        return model._default_manager.filter(**self.where)

    def _record_column(self) -> str:
        return f"{self.record_field}_id" if self.record_field else "pk"

    def ids(self, record_model: type[Model], unit_ids: list):
        """The ids of the records any of `unit_ids` is involved in through this relation."""
        return (
            self._rows(record_model)
            .filter(**{f"{self.unit_field}__in": unit_ids})
            .order_by()
            .values(self._record_column())
        )

    def q(self, record_model: type[Model], unit_ids: list) -> Q:
        """A per-row condition over the record: one of `unit_ids` is involved through this relation."""
        if self.model is None:
            return Q(**{f"{self.unit_field}__in": unit_ids}, **self.where)
        return Q(
            Exists(
                self._rows(record_model).filter(
                    **{self.record_field: OuterRef("pk"), f"{self.unit_field}__in": unit_ids}
                )
            )
        )

    def units_of(self, record_model: type[Model], pks: Iterable) -> list[tuple[Any, Any]]:
        """(record id, unit id) for every unit involved in the given records through this relation."""
        rows = self._rows(record_model).filter(**{f"{self._record_column()}__in": list(pks)})
        return list(rows.values_list(self._record_column(), f"{self.unit_field}_id"))


@dataclass(frozen=True)
class Declaration:
    record: type[Model]
    relations: tuple[Relation, ...]
    # Records a commander never sees through the subtree (a condition over the record), and why.
    not_through_subtree: Q | None = None
    not_through_subtree_label: Any = ""
    # Models whose rows are visible exactly when their record is: model -> its column naming the record.
    children: tuple[tuple[type[Model], str], ...] = ()
    # The record's table keeps its involved units in a `search_units` column (maintained by triggers
    # from these same relations, core.search_schema), so an index can narrow by `audience` first.
    audience_indexed: bool = False
    # The relations the column's triggers were built from (named in the declaration beside them).
    # The exact rule reads the column only while they are exactly the declared relations: a relation
    # removed from (or added to) the declaration takes effect at once, through the relations
    # themselves, until a migration rebuilds the column to match.
    indexed_relations: tuple[str, ...] = ()

    @property
    def reads_the_column(self) -> bool:
        return self.audience_indexed and self.indexed_relations == tuple(r.name for r in self.relations)

    @property
    def label(self) -> str:
        return str(self.record._meta.verbose_name)


_DECLARATIONS: dict[type[Model], Declaration] = {}
_CHILDREN: dict[type[Model], tuple[Declaration, str]] = {}


def declare(
    record: type[Model],
    *relations: Relation,
    not_through_subtree: Q | None = None,
    not_through_subtree_label: Any = "",
    children: Iterable[tuple[type[Model], str]] = (),
    audience_indexed: bool | tuple[str, ...] = False,
) -> Declaration:
    """Declare a record type's involvement: registers its `view` visibility and its children's."""
    decl = Declaration(
        record=record,
        relations=tuple(relations),
        not_through_subtree=not_through_subtree,
        not_through_subtree_label=not_through_subtree_label,
        children=tuple(children),
        audience_indexed=bool(audience_indexed),
        indexed_relations=tuple(audience_indexed) if isinstance(audience_indexed, tuple) else (),
    )
    _DECLARATIONS[record] = decl
    _VISIBILITY[(record, "view")] = lambda actor: _visibility(decl, actor)
    for child, column in decl.children:
        _CHILDREN[child] = (decl, column)
        _VISIBILITY[(child, "view")] = _child_visibility(decl, column)
    return decl


def declaration(model: type[Model]) -> Declaration | None:
    return _DECLARATIONS.get(model)


def declarations() -> list[Declaration]:
    _ensure_loaded()
    return list(_DECLARATIONS.values())


def feed_models() -> dict[str, type[Model]]:
    """The record types (and their children) events may name in the feed, by "app.model"."""
    _ensure_loaded()
    out: dict[str, type[Model]] = {}
    for model in [*_DECLARATIONS, *_CHILDREN]:
        out[f"{model._meta.app_label}.{model._meta.model_name}"] = model
    return out


def declared_children() -> dict[type[Model], tuple[Declaration, str]]:
    return dict(_CHILDREN)


# --- the generated access query -----------------------------------------------------------------


def grants(unit: Unit | None, role: str | None) -> bool:
    """Whether a membership (unit, role) can read anything through involvement at all."""
    return bool(
        unit is not None
        and unit.is_active
        and unit.country == settings.NODE_COUNTRY
        and role in OPERATIONAL_ROLES
    )


def involvement_ids(decl: Declaration, unit_ids: list):
    """The ids of the records any of `unit_ids` is involved in, as one UNION ALL subquery: the
    database starts from the few records the units touch instead of testing every record against
    every relation."""
    first, *rest = [r.ids(decl.record, unit_ids) for r in decl.relations]
    return first.union(*rest, all=True) if rest else first


def involved_q(decl: Declaration, unit_ids: list) -> Q:
    """A per-row condition: any of `unit_ids` is involved in the record by any relation."""
    q = Q()
    for r in decl.relations:
        q = r.q(decl.record, unit_ids) if not q else q | r.q(decl.record, unit_ids)
    return q


def record_q(decl: Declaration, unit: Unit | None, role: str | None) -> Q | None:
    """The records a member acting for `unit` in `role` may see; None: nothing."""
    if not grants(unit, role):
        return None
    assert unit is not None
    if decl.reads_the_column:
        return indexed_record_q(decl, unit, role)
    if role not in SUBTREE_ROLES:
        return Q(pk__in_set=involvement_ids(decl, [unit.pk]))
    # A commander: the subtree tested per row, beside the unit's own involvement. As an OR of sets
    # PostgreSQL probes both as hashed sets while it walks whatever index the rest of the query
    # chose (measured: 430 ms for a province's filtered list at 1M items, against 720 ms as one
    # array and 1.5 s with the own part as an array).
    subtree = involved_q(decl, subtree_unit_ids(unit))
    if decl.not_through_subtree is not None:
        subtree &= ~decl.not_through_subtree
    return Q(pk__in=involvement_ids(decl, [unit.pk])) | subtree


def indexed_record_q(decl: Declaration, unit: Unit, role: str) -> Q:
    """`record_q` for a record type whose table keeps its involved units (`search_units`, kept by
    triggers from these same relations; decision 0021): the same rule read from the row itself.
    A member: the unit is involved. A commander: a unit of the subtree is involved, and either the
    record is not kept out of the subtree (RED) or the commander's own unit is involved (its own
    unit lies in its subtree, so this is exactly "own involvement, or the subtree except RED")."""
    table = decl.record._meta.db_table
    own = Q(InvolvedAny(table, [unit.pk]))
    if role not in SUBTREE_ROLES:
        return own
    subtree = Q(InvolvedAny(table, subtree_unit_ids(unit)))
    if decl.not_through_subtree is None:
        return subtree
    return subtree & (~decl.not_through_subtree | own)


def audience(actor, model: type[Model]) -> list | None:
    """The units of which at least one is involved in every record of `model` the actor may see:
    the actor's unit, and for a commander every unit of the subtree (the rules above grant nothing
    else). A superset key, never the rule: an index that holds each record's involved units (the
    `search_units` column, decision 0020) may narrow by it *before* the exact rule of
    `visible` is applied, so a frequent word is intersected with the reader's audience inside the
    index instead of row by row. None: no narrowing (the system actor, or a record type whose table
    keeps no such column); an empty list: nothing is visible."""
    _ensure_loaded()
    decl = _DECLARATIONS.get(model)
    if decl is None or not decl.audience_indexed or is_system(actor):
        return None
    if not is_staff_member(actor) or not grants(actor.unit, actor.role):
        return []
    if actor.role in SUBTREE_ROLES:
        return subtree_unit_ids(actor.unit)
    return [actor.unit.pk]


def _visibility(decl: Declaration, actor) -> Q | None:
    if is_system(actor):
        return Q()
    if not is_staff_member(actor):
        return None
    return record_q(decl, actor.unit, actor.role)


def _child_visibility(decl: Declaration, column: str):
    def rule(actor) -> Q | None:
        if is_system(actor):
            return Q()
        if not is_staff_member(actor):
            return None
        q = record_q(decl, actor.unit, actor.role)
        if q is None:
            return None
        return Q(Exists(decl.record._default_manager.filter(q, pk=OuterRef(column))))

    return rule


def _parent(record: Model) -> Model:
    """A child row's record (an attachment's item, a seizure's incident); a record itself."""
    model = type(record)
    if model not in _CHILDREN:
        return record
    decl, column = _CHILDREN[model]
    pk = model._default_manager.filter(pk=record.pk).values_list(column, flat=True).first()
    return decl.record._default_manager.get(pk=pk)


def sees(actor, record: Model) -> bool:
    """Whether the actor may see this record (or the record of this child row)."""
    record = _parent(record)
    model = type(record)
    decl = _DECLARATIONS[model]
    if is_system(actor):
        return True
    q = record_q(decl, actor.unit, actor.role) if is_staff_member(actor) else None
    return q is not None and model._default_manager.filter(q, pk=record.pk).exists()


def involved_units(record: Model) -> list[tuple[str, Any]]:
    """(relation name, unit id) for every unit involved in the record: the audience of its events."""
    decl = _DECLARATIONS[type(record)]
    out: list[tuple[str, Any]] = []
    for r in decl.relations:
        out.extend((r.name, uid) for _pk, uid in r.units_of(decl.record, [record.pk]) if uid is not None)
    return out


# --- the explanation, generated from the same declaration -----------------------------------------


@dataclass
class Step:
    rule: str  # relation name, "commander subtree", "role", "unit"
    label: str
    granted: bool
    detail: str = ""


@dataclass
class Explanation:
    """Why one membership (unit, role) does or does not see one record."""

    unit: Unit | None
    role: str | None
    granted: bool
    steps: list[Step]


@dataclass(frozen=True)
class _UnitFacts:
    """What the declaration says of one unit and one record, whatever the role: read once."""

    refused: str  # why nothing can be granted to the unit at all ("" when it can)
    hits: tuple[tuple[Relation, bool], ...] = ()
    in_subtree: bool = False
    excluded: bool = False
    excluded_label: str = ""


def _unit_facts(unit: Unit | None, record: Model) -> _UnitFacts:
    record = _parent(record)
    decl = _DECLARATIONS[type(record)]
    if unit is None or unit.country != settings.NODE_COUNTRY:
        return _UnitFacts(str(_("a partner unit: nothing is shared with it on this node")))
    if not unit.is_active:
        return _UnitFacts(str(_("the unit is inactive")))
    one = decl.record._default_manager.filter(pk=record.pk)
    return _UnitFacts(
        "",
        tuple((r, one.filter(r.q(decl.record, [unit.pk])).exists()) for r in decl.relations),
        one.filter(involved_q(decl, subtree_unit_ids(unit))).exists(),
        decl.not_through_subtree is not None and one.filter(decl.not_through_subtree).exists(),
        str(decl.not_through_subtree_label),
    )


def _explained(unit: Unit | None, role: str | None, f: _UnitFacts) -> Explanation:
    """The rule path for a member acting for `unit` in `role`; `granted` is exactly access."""
    if f.refused:
        return Explanation(unit, role, False, [Step("unit", str(_("Unit")), False, f.refused)])
    operational = role in OPERATIONAL_ROLES
    why_not = str(_("administrators and auditors never read records through their unit"))
    steps = [Step("role", str(_("Role")), operational, "" if operational else why_not)]
    steps += [Step(r.name, str(r.label), operational and hit) for r, hit in f.hits]
    commander = role in SUBTREE_ROLES
    through = commander and f.in_subtree and not f.excluded
    if not f.in_subtree:
        detail = str(_("no involved unit lies below this unit"))
    elif f.excluded:
        detail = f.excluded_label
    elif not commander:
        detail = str(_("an involved unit lies below this unit: only its commanders see it so"))
    else:
        detail = str(_("an involved unit lies below this unit"))
    steps.append(Step("commander subtree", str(_("Commander's subtree")), through, detail))
    own = any(hit for _r, hit in f.hits)
    return Explanation(unit, role, operational and (own or through), steps)


def explain_membership(unit: Unit | None, role: str | None, record: Model) -> Explanation:
    """The rule path for a member acting for `unit` in `role`; `granted` is exactly access."""
    return _explained(unit, role, _unit_facts(unit, record))


def explain(actor, record: Model) -> Explanation:
    """Why the actor, acting for its active membership, does or does not see the record."""
    if is_system(actor):
        return Explanation(None, None, True, [Step("system", "system", True)])
    m = getattr(actor, "membership", None)
    if m is None or m.status != "active":
        return Explanation(None, None, False, [Step("membership", str(_("Membership")), False)])
    return explain_membership(m.unit, m.role, record)


def explain_user(user, record: Model) -> list[Explanation]:
    """For each of the user's active memberships: whether acting for it shows the record."""
    from liaison.org.models import Membership

    ms = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related("unit")
    return [explain_membership(m.unit, m.role, record) for m in ms.order_by("created_at")]


def explain_unit(unit: Unit, record: Model) -> list[Explanation]:
    """For each role: whether a member of `unit` acting in it sees the record ("members in role R").
    The unit's facts are read once; the roles differ only in what the rules make of them."""
    facts = _unit_facts(unit, record)
    return [_explained(unit, role, facts) for role in Role.values]


# --- the live feed's audience ----------------------------------------------------------------------


def hears_q(actor, prefix: str = "") -> Q | None:
    """Which event audiences (rows naming a unit, reached through `prefix`) an actor hears: its own
    unit when involvement grants it anything, and for a commander every unit of the subtree."""
    if is_system(actor):
        return Q()
    if not is_staff_member(actor) or not grants(actor.unit, actor.role):
        return None
    if actor.role in SUBTREE_ROLES:
        return Q(**{f"{prefix}unit__in": subtree_unit_ids(actor.unit)})
    return Q(**{f"{prefix}unit": actor.unit.pk})
