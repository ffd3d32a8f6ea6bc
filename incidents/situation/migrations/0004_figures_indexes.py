"""Indexes for the situation room's figures at a million incidents (bench/bench_situation.py, docs/situation.md).

- the daily aggregates by governorate and by district and day: every figure of a filtered page is a range
  of days in one area (before this, PostgreSQL read every row of the governorate and kept a week of them);
- the abducted and detained figures (the aggregates have no column for them): a partial index of those
  casualty rows by incident, so that the planner never scans every casualty for them;
- the outages of a period (PostgreSQL only): a GiST index of each outage's span, from its start to its
  restoration (or without end), so that "outages that overlap the period" is one index search instead of a
  scan of every outage restored since the period's start (`selectors.outages`). SQLite, the demo's
  database, keeps the two range scans of `situation_outage_restored`.

Kept in this app's migrations, like 0002, so that they add no migration to `incidents`.
"""

from django.db import migrations

OUTAGE_SPAN = (
    "tstzrange(occurred_from, GREATEST(occurred_from, COALESCE(restored_at, 'infinity'::timestamptz)), '[]')"
)


def outage_span_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX situation_outage_span ON incidents_incident USING gist ({OUTAGE_SPAN}) WHERE service <> ''"
        )


def drop_outage_span_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS situation_outage_span")


class Migration(migrations.Migration):
    dependencies = [("situation", "0003_situationreport_partner_copy"), ("incidents", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX situation_aggregate_admin1_date ON incidents_dailyaggregate (admin1_id, date)",
            reverse_sql="DROP INDEX situation_aggregate_admin1_date",
        ),
        migrations.RunSQL(
            sql="CREATE INDEX situation_aggregate_admin2_date ON incidents_dailyaggregate (admin2_id, date)",
            reverse_sql="DROP INDEX situation_aggregate_admin2_date",
        ),
        migrations.RunSQL(
            sql=(
                "CREATE INDEX situation_casualty_held ON incidents_incidentcasualty (incident_id) "
                "WHERE kind IN ('abducted', 'detained')"
            ),
            reverse_sql="DROP INDEX situation_casualty_held",
        ),
        migrations.RunPython(outage_span_index, drop_outage_span_index),
    ]
