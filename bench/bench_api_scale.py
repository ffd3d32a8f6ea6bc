"""Benchmark: the partner API at a million incidents — exports formatted by PostgreSQL and the filtered list.

    python bench/bench_api_scale.py [--incidents 1000000] [--reseed] [--port 8767] [--skip-geojson]
                                    [--python-geojson] [--database sijil_bench12]

Builds, once, its own database `sijil_bench12` (migrated, then N verified incidents and 2N casualty
rows inserted by SQL with generate_series — no ORM; the commit-order stamp trigger of migration
0005_change_cursor is disabled for the load and enabled again) and keeps it: a later run reuses it
unless `--reseed`. Then against gunicorn (one sync worker, bench/api_bench_settings.py), each export on
a freshly started worker so its peak memory is its own:

- `?format=csv`, `?format=hxl` and `?format=geojson` (all COPY-formatted, incidents/api/copy_export.py;
  `--python-geojson` also runs the Python GeoJSON writer of incidents/api/exports.py, through
  bench/api_bench_urls.py): seconds, first byte, MiB, peak RSS growth and peak RSS;
- beside them, in the same run, the baseline: a bare `COPY (SELECT …) TO STDOUT (FORMAT csv)` of the
  same rows (the same join and figures, no formatting) through psycopg;
- the JSON list filtered by governorate and two categories, 100 a page, 200 requests: p50 and p95,
  beside the page's bare SQL (the same query through psycopg, 200 times) and the same list through
  the serializer (`/bench/serialized-incidents/`, the path before incidents/api/json_page.py).

Prints the figures; BENCHMARKS.md records them. Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import bench_api_export as base

DB_NAME = "sijil_bench12"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def use_database(name: str) -> None:
    """Point the bench (and bench_api_export's server and key) at the database `name`."""
    global DB_NAME, DB_URL
    DB_NAME = name
    DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    base.DB_URL = DB_URL
    os.environ["DATABASE_URL"] = DB_URL


use_database(DB_NAME)

SEED_SQL = """
WITH districts AS (
    SELECT row_number() OVER (ORDER BY pcode) - 1 AS n, pcode, parent_id, latitude, longitude,
           count(*) OVER () AS total
      FROM reports_area WHERE level = 2
), categories AS (
    SELECT n - 1 AS n, slug, 7 AS total
      FROM unnest(ARRAY['killing', 'execution', 'arson', 'looting', 'shelling', 'abduction', 'looting'])
           WITH ORDINALITY AS c(slug, n)
)
INSERT INTO incidents_incident (
    id, status, occurred_from, time_precision, place_name, latitude, longitude, geo_precision, title, summary,
    perpetrator, service, report_count, source_count, sources_disagree, first_reported_at, verified_at,
    created_at, updated_at, admin1_id, admin2_id, category_id, perpetrator_by_reviewer, title_by_reviewer
)
SELECT gen_random_uuid(), 'verified', t, 1,
       CASE WHEN g % 50 = 0 THEN '=HYPERLINK("x")' ELSE 'Village ' || (g % 997) END,
       d.latitude, d.longitude, 2,
       'Incident ' || g || ': gunmen entered the neighbourhood at dawn',
       repeat('Several people killed; accounts from witnesses in hiding. ', 3),
       '', '', 3, 2, false, t, t + interval '5 hours', t, t + interval '6 hours' + g * interval '1 millisecond',
       d.parent_id, d.pcode, c.slug, false, false
  FROM generate_series(0, %(count)s - 1) AS g
  CROSS JOIN LATERAL (SELECT timestamptz '2025-03-06 00:00+00' + g * interval '7 minutes' AS t) AS moment
  JOIN districts d ON d.n = g %% d.total
  JOIN categories c ON c.n = g %% 7;
INSERT INTO incidents_incidentcasualty (incident_id, kind, "group", low, best, high, method, override_note)
SELECT i.id, k.kind, 'civilian', k.low, k.low + 1, k.low + 3, 'm', ''
  FROM incidents_incident i CROSS JOIN (VALUES ('killed', 3), ('injured', 5)) AS k(kind, low);
"""

# The same rows as the export (the same join and figures), nothing formatted: PostgreSQL's floor.
BARE_COPY = """COPY (
    SELECT i.*, c.name_en, c.acled_event_type, c.acled_sub_event_type, a1.name_en, a2.name_en, f.*
      FROM incidents_incident i
      JOIN reports_category c ON c.slug = i.category_id
      JOIN reports_area a1 ON a1.pcode = i.admin1_id
      LEFT JOIN reports_area a2 ON a2.pcode = i.admin2_id
      LEFT JOIN LATERAL (
          SELECT sum(low) FILTER (WHERE kind = 'killed'), sum(best) FILTER (WHERE kind = 'killed'),
                 sum(high) FILTER (WHERE kind = 'killed'), sum(low) FILTER (WHERE kind = 'injured'),
                 sum(best) FILTER (WHERE kind = 'injured'), sum(high) FILTER (WHERE kind = 'injured')
            FROM incidents_incidentcasualty WHERE incident_id = i.id AND kind IN ('killed', 'injured')
      ) f ON true
     WHERE i.status = 'verified' OR (i.status IN ('merged', 'withdrawn') AND i.verified_at IS NOT NULL)
     ORDER BY i.updated_at, i.id
) TO STDOUT (FORMAT csv)"""

LIST_PATH = "/api/v1/incidents/?admin1=SY06&category=killing&category=execution&page_size=100"


def seeded_count() -> int:
    probe = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB_NAME, "-Atc", "SELECT count(*) FROM incidents_incident"],
        capture_output=True,
        text=True,
    )
    return int(probe.stdout.strip()) if probe.returncode == 0 and probe.stdout.strip().isdigit() else -1


