"""Every membership a person granted is active only once a second person confirmed it (PRODUCT.md,
"Accounts"). Before this, duty-officer, analyst, liaison-officer and auditor grants by one
administrator were active at once: those that nobody confirmed go back to pending, to be confirmed
by a second administrator or a commander of the unit (on /accounts/memberships/ or in the admin).
Grants by the system (the CLI, the demo loader: no granter) stay as they are."""

from django.db import migrations
from django.db.models import F, Q


def unconfirmed_back_to_pending(apps, schema_editor):
    Membership = apps.get_model("org", "Membership")
    Membership.objects.filter(status="active", granted_by__isnull=False).filter(
        Q(approved_by__isnull=True) | Q(approved_by=F("user"))
    ).update(status="pending", approved_by=None)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]

    operations = [migrations.RunPython(unconfirmed_back_to_pending, migrations.RunPython.noop)]
