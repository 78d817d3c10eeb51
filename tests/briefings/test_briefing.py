"""A briefing's life: drafted by an analyst, approved and issued by a commander; an issued briefing
is frozen (its figures stored as issued) and shows what changed in the records since; its meeting's
conclusions are tasks for units, escalated by the worker once overdue, and listed with their state
in the next period's briefing; agreements are reminded before their review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from liaison.briefings import figures, selectors, services, tasks
from liaison.briefings.models import Agreement, Briefing, Conclusion
from liaison.core import clock
from liaison.core.errors import NotPermitted
from liaison.intel import services as intel

ANALYST = "border_guard_analyst"
COMMANDER = "border_guard_commander"


def node_exchanged(p) -> int:
    with connection.cursor() as c:
        c.execute(
            "SELECT COUNT(*) FROM intel_item WHERE NOT is_drill AND exchanged_at >= %s AND exchanged_at < %s",
            # instants as the database stores them: SQLite compares the text of a UTC timestamp, so
            # an aware datetime with its +07:00 offset would move the quarter's edges by 7 hours
            [
                connection.ops.adapt_datetimefield_value(p.start),
                connection.ops.adapt_datetimefield_value(p.end),
            ],
        )
        return c.fetchone()[0]


@pytest.fixture
def draft(cast):
    return services.briefing_create(cast(ANALYST))


def test_a_new_briefing_covers_last_quarter_of_the_analysts_unit(cast, draft):
    assert (draft.starts_on, draft.ends_on) == (
        figures.last_quarter().starts_on,
        figures.last_quarter().ends_on,
    )
    assert draft.owner_unit.code == "BP-TH"
    assert draft.state == "draft" and draft.figures is None


def test_only_a_commander_approves_and_issues_and_only_in_order(cast, draft):
    with pytest.raises(NotPermitted):
        services.briefing_approve(cast(ANALYST), briefing=draft)
    with pytest.raises(NotPermitted):
        services.briefing_issue(cast(COMMANDER), briefing=draft)  # not approved yet
    services.briefing_approve(cast(COMMANDER), briefing=draft)
    b = services.briefing_issue(cast(COMMANDER), briefing=draft)
    assert b.state == "issued" and b.figures is not None


def test_an_issued_briefing_does_not_change_when_records_change_and_shows_what_changed(
    cast, draft, new_item, unit
):
    commander = cast(COMMANDER)
    services.briefing_edit(cast(ANALYST), briefing=draft, situation="Tình hình ổn định.")
    services.briefing_approve(commander, briefing=draft)
    b = services.briefing_issue(commander, briefing=draft)
    issued_total = b.figures["current"]["exchange"]["total"]
    p = figures.last_quarter()
    # A late record: an item of the quarter first exchanged in it, entered after the issue.
    with clock.frozen(p.start + dt.timedelta(days=10)):
        item = new_item("na_meo_post_officer")
        intel.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    b = Briefing.objects.get(pk=b.pk)
    assert b.figures["current"]["exchange"]["total"] == issued_total
    assert selectors.briefing_figures(commander, briefing=b)["current"]["exchange"]["total"] == issued_total
    changes = selectors.changes_since(commander, briefing=b)
    assert [
        (c["issued"], c["now"]) for c in changes if (c["section"], c["key"]) == ("exchange", "total")
    ] == [(issued_total, issued_total + 1)]
    with pytest.raises(NotPermitted):
        services.briefing_edit(commander, briefing=b, situation="sửa sau khi ban hành")


def test_conclusions_go_to_the_units_task_list_and_overdue_ones_are_escalated(cast, draft):
    commander = cast(COMMANDER)
    services.meeting_record(
        commander,
        briefing=draft,
        held_on=draft.ends_on + dt.timedelta(days=5),
        place="Bộ Chỉ huy BĐBP tỉnh",
        chair="Đại tá Nguyễn Văn A",
        participants=["BP-TH", "CA-TH", "LA-HP-CA"],  # the partner's unit: a reference
    )
    today = clock.now().date()
    c1 = services.conclusion_assign(
        commander,
        briefing=draft,
        text="Tăng cường tuần tra đường mòn",
        unit="BP-DON-NA-MEO",
        due_on=today - dt.timedelta(days=2),
    )
    services.conclusion_assign(
        commander,
        briefing=draft,
        text="Rà soát tin chưa xác minh",
        unit="BP-DON-NA-MEO",
        due_on=today + dt.timedelta(days=30),
    )
    post = cast("na_meo_post_officer")

    def listed(who):
        return [c.text for c in selectors.unit_conclusions(who) if c.meeting.briefing_id == draft.pk]

    assert listed(post) == ["Tăng cường tuần tra đường mòn", "Rà soát tin chưa xác minh"]
    assert listed(cast("bat_mot_post_officer")) == []
    assert tasks.sweep()["conclusions_escalated"] >= 1
    assert tasks.sweep()["conclusions_escalated"] == 0  # idempotent
    assert Conclusion.objects.get(pk=c1.pk).escalated_at is not None
    # the overdue one now shows on the task list of the commander above the post
    assert "Tăng cường tuần tra đường mòn" in listed(cast("border_guard_commander"))
    services.conclusion_update(post, conclusion=c1, state="done", result="Đã tuần tra 4 lượt")
    assert listed(post) == ["Rà soát tin chưa xác minh"]


def test_nothing_is_assigned_to_the_partner_across_the_border(cast, draft):
    from liaison.core.errors import Invalid

    commander = cast(COMMANDER)
    services.meeting_record(commander, briefing=draft, held_on=draft.ends_on, place="Thanh Hóa", chair="A")
    with pytest.raises(Invalid) as e:
        services.conclusion_assign(commander, briefing=draft, text="x", unit="LA-HP-CA", due_on=draft.ends_on)
    assert e.value.errors[0].code == "partner_unit"


def test_the_next_briefing_lists_last_quarters_conclusions_and_their_state(cast, draft):
    commander = cast(COMMANDER)
    services.meeting_record(commander, briefing=draft, held_on=draft.ends_on, place="Thanh Hóa", chair="A")
    services.conclusion_assign(
        commander, briefing=draft, text="Kết luận 1", unit="BP-DON-NA-MEO", due_on=draft.ends_on
    )
    nxt = services.briefing_create(cast(ANALYST), period_kind="quarter", on=draft.ends_on)
    last = selectors.last_conclusions(commander, briefing=nxt)
    assert [(c["text"], c["state_code"]) for c in last] == [("Kết luận 1", "open")]


def test_the_secretariat_reads_its_briefing_with_node_wide_counts_and_no_links(cast, client_for):
    sec = cast("secretariat")
    b = services.briefing_create(sec)
    r = client_for("secretariat").get(f"/api/v1/briefings/{b.pk}")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["figures"]["current"]["exchange"]["total"] == node_exchanged(figures.last_quarter())
    assert not any(row["link"] for t in body["tables"] for row in t["rows"])
    # and it opens no record: the items behind a figure are not listed for it
    items = client_for("secretariat").get("/api/v1/items", {"limit": 1}).json()
    assert items["count"] == 0


def test_a_commanders_page_links_each_figure(cast, client_for, draft):
    r = client_for(COMMANDER).get(f"/api/v1/briefings/{draft.pk}")
    body = r.json()
    links = [row["link"] for t in body["tables"] for row in t["rows"] if row["link"]]
    assert links and all(link.startswith(("/items", "/incidents", "/patrols")) for link in links)


def test_a_reader_who_does_not_see_a_briefing_gets_404(client_for, draft):
    assert client_for("na_meo_commune_police").get(f"/api/v1/briefings/{draft.pk}").status_code == 404


def test_outcome_totals_have_their_own_call_and_csv(client_for):
    c = client_for(COMMANDER)
    r = c.get("/api/v1/briefing-outcomes")
    assert r.status_code == 200
    assert set(r.json()["outcomes"]) == {"arrested", "detained", "rescued", "evacuated", "deaths", "injured"}
    csv_ = c.get("/api/v1/briefing-outcomes.csv")
    assert csv_.status_code == 200 and b"arrested" in csv_.content


def test_an_agreement_is_reminded_once_before_its_review(cast):
    a = services.agreement_save(
        cast(COMMANDER),
        title="Thỏa thuận hợp tác với tỉnh Hủa Phăn",
        parties="BĐBP Thanh Hóa; Công an tỉnh Hủa Phăn",
        signed_on=dt.date(2024, 3, 1),
        review_on=clock.now().date() + dt.timedelta(days=10),
    )
    assert tasks.sweep()["agreements_reminded"] >= 1
    assert Agreement.objects.get(pk=a.pk).reminded_for == a.review_on
    assert services.agreement_remind(cast(COMMANDER), agreement_id=a.pk) is False
