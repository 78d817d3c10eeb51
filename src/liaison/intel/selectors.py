"""Every read of information items, already filtered by policy: list and search, detail, history,
inbox, explanation. Lists return rows, newest first, keyset-paginated."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, F, OuterRef, Q

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core import clock, search
from liaison.core.errors import Invalid
from liaison.core.inputs import FILTER
from liaison.core.rows import by_ids
from liaison.intel.models import (
    Category,
    Item,
    ItemLink,
    ItemReceipt,
    VerificationRequest,
    describe_revision,
    exchanged_in,
    receipt_q,
    verification_q,
)
from liaison.intel.schemas import ItemFilter
from liaison.org.models import Unit

ITEM_COLUMNS = (
    "id",
    "ref",
    "title",
    "status",
    "tlp",
    "level",
    "reliability",
    "credibility",
    "analyst_reliability",
    "analyst_credibility",
    "received_at",
    "observed_at",
    "exchanged_at",
    "lat",
    "lon",
    "is_drill",
    "category__code",
    "category__name_vi",
    "category__name_en",
    "category__name_lo",
    "origin_unit__code",
    "origin_unit__name",
    "origin_unit__force",
    "area__code",
    "area__name",
)
# What the API's item rows (schemas.ItemRowOut) read: the list's columns without the names the
# pages show.
ROW_COLUMNS = tuple(
    c
    for c in ITEM_COLUMNS
    if c
    not in ("category__name_vi", "category__name_en", "category__name_lo", "origin_unit__name", "area__name")
)
COUNT_CAP = 1000


@dataclass
class Page:
    rows: list[dict]
    next_cursor: str | None
    count: int
    count_capped: bool = False
    filters: dict = field(default_factory=dict)

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.count_capped else f"{self.count:,}"


def _encode_cursor(received_at: dt.datetime, pk, rank: float | None = None) -> str:
    key = f"{received_at.isoformat()}|{pk}" if rank is None else f"r|{rank!r}|{received_at.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(key.encode()).decode()


def _decode_cursor(cursor: str, *, ranked: bool = False) -> tuple[float | None, dt.datetime, uuid.UUID]:
    """The keys a cursor carries, or `Invalid` naming it: a tampered cursor is bad input (a finite
    rank when the list is ranked by a query, an aware time within the plausible range and a UUID),
    never a query that fails in the database."""
    try:
        parts = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        rank = None
        if ranked:
            if len(parts) != 4 or parts[0] != "r":
                raise ValueError(cursor)
            rank = float(parts[1])
            if not search.finite(rank):
                raise ValueError(cursor)
            parts = parts[2:]
        at, pk = parts
        moment, key = dt.datetime.fromisoformat(at), uuid.UUID(pk)
        if moment.utcoffset() is None or not FILTER.contains(moment):
            raise ValueError(at)
        return rank, moment, key
    except (ValueError, UnicodeDecodeError):
        raise Invalid(
            field="cursor", code="malformed", message="Not a cursor from a previous page."
        ) from None


def after(ordered, *, at, pk, rank=None):
    """The rows after a cursor, in the list's order: newest first, or by rank then newest first."""
    later = Q(received_at__lt=at) | Q(received_at=at, id__lt=pk)
    if rank is None:
        return ordered.filter(later)
    return ordered.filter(Q(search_rank__gt=rank) | (Q(search_rank=rank) & later))


