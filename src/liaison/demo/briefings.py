"""Demo briefings (issue 18): the cooperation agreement with Hua Phan in the register; the briefing
of the quarter before last, issued, with its meeting and two conclusions (one done, one overdue);
and last quarter's briefing of the provincial border guard, approved, with its meeting recorded, so
that a demo commander (chihuy.bp) can open it, drill into a figure, assign conclusions and download
its Word, PDF and Excel files. Idempotent: run twice, it adds nothing."""

from __future__ import annotations

import datetime as dt

from liaison.briefings import figures, services
from liaison.briefings.models import Agreement, Briefing
from liaison.core import clock
from liaison.org.actor import Actor
from liaison.org.models import Membership

OWNER = "BP-TH"


def _actor(unit_code: str, role: str) -> Actor:
    m = (
        Membership.objects.select_related("unit", "user")
        .filter(unit__code=unit_code, role=role, status=Membership.Status.ACTIVE)
        .order_by("created_at")
        .first()
    )
    return Actor(user=m.user, membership=m, via="demo")


NARRATIVE = {
    "situation": (
        "Trong kỳ, tình hình an ninh chính trị, trật tự an toàn xã hội khu vực biên giới tỉnh Thanh Hóa cơ bản "
        "ổn định. Hoạt động vận chuyển trái phép chất ma túy qua các đường mòn, lối mở tiếp tục diễn biến phức tạp."
    ),
    "assessment": (
        "Các lực lượng đã phối hợp chặt chẽ trong trao đổi, xác minh tin; một số tin yêu cầu xác minh còn quá hạn."
    ),
    "contributions": (
        "Bộ đội Biên phòng chủ trì tuần tra song phương; Công an tỉnh xác minh, đấu tranh các vụ án ma túy; "
        "Bộ Chỉ huy Quân sự tỉnh phối hợp tìm kiếm cứu nạn; Hải quan kiểm soát tại cửa khẩu Na Mèo."
    ),
    "proposals": "Đề nghị tăng cường trao đổi tin với lực lượng chức năng tỉnh Hủa Phăn theo thỏa thuận hợp tác.",
    "recipients": "Bộ Tư lệnh BĐBP\nUBND tỉnh Thanh Hóa\nCông an tỉnh Thanh Hóa\nBộ CHQS tỉnh Thanh Hóa",
    "signer": "Đại tá Lê Văn Chỉ",
}


def run(stdout=None) -> None:
    if Briefing.objects.filter(owner_unit__code=OWNER).exists():
        return
    analyst = _actor(OWNER, "analyst")
    commander = _actor(OWNER, "commander")
    today = clock.now().date()
    agreement = Agreement.objects.filter(
        title__startswith="Thỏa thuận hợp tác"
    ).first() or services.agreement_save(
        commander,
        title="Thỏa thuận hợp tác về bảo vệ an ninh, trật tự biên giới giữa tỉnh Thanh Hóa (Việt Nam) và tỉnh Hủa Phăn (Lào)",
        parties="UBND tỉnh Thanh Hóa; Ủy ban chính quyền tỉnh Hủa Phăn",
        signed_on=dt.date(today.year - 2, 3, 15),
        valid_until=dt.date(today.year + 3, 3, 14),
        review_on=today + dt.timedelta(days=20),
        file_name="thoa-thuan-hop-tac-thanh-hoa-hua-phan.pdf",
    )
    last = figures.last_quarter()
    before = last.previous()
    # The quarter before last: issued, met, two conclusions (one done, one left open past its deadline).
    old = services.briefing_create(analyst, period_kind="quarter", on=before.starts_on)
    services.briefing_edit(analyst, briefing=old, number="08/BC-BĐBP", **NARRATIVE)
    services.briefing_approve(commander, briefing=old)
    services.briefing_issue(commander, briefing=old)
    services.meeting_record(
        commander,
        briefing=old,
        held_on=before.ends_on + dt.timedelta(days=6),
        place="Bộ Chỉ huy BĐBP tỉnh Thanh Hóa",
        chair="Đại tá Lê Văn Chỉ",
        minutes="Hội nghị giao ban quý giữa các lực lượng; đại diện Công an tỉnh Hủa Phăn dự theo thỏa thuận.",
        participants=["BP-TH", "CA-TH", "QS-TH", "HQ-NA-MEO", "LA-HP-CA"],
    )
    done = services.conclusion_assign(
        commander,
        briefing=old,
        text="Tổ chức tuần tra song phương đoạn mốc 300–310 mỗi tháng một lần",
        unit="BP-DON-NA-MEO",
        due_on=last.starts_on + dt.timedelta(days=30),
        agreement=agreement.ref,
    )
    services.conclusion_update(
        _actor("BP-DON-NA-MEO", "commander"), conclusion=done, state="done", result="Đã tuần tra 3 lượt"
    )
    services.conclusion_assign(
        commander,
        briefing=old,
        text="Rà soát, trả lời các yêu cầu xác minh tin còn tồn đọng",
        unit="BP-DON-BAT-MOT",
        due_on=last.starts_on + dt.timedelta(days=45),
    )
    # Last quarter: drafted by the analyst, approved, meeting recorded; conclusions left to assign.
    b = services.briefing_create(analyst, period_kind="quarter", on=last.starts_on)
    services.briefing_edit(analyst, briefing=b, number="12/BC-BĐBP", **NARRATIVE)
    b.agreements.add(agreement)
    services.briefing_approve(commander, briefing=b)
    services.meeting_record(
        commander,
        briefing=b,
        held_on=min(today, last.ends_on + dt.timedelta(days=7)),
        place="Bộ Chỉ huy BĐBP tỉnh Thanh Hóa",
        chair="Đại tá Lê Văn Chỉ",
        minutes="Giao ban quý; đánh giá kết quả phối hợp và thống nhất nhiệm vụ trọng tâm quý tới.",
        participants=["BP-TH", "CA-TH", "QS-TH", "HQ-NA-MEO", "BP-DON-NA-MEO", "BP-DON-BAT-MOT", "LA-HP-CA"],
    )
    if stdout:
        stdout.write(f"    briefings: {old.ref} (issued), {b.ref} (approved); agreement {agreement.ref}\n")
