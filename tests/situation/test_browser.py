"""In a real browser (Playwright driving Debian's Chromium): sign in, open the map, open an incident
through the API, and see it arrive on the map and in the live feed without reloading."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.node import ROOT, Node

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (make test installs it)",
)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    n = Node(tmp_path_factory.mktemp("browser-node"))
    try:
        n.run("migrate", "--noinput", "-v0")
        n.run("demo")
        n.run("collectstatic", "--noinput", "-v0")
        n.base = n.serve()
        yield n
    finally:
        n.close()


def test_a_new_incident_appears_on_the_map_and_in_the_feed_without_reloading(node):
    from playwright.sync_api import expect, sync_playwright

    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="vi-VN")
            page.goto(node.base + "/accounts/login/")
            page.fill("input[name=username]", "trucban.don.nameo")
            page.fill("input[name=password]", "Bienphong-2026")
            with page.expect_navigation():
                page.click("main button[type=submit]")
            expect(page).to_have_url(node.base + "/")
            page.goto(node.base + "/map/")
            expect(page.locator("#map")).to_have_attribute("data-ready", "1", timeout=20_000)
            before = int(page.locator("#map").get_attribute("data-countincidents") or "0")
            loaded_at = page.evaluate("performance.timeOrigin")
            csrf = page.locator("meta[name=csrf-token]").get_attribute("content")
            r = page.request.post(
                node.base + "/api/v1/incidents",
                headers={"X-CSRFToken": csrf},
                data={
                    "type": "smuggling",
                    "title": "Phát hiện hàng lậu qua đường mòn Na Mèo",
                    "area": "VN-38-15013",
                    "severity": "high",
                },
            )
            assert r.status == 201, r.text()
            ref = r.json()["ref"]
            expect(page.locator("#live-feed")).to_contain_text(ref, timeout=20_000)
            expect(page.locator("#map")).to_have_attribute(
                "data-countincidents", str(before + 1), timeout=20_000
            )
            # Still the same page: nothing was reloaded.
            assert page.evaluate("performance.timeOrigin") == loaded_at
            page.screenshot(path=str(artifacts / "map-live-incident.png"), full_page=True)
        finally:
            browser.close()
    assert Path(artifacts / "map-live-incident.png").stat().st_size > 10_000


# --- patrols (issue 16): the coverage gaps on the map, and the patrol pages at phone width ----------


def test_patrol_gaps_on_the_map_and_the_patrol_pages_at_375_px(node):
    from playwright.sync_api import expect, sync_playwright

    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="vi-VN")
            page.goto(node.base + "/accounts/login/")
            # The Tam Chung post: the demo left its marker unvisited for more than 30 days.
            page.fill("input[name=username]", "trucban.bp.don.tam.chung")
            page.fill("input[name=password]", "Bienphong-2026")
            with page.expect_navigation():
                page.click("main button[type=submit]")
            page.goto(node.base + "/map/")
            expect(page.locator("#map")).to_have_attribute("data-ready", "1", timeout=20_000)
            assert page.locator("#map").get_attribute("data-countpatrolgaps") == "1"
            page.set_viewport_size({"width": 375, "height": 800})
            for path in ("/patrols/", "/patrol-plans/", "/patrol-coverage/"):
                page.goto(node.base + path)
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= 375, f"{path} is {wide} px wide at 375 px"
            page.goto(node.base + "/patrols/")
            page.locator("td a").first.click()
            page.wait_for_load_state()
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            page.screenshot(path=str(artifacts / "patrol-375.png"), full_page=True)
        finally:
            browser.close()
