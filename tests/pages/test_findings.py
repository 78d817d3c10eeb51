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


# --- 11. the demo: a second police administrator; `liaison demo` says what it does ---------------


def test_a_commander_grant_by_one_police_administrator_is_confirmed_by_the_second(cast):
    from liaison.org import services
    from liaison.org.actor import Actor
    from liaison.org.models import Membership, Role, Unit, User

    first = cast("police_administrator")
    second_m = Membership.objects.get(user__username="quantri2", unit__code="CA-TH", status="active")
    second = Actor(user=second_m.user, membership=second_m, via="session")
    grantee = User.objects.get(username="trucban.ttch")
    m = services.membership_grant(
        first, user=grantee, unit=Unit.objects.get(code="CA-TH"), role=Role.COMMANDER
    )
    assert m.status == Membership.Status.PENDING
    services.membership_approve(second, membership=m)
    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE


def test_the_demo_loader_says_each_step_and_its_time(db):
    import io

    from liaison.demo import load

    out = io.StringIO()
    load.run(stdout=out)  # re-runnable: the session already loaded it, nothing is duplicated
    text = out.getvalue()
    for step in ("units", "border places", "users, memberships and two-factor devices", "incidents"):
        assert re.search(rf"{re.escape(step)}: done in \d+\.\d s", text), text


# --- 3 and 10. the status form offers what the policy allows; closing needs a reason; a refusal
# names its rule --------------------------------------------------------------------------------


@pytest.fixture
def drug_case(cast):
    """A drug-trafficking incident in Bát Mọt, opened by the provincial command centre: the Bát Mọt
    post leads it; the border-guard command (BP-TH) commands above the lead."""
    from liaison.geo.models import Area
    from liaison.incidents import services
    from liaison.incidents.models import IncidentType

    def make():
        return services.incident_open(
            cast("command_centre_officer"),
            incident_type=IncidentType.objects.get(code="drug_trafficking"),
            title="Vận chuyển trái phép chất ma túy",
            area=Area.objects.get(code="VN-38-15607"),
        )

    return make


def _offered_statuses(html: str) -> list[str]:
    form = re.search(r'<select name="transition-status"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([a-z_]+)"', form.group(1)) if form else []


def _move(client, inc, to, reason=""):
    return client.post(
        f"/api/v1/incidents/{inc.pk}/transition",
        {"status": to, "reason": reason},
        content_type="application/json",
    )


def test_the_status_form_offers_only_the_moves_this_reader_may_make(client_for, drug_case):
    inc = drug_case()
    page = lambda who: client_for(who).get(f"/incidents/{inc.pk}/").content.decode()  # noqa: E731
    assert _offered_statuses(page("bat_mot_post_officer")) == ["acknowledged"]
    assert _offered_statuses(page("border_guard_commander")) == ["acknowledged", "cancelled", "merged"]
    # The opener sees it but does not lead: no form at all.
    assert 'name="transition-status"' not in page("command_centre_officer")
    lead = client_for("bat_mot_post_officer")
    for to in ("acknowledged", "responding", "contained", "resolved"):
        assert _move(lead, inc, to).status_code == 200
    assert _offered_statuses(page("bat_mot_post_officer")) == []
    assert _offered_statuses(page("border_guard_commander")) == ["responding", "closed"]


