"""The organisation of the reference deployment: Thanh Hoa's forces and the Hua Phan partner units.

(code, name, short name, force, kind, parent code, area code, country)
"""

from __future__ import annotations

BORDER_COMMUNES_WITH_POLICE = {
    # commune code -> name: the six border communes the source articles name
    "VN-38-15607": "Bát Mọt",
    "VN-38-14863": "Pù Nhi",
    "VN-38-15013": "Na Mèo",
    "VN-38-14866": "Mường Chanh",
    "VN-38-14845": "Mường Lát",
    "VN-38-15007": "Tam Thanh",
}

# Border-guard posts: code suffix, name, commune area code.
POSTS = [
    ("PU-NHI", "Đồn Biên phòng Pù Nhi", "VN-38-14863"),
    ("MUONG-LY", "Đồn Biên phòng Mường Lý", "VN-38-14854"),
    ("TRUNG-LY", "Đồn Biên phòng Trung Lý", "VN-38-14857"),
    ("TAM-CHUNG", "Đồn Biên phòng Tam Chung", "VN-38-14848"),
    ("NA-MEO", "Đồn Biên phòng Na Mèo", "VN-38-15013"),
    ("TAM-THANH", "Đồn Biên phòng Tam Thanh", "VN-38-15007"),
    ("YEN-KHUONG", "Đồn Biên phòng Yên Khương", "VN-38-15031"),
    ("BAT-MOT", "Đồn Biên phòng Bát Mọt", "VN-38-15607"),
]


def _slug(name: str) -> str:
    import unicodedata

    s = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return "-".join(s.upper().split())


def units() -> list[tuple[str, str, str, str, str, str | None, str | None, str]]:
    u = [
        # Police
        ("CA-TH", "Công an tỉnh Thanh Hóa", "CA tỉnh", "police", "province_command", None, "VN-38", "VN"),
        (
            "CA-TH-TTCH",
            "Trung tâm Chỉ huy Công an tỉnh",
            "TT Chỉ huy CA",
            "police",
            "province_department",
            "CA-TH",
            "VN-38",
            "VN",
        ),
        (
            "CA-TH-PC04",
            "Phòng Cảnh sát điều tra tội phạm về ma túy",
            "PC04",
            "police",
            "province_department",
            "CA-TH",
            "VN-38",
            "VN",
        ),
        # Border guard
        (
            "BP-TH",
            "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Thanh Hóa",
            "BĐBP tỉnh",
            "border_guard",
            "province_command",
            None,
            "VN-38",
            "VN",
        ),
        # Military
        (
            "QS-TH",
            "Bộ Chỉ huy Quân sự tỉnh Thanh Hóa",
            "CHQS tỉnh",
            "military",
            "province_command",
            None,
            "VN-38",
            "VN",
        ),
        (
            "QS-TH-KV1",
            "Ban Chỉ huy Phòng thủ khu vực 1 (Mường Lát – Quan Sơn)",
            "BCH PTKV1",
            "military",
            "district",
            "QS-TH",
            "VN-38",
            "VN",
        ),
        # Customs
        (
            "HQ-TH",
            "Hải quan tỉnh Thanh Hóa",
            "Hải quan tỉnh",
            "customs",
            "province_command",
            None,
            "VN-38",
            "VN",
        ),
        (
            "HQ-NA-MEO",
            "Hải quan cửa khẩu quốc tế Na Mèo",
            "HQ Na Mèo",
            "customs",
            "customs_branch",
            "HQ-TH",
            "VN-38-15013",
            "VN",
        ),
        # Government
        (
            "UB-TH",
            "Ủy ban nhân dân tỉnh Thanh Hóa",
            "UBND tỉnh",
            "government",
            "province_committee",
            None,
            "VN-38",
            "VN",
        ),
        (
            "LN-NA-MEO",
            "Đội liên ngành cửa khẩu Na Mèo",
            "Liên ngành Na Mèo",
            "government",
            "interdisciplinary_team",
            "UB-TH",
            "VN-38-15013",
            "VN",
        ),
        # Partner across the border (reference records: nothing is shared with them until the exchange)
        (
            "LA-HP-CA",
            "Công an tỉnh Hủa Phăn (Lào)",
            "CA Hủa Phăn",
            "foreign_partner",
            "province_command",
            None,
            "LA-03",
            "LA",
        ),
        (
            "LA-HP-BV",
            "Lực lượng bảo vệ biên giới tỉnh Hủa Phăn (Lào)",
            "BVBG Hủa Phăn",
            "foreign_partner",
            "province_command",
            None,
            "LA-03",
            "LA",
        ),
        (
            "LA-HP-CA-XAMTAI",
            "Công an huyện Xam Tải (Hủa Phăn)",
            "CA Xam Tải",
            "foreign_partner",
            "district",
            "LA-HP-CA",
            "LA-03-0706",
            "LA",
        ),
    ]
    for area, name in BORDER_COMMUNES_WITH_POLICE.items():
        slug = _slug(name)
        u.append(
            (
                f"CA-XA-{slug}",
                f"Công an xã {name}",
                f"CA xã {name}",
                "police",
                "commune_police",
                "CA-TH",
                area,
                "VN",
            )
        )
        u.append(
            (
                f"UB-XA-{slug}",
                f"Ủy ban nhân dân xã {name}",
                f"UBND xã {name}",
                "government",
                "commune_committee",
                "UB-TH",
                area,
                "VN",
            )
        )
    for suffix, name, area in POSTS:
        u.append(
            (
                f"BP-DON-{suffix}",
                name,
                name.replace("Đồn Biên phòng", "Đồn BP"),
                "border_guard",
                "border_post",
                "BP-TH",
                area,
                "VN",
            )
        )
    u.append(
        (
            "BP-TRAM-CKQT-NA-MEO",
            "Trạm Biên phòng cửa khẩu quốc tế Na Mèo",
            "Trạm BP CKQT Na Mèo",
            "border_guard",
            "station",
            "BP-DON-NA-MEO",
            "VN-38-15013",
            "VN",
        )
    )
    return u


