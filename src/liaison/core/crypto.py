"""Encryption at rest for protected persons' identities, with a key kept outside the database.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`). The key file is created on first use with
mode 0600; losing it makes the identities unreadable, so back it up apart from the database.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@cache
def _fernet(path: str) -> Fernet:
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return Fernet(p.read_bytes().strip())


def seal(data: dict) -> str:
    return (
        _fernet(str(settings.PERSON_KEY_FILE)).encrypt(json.dumps(data, ensure_ascii=False).encode()).decode()
    )


def unseal(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet(str(settings.PERSON_KEY_FILE)).decrypt(token.encode()))
    except InvalidToken:
        return {"error": "unreadable with this node's key"}
