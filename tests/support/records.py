"""Records made through the services, for tests that need one and say only what matters to them."""

from __future__ import annotations

import datetime as dt

from liaison.core import clock
from liaison.intel import services as intel
from liaison.intel.models import Category


def log_item(
    actor,
    *,
    title: str = "Hàng lậu qua đường mòn",
    body: str = "Phát hiện 5 kiện hàng không có chứng từ.",
    category: str = "smuggling",
    reliability: str = "C",
    credibility: int = 3,
    tlp: str = "amber",
    **extra,
):
    """An item logged by `actor` an hour after it was observed."""
    return intel.item_create(
        actor,
        title=title,
        body=body,
        category=Category.objects.get(code=category),
        observed_at=clock.now() - dt.timedelta(hours=1),
        reliability=reliability,
        credibility=credibility,
        tlp=tlp,
        **extra,
    )
