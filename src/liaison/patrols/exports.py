"""The minutes of a patrol (biên bản tuần tra song phương for a bilateral one), in Vietnamese and Lao
side by side: a Word document (python-docx) and a PDF (fpdf2, shaped by HarfBuzz) set in the Noto
fonts of Debian's `fonts-noto-core` (NotoSans for Vietnamese, NotoSansLao for Lao)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core.errors import DomainError
from liaison.patrols import selectors
from liaison.patrols.models import Kind, Patrol

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

CONDITION = {
    "intact": ("nguyên vẹn", "ຢູ່ໃນສະພາບດີ"),
    "damaged": ("hư hỏng", "ເປ່ເພ"),
    "moved": ("bị xê dịch", "ຖືກຍ້າຍ"),
    "missing": ("bị mất", "ສູນຫາຍ"),
}
KIND = {
    "routine": ("thường xuyên", "ປົກກະຕິ"),
    "joint": ("phối hợp", "ປະສານສົມທົບ"),
    "bilateral": ("song phương", "ສອງຝ່າຍ"),
    "special": ("đột xuất", "ສະເພາະກິດ"),
}


@dataclass
class Minutes:
    title: tuple[str, str]
    lines: list[tuple[str, str]] = field(default_factory=list)  # (vi, lo)
    table: list[tuple[str, str, str, str]] = field(default_factory=list)  # check-ins
    signatures: tuple[tuple[str, str], tuple[str, str]] = (("", ""), ("", ""))


def _fmt(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def minutes_content(actor, *, patrol: Patrol) -> Minutes:
    policy.require(actor, "patrol.minutes", patrol)
    bilateral = patrol.kind == Kind.BILATERAL
    title = (
        ("BIÊN BẢN TUẦN TRA SONG PHƯƠNG", "ບົດບັນທຶກການລາດຕະເວນສອງຝ່າຍ")
        if bilateral
        else ("BIÊN BẢN TUẦN TRA", "ບົດບັນທຶກການລາດຕະເວນ")
    )
    m = Minutes(title)
    kind = KIND[patrol.kind]
    m.lines.append((f"Số hiệu: {patrol.ref} · Loại: {kind[0]}", f"ເລກທີ: {patrol.ref} · ປະເພດ: {kind[1]}"))
    m.lines.append(
        (
            f"Thời gian: từ {_fmt(patrol.starts_at)} đến {_fmt(patrol.ends_at)}",
            f"ເວລາ: ແຕ່ {_fmt(patrol.starts_at)} ຫາ {_fmt(patrol.ends_at)}",
        )
    )
    units = [patrol.lead_unit.name, *(u.name for u in selectors.patrol_participants(actor, patrol=patrol))]
    m.lines.append(
        (
            f"Phía Việt Nam: {', '.join(units)} — quân số {patrol.people} người",
            f"ຝ່າຍຫວຽດນາມ: {', '.join(units)} — ຈຳນວນ {patrol.people} ຄົນ",
        )
    )
    if patrol.partner_unit_id:
        partner = patrol.partner_unit.name
        n = patrol.partner_people or "…"
        m.lines.append((f"Phía Lào: {partner} — quân số {n} người", f"ຝ່າຍລາວ: {partner} — ຈຳນວນ {n} ຄົນ"))
    stops = []
    for s in selectors.patrol_route(actor, patrol=patrol):
        stops.append(s.segment.name if s.segment_id else f"mốc {s.marker.number}")
    route = " – ".join(stops)  # NotoSans has no arrow
    m.lines.append((f"Tuyến tuần tra: {route}", f"ເສັ້ນທາງລາດຕະເວນ: {route.replace('mốc', 'ຫຼັກໝາຍ')}"))
    for c in selectors.patrol_checkins(actor, patrol=patrol):
        vi, lo = CONDITION.get(c.condition, ("", ""))
        where = c.marker.number if c.marker_id else f"{c.lat:.4f}, {c.lon:.4f}"
        m.table.append((_fmt(c.at), where, f"{vi} / {lo}" if vi else "—", c.note))
    found = [f["ref"] for f in selectors.patrol_findings(actor, patrol=patrol) if f["ref"]]
    if found:
        m.lines.append((f"Phát hiện: {', '.join(found)}", f"ສິ່ງທີ່ພົບເຫັນ: {', '.join(found)}"))
    else:
        m.lines.append(("Phát hiện: không có vụ việc bất thường.", "ສິ່ງທີ່ພົບເຫັນ: ບໍ່ມີເຫດການຜິດປົກກະຕິ."))
    if patrol.status == "cancelled":
        m.lines.append((f"Đã hủy: {patrol.cancel_reason}", f"ຍົກເລີກ: {patrol.cancel_reason}"))
    m.signatures = (
        ("ĐẠI DIỆN PHÍA VIỆT NAM", "ຜູ້ຕາງໜ້າຝ່າຍຫວຽດນາມ"),
        ("ĐẠI DIỆN PHÍA LÀO" if bilateral else "NGƯỜI CHỈ HUY", "ຜູ້ຕາງໜ້າຝ່າຍລາວ" if bilateral else "ຜູ້ບັນຊາການ"),
    )
    audit.record_separately(actor, Verb.PATROL_MINUTES_PRINTED, patrol)
    return m


TABLE_HEAD = ("Thời gian / ເວລາ", "Mốc / ຫຼັກໝາຍ", "Tình trạng / ສະພາບ", "Ghi chú / ໝາຍເຫດ")
SIGN = ("(Ký, ghi rõ họ tên)", "(ລົງລາຍເຊັນ ແລະ ຊື່)")


def minutes_docx(actor, *, patrol: Patrol) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    m = minutes_content(actor, patrol=patrol)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans"
    # Lao is a complex script in Word: its font is set apart (w:cs).
    style.element.rPr.rFonts.set(qn("w:cs"), "Noto Sans Lao")
    for text in m.title:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = True
    for vi, lo in m.lines:
        doc.add_paragraph(vi)
        doc.add_paragraph(lo)
    if m.table:
        t = doc.add_table(rows=1, cols=4)
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, TABLE_HEAD, strict=True):
            cell.text = text
        for row in m.table:
            for cell, text in zip(t.add_row().cells, row, strict=True):
                cell.text = text
    doc.add_paragraph()
    sig = doc.add_table(rows=3, cols=2)
    for i, (vi, lo) in enumerate(m.signatures):
        sig.cell(0, i).text = vi
        sig.cell(1, i).text = lo
        sig.cell(2, i).text = f"{SIGN[0]}\n{SIGN[1]}"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class FontsMissing(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "fonts_missing", "The PDF needs Debian's fonts-noto-core (make setup installs it).", 503
        )


def font_dir() -> Path:
    return Path(getattr(settings, "NOTO_FONT_DIR", "/usr/share/fonts/truetype/noto"))


def noto_pdf():
    """An A4 document with its first page, writing Vietnamese in Noto Sans and Lao in Noto Sans Lao
    (shaped by HarfBuzz); the patrol minutes and the briefing share it. FontsMissing (503) when
    Debian's fonts are not installed."""
    from fpdf import FPDF

    fonts = font_dir()
    needed = ["NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSansLao-Regular.ttf", "NotoSansLao-Bold.ttf"]
    if not all((fonts / n).exists() for n in needed):
        raise FontsMissing()
    pdf = FPDF(format="A4")
    pdf.set_creator("Liaison")
    pdf.add_font("NotoSans", "", str(fonts / "NotoSans-Regular.ttf"))
    pdf.add_font("NotoSans", "B", str(fonts / "NotoSans-Bold.ttf"))
    pdf.add_font("NotoSansLao", "", str(fonts / "NotoSansLao-Regular.ttf"))
    pdf.add_font("NotoSansLao", "B", str(fonts / "NotoSansLao-Bold.ttf"))
    pdf.set_fallback_fonts(["NotoSansLao"])
    pdf.set_text_shaping(True)
    pdf.add_page()
    return pdf