def filtered_items(actor, f: ItemFilter, *, action: str = "view"):
    """The items the filter names among those the actor may `action` ("view", or "count" for a
    statistic: the secretariat counts node-wide)."""
    qs = policy.visible(actor, Item, action)
    if not f.include_drills:
        qs = qs.filter(is_drill=False)
    if f.exchanged_since or f.exchanged_until:
        qs = exchanged_in(qs, f.exchanged_since, f.exchanged_until)
    if f.recipient_force:
        qs = qs.filter(
            pk__in=ItemReceipt.objects.filter(unit__force=f.recipient_force)
            .exclude(unit__force=F("item__origin_unit__force"))
            .values("item_id")
        )
    if f.verification:
        asked = VerificationRequest.objects.filter(
            verification_q(f.verification, f.verification_since, f.verification_until, clock.now())
        )
        if f.verification_unit:
            asked = asked.filter(unit__code=f.verification_unit)
        qs = qs.filter(pk__in=asked.values("item_id"))
    if f.delivered_to:
        receipts = ItemReceipt.objects.filter(
            receipt_q(f.acknowledged, f.delivered_since, f.delivered_until), unit__code=f.delivered_to
        )
        qs = qs.filter(pk__in=receipts.values("item_id"))
    if f.border:
        qs = qs.filter(area__is_border_area=True)
    if f.within:
        qs = qs.filter(Q(area__code=f.within) | Q(area__parent__code=f.within))
    if f.origin_within:
        path = Unit.objects.filter(code=f.origin_within).values_list("path", flat=True).first()
        qs = qs.filter(origin_unit__path__startswith=path) if path else qs.none()
    if f.category:
        # By id, not through a join on the code: PostgreSQL can then walk the (category, newest
        # first) index; an unknown code matches nothing.
        qs = qs.filter(
            category_id__in=list(Category.objects.filter(code=f.category).values_list("id", flat=True))
        )
    simple = {
        "status": f.status,
        "level": f.level,
        "tlp": f.tlp,
        "area__code": f.area,
        "origin_unit__code": f.origin_unit,
        "origin_unit__force": f.origin_force,
        "reliability": f.reliability,
    }
    qs = qs.filter(**{k: v for k, v in simple.items() if v})
    if f.credibility:
        qs = qs.filter(credibility__lte=f.credibility)
    if f.since:
        qs = qs.filter(received_at__gte=f.since)
    if f.until:
        qs = qs.filter(received_at__lt=f.until)
    if f.q:
        qs = search.matching(qs, search.parse(f.q), table="intel_item", audience=policy.audience(actor, Item))
    return qs


