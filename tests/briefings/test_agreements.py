"""The register of agreements holds the signed file itself: uploaded (page and API), checked by its
content (PDF, DOCX, JPEG, PNG) and size (the attachment limit), stored outside the database, and
downloaded only by those who see the agreement (members of this node, not the partner or the
auditor), each download audited. A briefing and a conclusion cite agreements from their pages.
A wrong file is an error on the field `file` and changes nothing."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.audit.models import AuditEvent
from liaison.briefings import figures, selectors, services
from liaison.briefings.models import Agreement, Briefing, Conclusion
from liaison.core import clock

COMMANDER = "border_guard_commander"
ANALYST = "border_guard_analyst"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"0" * 200
AGREEMENT_FILE_READ = 523


def fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def register(client, **extra):
    data = {
        "title": "Hiệp định hợp tác Thanh Hóa – Hủa Phăn",
        "parties": "UBND tỉnh Thanh Hóa; Tỉnh Hủa Phăn",
        "signed_on": "2025-03-01",
        "review_on": "2027-03-01",
        **extra,
    }
    return client.post("/agreements/", data)


def test_the_register_stores_the_signed_file_and_serves_it_through_the_policy(client_for):
    c = client_for(COMMANDER)
    r = register(c, file=SimpleUploadedFile("hiep-dinh.pdf", PDF, content_type="application/pdf"))
    assert r.status_code == 302
    a = Agreement.objects.get(title="Hiệp định hợp tác Thanh Hóa – Hủa Phăn")
    assert (a.file_name, a.file_type, a.file_size) == ("hiep-dinh.pdf", "application/pdf", len(PDF))
    assert a.file_sha256  # stored outside the database, under its checksum
    page = c.get("/agreements/").content.decode()
    assert f"/agreements/{a.pk}/file" in page
    # Another member of the node downloads it, by page and by API; each download is audited.
    reader = client_for(ANALYST)
    before = AuditEvent.objects.filter(verb=AGREEMENT_FILE_READ).count()
    for url in (f"/agreements/{a.pk}/file", f"/api/v1/agreements/{a.pk}/file"):
        got = reader.get(url)
        assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
        assert got["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(verb=AGREEMENT_FILE_READ).count() == before + 2
    # The partner and the auditor do not see the agreement: its file answers 404 like a missing one.
    for outsider in ("hua_phan_partner", "auditor"):
        assert client_for(outsider).get(f"/api/v1/agreements/{a.pk}/file").status_code == 404
        assert client_for(outsider).get(f"/agreements/{a.pk}/file").status_code == 404


def test_a_file_of_another_type_or_over_the_limit_is_an_error_on_file_and_changes_nothing(
    client_for, settings
):
    c = client_for(COMMANDER)
    a = services.agreement_save(
        selectors_actor(COMMANDER),
        title="Quy chế phối hợp",
        parties="BĐBP; Công an tỉnh",
        signed_on=dt.date(2025, 1, 10),
        review_on=dt.date(2027, 1, 10),
    )
    url = f"/api/v1/agreements/{a.pk}/file"
    r = c.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 100)})
    assert r.status_code == 422 and fields(r) == {"file"}
    r = c.post(url, {"file": SimpleUploadedFile("note.txt", "chỉ là chữ".encode())})
    assert r.status_code == 422 and fields(r) == {"file"}
    settings.ATTACHMENT_MAX_BYTES = len(PDF) - 1
    r = c.post(url, {"file": SimpleUploadedFile("big.pdf", PDF)})
    assert r.status_code == 422 and fields(r) == {"file"}
    a.refresh_from_db()
    assert not a.file_sha256 and not a.file_name
    # The page says which field is wrong and registers nothing.
    r = register(c, title="Sai tệp", file=SimpleUploadedFile("big.pdf", PDF))
    assert r.status_code == 302
    follow = c.get("/agreements/").content.decode()
    assert "file:" in follow
    assert not Agreement.objects.filter(title="Sai tệp").exists()
    settings.ATTACHMENT_MAX_BYTES = len(PDF)  # exactly at the limit is allowed
    r = c.post(url, {"file": SimpleUploadedFile("ok.pdf", PDF)})
    assert r.status_code == 200 and r.json()["file_type"] == "application/pdf"
    # Only those who manage the register attach a file.
    r = client_for("na_meo_commune_police").post(url, {"file": SimpleUploadedFile("x.pdf", PDF)})
    assert r.status_code in (403, 404)


def selectors_actor(name):
    from tests.conftest import cast_actor

    return cast_actor(name)


def _draft():
    return services.briefing_create(selectors_actor(ANALYST))


def test_a_briefing_and_a_conclusion_cite_an_agreement_from_their_page(client_for):
    a = services.agreement_save(
        selectors_actor(COMMANDER),
        title="Quy chế phối hợp biên giới",
        parties="BĐBP; Công an tỉnh",
        signed_on=dt.date(2025, 1, 10),
        review_on=dt.date(2027, 1, 10),
    )
    b = _draft()
    analyst = client_for(ANALYST)
    page = analyst.get(f"/briefings/{b.pk}/").content.decode()
    assert f'name="agreements" value="{a.ref}"' in page
    r = analyst.post(f"/briefings/{b.pk}/agreements/", {"agreements": [a.ref]})
    assert r.status_code == 302
    assert list(b.agreements.values_list("ref", flat=True)) == [a.ref]
    assert a.ref in analyst.get(f"/briefings/{b.pk}/").content.decode()
    # The API: an unknown reference is an error on `agreements`, and changes nothing.
    r = analyst.put(
        f"/api/v1/briefings/{b.pk}/agreements",
        {"agreements": ["TTHT-0000-999999"]},
        content_type="application/json",
    )
    assert r.status_code == 422 and fields(r) == {"agreements"}
    assert list(b.agreements.values_list("ref", flat=True)) == [a.ref]
    # A conclusion of the demo briefing's meeting cites it from the page's list of agreements.
    demo = Briefing.objects.get(
        owner_unit__code="BP-TH", starts_on=figures.last_quarter().starts_on, state="approved"
    )
    commander = client_for(COMMANDER)
    assert f'<option value="{a.ref}">' in commander.get(f"/briefings/{demo.pk}/").content.decode()
    due = (clock.now().date() + dt.timedelta(days=30)).isoformat()
    r = commander.post(
        f"/briefings/{demo.pk}/conclusion/",
        {"text": "Rà soát quy chế", "unit": "BP-DON-NA-MEO", "due_on": due, "agreement": a.ref},
    )
    assert r.status_code == 302
    assert Conclusion.objects.get(text="Rà soát quy chế").agreement_id == a.pk


def test_the_meeting_reads_its_participants_once(cast):
    """Codes and names of the participating units come from one read of them."""
    demo = Briefing.objects.get(
        owner_unit__code="BP-TH", starts_on=figures.last_quarter().starts_on, state="approved"
    )
    with CaptureQueriesContext(connection) as q:
        out = selectors.briefing_out(cast(COMMANDER), demo)
    assert out["meeting"] and out["meeting"]["participants"]
    assert len(out["meeting"]["participants"]) == len(out["meeting"]["participant_names"])
    reads = [s["sql"] for s in q.captured_queries if "briefings_meeting_participants" in s["sql"]]
    assert len(reads) == 1, reads
