from liaison.audit.models import AuditEvent, AuditHead
def test_x(db):
    print(AuditEvent.objects.count(), AuditHead.objects.get().seq)
    for e in AuditEvent.objects.all()[:5]: print(e.seq, e.verb_name, e.actor_name, e.changes)
    from django.db import connection
    print(connection.vendor, len(connection.atomic_blocks))