def seed(count: int) -> None:
    base.psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    base.psql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)
    base.psql("ALTER TABLE incidents_incident DISABLE TRIGGER incident_change_stamp", DB_NAME)
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DB_NAME, "-v", "ON_ERROR_STOP=1", "-1", "-q", "-c",
         SEED_SQL.replace("%(count)s", str(count)).replace("%%", "%")],
        check=True,
    )  # fmt: skip
    base.psql("ALTER TABLE incidents_incident ENABLE TRIGGER incident_change_stamp", DB_NAME)
    base.psql("VACUUM ANALYZE", DB_NAME)


def psycopg_url() -> str:
    return DB_URL.replace("postgres://", "postgresql://")


def bare_copy() -> dict:
    import psycopg

    started = time.perf_counter()
    size = 0
    with psycopg.connect(psycopg_url()) as connection, connection.cursor() as cursor, cursor.copy(BARE_COPY) as copy:
        for block in copy:
            size += len(block)
    return {"seconds": time.perf_counter() - started, "mib": size / 2**20}


def bare_list_query(requests: int = 200) -> dict:
    """The list page's own SQL (as Django sends it), timed through psycopg: the query without serialising."""
    import django

    django.setup()
    import psycopg
    from django.test import RequestFactory
    from rest_framework.request import Request

    from incidents.api.filters import IncidentFilterSet
    from incidents.api.permissions import Viewer
    from incidents.api.selectors import incidents_visible

    queries = []
    for occurred in ("", "&occurred_after=2025-04-01"):
        request = Request(RequestFactory().get(LIST_PATH + occurred))
        filtered = IncidentFilterSet(request.query_params, queryset=incidents_visible(viewer=Viewer.PARTNER)).qs
        page = filtered.order_by("updated_at", "id").prefetch_related(None)[:101]
        queries.append(page.query.sql_with_params())
    latencies = []
    with psycopg.connect(psycopg_url()) as connection, connection.cursor() as cursor:
        for n in range(requests):
            sql, params = queries[n % 2]
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {"p50": statistics.median(latencies), "p95": latencies[int(len(latencies) * 0.95) - 1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--skip-geojson", action="store_true")
    parser.add_argument("--python-geojson", action="store_true", help="also the Python GeoJSON writer (slow)")
    parser.add_argument("--skip-exports", action="store_true", help="only the list")
    parser.add_argument("--database", default=DB_NAME, help=f"the bench database (default {DB_NAME})")
    options = parser.parse_args()
    use_database(options.database)
    count = options.incidents
    if options.reseed or seeded_count() != count:
        started = time.perf_counter()
        seed(count)
        print(f"seeded {count} verified incidents (and {2 * count} casualty rows) by SQL in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    key = base.issue_key()
    runs = [
        ("CSV (COPY-formatted)", "/api/v1/incidents/?format=csv", 1),
        ("HXL (COPY-formatted)", "/api/v1/incidents/?format=hxl", 2),
    ]
    if not options.skip_geojson:
        runs.append(("GeoJSON (COPY-formatted)", "/api/v1/incidents/?format=geojson", 0))
    if options.python_geojson:
        runs.append(("GeoJSON (the Python writer, before)", "/bench/python-geojson/", 0))
    if not options.skip_exports:
        exports(options.port, key, runs, count)
    query = bare_list_query()
    listing = base.measure_list(options.port, key)
    serialized = base.measure_list(options.port, key, prefix="/bench/serialized-incidents/")
    again = bare_list_query()
    print(f"\nfiltered JSON list (admin1 + 2 categories, 100 a page) at {count} incidents, 200 requests each:")
    for label, figures in (
        ("baseline: the page's bare SQL through psycopg", query),
        ("GET /api/v1/incidents/?… (page written by PostgreSQL)", listing),
        ("the same list through the serializer (before)", serialized),
        ("baseline again: the bare SQL", again),
    ):
        print(f"  {label:<56} p50 {figures['p50']:>7.1f} ms   p95 {figures['p95']:>7.1f} ms")


def exports(port: int, key: str, runs: list, count: int) -> None:
    floor = bare_copy()
    print(f"\n{'export of ' + str(count) + ' incidents':<44} {'rows/s':>9} {'s':>7} {'x COPY':>7} {'MiB':>7} "
          f"{'1st byte s':>10} {'peak RSS +MiB':>14} {'peak RSS MiB':>13}")  # fmt: skip
    print(f"{'baseline: bare COPY of the same rows':<44} {count / floor['seconds']:>9.0f} {floor['seconds']:>7.2f} "
          f"{1:>7.2f} {floor['mib']:>7.1f}")  # fmt: skip
    for label, path, header_lines in runs:
        figures = base.measure_export(port, key, path)
        rows = count if header_lines == 0 else figures["lines"] - header_lines
        print(
            f"{label:<44} {rows / figures['seconds']:>9.0f} {figures['seconds']:>7.2f} "
            f"{figures['seconds'] / floor['seconds']:>7.2f} {figures['mib']:>7.1f} {figures['first_byte']:>10.3f} "
            f"{figures['peak_growth_mib']:>14.1f} {figures['peak_mib']:>13.1f}"
        )
    again = bare_copy()
    print(f"{'baseline again, after the exports':<44} {count / again['seconds']:>9.0f} {again['seconds']:>7.2f}")


if __name__ == "__main__":
    main()