def test_closing_needs_a_reason_in_the_api_and_the_form(client_for, drug_case):
    from liaison.incidents.models import Incident

    inc = drug_case()
    lead, boss = client_for("bat_mot_post_officer"), client_for("border_guard_commander")
    for to in ("acknowledged", "responding", "contained", "resolved"):
        assert _move(lead, inc, to).status_code == 200
    for reason in ("", "   "):
        r = _move(boss, inc, "closed", reason)
        assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["reason"], r.content
        r = boss.post(
            f"/incidents/{inc.pk}/transition/", {"transition-status": "closed", "transition-reason": reason}
        )
        assert r.status_code == 400 and 'id="id_transition-reason_error"' in r.content.decode()
    assert Incident.objects.get(pk=inc.pk).status == "resolved"
    r = boss.post(
        f"/incidents/{inc.pk}/transition/", {"transition-status": "closed", "transition-reason": "Đã xử lý"}
    )
    assert r.status_code == 302
    assert Incident.objects.get(pk=inc.pk).status == "closed"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Only a commander of the lead unit"),
        ("vi", "Chỉ chỉ huy của đơn vị chủ trì"),
        ("lo", "ຜູ້ບັນຊາການ"),
    ],
)
def test_a_refused_move_names_the_rule_in_the_readers_language(client_for, drug_case, lang, words):
    from django.conf import settings

    inc = drug_case()
    c = client_for("bat_mot_post_officer")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    r = c.post(
        f"/incidents/{inc.pk}/transition/", {"transition-status": "cancelled", "transition-reason": "x"}
    )
    # Not offered, so the form refuses the choice itself; the API answers with the rule.
    assert r.status_code == 400
    r = c.post(
        f"/api/v1/incidents/{inc.pk}/transition",
        {"status": "cancelled", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert words in r.json()["title"], r.json()
    # A page's refusal (the hand-over form is not offered to the post; posting it anyway):
    r = c.post(
        f"/incidents/{inc.pk}/handover/", {"handover-unit": str(inc.lead_unit_id), "handover-reason": "x"}
    )
    assert r.status_code in (400, 403)
    r = c.post(
        f"/incidents/{inc.pk}/transition/",
        {"transition-status": "acknowledged"},
        headers={"Accept-Language": lang},
    )
    assert r.status_code == 302  # what it may do, it does


def test_a_refused_page_action_shows_the_rule_not_a_generic_sentence(client_for, drug_case):
    from django.conf import settings

    inc = drug_case()
    c = client_for("bat_mot_post_officer")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = c.post(f"/incidents/{inc.pk}/task/", {"task-title": "x", "task-unit": "", "task-due_at": ""})
    assert r.status_code == 400  # the lead unit may add tasks: a bad form, not a refusal
    c = client_for("command_centre_officer")  # sees it (opened it) but neither leads nor commands
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = c.post(f"/incidents/{inc.pk}/name_unit/", {"name_unit-unit": str(inc.lead_unit_id)})
    assert r.status_code == 403
    body = r.content.decode()
    assert "Your role may not do this." not in body
    assert "Only the lead unit names the units that may see protected persons." in body


# --- 8. closed incidents can be found in the pages --------------------------------------------


def test_closed_incidents_are_found_from_the_board(client_for):
    from liaison import policy
    from liaison.incidents.models import Incident
    from tests.conftest import cast_actor

    closed = policy.visible(cast_actor("province_commander"), Incident).filter(status="closed").first()
    assert closed is not None  # the demo closes 36 incidents
    c = client_for("province_commander")
    board = c.get("/incidents/").content.decode()
    assert closed.ref not in board
    link = re.search(r'href="(\?include_final=1)" data-closed-link', board)
    assert link
    page = c.get("/incidents/" + link.group(1)).content.decode()
    assert closed.ref in page
    assert f'href="/incidents/{closed.pk}/"' in page


# --- 7. seizures as rows of kind, quantity and unit --------------------------------------------


def _outcome_form(rows, **counts):
    data = {
        f"outcome-{k}": str(counts.get(k, 0))
        for k in ("arrested", "detained", "rescued", "evacuated", "deaths", "injured")
    }
    data.update(
        {
            "seizure-TOTAL_FORMS": str(len(rows)),
            "seizure-INITIAL_FORMS": "0",
            "seizure-MIN_NUM_FORMS": "0",
            "seizure-MAX_NUM_FORMS": "30",
        }
    )
    for i, (goods, qty, unit, note) in enumerate(rows):
        data.update(
            {
                f"seizure-{i}-goods": goods,
                f"seizure-{i}-quantity": qty,
                f"seizure-{i}-unit": unit,
                f"seizure-{i}-note": note,
            }
        )
    return data


def test_seizures_are_rows_of_what_how_much_and_which_unit(client_for, drug_case):
    from liaison.incidents.models import Seizure

    inc = drug_case()
    c = client_for("bat_mot_post_officer")  # the lead post
    page = c.get(f"/incidents/{inc.pk}/").content.decode()
    assert 'name="seizure-0-goods"' in page and 'name="seizure-0-unit"' in page
    r = c.post(
        f"/incidents/{inc.pk}/outcome/",
        _outcome_form(
            [("heroin", "500", "g", ""), ("meth", "2", "kg", "Túi nilon"), ("", "", "", "")], arrested=2
        ),
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    got = sorted((s.kind, s.quantity, s.note) for s in Seizure.objects.filter(outcome__incident=inc))
    assert got == [("heroin_g", 500, ""), ("meth_g", 2000, "Túi nilon")]
    # Shown again as rows, so that saving the counts again keeps them.
    page = c.get(f"/incidents/{inc.pk}/").content.decode()
    assert re.search(r'name="seizure-0-goods"[^>]*>.*?<option value="heroin" selected', page, re.S)


def test_a_seizure_in_a_unit_that_does_not_fit_is_refused_on_its_field(client_for, drug_case):
    from liaison.incidents.models import Seizure

    inc = drug_case()
    c = client_for("bat_mot_post_officer")
    r = c.post(f"/incidents/{inc.pk}/outcome/", _outcome_form([("guns", "3", "kg", "")]))
    assert r.status_code == 400
    assert 'id="id_seizure-0-unit_error"' in r.content.decode()
    assert not Seizure.objects.filter(outcome__incident=inc).exists()


# --- 6. work first: the home page and the navigation's badges count the unit's waiting work ----


def _count(html: str, key: str) -> int:
    m = re.search(rf'data-count="{key}"[^>]*>(?:<a [^>]*>)?<strong>(\d+)</strong>', html)
    assert m, f"no count {key}"
    return int(m.group(1))


def _badge(html: str, key: str) -> int:
    m = re.search(rf'data-count="{key}"[^>]*>(\d+)</span>', html)
    return int(m.group(1)) if m else 0


def test_the_home_page_and_the_badges_count_what_waits_for_the_unit(cast, client_for):
    from liaison.intel import services as intel
    from liaison.org.models import Unit
    from tests.support.records import log_item

    c = client_for("na_meo_customs_officer")
    before = c.get("/").content.decode()
    unack, inbox = _count(before, "unacknowledged"), _badge(before, "inbox")
    item = log_item(cast("na_meo_post_officer"), title="Hàng lậu qua cửa khẩu")
    intel.item_share(
        cast("na_meo_post_officer"), item=item, units=[Unit.objects.get(code="HQ-NA-MEO")], forces=[]
    )
    after = c.get("/").content.decode()
    assert _count(after, "unacknowledged") == unack + 1
    assert _badge(after, "inbox") == inbox + 1
    # The navigation alone (what htmx fetches again on every event of the live feed):
    assert _badge(c.get("/work/nav/").content.decode(), "inbox") == inbox + 1
    intel.item_acknowledge(cast("na_meo_customs_officer"), item=item)
    assert _count(c.get("/").content.decode(), "unacknowledged") == unack


def test_a_commander_home_counts_the_overdue_work_below(client_for):
    body = client_for("province_commander").get("/").content.decode()
    for key in ("watched_overdue", "watched_tasks_overdue", "watched_unacknowledged"):
        assert f'data-count="{key}"' in body
    assert 'data-count="watched_overdue"' not in client_for("na_meo_post_officer").get("/").content.decode()


# --- 11. the auditor's navigation leads to the audit log -----------------------------------------


def test_the_auditor_navigation_links_the_audit_log_and_not_the_work_pages(client_for):
    body = client_for("auditor").get("/").content.decode()
    nav = body[body.index('<nav id="nav"') : body.index("</nav>")]
    assert 'href="/audit/"' in nav
    assert 'href="/inbox/"' not in nav
    officer_nav = client_for("na_meo_post_officer").get("/").content.decode()
    assert 'href="/audit/"' not in officer_nav and 'href="/inbox/"' in officer_nav


def test_a_pending_commander_grant_says_who_may_confirm_it(client_for):
    from liaison.org.models import Membership, Unit, User

    c = client_for("police_administrator")
    c.cookies["liaison-lang"] = "en"
    add = c.get("/admin/org/membership/add/").content.decode()
    assert "admin-autocomplete" in add  # searchable pickers for the user and the unit, not raw ids
    r = c.post(
        "/admin/org/membership/add/",
        {
            "user": str(User.objects.get(username="trucban.ttch").pk),
            "unit": str(Unit.objects.get(code="CA-TH").pk),
            "role": "commander",
        },
        follow=True,
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert Membership.objects.filter(
        user__username="trucban.ttch", role="commander", status="pending"
    ).exists()
    assert "is pending" in body and "quantri2" in body.replace("Phan Thị Quyên", "quantri2")
