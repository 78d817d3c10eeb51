"""The briefing as tables (shared by its page and its files) and as documents: Word (python-docx)
in the Vietnamese administrative layout, PDF (fpdf2, Noto fonts of Debian's fonts-noto-core, as the
patrol minutes) and Excel (openpyxl) with every table. Charts are drawn without a plotting library:
bars with Pillow (a PNG in Word), with fpdf2's rectangles (PDF) and openpyxl's own bar charts (Excel).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from liaison.briefings.tables import Table, heads, safe_cell, tables

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, int):
        return f"{v:,}".replace(",", ".")
    return str(v)


@dataclass
class Content:
    """What every document holds, in Vietnamese."""

    issuer: str
    number: str
    place_date: str
    title: str
    subtitle: str
    narrative: list[tuple[str, str]]
    heads: list[str]
    tables: list[Table]
    programs: list[dict]
    scorecard: list[dict]
    conclusions: list[dict]
    drills: dict
    recipients: list[str]
    signer: str
    chart: list[tuple[str, int]]


def content(briefing, figs: dict, conclusions: list[dict]) -> Content:
    with override("vi"):
        when = timezone.localdate(briefing.issued_at) if briefing.issued_at else timezone.localdate()
        return Content(
            issuer=briefing.owner_unit.name.upper(),
            number=f"Số: {briefing.number or '…'}",
            place_date=f"{briefing.place}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}",
            title="BÁO CÁO",
            subtitle=f"{briefing.title}",
            narrative=[
                (_("Situation"), briefing.situation),
                (_("Assessment"), briefing.assessment),
                (_("Each force's contribution"), briefing.contributions),
                (_("Proposals"), briefing.proposals),
            ],
            heads=heads(figs),
            tables=tables(figs),
            programs=figs.get("programs", []),
            scorecard=figs.get("scorecard", []),
            conclusions=conclusions,
            drills=figs.get("drills", {}),
            recipients=[r.strip() for r in (briefing.recipients or "").splitlines() if r.strip()],
            signer=briefing.signer,
            chart=[(r.label, r.values[0]) for r in tables(figs)[1].rows],  # exchange by level
        )


def chart_png(bars: list[tuple[str, int]], width: int = 900, height: int = 320) -> bytes:
    """A plain bar chart (Pillow): one bar per label, its value above it."""
    from PIL import Image, ImageDraw, ImageFont

    from liaison.patrols.exports import font_dir

    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype(str(font_dir() / "NotoSans-Regular.ttf"), 18)
    except OSError:
        font = ImageFont.load_default()
    top = max([v for _k, v in bars] + [1])
    n = max(len(bars), 1)
    slot = (width - 40) / n
    for i, (label, v) in enumerate(bars):
        x0 = 20 + i * slot + slot * 0.15
        x1 = 20 + (i + 1) * slot - slot * 0.15
        h = (height - 90) * v / top
        d.rectangle([x0, height - 50 - h, x1, height - 50], fill=(31, 94, 160))
        d.text((x0, height - 75 - h), str(v), fill="black", font=font)
        d.text((x0, height - 40), label[:18], fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def to_docx(c: Content) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:cs"), "Noto Sans Lao")
    # The header: issuing body and number on the left, the national motto on the right.
    head = doc.add_table(rows=2, cols=2)
    head.cell(0, 0).text = c.issuer
    head.cell(0, 1).text = NATIONAL[0]
    head.cell(1, 0).text = c.number
    head.cell(1, 1).text = NATIONAL[1]
    for row in head.rows:
        for cell in row.cells:
            for par in cell.paragraphs:
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in par.runs:
                    run.bold = True
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run(c.place_date).italic = True
    for text in (c.title, c.subtitle):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = True
    for title, text in c.narrative:
        if text:
            doc.add_heading(title, level=2)
            doc.add_paragraph(text)
    doc.add_heading("Biểu đồ: tin trao đổi theo cấp", level=2)
    doc.add_picture(io.BytesIO(chart_png(c.chart)), width=Cm(15))
    for t in c.tables:
        doc.add_heading(t.title + (" (một phần)" if t.partial else ""), level=3)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["", *c.heads], strict=True):
            cell.text = text
        for r in t.rows:
            cells = table.add_row().cells
            cells[0].text = r.label
            for i, v in enumerate(r.values):
                cells[i + 1].text = _fmt(v)
    if c.programs:
        doc.add_heading("Chương trình, phong trào", level=3)
        for prog in c.programs:
            doc.add_paragraph(f"{prog['ref']} — {prog['name_vi']}")
            for ind in prog["indicators"]:
                doc.add_paragraph(
                    f"{ind['name_vi']}: {ind['sum']} {ind.get('unit') or ''}".rstrip(), style="List Bullet"
                )
    if c.scorecard:
        doc.add_heading("Bảng đánh giá tính kịp thời", level=3)
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells,
            [
                "Đơn vị",
                "Tin xác nhận đúng hạn",
                "Xác minh đúng hạn",
                "Vụ việc tiếp nhận đúng hạn",
                "Trung vị (giờ)",
            ],
            strict=True,
        ):
            cell.text = text
        for r in c.scorecard:
            cells = table.add_row().cells
            cells[0].text = r["name"]
            cells[1].text = f"{r['items_in_time']}/{r['items']}"
            cells[2].text = f"{r['verifications_in_time']}/{r['verifications']}"
            cells[3].text = f"{r['incidents_in_time']}/{r['incidents']}"
            cells[4].text = _fmt(r["median_hours"])
    if c.conclusions:
        doc.add_heading("Kết luận của hội nghị kỳ trước và tình hình thực hiện", level=3)
        for k in c.conclusions:
            doc.add_paragraph(
                f"{k['text']} — {k['unit']} — hạn {k['due_on']} — {k['state']}", style="List Number"
            )
    drills = c.drills.get("items", []) + c.drills.get("incidents", [])
    if drills:
        doc.add_heading("Diễn tập (không tính vào số liệu)", level=3)
        doc.add_paragraph(", ".join(d["ref"] for d in drills))
    doc.add_paragraph()
    sig = doc.add_table(rows=2, cols=2)
    sig.cell(0, 0).text = "Nơi nhận:\n" + "\n".join(f"- {r};" for r in c.recipients or ["Lưu: VT"])
    sig.cell(0, 1).text = "THỦ TRƯỞNG ĐƠN VỊ\n(Ký, ghi rõ họ tên, đóng dấu)"
    sig.cell(1, 1).text = c.signer
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_pdf(c: Content) -> bytes:
    from fpdf.fonts import FontFace

    from liaison.patrols.exports import noto_pdf

    pdf = noto_pdf()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    y = pdf.get_y()
    pdf.set_font("NotoSans", "B", 10)
    pdf.set_xy(pdf.l_margin, y)
    pdf.multi_cell(half * 0.9, 5, f"{c.issuer}\n{c.number}", align="C")
    pdf.set_xy(pdf.l_margin + half * 0.9, y)
    pdf.multi_cell(half * 1.1, 5, f"{NATIONAL[0]}\n{NATIONAL[1]}", align="C")
    pdf.ln(3)
    pdf.set_font("NotoSans", "", 10)
    pdf.multi_cell(0, 6, c.place_date, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSans", "B", 13)
    for text in (c.title, c.subtitle):
        pdf.multi_cell(0, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSans", "", 10)
    for title, text in c.narrative:
        if text:
            pdf.set_font("NotoSans", "B", 11)
            pdf.multi_cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("NotoSans", "", 10)
            pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    # A bar chart of the items exchanged by level.
    pdf.set_font("NotoSans", "B", 11)
    pdf.multi_cell(0, 6, "Biểu đồ: tin trao đổi theo cấp", new_x="LMARGIN", new_y="NEXT")
    top = max([v for _k, v in c.chart] + [1])
    x, y0 = pdf.l_margin, pdf.get_y() + 2
    pdf.set_font("NotoSans", "", 8)
    for i, (label, v) in enumerate(c.chart):
        h = 30 * v / top
        pdf.set_fill_color(31, 94, 160)
        pdf.rect(x + i * 40 + 5, y0 + 32 - h, 25, h, style="F")
        pdf.set_xy(x + i * 40, y0 + 33)
        pdf.cell(35, 4, f"{label}: {v}", align="C")
    pdf.set_y(y0 + 40)
    for t in c.tables:
        pdf.set_font("NotoSans", "B", 10)
        pdf.multi_cell(0, 6, t.title + (" (một phần)" if t.partial else ""), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoSans", "", 8)
        with pdf.table(col_widths=(70, 35, 35, 40), headings_style=FontFace(emphasis="BOLD")) as table:
            row = table.row()
            for text in ["", *c.heads]:
                row.cell(text)
            for r in t.rows:
                row = table.row()
                row.cell(r.label)
                for v in r.values:
                    row.cell(_fmt(v))
        pdf.ln(2)
    if c.conclusions:
        pdf.set_font("NotoSans", "B", 10)
        pdf.multi_cell(
            0, 6, "Kết luận của hội nghị kỳ trước và tình hình thực hiện", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.set_font("NotoSans", "", 9)
        for i, k in enumerate(c.conclusions, 1):
            pdf.multi_cell(
                0,
                5,
                f"{i}. {k['text']} — {k['unit']} — hạn {k['due_on']} — {k['state']}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.ln(6)
    y = pdf.get_y()
    pdf.set_font("NotoSans", "", 9)
    pdf.set_xy(pdf.l_margin, y)
    pdf.multi_cell(half, 5, "Nơi nhận:\n" + "\n".join(f"- {r};" for r in c.recipients or ["Lưu: VT"]))
    pdf.set_xy(pdf.l_margin + half, y)
    pdf.set_font("NotoSans", "B", 10)
    pdf.multi_cell(half, 5, f"THỦ TRƯỞNG ĐƠN VỊ\n\n\n{c.signer}", align="C")
    return bytes(pdf.output())


def to_xlsx(c: Content) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = "Tong hop"
    ws.append([safe_cell(c.subtitle)])
    for t in c.tables:
        ws.append([])
        ws.append([safe_cell(t.title + (" (một phần)" if t.partial else ""))])
        ws.append(["", *[safe_cell(h) for h in c.heads]])
        first = ws.max_row + 1
        for r in t.rows:
            ws.append([safe_cell(r.label), *r.values])
        if t.section == "exchange.by_level" and t.rows:
            chart = BarChart()
            chart.title = "Tin trao đổi theo cấp"
            chart.add_data(
                Reference(ws, min_col=2, min_row=first - 1, max_row=ws.max_row), titles_from_data=True
            )
            chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=ws.max_row))
            ws.add_chart(chart, "G2")
    sc = wb.create_sheet("Ky luat thoi gian")
    sc.append(["Đơn vị", "Tin", "Đúng hạn", "Xác minh", "Đúng hạn", "Vụ việc", "Đúng hạn", "Trung vị (giờ)"])
    for r in c.scorecard:
        sc.append(
            [
                safe_cell(r["name"]),
                r["items"],
                r["items_in_time"],
                r["verifications"],
                r["verifications_in_time"],
                r["incidents"],
                r["incidents_in_time"],
                r["median_hours"],
            ]
        )
    pg = wb.create_sheet("Chuong trinh")
    pg.append(["Chương trình", "Chỉ tiêu", "Tổng", "Đơn vị"])
    for prog in c.programs:
        for ind in prog["indicators"]:
            pg.append(
                [safe_cell(prog["name_vi"]), safe_cell(ind["name_vi"]), ind["sum"], ind.get("unit") or ""]
            )
    kl = wb.create_sheet("Ket luan")
    kl.append(["Kết luận", "Đơn vị", "Hạn", "Trạng thái"])
    for k in c.conclusions:
        kl.append([safe_cell(k["text"]), safe_cell(k["unit"]), k["due_on"], k["state"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
