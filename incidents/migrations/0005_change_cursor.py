"""The incremental-sync cursor ordered by commit: `updated_at` is stamped when the change becomes visible.

`updated_at` used to be the time Django saved the row, taken before the
transaction committed: a transaction that committed late could carry a time
behind what a partner had already synced past, and the partner, following
`next` or asking `updated_after`, never saw that change.

Now a deferred constraint trigger runs at commit, once per written incident
row, takes a transaction-scoped advisory lock (held until the commit is
visible to every other session) and stamps the row with a time later than
any stamp before it. Stamping and committing are thereby one at a time, so
the rows visible to any reader are always a prefix of `(updated_at, id)`
order: whatever commits later sorts later. The critical section is only the
stamping and the commit itself. A row written outside Django (SQL, COPY) is
stamped just the same. SQLite (the embedded demo: one writer at a time) has
no such trigger and needs none. See docs/api.md, "Pagination and incremental sync".
"""

from django.db import migrations

# The two-integer form of advisory locks: a key space apart from incidents/services/locks.py's bigint keys.
LOCK = "1936288364, 1"  # 'sijl', 1: the change stamp

CREATE = f"""
CREATE FUNCTION incidents_incident_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    stamp timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
    SELECT greatest(clock_timestamp(), max(updated_at) + interval '1 microsecond') INTO stamp
      FROM incidents_incident;
    UPDATE incidents_incident SET updated_at = stamp WHERE id = NEW.id;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER incident_change_stamp
    AFTER INSERT OR UPDATE ON incidents_incident
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (pg_trigger_depth() = 0)
    EXECUTE FUNCTION incidents_incident_stamp_change();
"""
DROP = """
DROP TRIGGER IF EXISTS incident_change_stamp ON incidents_incident;
DROP FUNCTION IF EXISTS incidents_incident_stamp_change();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_incident_text_by_reviewer"),
    ]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
