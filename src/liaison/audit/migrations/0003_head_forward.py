"""The chain head only moves forward: triggers refuse an UPDATE that does not raise its sequence
number, a DELETE, and (PostgreSQL) a TRUNCATE. A tail cut with its head moved back then needs the
triggers switched off, as a superuser can; verify names it."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.seq > OLD.seq THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION USING MESSAGE = 'audit head only moves forward: ' || TG_OP || ' refused',
                        ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_audithead
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_audithead
  FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_head_forward ON audit_audithead;
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_audithead;
DROP FUNCTION IF EXISTS audit_head_forward_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_audithead WHEN NEW.seq <= OLD.seq
       BEGIN SELECT RAISE(ABORT, 'audit head only moves forward: UPDATE refused'); END""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_audithead
       BEGIN SELECT RAISE(ABORT, 'audit head only moves forward: DELETE refused'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS audit_head_forward", "DROP TRIGGER IF EXISTS audit_head_no_delete"]


def forward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif conn.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)
    else:
        raise RuntimeError(f"no audit head triggers for {conn.vendor}")


def backward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    else:
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunPython(forward, backward)]
