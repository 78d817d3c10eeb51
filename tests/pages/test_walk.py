"""The pages in a real browser (Playwright driving Debian's Chromium), as a duty officer at a remote
post and every other role live in them: at phone width (375 px) and desk width (1280 px), in
Vietnamese, English and Lao.

The walk signs in every demo role, opens every page of its navigation (and a record of each kind),
saves a screenshot of each into test-artifacts/walk/<width>/<lang>/ and fails on a page wider than
the window (the page, not a table inside its own scrolling box). The findings of issue 14 that live in
the browser have their own tests here too.
"""

from __future__ import annotations

import os

import pytest

from tests.support.node import ROOT, Node

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (make test installs it)",
)
PASSWORD = "Bienphong-2026"
ARTIFACTS = ROOT / "test-artifacts" / "walk"
WIDTHS = (375, 1280)
LANGS = ("vi", "en", "lo")
# role -> demo login
ROLES = {
    "duty_officer": "trucban.don.nameo",
    "analyst": "phantich.ca",
    "commander": "chihuy.ca",
    "liaison_officer": "lienlac.bp",
    "administrator": "quantri",
    "auditor": "kiemtra",
    "partner": "doitac.huaphan",
}


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    n = Node(tmp_path_factory.mktemp("walk-node"))
    try:
        n.run("migrate", "--noinput", "-v0")
        n.run("demo")
        n.run("collectstatic", "--noinput", "-v0")
        n.base = n.serve()
        yield n
    finally:
        n.close()


@pytest.fixture(scope="module")
def browser(node):  # the node first: its set-up talks to the database outside an event loop
    from playwright.sync_api import sync_playwright

    # Playwright's event loop stays open in this thread for the module; every test still opens (and
    # rolls back) its database transaction around it, which Django refuses under a running loop
    # unless told that this is safe (nothing here shares the connection with the loop).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    with sync_playwright() as pw:
        b = pw.chromium.launch(
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
            yield b
        finally:
            b.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def signed_in(browser, node, username: str, *, width: int = 1280, lang: str = "vi"):
    """A browser page signed in as `username` (the second factor from `liaison otp-code`)."""
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    set_language(context, node, lang)
    page = context.new_page()
    page.goto(node.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    if "/login/otp/" in page.url:
        page.fill("input[name=code]", node.run("otp-code", username).strip())
        with page.expect_navigation():
            page.click("main button[type=submit]")
    assert "/login" not in page.url, f"{username} could not sign in: {page.url}"
    return page


def set_language(context, node, lang: str) -> None:
    context.add_cookies([{"name": "liaison-lang", "value": lang, "url": node.base}])


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# --- 1. search and filter with JavaScript on ---------------------------------------------------


def test_filtering_the_item_list_with_javascript_shows_the_results(browser, node):
    page = signed_in(browser, node, "trucban.don.nameo")
    page.goto(node.base + "/items/")
    before = page.locator("#results tbody tr[data-id]").count()
    assert before > 0
    loaded_at = page.evaluate("performance.timeOrigin")
    page.select_option("select[name=tlp]", "green")
    with page.expect_response(lambda r: "/items/?" in r.url):
        page.click("form.filters button[type=submit]")
    page.wait_for_selector("#results tbody tr[data-id]")
    assert page.evaluate("performance.timeOrigin") == loaded_at  # swapped in place, not reloaded
    assert page.locator("#results").count() == 1
    assert "tlp=green" in page.url
    tlps = page.locator("#results tbody tr[data-id] .tlp").all_inner_texts()
    assert tlps and set(tlps) == {"GREEN"}
    page.context.close()
