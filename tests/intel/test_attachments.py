"""Attachments: type-checked by their content, size-limited, EXIF removed from images, stored outside
the database under their SHA-256, served only through the policy with nosniff (and audited)."""

from __future__ import annotations

import hashlib
import io
import random

import pytest
from django.conf import settings as django_settings
from PIL import Image

from liaison.audit.models import AuditEvent
from liaison.core.errors import Invalid, NotPermitted
from liaison.intel import services
from liaison.intel.models import Attachment

ATTACHMENT_READ = 113
SECRET = "CameraSerial-ZZ-7788"


def png(size=(8, 8), noise=False) -> bytes:
    img = Image.new("RGB", size, "red")
    if noise:
        rng = random.Random(7)
        img.putdata(
            [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(size[0] * size[1])]
        )
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (16, 16), "blue")
    exif = Image.Exif()
    exif[0x010F] = "ZZMaker"  # Make
    exif[0xA431] = SECRET  # BodySerialNumber
    exif[0x0131] = "ZZSoftware"  # Software
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert SECRET.encode() in data  # the fixture really carries EXIF
    return data


def stored_file(sha: str):
    """The file that holds the content: somewhere under the attachment directory, named by its hash."""
    found = [p for p in django_settings.ATTACHMENT_DIR.rglob(sha) if p.is_file()]
    assert len(found) == 1, found
    return found[0]


def upload(client, item, name, data):
    return client.post(f"/api/v1/items/{item.pk}/attachments", {"file": _named(name, data)})


def _named(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# --- type checked by content ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("anh.png", b"This is plain text, not a picture.\n"),
        ("bao-cao.pdf", b"<html><script>alert(1)</script></html>"),
        ("anh.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a Windows executable
        ("bang.xlsx", b"PK\x03\x04" + b"\x00" * 60),  # a bare zip is no workbook
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),  # PNG signature, no image
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name(cast, client_for, new_item, problem_fields, name, data):
    item = new_item()
    with pytest.raises(Invalid) as exc:
        services.attachment_add(cast("na_meo_post_officer"), item=item, filename=name, data=data)
    assert [e.field for e in exc.value.errors] == ["file"]
    r = upload(client_for("na_meo_post_officer"), item, name, data)
    assert r.status_code == 422 and problem_fields(r) == {"file"}
    assert not Attachment.objects.filter(item=item).exists()


def test_an_image_named_otherwise_is_kept_with_its_real_type(cast, new_item):
    att = services.attachment_add(
        cast("na_meo_post_officer"), item=new_item(), filename="bien-ban.pdf", data=png()
    )
    assert att.content_type == "image/png"


def test_a_pdf_is_accepted(cast, new_item):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    att = services.attachment_add(
        cast("na_meo_post_officer"), item=new_item(), filename="bien-ban.pdf", data=pdf
    )
    assert (att.content_type, att.size) == ("application/pdf", len(pdf))


def test_an_empty_file_is_refused(cast, new_item):
    with pytest.raises(Invalid) as exc:
        services.attachment_add(cast("na_meo_post_officer"), item=new_item(), filename="a.png", data=b"")
    assert {e.field for e in exc.value.errors} == {"file"}


# --- size limited -----------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused(cast, client_for, new_item, settings, problem_fields):
    big = png((64, 64), noise=True)
    settings.ATTACHMENT_MAX_BYTES = len(big) - 1
    item = new_item()
    with pytest.raises(Invalid) as exc:
        services.attachment_add(cast("na_meo_post_officer"), item=item, filename="lon.png", data=big)
    assert [(e.field, e.code) for e in exc.value.errors] == [("file", "file_too_large")]
    r = upload(client_for("na_meo_post_officer"), item, "lon.png", big)
    assert r.status_code == 422 and problem_fields(r) == {"file"}
    assert not Attachment.objects.filter(item=item).exists()
    settings.ATTACHMENT_MAX_BYTES = len(big)  # exactly at the limit is allowed
    r = upload(client_for("na_meo_post_officer"), item, "lon.png", big)
    assert r.status_code == 201


# --- EXIF removed, stored under the SHA-256 outside the database --------------------------------


def test_exif_is_removed_and_the_file_is_stored_under_its_sha256(cast, client_for, new_item):
    item = new_item()
    r = upload(client_for("na_meo_post_officer"), item, "hien-truong.jpg", jpeg_with_exif())
    assert r.status_code == 201
    body = r.json()
    assert body["content_type"] == "image/jpeg"
    path = stored_file(body["sha256"])
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == body["sha256"] and len(data) == body["size"]
    assert SECRET.encode() not in data and b"ZZMaker" not in data and b"ZZSoftware" not in data
    with Image.open(io.BytesIO(data)) as img:
        assert dict(img.getexif()) == {}
        assert img.size == (16, 16)


def test_png_text_chunks_are_removed_too(cast, new_item):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, format="PNG", pnginfo=info)
    att = services.attachment_add(
        cast("na_meo_post_officer"), item=new_item(), filename="a.png", data=out.getvalue()
    )
    assert SECRET.encode() not in stored_file(att.sha256).read_bytes()