def minutes_pdf(actor, *, patrol: Patrol) -> bytes:
    from fpdf.fonts import FontFace

    pdf = noto_pdf()
    m = minutes_content(actor, patrol=patrol)
    pdf.set_font("NotoSans", "B", 13)
    for text in m.title:
        pdf.multi_cell(0, 8, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("NotoSans", "", 10)
    for vi, lo in m.lines:
        pdf.multi_cell(0, 6, vi, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, lo, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    if m.table:
        pdf.ln(2)
        pdf.set_font("NotoSans", "", 8)
        with pdf.table(col_widths=(30, 25, 45, 80), headings_style=FontFace(emphasis="BOLD")) as table:
            row = table.row()
            for text in TABLE_HEAD:
                row.cell(text)
            for r in m.table:
                row = table.row()
                for text in r:
                    row.cell(text)
    pdf.ln(8)
    pdf.set_font("NotoSans", "B", 10)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    y = pdf.get_y()
    for i, (vi, lo) in enumerate(m.signatures):
        pdf.set_xy(pdf.l_margin + i * half, y)
        pdf.multi_cell(half, 6, f"{vi}\n{lo}", align="C")
    pdf.set_font("NotoSans", "", 9)
    y = pdf.get_y() + 2
    for i in range(2):
        pdf.set_xy(pdf.l_margin + i * half, y)
        pdf.multi_cell(half, 5, f"{SIGN[0]}\n{SIGN[1]}", align="C")
    return bytes(pdf.output())
