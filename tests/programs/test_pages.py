"""The programs' pages: list, program (progress table, chart, map, missing months), a new program,
one commune's month on one form, the owner's decision, exports."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from liaison.programs.models import Entry, Program

from .support import NA_MEO, make_program, months_ago


def test_list_and_program_page(client_for):
    p = make_program()
    c = client_for("police_analyst")
    page = c.get("/programs/").content.decode()
    assert f'data-id="{p.pk}"' in page
    r = c.get(f"/programs/{p.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<svg" in html and 'data-commune="total"' in html and f'data-commune="{NA_MEO}"' in html


def test_a_commune_reports_its_month_on_one_form_and_the_owner_returns_it(client_for):
    p = make_program()
    c = client_for("na_meo_commune_police")
    url = f"/programs/{p.pk}/entry/"
    form = c.get(url, {"commune": NA_MEO, "month": str(months_ago(1))})
    assert form.status_code == 200 and 'name="v_detonators"' in form.content.decode()
    bad = c.post(url, {"commune": NA_MEO, "month": str(months_ago(1)), "v_detonators": "-3"})
    assert bad.status_code == 400 and not Entry.objects.filter(program=p).exists()
    ok = c.post(
        url, {"commune": NA_MEO, "month": str(months_ago(1)), "v_detonators": "3", "v_explosives": "1.5"}
    )
    assert ok.status_code == 302
    entry = Entry.objects.get(program=p)
    assert {v.indicator.code: v.number for v in entry.values.select_related("indicator")} == {
        "detonators": 3,
        "explosives": 1.5,
    }
    # A unit that does not report for the program gets no form.
    assert client_for("na_meo_post_officer").get(url).status_code == 404
    assert client_for("police_analyst").get(url).status_code == 403
    owner = client_for("police_analyst")
    assert owner.post(f"/programs/entries/{entry.pk}/return/", {"reason": ""}).status_code == 400
    r = owner.post(f"/programs/entries/{entry.pk}/return/", {"reason": "Thiếu biên bản"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "returned"
    # Sent again from the same form; then approved; then a correction needs its reason.
    r = c.post(url, {"commune": NA_MEO, "month": str(months_ago(1)), "v_detonators": "4"})
    assert r.status_code == 302
    owner.post(f"/programs/entries/{entry.pk}/approve/")
    entry.refresh_from_db()
    assert entry.status == "approved"
    r = c.post(url, {"commune": NA_MEO, "month": str(months_ago(1)), "v_detonators": "5", "reason": ""})
    assert r.status_code == 400
    r = c.post(
        url, {"commune": NA_MEO, "month": str(months_ago(1)), "v_detonators": "5", "reason": "Đếm lại"}
    )
    assert r.status_code == 302
    assert Entry.objects.filter(program=p, month=months_ago(1)).count() == 2


def test_a_new_program_from_a_default_and_its_activation(client_for):
    from liaison.org.models import Unit
    from liaison.programs.models import ProgramTemplate

    c = client_for("province_commander")
    assert c.get("/programs/new/").status_code == 200
    r = c.post(
        "/programs/new/",
        {
            "template": ProgramTemplate.objects.get(code="drug-free-commune").pk,
            "name_vi": "Xã không ma túy 2027",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-01",
            "units": [Unit.objects.get(code="CA-XA-NA-MEO").pk],
        },
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    p = Program.objects.get(name_vi="Xã không ma túy 2027")
    assert p.status == "draft" and p.indicators.count() == 6 and p.owner_unit.code == "CA-TH"
    assert c.post(f"/programs/{p.pk}/activate/").status_code == 302
    p.refresh_from_db()
    assert p.status == "active"
    assert client_for("auditor").get("/programs/new/").status_code == 403


def test_exports_csv_and_excel(client_for):
    p = make_program()
    c = client_for("police_analyst")
    r = c.get(f"/programs/{p.pk}/progress.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode().lstrip("\ufeff"))))
    assert len(rows) == 1 + 3 * 6  # header, then two communes and the total over six months
    r = c.get(f"/api/v1/programs/{p.pk}/progress.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == len(rows)
    assert c.get(f"/api/v1/programs/{p.pk}/progress.pdf").status_code == 404


def test_the_map_layer_colours_communes_by_progress(client_for):
    p = make_program()
    body = client_for("police_analyst").get(f"/api/v1/programs/{p.pk}/map").json()
    assert {f["properties"]["code"] for f in body["features"]} <= {NA_MEO, "VN-38-15607"}
    for f in body["features"]:
        assert f["properties"]["colour"].startswith("#")


def test_the_program_page_speaks_lao_and_fits_a_phone(client_for):
    from django.conf import settings

    p = make_program()
    c = client_for("police_analyst")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "lo"
    html = c.get(f"/programs/{p.pk}/").content.decode()
    assert "ຄວາມຄືບໜ້າຕາມຕາແສງ" in html  # "Progress by commune"
    assert "ໂຄງການທົດລອງ" in html  # the program's Lao name
    # The chart scales to the screen: a viewBox and a relative width, no fixed pixel width.
    assert 'viewBox="0 0 360' in html and "width:100%" in html


def test_the_owner_sets_targets_on_one_table(client_for):
    p = make_program()
    c = client_for("police_analyst")
    url = f"/programs/{p.pk}/targets/"
    assert c.get(url).status_code == 200
    bad = c.post(url, {"t_total_detonators": "-5"})
    assert bad.status_code == 400 and not p.targets.exists()
    ok = c.post(url, {"t_total_detonators": "100", f"t_{NA_MEO}_detonators": "40"})
    assert ok.status_code == 302
    assert {(t.participation_id is None, t.number) for t in p.targets.all()} == {(True, 100), (False, 40)}
    assert client_for("na_meo_commune_police").get(url).status_code == 403


def test_a_drug_free_communes_status_history_shows_month_by_month(client_for):
    from liaison.programs import services
    from tests.conftest import cast_actor

    from .support import area

    p = make_program("drug-free-commune")
    commune, owner = cast_actor("na_meo_commune_police"), cast_actor("police_analyst")
    for n, status in ((3, "troubled"), (2, "building"), (1, "drug_free")):
        e = services.entry_submit(
            commune, program=p, commune=area(NA_MEO), month=months_ago(n), values={"status": status}
        )
        services.entry_approve(owner, e)
    html = client_for("police_analyst").get(f"/programs/{p.pk}/").content.decode()
    history = html[html.index('class="grid history"') :]
    history = history[: history.index("</table>")]
    assert (
        history.index("Phức tạp về ma túy") < history.index("Đang xây dựng") < history.index("Không ma túy")
    )


def test_the_owner_edits_a_program_on_its_page_and_a_reported_commune_stays(client_for):
    from liaison.org.models import Unit
    from liaison.programs import services
    from tests.conftest import cast_actor

    from .support import BAT_MOT, area

    program = make_program()
    services.entry_submit(
        cast_actor("na_meo_commune_police"),
        program=program,
        commune=area(NA_MEO),
        month=months_ago(2),
        values={"detonators": 1},
    )
    url = f"/programs/{program.pk}/edit/"
    owner = client_for("police_analyst")
    page = owner.get(url)
    assert page.status_code == 200
    assert url in owner.get(f"/programs/{program.pk}/").content.decode()  # linked from the program
    form = {
        "name_vi": "Chương trình thu hồi vũ khí (sửa)",
        "name_en": "Weapons hand-in (edited)",
        "name_lo": "ໂຄງການເກັບອາວຸດ",
        "description": "Đợt cao điểm",
        "starts_on": str(months_ago(5)),
        "ends_on": str(months_ago(0)),
        "units": [str(Unit.objects.get(code="CA-XA-BAT-MOT").pk)],  # Na Mèo, which reported, dropped
    }
    refused = owner.post(url, form)
    assert refused.status_code == 400
    assert "units" in refused.context["form"].errors
    program.refresh_from_db()
    assert program.name_vi == "Chương trình thử"  # nothing written
    assert set(program.participations.values_list("commune__code", flat=True)) == {NA_MEO, BAT_MOT}

    form["units"].append(str(Unit.objects.get(code="CA-XA-NA-MEO").pk))
    saved = owner.post(url, form)
    assert saved.status_code == 302
    program.refresh_from_db()
    assert program.name_vi == "Chương trình thu hồi vũ khí (sửa)" and program.description == "Đợt cao điểm"


def test_a_participating_commune_may_not_edit_the_program(client_for):
    program = make_program()
    url = f"/programs/{program.pk}/edit/"
    assert client_for("na_meo_commune_police").get(url).status_code == 403
    assert client_for("na_meo_post_officer").get(url).status_code == 404