# username, full name, unit code, role. Several units per role; one printed login per role.
USERS = [
    ("trucban.ttch", "Lê Văn Trực", "CA-TH-TTCH", "duty_officer"),
    ("trucban.ca.nameo", "Hà Văn Minh", "CA-XA-NA-MEO", "duty_officer"),
    ("trucban.don.nameo", "Lò Văn Sơn", "BP-DON-NA-MEO", "duty_officer"),
    ("trucban.don.batmot", "Vi Văn Hùng", "BP-DON-BAT-MOT", "duty_officer"),
    ("trucban.haiquan", "Nguyễn Thị Lan", "HQ-NA-MEO", "duty_officer"),
    ("trucban.quansu", "Phạm Văn Quân", "QS-TH-KV1", "duty_officer"),
    ("phantich.ca", "Trần Thị Hoa", "CA-TH-PC04", "analyst"),
    ("phantich.bp", "Đỗ Văn Tuấn", "BP-TH", "analyst"),
    ("chihuy.ca", "Tô Văn Dũng", "CA-TH", "commander"),
    ("chihuy.bp", "Đỗ Ngọc Vinh", "BP-TH", "commander"),
    ("chihuy.don.nameo", "Lương Văn Thắng", "BP-DON-NA-MEO", "commander"),
    ("lienlac.bp", "Hồ Thị Thu", "BP-TH", "liaison_officer"),
    ("quantri", "Nguyễn Văn Quản", "CA-TH", "administrator"),
    ("quantri.bp", "Lê Thị Bình", "BP-TH", "administrator"),
    # A second police administrator: a commander or administrator grant needs a second one to confirm.
    ("quantri2", "Phan Thị Quyên", "CA-TH", "administrator"),
    ("kiemtra", "Vũ Thị Kiểm", "UB-TH", "auditor"),
    # The standing office of the provincial coordination mechanism (issue 18): node-wide counts.
    ("thuongtruc.bcd", "Đỗ Văn Thường", "UB-TH", "secretariat"),
    ("doitac.huaphan", "Khamphan Phommavong", "LA-HP-CA", "duty_officer"),
]


# A duty officer for every commune police unit and border post without one: the demo items come
# from all over the border.
def field_users() -> list[tuple[str, str, str, str]]:
    named = {u[2] for u in USERS}
    out = []
    for code, name, *_rest in units():
        if code in named or not (code.startswith("CA-XA-") or code.startswith("BP-DON-")):
            continue
        out.append(
            (
                ("trucban." + code.lower().replace("-", "."))[:40],
                f"Cán bộ trực ban {name}",
                code,
                "duty_officer",
            )
        )
    return out


# A second membership, to show switching the active unit.
EXTRA_MEMBERSHIPS = [("phantich.bp", "BP-DON-NA-MEO", "analyst")]
