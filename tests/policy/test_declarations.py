"""Need to know stated once (issue 11): one involvement declaration per record type, from which access,
the commander's subtree, the explanation and the feed's audience are generated.

- Every model that a selector, the admin or the feed reads has a visibility rule (a model without one
  would be answered as empty, or read around policy): the list below names the few that no user read
  reaches, each with the reason.
- The explanation agrees with access for the whole cast and every declared record type, by
  construction: removing a relation from a declaration changes both alike.
- No visibility decision is written outside `policy/`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from django.apps import apps

from liaison import policy
from liaison.core import clock
from liaison.intel import services as intel
from liaison.intel.models import Item
from liaison.org.models import Unit
from liaison.policy import involvement
from liaison.policy.core import _VISIBILITY, _ensure_loaded
from liaison.web.admin_site import site
from tests.conftest import CAST, cast_actor
from tests.support.records import log_item

SRC = Path(__file__).resolve().parents[2] / "src" / "liaison"

# Models no user-triggered read reaches (each read only by services, the worker or the audit chain).
NOT_READ_BY_USERS = {
    "org.activationcode": "digests of one-time activation codes, read only by the activation service",
    "core.idempotencyrecord": "the idempotency layer's own bookkeeping, read by `core.api` for its caller",
    "core.refcounter": "the reference counter, read only inside the creating service",
    "core.workerheartbeat": "the workers' liveness, read only by the worker's reaper",
    "audit.audithead": "the chain head, read by the audit writer and `audit verify`",
    "field.officerphone": "officers' SMS numbers, read only by the SMS service to find the sender",
    "field.smsgateway": "the SMS gateways' token hashes, read only by the SMS endpoint",
    "field.ratewindow": "the tip line's rate-limit counters (HMAC keys), read only by the limiter",
}


def _liaison_models():
    return [m for m in apps.get_models() if m.__module__.startswith("liaison.")]


def test_every_model_read_by_users_has_a_visibility_rule():
    _ensure_loaded()
    ruled = {m for (m, action) in _VISIBILITY if action == "view"}
    missing = [
        m._meta.label_lower
        for m in _liaison_models()
        if m not in ruled and m._meta.label_lower not in NOT_READ_BY_USERS
    ]
    assert not missing, f"models without a @visibility rule (add one in policy/rules/): {missing}"


def test_every_model_in_the_admin_has_a_visibility_rule():
    _ensure_loaded()
    ruled = {m for (m, action) in _VISIBILITY if action == "view"}
    in_admin = [m for m in site._registry if m.__module__.startswith("liaison.")]
    assert in_admin
    assert [m._meta.label_lower for m in in_admin if m not in ruled] == []


def test_items_and_incidents_are_declared_with_their_children():
    declared = {d.record._meta.label_lower: d for d in involvement.declarations()}
    assert {"intel.item", "incidents.incident"} <= set(declared)
    children = {c._meta.label_lower for c, _ in declared["intel.item"].children}
    assert {"intel.attachment", "intel.verificationrequest", "intel.itemreceipt"} <= children
    children = {c._meta.label_lower for c, _ in declared["incidents.incident"].children}
    assert {"incidents.task", "incidents.person", "incidents.timelineevent"} <= children


# --- the explanation is access ------------------------------------------------------------------


def _rows_of(model, limit=None):
    qs = model._default_manager.order_by("pk")
    return list(qs[:limit] if limit else qs)


@pytest.mark.parametrize("name", sorted(CAST))
def test_the_explanation_equals_access_for_every_record(db, name):
    """For the cast member and every declared type (a sample of 60 records, 12 of each child type):
    `explain(actor, record).granted == (record in visible(actor))`."""
    actor = cast_actor(name)
    checked = 0
    for decl in involvement.declarations():
        for model, limit in [(decl.record, None), *((c, 40) for c, _ in decl.children)]:
            rows = _rows_of(model, limit)
            visible = set(
                policy.visible(actor, model).filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
            )
            for r in rows:
                e = policy.explain(actor, r)
                assert e.granted == (r.pk in visible), (name, model._meta.label_lower, r.pk, e.steps)
                checked += 1
    assert checked > 100


def test_per_unit_and_per_user_explanations_agree_with_access(db):
    """'Members in role R' for a unit, and each of a user's memberships, are access as that member."""
    from liaison.org.actor import Actor
    from liaison.org.models import Membership

    items = _rows_of(Item, 25)
    cast = [cast_actor(n).membership for n in CAST]
    for m in Membership.objects.filter(pk__in=[c.pk for c in cast]).select_related("unit", "user"):
        actor = Actor(user=m.user, membership=m)
        visible = set(policy.visible(actor, Item).values_list("pk", flat=True))
        for it in items:
            by_role = {e.role: e.granted for e in policy.explain_unit(m.unit, it)}
            assert by_role[m.role] == (it.pk in visible), (m.unit.code, m.role, it.ref)
    for name in CAST:
        actor = cast_actor(name)
        mine = policy.explain_user(actor.user, items[0])
        assert any(e.unit == actor.unit and e.role == actor.role for e in mine)


