"""Officers' SMS reports (issue 19): the message format, its parser, and the replies.

Format (one SMS, case and accents of the keyword ignored):  BC <post code> <category> <text>
    BC NA-MEO smuggling Hai nguoi gui hang qua duong mon moc 299
The post code is a place code without its `POST-` prefix (NA-MEO) or with it (POST-NA-MEO); the
category is a category code. Every refusal is answered in Vietnamese (the officer reads it on the
phone that sent the report), naming what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEYWORD = "BC"
MAX_TEXT = 1000


@dataclass(frozen=True)
class Parsed:
    post: str
    category: str
    text: str


class SmsRefused(Exception):  # noqa: N818 - a refusal, answered to the sender
    """A refusal with its code (tests match on it) and the Vietnamese reply."""

    def __init__(self, code: str, reply: str) -> None:
        super().__init__(code)
        self.code = code
        self.reply = reply


FORMAT = "Mau: BC <ma don> <loai tin> <noi dung>. Vi du: BC NA-MEO smuggling Hai nguoi gui hang qua moc 299"
REPLIES = {
    "empty": "Tin nhan trong. " + FORMAT,
    "keyword": "Tin nhan phai bat dau bang BC. " + FORMAT,
    "no_post": "Thieu ma don. " + FORMAT,
    "no_category": "Thieu loai tin. " + FORMAT,
    "no_text": "Thieu noi dung bao cao. " + FORMAT,
    "too_long": f"Noi dung qua dai (toi da {MAX_TEXT} ky tu).",
    "unknown_post": "Khong co don ma {value}. Kiem tra ma don.",
    "unknown_category": "Khong co loai tin {value}. Vi du: smuggling, drug_trafficking, illegal_crossing.",
    "unknown_number": "So dien thoai nay chua dang ky voi Liaison. Lien he quan tri don vi.",
    "not_permitted": "Tai khoan cua so nay khong duoc gui bao cao.",
    "accepted": "Da nhan bao cao {ref}. Cam on.",
}


def reply(code: str, **values: str) -> str:
    return REPLIES[code].format(**values)


def parse(message: str) -> Parsed:
    """The report in an SMS, or `SmsRefused` naming the first thing wrong."""
    words = (message or "").strip().split(None, 3)
    if not words:
        raise SmsRefused("empty", reply("empty"))
    if words[0].upper() != KEYWORD:
        raise SmsRefused("keyword", reply("keyword"))
    if len(words) < 2:
        raise SmsRefused("no_post", reply("no_post"))
    if len(words) < 3:
        raise SmsRefused("no_category", reply("no_category"))
    if len(words) < 4 or not words[3].strip():
        raise SmsRefused("no_text", reply("no_text"))
    text = words[3].strip()
    if len(text) > MAX_TEXT:
        raise SmsRefused("too_long", reply("too_long"))
    post = words[1].upper()
    if not post.startswith("POST-"):
        post = "POST-" + post
    return Parsed(post=post, category=words[2].lower(), text=text)


def normalise_number(raw: str, country: str = "84") -> str | None:
    """A phone number in E.164 (`+84912345678`), or None when it cannot be one. A national number
    (0912…) takes the node's country code; `84…` and `0084…` gain their `+`."""
    digits = re.sub(r"[\s().-]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+" + country + digits[1:]
    elif not digits.startswith("+"):
        digits = "+" + digits
    return digits if re.fullmatch(r"\+[1-9][0-9]{6,14}", digits) else None


TIP_KEYWORD = "TB"
TIP_REPLIES = {
    "tip_format": "Mau tin bao: TB <xa> <noi dung>. Vi du: TB NA-MEO hai nguoi gui hang qua moc 299",
    "tip_unknown_commune": "Khong co xa {value}. Vi du: NA-MEO, BAT-MOT, PU-NHI.",
    "tip_rate_limited": "Ban da gui qua nhieu tin. Vui long gui lai sau 1 gio.",
    "tip_accepted": "Da nhan tin bao. Ma tin: {ref}. Ghi ma nay o dau tin sau neu lien quan.",
}


@dataclass(frozen=True)
class ParsedTip:
    commune: str  # the commune's slug, as in its police unit's code (NA-MEO)
    consent: bool
    text: str


def is_tip(message: str) -> bool:
    words = (message or "").split(None, 1)
    return bool(words) and words[0].upper() == TIP_KEYWORD


def parse_tip(message: str) -> ParsedTip:
    """`TB <commune> [DY] <text>`: DY ("dong y") lets the police keep the sender's number."""
    words = (message or "").strip().split(None, 2)
    if len(words) < 3 or words[0].upper() != TIP_KEYWORD:
        raise SmsRefused("tip_format", TIP_REPLIES["tip_format"])
    commune, rest = words[1].upper(), words[2].strip()
    consent = False
    head = rest.split(None, 1)
    if head and head[0].upper() == "DY":
        consent, rest = True, (head[1].strip() if len(head) > 1 else "")
    if not rest:
        raise SmsRefused("tip_format", TIP_REPLIES["tip_format"])
    return ParsedTip(commune=commune, consent=consent, text=rest)
