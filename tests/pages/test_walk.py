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
import re
import time

import pytest

from tests.support.node import ROOT, Node

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (make test installs it)",
)
PASSWORD = "Bienphong-2026"
ARTIFACTS = ROOT / "test-artifacts" / "walk"
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
    used = ""
    for _attempt in range(2):
        if "/login/otp/" not in page.url:
            break
        # A code is accepted once: when the same user signed in moments ago (an earlier test), wait
        # for the authenticator's next code rather than replay the spent one.
        code = node.run("otp-code", username).strip()
        for _tick in range(35):
            if code != used:
                break
            time.sleep(1)
            code = node.run("otp-code", username).strip()
        page.fill("input[name=code]", code)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        used = code
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
    # The old rows match any selector until htmx swaps the answer in and pushes the address: wait
    # for the address itself (a deadline, not a timing), then the rows are the filtered ones.
    page.wait_for_url(re.compile(r"tlp=green"))
    page.wait_for_selector("#results tbody tr[data-id]")
    assert page.evaluate("performance.timeOrigin") == loaded_at  # swapped in place, not reloaded
    assert page.locator("#results").count() == 1
    tlps = page.locator("#results tbody tr[data-id] .tlp").all_inner_texts()
    assert tlps and set(tlps) == {"TLP:GREEN"}
    page.context.close()


# --- the walk: every page of every role, in three languages, at phone and desk width ------------

COMMON = ["/", "/units/", "/places/", "/accounts/tokens/"]
# Every page of the navigation once (the duty officer walks them all), and each other role's own.
PAGES = {
    "duty_officer": [
        *COMMON,
        "/inbox/",
        "/incidents/",
        "/incidents/?include_final=1",
        "/tasks/",
        "/items/",
        "@item",
        "@item-access",
        "@incident",
        "/stats/",
        "/plans/",
        "/trends/",
        "/map/",
        "/items/new/",
        "/incidents/new/",
        "/field/",
        "/conclusions/",
        "/exchange/",
    ],
    "analyst": ["/", "/items/", "@item", "@item-access", "/plans/", "/stats/"],
    "commander": [
        "/",
        "/inbox/",
        "/incidents/",
        "@incident",
        "/tasks/",
        "/stats/",
        "/trends/",
        "/briefings/",
        "@briefing",
        "/agreements/",
        "/patrols/",
        "@patrol",
        "/patrol-coverage/",
        "/programs/",
        "@program",
    ],
    "liaison_officer": ["/", "/inbox/", "/items/", "@item", "/exchange/"],
    "administrator": [
        "/",
        "/units/",
        "/accounts/memberships/",
        "/lead-rules/",
        "/admin/",
        "/admin/org/membership/add/",
    ],
    "auditor": ["/", "/audit/", "/units/"],
    "partner": ["/", "/units/"],
}
# Every language at both widths: a longer word breaks a phone layout, a desk layout shows more chrome.
PASSES = [("vi", 375), ("vi", 1280), ("en", 375), ("en", 1280), ("lo", 375), ("lo", 1280)]
# Letters only Vietnamese uses among the three languages: one in the words of an English or Lao page
# (its navigation, headings of tables, labels, buttons, reference data in the filters) is a miss.
VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
CHROME_TEXT = """() => {
  const out = [];
  const own = (el) => Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join(' ');
  // a row's heading that names its record (a commune, a unit: th.record) is data, like a cell
  document.querySelectorAll('#nav a, th:not(.record), summary, main button, dt, .menu-button').forEach(el => out.push(el.innerText));
  document.querySelectorAll('main label').forEach(el => out.push(own(el)));
  document.querySelectorAll('select[name=category] option, select[name=incident_type] option, select[name=status] option')
    .forEach(el => out.push(el.textContent));
  return out.filter(t => t && t.trim());
}"""


def _resolve(page, node, path: str, found: dict) -> str | None:
    if not path.startswith("@"):
        return path
    if "item" not in found:
        page.goto(node.base + "/items/", wait_until="domcontentloaded")
        link = page.locator("#results tbody tr[data-id] a").first
        found["item"] = link.get_attribute("href") if link.count() else None
        page.goto(node.base + "/incidents/?include_final=1", wait_until="domcontentloaded")
        link = page.locator("a[href^='/incidents/'][href$='/']").filter(has_text="VV-").first
        found["incident"] = link.get_attribute("href") if link.count() else None
    if path in RECORD_LISTS:
        return first_record(page, node, path, found)
    target = {"@item": found["item"], "@item-access": found["item"] and found["item"] + "access/"}
    target["@incident"] = found["incident"]
    return target[path]


# A record of the later contexts: the first link of its list whose path is the record's own.
RECORD_LISTS = {
    "@briefing": ("/briefings/", r"^/briefings/[0-9a-f-]{36}/$"),
    "@patrol": ("/patrols/", r"^/patrols/[0-9a-f-]{36}/$"),
    "@program": ("/programs/", r"^/programs/[0-9a-f-]{36}/$"),
}


