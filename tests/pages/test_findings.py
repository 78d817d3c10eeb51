"""Issue 14's findings about the pages, one test (or a few) per finding, through the test client.
The findings that live in the browser (htmx, phone width) are in tests/pages/test_walk.py."""

from __future__ import annotations

import re

import pytest

# --- 2. the statistics exports carry the period ------------------------------------------------


def _export_links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="(\?[^"]*format=(?:csv|xlsx)[^"]*)"', html)]


@pytest.mark.parametrize("query", [{}, {"period": "month", "on": "2026-05-10"}])
def test_the_statistics_export_links_work_before_and_after_show(client_for, query):
    c = client_for("province_commander")
    r = c.get("/stats/", query)
    assert r.status_code == 200
    links = _export_links(r.content.decode())
    assert len(links) == 2
    for link in links:
        assert "period=" in link
        e = c.get("/stats/" + link)
        assert e.status_code == 200, link
        assert e["Content-Disposition"].startswith("attachment")