def test_removing_a_relation_from_the_declaration_changes_access_and_explanation_alike(db, monkeypatch):
    """The verification request is one line of the item's declaration: without it the customs unit
    asked to verify loses the item in its lists *and* in the explanation (no second copy to forget)."""
    post = cast_actor("na_meo_post_officer")
    customs = cast_actor("na_meo_customs_officer")
    item = log_item(post, tlp="amber")
    intel.verification_request(
        post, item=item, unit=Unit.objects.get(code="HQ-NA-MEO"), due_at=clock.now() + dt.timedelta(days=1)
    )
    assert policy.visible(customs, Item).filter(pk=item.pk).exists()
    assert policy.explain(customs, item).granted

    decl = involvement.declaration(Item)
    fewer = dataclasses.replace(
        decl, relations=tuple(r for r in decl.relations if r.name != "verification request")
    )
    monkeypatch.setitem(involvement._DECLARATIONS, Item, fewer)
    monkeypatch.setitem(_VISIBILITY, (Item, "view"), lambda a: involvement._visibility(fewer, a))
    assert not policy.visible(customs, Item).filter(pk=item.pk).exists()
    assert not policy.explain(customs, item).granted


# --- no visibility decision outside policy/ ----------------------------------------------------------

# A visibility decision is a test of a role, a unit's place in the tree or its country, made to
# decide what someone sees or may do. Outside policy/ only these lines may name such facts, each for
# a reason that is not a visibility decision.
DECISION = re.compile(
    r"path__startswith|\.role\s*(==|!=|in\b)|role\s*==|Role\.(COMMANDER|ADMINISTRATOR|AUDITOR)"
    r"|NODE_COUNTRY|country\s*=\s*[\"'][A-Z]{2}[\"']|is_commander|\"commander\""
)
ALLOWED = {
    "org/models.py": "the roles themselves and which need two factors or a second administrator",
    "org/actor.py": "an actor's `is_partner` fact, read by policy",
    "org/services.py": "re-pathing a moved unit's subtree (a write, not a read)",
    "settings.py": "the node's country, read by policy",
    "accounts/services.py": "two-factor sign-in for the roles PRODUCT.md names",
    "incidents/selectors.py": "person roles (victim, informant), not membership roles",
    "intel/selectors.py": "reading the explanation policy built (per role)",
}


def test_no_visibility_decision_outside_policy():
    offenders = []
    for path in SRC.rglob("*"):
        if path.suffix not in (".py", ".html") or "migrations" in path.parts or "demo" in path.parts:
            continue
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("policy/") or rel in ALLOWED:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if DECISION.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "visibility decided outside policy/:\n" + "\n".join(offenders)


def test_interfaces_read_no_model_around_policy():
    """Pages, the API and forms read records through selectors or `policy` (ARCHITECTURE.md, rule 7:
    one accessor per kind; no `Model.objects` in views or API modules)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if path.name not in ("api.py", "views.py", "forms.py") or rel == "core/api.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\b[A-Z]\w*\.objects\b", line):
                offenders.append(f"{rel}:{n}: {line.strip()}")
    assert not offenders, "reads around policy:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "record, migration",
    [
        ("liaison.intel.models.Item", "liaison.intel.migrations.0008_search_units"),
        ("liaison.incidents.models.Incident", "liaison.incidents.migrations.0007_involved_units"),
        ("liaison.patrols.models.Patrol", "liaison.patrols.migrations.0002_involved_units"),
    ],
)
def test_the_column_the_rule_reads_is_built_from_exactly_the_declared_relations(record, migration):
    """Items', incidents' and patrols' exact rules read `search_units` (decisions 0021, 0023). It is
    kept by triggers that a migration built from a list of tables: the list must be the
    declaration's relations, one for one (a relation's condition included: an incident's
    participant counts only while active), and the declaration must name them as the column's — or
    the rule falls back to the relations themselves (the test above)."""
    import importlib

    module, name = record.rsplit(".", 1)
    decl = involvement.declaration(getattr(importlib.import_module(module), name))
    built = importlib.import_module(migration)
    own = [r for r in decl.relations if r.model is None]
    rows = [r for r in decl.relations if r.model is not None]
    assert [f"{r.unit_field}_id" for r in own] == [built.OWN]
    assert all(not r.where for r in own)
    for r in rows:  # a condition is one boolean column that must be true
        assert all(v is True for v in r.where.values()) and len(r.where) <= 1
    assert sorted(
        (r.model._meta.db_table, f"{r.unit_field}_id", f"{r.record_field}_id", *r.where) for r in rows
    ) == sorted(built.RELATED)
    assert len(own) + len(rows) == len(decl.relations)
    assert decl.reads_the_column