def first_record(page, node, path: str, found: dict) -> str | None:
    if path not in found:
        listing, pattern = RECORD_LISTS[path]
        page.goto(node.base + listing, wait_until="domcontentloaded")
        hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
        found[path] = next((h for h in hrefs if re.match(pattern, h or "")), None)
    return found[path]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_every_role_fits_a_phone_and_speaks_the_readers_language(browser, node, role):
    page = signed_in(browser, node, ROLES[role])
    found: dict = {}
    too_wide, vietnamese, broken = [], [], []
    for lang, width in PASSES:
        set_language(page.context, node, lang)
        page.set_viewport_size({"width": width, "height": 800})
        for path in PAGES[role]:
            url = _resolve(page, node, path, found)
            if url is None:
                continue
            r = page.goto(node.base + url, wait_until="domcontentloaded")
            if r is None or r.status >= 400:
                broken.append(f"{lang} {width} {url}: {r and r.status}")
                continue
            name = re.sub(r"[^a-z0-9]+", "-", path.strip("/@").lower()) or "home"
            shot = ARTIFACTS / str(width) / lang / f"{role}-{name}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            extra = overflow(page)
            if extra > 1:
                too_wide.append(f"{lang} {width} {url}: {extra} px too wide")
            if lang != "vi":
                words = [t for t in page.evaluate(CHROME_TEXT) if VIETNAMESE.search(t)]
                if words:
                    vietnamese.append(f"{lang} {url}: {words[:5]}")
    page.context.close()
    assert broken == []
    assert too_wide == []
    assert vietnamese == []


def test_the_header_is_short_on_a_phone_and_the_menu_opens(browser, node):
    page = signed_in(browser, node, "trucban.don.nameo", width=375)
    page.goto(node.base + "/items/")
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= 130, header
    assert not page.locator("#nav").is_visible()
    page.click("label.menu-button")
    assert page.locator("#nav a[href='/inbox/']").is_visible()
    assert overflow(page) <= 1
    # The item table scrolls inside its own box; the page does not.
    table = page.locator("#results table").bounding_box()
    assert table["width"] <= 375
    page.context.close()


def test_an_incident_prints_without_the_navigation_and_the_forms(browser, node):
    page = signed_in(browser, node, "chihuy.ca")
    page.goto(node.base + "/incidents/?include_final=1")
    page.locator("a[href^='/incidents/'][href$='/']").filter(has_text="VV-").first.click()
    page.wait_for_load_state("domcontentloaded")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("main form").first.is_visible()
    assert page.locator("ol.timeline").is_visible()
    assert page.locator(".print-only").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "incident-print.pdf"))
    page.context.close()


@pytest.mark.parametrize("path", ["@briefing", "@patrol", "@program", "/conclusions/", "/agreements/"])
def test_the_later_contexts_print_without_the_navigation_and_the_forms(browser, node, path):
    """A briefing, a patrol, a program's progress, the conclusions and the agreements go to paper
    as they are read: no navigation, no form or button, the handling note at the foot, and nothing
    cut at the right edge of an A4 page (the page is laid out at A4's printable width)."""
    # the demo's briefings are the border guard's (its commander opens last quarter's)
    page = signed_in(browser, node, "chihuy.bp" if path == "@briefing" else "chihuy.ca")
    url = _resolve(page, node, path, {})
    assert url, f"the demo has no record for {path}"
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less 2 cm margins, at 96 dpi
    page.goto(node.base + url, wait_until="domcontentloaded")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert page.locator("main form:visible, main button:visible").count() == 0
    assert page.locator("main h1").first.is_visible()
    assert page.locator(".print-only").is_visible()
    assert overflow(page) <= 1, f"{url}: {overflow(page)} px wider than the paper"
    name = re.sub(r"[^a-z0-9]+", "-", path.strip("/@").lower())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / f"print-{name}.pdf"), format="A4")
    page.context.close()


def test_tasks_are_cards_on_a_phone(browser, node):
    """On a phone the task list is one card a task, each value labelled by its column: no column
    squeezed to a word a line, no sideways scrolling inside the table."""
    page = signed_in(browser, node, "chihuy.ca", width=375)  # the demo gives the province police tasks
    page.goto(node.base + "/tasks/")
    rows = page.locator("table.cards tbody tr[data-id]")
    assert rows.count() > 0
    box = page.evaluate(
        "() => { const t = document.querySelector('table.cards');"
        " return {scroll: t.scrollWidth, client: t.clientWidth}; }"
    )
    assert box["scroll"] <= box["client"] + 1, box
    # the column heads are left to screen readers: each cell carries its column's name instead
    assert page.locator("table.cards thead").bounding_box()["height"] <= 1
    first = rows.first
    assert first.bounding_box()["width"] >= 330
    assert first.locator("td[data-label]").count() == 3
    page.screenshot(path=str(ARTIFACTS / "375" / "vi" / "tasks-cards.png"), full_page=True)
    page.context.close()


def test_the_inbox_is_cards_on_a_phone(browser, node):
    """On a phone the inbox is one card an item waiting, each value labelled by its column: the
    delivery time is not cut off at the right edge, nothing scrolls sideways inside the table."""
    page = signed_in(browser, node, "trucban.don.nameo", width=375)  # the demo shares items with the post
    page.goto(node.base + "/inbox/")
    rows = page.locator("table.cards tbody tr[data-id]")
    assert rows.count() > 0
    for t in page.locator("table.cards").all():
        box = t.evaluate("t => ({scroll: t.scrollWidth, client: t.clientWidth})")
        assert box["scroll"] <= box["client"] + 1, box
    first = rows.first
    assert first.bounding_box()["width"] >= 330
    assert first.locator("td[data-label]").count() == 3
    delivered = first.locator("td[data-label]").last.bounding_box()
    assert delivered["x"] >= 0 and delivered["x"] + delivered["width"] <= 375 + 1, delivered
    page.screenshot(path=str(ARTIFACTS / "375" / "vi" / "inbox-cards.png"), full_page=True)
    page.context.close()
