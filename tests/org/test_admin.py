"""The admin for reference data saves through the services and shows their errors on the form."""

from liaison.audit.models import AuditEvent
from liaison.org.models import Unit


def _add(client, **data):
    base = {
        "code": "",
        "name": "",
        "short_name": "",
        "force": "police",
        "kind": "commune_police",
        "country": "VN",
        "parent": "",
        "area": "",
        "is_active": "on",
    }
    return client.post("/admin/org/unit/add/", {**base, **data})


def test_an_administrator_adds_a_unit_in_the_admin_through_the_service(client_for, unit):
    c = client_for("police_administrator")
    r = _add(c, code="CA-XA-ADMIN", name="Công an xã Thử", parent=str(unit("CA-TH").pk))
    assert r.status_code == 302, r.content[:500]
    created = Unit.objects.get(code="CA-XA-ADMIN")
    assert created.level == "commune" and created.path.startswith(unit("CA-TH").path)
    assert AuditEvent.objects.filter(verb=800, object_id=str(created.pk)).exists()


def test_a_parent_outside_the_subtree_is_an_error_on_the_field_not_a_crash(client_for, unit):
    c = client_for("police_administrator")
    c.cookies["liaison-lang"] = "en"  # the error is in the reader's language
    r = _add(
        c,
        code="BP-X-ADMIN",
        name="Đồn thử",
        force="border_guard",
        kind="border_post",
        parent=str(unit("BP-TH").pk),
    )
    assert r.status_code == 200
    assert "subtree" in r.content.decode()
    assert not Unit.objects.filter(code="BP-X-ADMIN").exists()


def test_a_bad_code_is_an_error_on_the_field(client_for, unit):
    c = client_for("police_administrator")
    r = _add(c, code="có dấu!", name="X", parent=str(unit("CA-TH").pk))
    assert r.status_code == 200
    assert not Unit.objects.filter(name="X").exists()