def first_page(ordered, n: int, cap: int, *, ranked: bool) -> tuple[list[tuple], int]:
    """The first `n` keys of `ordered` (a values_list ordered newest first, or by rank then newest
    first) and how many it has, counted up to `cap`, in one statement: the database walks the list
    once (as far as the cap) and counts it there; only the page's keys leave it (issue 15: the
    visibility query no longer sends 1,001 ids so that Python can count them)."""
    compiler = ordered[:cap].query.get_compiler(using=ordered.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # nothing can match (`none()`: a reader who sees nothing)
        return [], 0
    keys = "3, 1 DESC, 2 DESC" if ranked else "1 DESC, 2 DESC"
    wrapped = f"SELECT page.*, COUNT(*) OVER () FROM ({sql}) page ORDER BY {keys} LIMIT {int(n)}"  # noqa: S608
    with connections[ordered.db].cursor() as cur:
        cur.execute(wrapped, params)
        raw = cur.fetchall()
    if not raw:
        return [], 0
    width = len(compiler.select)
    converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
    rows = compiler.apply_converters([r[:width] for r in raw], converters) if converters else raw
    return [tuple(r[:width]) for r in rows], raw[0][width]


def item_list(actor, f: ItemFilter, *, columns: tuple[str, ...] = ITEM_COLUMNS) -> Page:
    """Newest first; with a query, by relevance (the title above the text, more matches above
    fewer), ties newest first. Counts are exact up to 1,000 and shown as "1,000+" beyond.

    Two steps: the matching ids in order (narrow: PostgreSQL answers from the covering indexes
    without reading the wide rows), then the columns of the page's rows by id. On the first page
    one walk gives both the count and the page (decision 0005). The rows hold `columns`: the
    pages' by default, the API's `ROW_COLUMNS` (codes, no names: fewer probes per row)."""
    qs = filtered_items(actor, f)
    ranked = bool(f.q)
    if ranked:
        ordered = qs.order_by("search_rank", "-received_at", "-id").values_list(
            "received_at", "id", "search_rank"
        )
    else:
        ordered = qs.order_by("-received_at", "-id").values_list("received_at", "id")
    limit = max(1, min(f.limit, 200))
    if f.cursor:
        rank, at, pk = _decode_cursor(f.cursor, ranked=ranked)
        count = qs.order_by()[: COUNT_CAP + 1].count()
        keys = list(after(ordered, at=at, pk=pk, rank=rank)[: limit + 1])
    else:
        keys, count = first_page(ordered, limit + 1, COUNT_CAP + 1, ranked=ranked)
    by_id = by_ids(Item, columns, [k[1] for k in keys], using=ordered.db)
    rows = [by_id[k[1]] for k in keys]
    nxt = None
    if len(keys) > limit:
        last = keys[limit - 1]
        nxt = _encode_cursor(last[0], last[1], last[2] if ranked else None)
    return Page(rows[:limit], nxt, min(count, COUNT_CAP), count > COUNT_CAP)


def item_get(actor, *, item_id) -> Item:
    item = policy.get_visible(actor, Item, what="item", pk=item_id)
    return Item.objects.select_related("category", "origin_unit", "origin_officer", "area", "place").get(
        pk=item.pk
    )


def item_revisions(actor, *, item: Item):
    """The item's history. A link to an item the reader may not see is left out altogether (policy's
    one rule for mentions); the others name the linked item by its reference."""
    revisions = policy.without_hidden_mentions(
        actor,
        "item.history",
        list(item.revisions.select_related("by", "by_unit").order_by("id")),
        kind=lambda r: r.action,
        data=lambda r: r.changes,
    )
    linked = [r.changes["link"][1] for r in revisions if r.action == "linked" and "link" in r.changes]
    refs = {str(k): v for k, v in Item.objects.filter(pk__in=linked).values_list("pk", "ref")}
    for r in revisions:
        if r.action == "linked" and "link" in r.changes:
            r.changes = {**r.changes, "link": [None, refs.get(r.changes["link"][1], "—")]}
    # Shares and verification requests name units by their code: the history names them.
    codes = set()
    for r in revisions:
        codes.update((r.changes or {}).get("new_recipients") or (r.changes or {}).get("units") or [])
        codes.update(((r.changes or {}).get("verification_requested") or [None, None])[1:])
    names = dict(Unit.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    for r in revisions:
        r.sentence, r.details = describe_revision(r.action, r.changes, names)
    return revisions


def item_gradings(actor, *, item: Item):
    return item.gradings.select_related("by", "by_unit").order_by("id")


def item_receipts(actor, *, item: Item):
    return item.receipts.select_related("unit", "read_by", "acknowledged_by").order_by(
        "delivered_at", "unit__code"
    )


def item_shares(actor, *, item: Item):
    return item.shares.select_related("unit", "shared_by", "shared_by_unit").order_by("shared_at", "id")


def item_verifications(actor, *, item: Item):
    return item.verifications.select_related("unit", "requested_by", "answered_by").order_by("due_at")


def item_links(actor, *, item: Item) -> list[dict]:
    """Linked items the actor may see (a link to an item they may not see is not shown)."""
    links = ItemLink.objects.filter(Q(a=item) | Q(b=item))
    other_ids = {lk.b_id if lk.a_id == item.pk else lk.a_id: lk for lk in links}
    visible = (
        policy.visible(actor, Item)
        .filter(pk__in=other_ids)
        .values("id", "ref", "title", "origin_unit__name", "origin_unit__force", "origin_unit_id")
    )
    return [{**row, "kind": other_ids[row["id"]].kind} for row in visible]


def item_attachments(actor, *, item: Item):
    return item.attachments.order_by("created_at")


def inbox(actor, *, rows: bool = False) -> dict:
    """For the actor's unit: items shared with it and not yet acknowledged, and verification
    requests addressed to it; overdue first, then by deadline.

    `unacknowledged` holds the receipts with their items (the page), or with `rows` the items'
    list columns newest first (the API), read with the policy in the same statement."""
    unit = actor.unit
    if unit is None:
        return {"unacknowledged": [], "verifications": [], "overdue": 0}
    # Two steps: the unit's newest unacknowledged receipts (a partial index of exactly those,
    # newest first: 200 index entries whatever the unit's history), then the policy over just
    # those items. A filter joined into one query made both databases walk the unit's whole
    # visible set (PostgreSQL 44 ms at 1M items; SQLite 775 ms for a commander at 100k).
    candidates = list(
        ItemReceipt.objects.filter(unit=unit, acknowledged_at__isnull=True)
        .order_by("-delivered_at")
        .values_list("pk", "item_id")[:200]
    )
    visible_items = policy.visible(actor, Item).filter(pk__in=[i for _r, i in candidates])
    if rows:
        unacknowledged = list(visible_items.order_by("-received_at", "-id").values(*ROW_COLUMNS))
    else:
        seen = set(visible_items.values_list("pk", flat=True))
        unacknowledged = list(
            ItemReceipt.objects.filter(pk__in=[r for r, i in candidates if i in seen])
            .select_related("item", "item__category", "item__origin_unit")
            .order_by("-delivered_at")
        )
    visible = Exists(policy.visible(actor, Item).filter(pk=OuterRef("item_id")))
    now = clock.now()
    requests = list(
        VerificationRequest.objects.filter(visible, unit=unit, state=VerificationRequest.State.OPEN)
        .select_related("item", "requested_by_unit")
        .order_by("due_at")[:200]
    )
    for r in requests:
        r.overdue = r.due_at < now
    requests.sort(key=lambda r: (not r.overdue, r.due_at))
    return {
        "unacknowledged": unacknowledged,
        "verifications": requests,
        "overdue": sum(1 for r in requests if r.overdue),
    }


def explain_access(actor, *, item: Item, unit=None, user=None) -> dict:
    """Who can see `item`, and why: for a unit, per role ("members in role R") with the rule path;
    for a user, per active membership. Built by policy from the item's declaration, so it agrees
    with access by construction. Only someone who may see the item may ask; about a user, only
    someone who may see that user (themself, or an administrator of the user's units)."""
    policy.require(actor, "item.explain", item)
    out: dict = {"receipts": list(item_receipts(actor, item=item)), "unit": unit, "user": user}
    if unit is not None:
        by_role = policy.explain_unit(unit, item)
        out["roles"] = [{"role": e.role, "granted": e.granted} for e in by_role]
        # The rule path as a commander of the unit walks it: every relation and the subtree.
        commander = next(e for e in by_role if e.role == "commander")
        out["steps"] = [s for s in commander.steps if s.rule not in ("role", "unit")] or commander.steps
        out["members"] = next(e.granted for e in by_role if e.role == "duty_officer")
        out["commanders"] = commander.granted
        audit.record_separately(actor, Verb.ITEM_ACCESS_EXPLAINED, item, changes={"unit": str(unit.pk)})
    if user is not None:
        out["memberships"] = policy.explain_user(user, item)
        audit.record_separately(actor, Verb.ITEM_ACCESS_EXPLAINED, item, changes={"user": str(user.pk)})
    return out


def work_counts(actor) -> dict:
    """The unit's waiting work in intel, as counts (the home page and the navigation's badges):
    items shared with it not yet acknowledged, verification requests addressed to it (and how many
    are overdue); for a commander, the overdue requests of the units below."""
    now = clock.now()
    out = {"unacknowledged": 0, "verifications": 0, "verifications_overdue": 0, "watched_overdue": 0}
    if actor is None or actor.unit is None:
        return out
    seen = policy.visible(actor, Item)
    out["unacknowledged"] = ItemReceipt.objects.filter(
        unit=actor.unit, acknowledged_at__isnull=True, item__in=seen
    ).count()
    requests = policy.visible(actor, VerificationRequest).filter(
        unit=actor.unit, state=VerificationRequest.State.OPEN
    )
    out["verifications"] = requests.count()
    out["verifications_overdue"] = requests.filter(due_at__lt=now).count()
    out["watched_overdue"] = (
        policy.visible(actor, VerificationRequest, "watch")
        .filter(state=VerificationRequest.State.OPEN, due_at__lt=now)
        .count()
    )
    return out
