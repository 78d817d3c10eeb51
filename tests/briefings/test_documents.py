"""The briefing's documents, generated in the background with visible progress: the Word file read
back holds the figures and the Vietnamese administrative header; the PDF's text holds Vietnamese
diacritics intact and its first page, rendered to PNG, is not blank; the Excel file has every table."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from liaison.briefings import services, tasks
from liaison.briefings.models import Generation

COMMANDER = "border_guard_commander"


@pytest.fixture
def generated(cast, client_for):
    commander = cast(COMMANDER)
    b = services.briefing_create(commander)
    services.briefing_edit(
        commander, briefing=b, situation="Tình hình an ninh trật tự khu vực biên giới ổn định."
    )
    client = client_for(COMMANDER)
    r = client.post(f"/api/v1/briefings/{b.pk}/documents")
    assert r.status_code == 202, r.content
    gid = r.json()["id"]
    assert client.get(f"/api/v1/briefing-documents/{gid}").json()["state"] == "queued"
    assert tasks.run_generation(gid) is True  # what the worker runs
    progress = client.get(f"/api/v1/briefing-documents/{gid}").json()
    assert (progress["state"], progress["percent"]) == ("done", 100)
    body = client.get(f"/api/v1/briefings/{b.pk}").json()
    files = {
        fmt: client.get(f"/api/v1/briefing-documents/{gid}/file.{fmt}") for fmt in ("docx", "pdf", "xlsx")
    }
    for r in files.values():
        assert r.status_code == 200
    return body, {k: r.content for k, r in files.items()}


def test_the_word_file_holds_the_header_and_the_figures(generated):
    from docx import Document

    body, files = generated
    doc = Document(io.BytesIO(files["docx"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert "Độc lập - Tự do - Hạnh phúc" in cells
    assert "Tình hình an ninh trật tự khu vực biên giới ổn định." in text
    total = body["figures"]["current"]["exchange"]["total"]
    assert total > 0
    assert str(total) in cells or f"{total:,}".replace(",", ".") in cells
    for level, n in body["figures"]["current"]["exchange"]["by_level"].items():
        assert str(n) in cells, level


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_pdf_keeps_vietnamese_diacritics_and_its_first_page_is_not_blank(generated, tmp_path):
    from PIL import Image

    _body, files = generated
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(files["pdf"])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    for words in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "khu vực biên giới ổn định",
    ):
        assert words in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    png = next(tmp_path.glob("p*.png"))
    img = Image.open(png).convert("L")
    lo, hi = img.getextrema()
    assert hi - lo > 100  # ink on paper, not a blank page
    dark = sum(img.histogram()[:128])
    assert dark > 200


def test_the_excel_file_has_every_table(generated):
    from openpyxl import load_workbook

    body, files = generated
    wb = load_workbook(io.BytesIO(files["xlsx"]))
    titles = {str(row[0].value) for row in wb.worksheets[0].iter_rows() if row[0].value}
    for t in body["tables"]:
        assert any(x.startswith(t["title"]) for x in titles), t["title"]
    assert len(wb.worksheets[0]._charts) == 1


def test_a_generation_is_its_requesters(cast, client_for, generated):
    g = Generation.objects.latest("created_at")
    assert client_for("border_guard_analyst").get(f"/api/v1/briefing-documents/{g.pk}").status_code == 404
