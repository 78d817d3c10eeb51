"""Attachments: type-checked by content, size-limited, EXIF removed from images, stored outside the
database under their checksum, served only through the policy (and audited)."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import filetype
from django.conf import settings

from liaison import policy
from liaison.audit import log as audit
from liaison.audit.verbs import Verb
from liaison.core.errors import FieldError, Invalid
from liaison.core.transactions import durable
from liaison.intel import errors
from liaison.intel.models import Attachment, Item
from liaison.org.actor import Actor

ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
IMAGES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def storage_root() -> Path:
    return Path(settings.ATTACHMENT_DIR)


def path_for(sha256: str) -> Path:
    return storage_root() / sha256[:2] / sha256[2:4] / sha256


def _strip_exif(data: bytes, mime: str) -> bytes:
    """Re-encode the pixels only: EXIF (positions, device serials) and other metadata are dropped."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        clean = Image.frombytes(img.mode, img.size, img.tobytes())
        if img.mode == "P" and img.getpalette():
            clean.putpalette(img.getpalette())
        out = io.BytesIO()
        clean.save(out, format=IMAGES[mime])
        return out.getvalue()


def _store(data: bytes, sha: str) -> None:
    target = path_for(sha)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def cleaned(filename: str, data: bytes, *, field: str = "file", allowed=None) -> tuple[str, str, bytes]:
    """An upload checked by the attachment rules: a name, not empty, within the size limit, a type of
    the allow-list (by content, not by name), images re-encoded without EXIF. Returns (name, type,
    data); raises `Invalid` naming `field`. Other contexts' uploads (a patrol's photo) use it too."""
    allowed = ALLOWED if allowed is None else allowed
    errs = []
    name = os.path.basename(filename or "").strip()[:200]
    if not name:
        errs.append(FieldError(field, "required", "Choose a file."))
    if len(data) == 0:
        errs.append(FieldError(field, "empty", "The file is empty."))
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        errs.append(
            FieldError(
                field, errors.FILE_TOO_LARGE, f"At most {settings.ATTACHMENT_MAX_BYTES // 1_000_000} MB."
            )
        )
    kind = filetype.guess(data) if data else None
    mime = kind.mime if kind else ""
    if data and mime not in allowed:
        names = ", ".join(sorted({ALLOWED[m].upper() for m in allowed}))
        errs.append(FieldError(field, errors.FILE_TYPE, f"Allowed: {names}."))
    if errs:
        raise Invalid(errs)
    if mime in IMAGES:
        try:
            data = _strip_exif(data, mime)
        except Exception:  # a file that claims to be an image but does not decode
            raise Invalid(field=field, code=errors.FILE_TYPE, message="The image cannot be read.") from None
    return name, mime, data


def store(data: bytes) -> str:
    """Store cleaned content under its checksum (content-addressed: a rolled-back create leaves a
    harmless orphan); its SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    _store(data, sha)
    return sha


def attachment_add(actor: Actor, *, item: Item, filename: str, data: bytes) -> Attachment:
    errs = []
    name = os.path.basename(filename or "").strip()[:200]
    if not name:
        errs.append(FieldError("file", "required", "Choose a file."))
    if len(data) == 0:
        errs.append(FieldError("file", "empty", "The file is empty."))
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        errs.append(
            FieldError(
                "file", errors.FILE_TOO_LARGE, f"At most {settings.ATTACHMENT_MAX_BYTES // 1_000_000} MB."
            )
        )
    kind = filetype.guess(data) if data else None
    mime = kind.mime if kind else ""
    if data and mime not in ALLOWED:
        errs.append(FieldError("file", errors.FILE_TYPE, "Allowed: JPEG, PNG, WebP, PDF, DOCX, XLSX."))
    if errs:
        raise Invalid(errs)
    policy.require(actor, "item.attach", item)
    if mime in IMAGES:
        try:
            data = _strip_exif(data, mime)
        except Exception:  # a file that claims to be an image but does not decode
            raise Invalid(field="file", code=errors.FILE_TYPE, message="The image cannot be read.") from None
    sha = hashlib.sha256(data).hexdigest()
    _store(data, sha)  # content-addressed: a rolled-back create leaves a harmless orphan
    with durable():
        att = Attachment.objects.create(
            item=item,
            filename=name,
            content_type=mime,
            size=len(data),
            sha256=sha,
            uploaded_by=actor.user,
            uploaded_by_unit=actor.unit,
        )
        audit.record(
            actor, Verb.ITEM_ATTACHMENT_ADDED, item, changes={"attachment": str(att.pk), "sha256": sha}
        )
    return att


def attachment_open(actor: Actor, *, attachment_id) -> tuple[Attachment, Path]:
    """The attachment and its file, if the actor may see its item (else NotFound, as for a missing one)."""
    att = policy.get_visible(actor, Attachment, what="attachment", pk=attachment_id)
    audit.record_separately(actor, Verb.ITEM_ATTACHMENT_READ, att.item, changes={"attachment": str(att.pk)})
    return att, path_for(att.sha256)
