"""An index for the situation room's outages: outage incidents by restoration time (docs/situation.md).

"Outages of a period" are those not restored by its start: `restored_at IS NULL OR restored_at >= start`,
among every outage ever started before its end. Without this index that is a scan of every outage of the
area's history; with it, two small index scans. Partial on `service <> ''`, which the pipeline sets on
outage incidents only (incidents/services/refresh.py). Kept in this app's migrations so that it adds no
migration to `incidents`.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("situation", "0001_initial"), ("incidents", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX situation_outage_restored ON incidents_incident (restored_at) WHERE service <> ''",
            reverse_sql="DROP INDEX situation_outage_restored",
        )
    ]
