"""Shared helpers for the information-exchange rule tests.

Every test builds its own items through the services, as a named cast member; the demo items loaded
for the session are never relied on for exact numbers.
"""

from __future__ import annotations

import pytest

from tests.support.records import log_item


@pytest.fixture
def new_item(cast):
    """`new_item("na_meo_post_officer", tlp="red", title=…)` -> an item logged through the service."""

    def make(
        who: str = "na_meo_post_officer",
        *,
        tlp: str = "amber",
        title: str = "Hàng lậu qua đường mòn",
        body: str = "Phát hiện 5 kiện hàng không có chứng từ.",
        category: str = "smuggling",
        reliability: str = "C",
        credibility: int = 3,
        is_drill: bool = False,
        **extra,
    ):
        actor = cast(who) if isinstance(who, str) else who
        return log_item(
            actor,
            title=title,
            body=body,
            category=category,
            reliability=reliability,
            credibility=credibility,
            tlp=tlp,
            is_drill=is_drill,
            **extra,
        )

    return make


@pytest.fixture
def problem_fields():
    """The field names of an API problem response."""
    return lambda response: {e["field"] for e in response.json().get("errors", [])}
