"""The category taxonomy: administrators propose, a second administrator approves."""

from __future__ import annotations

import re

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core.errors import FieldError, Invalid
from liaison.core.transactions import durable
from liaison.intel.models import Category
from liaison.org.actor import Actor

# No category may name an ethnic group, a religion or a political activity (PRODUCT.md).
FORBIDDEN_TERMS = re.compile(
    r"(dân tộc|dan toc|ethnic|\bngười (mông|h'?mông|thái|dao|khơ ?mú)\b|\bmông\b|\bhmong\b|\bkhmu\b|"
    r"tôn giáo|ton giao|religio|tín ngưỡng|đạo (phật|thiên chúa|tin lành|công giáo|hồi)|phật giáo|"
    r"công giáo|tin lành|thiên chúa|hồi giáo|buddhis|christian|catholic|protestant|islam|muslim|"
    r"chính trị|chinh tri|politic|phản động|phan dong|biểu tình|đảng phái|dissident|protest|"
    r"ຊົນເຜົ່າ|ສາສະໜາ|ການເມືອງ|ມົ້ງ|ປະທ້ວງ)",
    re.IGNORECASE,
)


def check_terms(*texts: str) -> list[str]:
    return [t for t in texts if t and FORBIDDEN_TERMS.search(t)]


def category_propose(actor: Actor, *, code: str, name_vi: str, name_en: str, name_lo: str = "") -> Category:
    policy.require(actor, "category.propose")
    errs = []
    if not re.fullmatch(r"[a-z0-9_-]{2,40}", code or ""):
        errs.append(FieldError("code", "invalid", "2–40 lower-case letters, digits, - or _."))
    elif Category.objects.filter(code=code).exists():
        errs.append(FieldError("code", "duplicate", "This code exists."))
    for field, value in (("name_vi", name_vi), ("name_en", name_en), ("name_lo", name_lo)):
        if field != "name_lo" and not (value or "").strip():
            errs.append(FieldError(field, "required", "Required."))
        elif len(value or "") > 120:
            errs.append(FieldError(field, "too_long", "At most 120 characters."))
        elif check_terms(value):
            errs.append(
                FieldError(
                    field,
                    "names_a_group",
                    "Categories describe events, never an ethnic group, a religion or a political activity.",
                )
            )
    if errs:
        raise Invalid(errs)
    with durable():
        c = Category.objects.create(
            code=code,
            name_vi=name_vi.strip(),
            name_en=name_en.strip(),
            name_lo=name_lo.strip(),
            state=Category.State.PROPOSED,
            proposed_by=actor.user,
        )
        audit.record(actor, Verb.CATEGORY_PROPOSED, c, changes={"name_vi": name_vi, "name_en": name_en})
    return c


def category_approve(actor: Actor, *, category: Category) -> Category:
    policy.require(actor, "category.approve", category)
    if category.state != Category.State.PROPOSED:
        raise Invalid(
            field="category", code="not_proposed", message="Only a proposed category can be approved."
        )
    with durable():
        category.state, category.approved_by = Category.State.ACTIVE, actor.user
        category.save()
        audit.record(actor, Verb.CATEGORY_APPROVED, category, changes={"state": "active"})
    return category