def test_the_database_holds_no_file_content(cast, new_item):
    att = services.attachment_add(cast("na_meo_post_officer"), item=new_item(), filename="a.png", data=png())
    binary = [
        f.name for f in Attachment._meta.get_fields() if f.get_internal_type() in ("BinaryField", "FileField")
    ]
    assert binary == []
    assert stored_file(att.sha256).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- served through the policy ----------------------------------------------------------------


def test_an_attachment_is_served_as_a_download_with_nosniff_and_audited(cast, client_for, unit, new_item):
    item = new_item(tlp="green")
    services.item_share(cast("na_meo_post_officer"), item=item, units=[unit("CA-XA-NA-MEO")])
    att = services.attachment_add(cast("na_meo_post_officer"), item=item, filename="anh.png", data=png())
    for url in (f"/api/v1/attachments/{att.pk}", f"/attachments/{att.pk}/"):
        before = AuditEvent.objects.filter(verb=ATTACHMENT_READ, object_id=str(item.pk)).count()
        r = client_for("na_meo_commune_police").get(url)
        assert r.status_code == 200, url
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Content-Type"] == "image/png"
        assert r["Content-Disposition"].startswith("attachment")
        assert b"".join(r.streaming_content) == stored_file(att.sha256).read_bytes()
        assert AuditEvent.objects.filter(verb=ATTACHMENT_READ, object_id=str(item.pk)).count() == before + 1


def test_only_who_may_add_to_the_item_attaches(cast, unit, new_item):
    item = new_item(tlp="green")  # never shared with Bát Mọt
    with pytest.raises(NotPermitted):
        services.attachment_add(cast("bat_mot_post_officer"), item=item, filename="a.png", data=png())
    assert not Attachment.objects.filter(item=item).exists()


# --- an upload retried with its Idempotency-Key -----------------------------------------------

ATTACHMENT_ADDED = 112


def upload_with_key(client, item, name, data, key):
    return client.post(
        f"/api/v1/items/{item.pk}/attachments", {"file": _named(name, data)}, headers={"Idempotency-Key": key}
    )


def test_an_upload_retried_with_its_key_returns_the_first_attachment(client_for, new_item):
    item = new_item()
    client = client_for("na_meo_post_officer")
    first = upload_with_key(client, item, "anh.png", png(), "up-1")
    again = upload_with_key(client, item, "anh.png", png(), "up-1")
    assert first.status_code == again.status_code == 201, (first.content, again.content)
    assert again.json() == first.json()
    assert Attachment.objects.filter(item=item).count() == 1
    assert AuditEvent.objects.filter(verb=ATTACHMENT_ADDED, object_id=str(item.pk)).count() == 1
    # Without a key, the same file is a second upload (as before).
    assert upload(client, item, "anh.png", png()).status_code == 201
    assert Attachment.objects.filter(item=item).count() == 2


@pytest.mark.parametrize(
    "name, data, other_item",
    [
        ("anh.png", png(noise=True), False),  # another file under the same name
        ("anh-2.png", png(), False),  # the same content under another name
        ("anh.png", png(), True),  # the same file to another item
    ],
    ids=["another file", "another name", "another item"],
)
def test_the_same_key_with_another_upload_is_refused(
    client_for, new_item, problem_fields, name, data, other_item
):
    item, other = new_item(), new_item()
    client = client_for("na_meo_post_officer")
    assert upload_with_key(client, item, "anh.png", png(), "up-2").status_code == 201
    target = other if other_item else item
    r = upload_with_key(client, target, name, data, "up-2")
    assert r.status_code == 422 and problem_fields(r) == {"Idempotency-Key"}
    assert Attachment.objects.filter(item=item).count() == 1
    assert not Attachment.objects.filter(item=other).exists()
