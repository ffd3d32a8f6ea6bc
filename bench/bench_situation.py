"""Benchmark: the situation room's dashboard and a week's situation report at N incidents.

    python bench/bench_situation.py [--incidents 1000000] [--requests 40] [--keep]

Builds its own PostgreSQL database (sijil_bench_situation, or $SITUATION_BENCH_DB): N live incidents
over 2024–2025 in the gazetteer's districts (a third unverified), each with a
killed figure (shelling an injured one too); outages restored after 30 hours but 1 in 500; the
daily aggregates are rebuilt by the service (`aggregates_rebuild`). Then, in
the same run:

- the dashboard, a filtered page (one governorate, one week), through Django's
  test client with a coordinator's verified session: p50 and p95 of the whole
  response (every query, the SVG charts, the template);
- for scale, the smallest page behind the same sign-in (a report's progress: the stack's own cost);
- the baseline: the plain aggregate query behind the tiles (one `SUM … GROUP BY
  verified` over the daily aggregates for the same filters), p50 and p95;
- the figures alone (`situation_figures`, every query of the page, no rendering);
- the map's points (`/admin/situation/points.json`, the newest 3,000 incidents), which the page's script
  fetches once the page is shown;
- the widest view, every area over the two years (page and points, 3 requests);
- a situation report for one week of every area: time to generate (figures,
  HTML, WeasyPrint's PDF), three runs.

Prints the figures; BENCHMARKS.md records them. Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("SITUATION_BENCH_DB", "sijil_bench_situation")
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# DEBUG off (as in production: no query log); a throwaway key for this process only.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))


def psql(sql: str, database: str = "postgres", **variables: int) -> None:
    """Run SQL through psql; `variables` are psql's (`:name` in the SQL), so nothing is pasted into it."""
    settings = [f"--set={name}={int(value)}" for name, value in variables.items()]
    command = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-q", "-v", "ON_ERROR_STOP=1", *settings]
    subprocess.run([*command, "-f", "-"], input=sql.encode(), check=True)


# The abducted and detained figures (not in the aggregates: the dashboard sums them from the incidents).
HELD = """
    INSERT INTO incidents_incidentcasualty (incident_id, kind, "group", low, best, high, method, override_note)
    SELECT id, CASE WHEN category_id = 'abduction' THEN 'abducted' ELSE 'detained' END, 'civilian',
           1, 1 + (hashtext(id::text) & 1), 3, 'bench', ''
    FROM incidents_incident WHERE category_id IN ('abduction', 'arbitrary_detention')
    ON CONFLICT DO NOTHING;
    ANALYZE incidents_incidentcasualty;
"""


def build(count: int) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    started = time.perf_counter()
    # Incidents in SQL (generate_series): district n mod 10, one every ~63 s over two years, a third unverified.
    psql(
        """
        WITH d AS (SELECT row_number() OVER (ORDER BY pcode) - 1 AS k, pcode, parent_id, latitude, longitude
                   FROM reports_area WHERE level = 2),
             c AS (SELECT row_number() OVER (ORDER BY slug) - 1 AS k, slug, is_outage, service FROM reports_category),
             nd AS (SELECT count(*) AS n FROM d), nc AS (SELECT count(*) AS n FROM c)
        INSERT INTO incidents_incident (id, status, occurred_from, time_precision, place_name, latitude, longitude,
            geo_precision, title, summary, perpetrator, service, restored_at, report_count, source_count,
            sources_disagree, verified_at, created_at, updated_at, admin1_id, admin2_id, category_id,
            perpetrator_by_reviewer, title_by_reviewer)
        SELECT gen_random_uuid(), CASE WHEN g % 3 = 0 THEN 'unverified' ELSE 'verified' END,
               timestamptz '2024-01-01 00:00+03' + (g * interval '63 seconds'), 1, 'Village ' || (g % 997),
               d.latitude + ((g % 100) - 50) / 2000.0, d.longitude + ((g % 77) - 38) / 2000.0, 1,
               'Incident ' || g, '', '', CASE WHEN c.is_outage THEN c.service ELSE '' END,
               CASE WHEN c.is_outage AND g % 500 <> 0
                    THEN timestamptz '2024-01-01 00:00+03' + (g * interval '63 seconds') + interval '30 hours' END,
               2, 1, false, CASE WHEN g % 3 = 0 THEN NULL ELSE now() END, now(), now(),
               d.parent_id, d.pcode, c.slug, false, false
        FROM generate_series(1, :count) AS g, nd, nc
        JOIN d ON true JOIN c ON true
        WHERE d.k = g % nd.n AND c.k = (g / 7) % nc.n
        """,
        DB_NAME,
        count=count,
    )
    psql(
        """
        INSERT INTO incidents_incidentcasualty (incident_id, kind, "group", low, best, high, method, override_note)
        SELECT id, 'killed', 'civilian', 1 + (hashtext(id::text) & 3), 2 + (hashtext(id::text) & 3),
               4 + (hashtext(id::text) & 7), 'bench', ''
        FROM incidents_incident WHERE category_id NOT LIKE '%outage';
        INSERT INTO incidents_incidentcasualty (incident_id, kind, "group", low, best, high, method, override_note)
        SELECT id, 'injured', 'civilian', 0, 1, 3, 'bench', '' FROM incidents_incident WHERE category_id LIKE 'shell%';
        ANALYZE;
        """,
        DB_NAME,
    )
    psql(HELD, DB_NAME)
    import django

    django.setup()
    from incidents.services import aggregates_rebuild

    rows = aggregates_rebuild()
    psql("ANALYZE", DB_NAME)
    print(f"built {count:,} incidents, {rows:,} aggregate rows in {time.perf_counter() - started:.0f} s")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="reuse the database of an earlier run")
    args = parser.parse_args()
    if not args.keep:
        build(args.incidents)
    else:
        # An earlier run's database: this checkout's migrations (indexes), and the abducted/detained figures
        # that databases built before they were generated lack (nothing when present).
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
        psql(HELD, DB_NAME)
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from incidents.models import DailyAggregate, Incident
    from incidents.situation.selectors import SituationFilters, situation_figures
    from incidents.situation.services import situation_report_generate, situation_report_request
    from reports.choices import Role
    from reports.models import User

    total = Incident.objects.count()
    user, _ = User.objects.get_or_create(username="bench-coordinator")
    user.groups.add(django.contrib.auth.models.Group.objects.get(name=Role.COORDINATOR))
    device = TOTPDevice.objects.filter(user=user).first()
    device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    # A week in the last quarter of the data, one governorate; the next weeks for later requests (no cache helps).
    last = Incident.objects.order_by("-occurred_from").values_list("occurred_from", flat=True).first().date()
    weeks = [last - dt.timedelta(days=7 * (i + 8)) for i in range(args.requests)]

    def week_filters(start: dt.date) -> dict:
        return {"date_from": start.isoformat(), "date_to": (start + dt.timedelta(days=6)).isoformat(), "admin1": "SY06"}

    # The stack's own cost, for scale: the smallest page behind the same sign-in (a report's progress, one row).
    from incidents.situation.models import SituationReport

    probe = SituationReport.objects.create(
        requested_by=user, period_start=last, period_end=last, language="en", status="failed"
    )
    floor = []
    for _ in range(args.requests):
        began = time.perf_counter()
        assert client.get(f"/admin/situation/reports/{probe.pk}/progress/").status_code == 200
        floor.append(time.perf_counter() - began)
    probe.delete()

    page, plain, figures, points = [], [], [], []
    for start in weeks:
        query = week_filters(start)
        began = time.perf_counter()
        response = client.get("/admin/situation/", query)
        page.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
        # The map's points, which the page's script asks for once the page is shown.
        began = time.perf_counter()
        response = client.get("/admin/situation/points.json", query)
        points.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
        began = time.perf_counter()
        list(
            DailyAggregate.objects.filter(admin1_id="SY06", date__gte=query["date_from"], date__lte=query["date_to"])
            .values("verified")
            .annotate(incidents=Sum("incidents"), killed=Sum("killed_best"), injured=Sum("injured_best"))
        )
        plain.append(time.perf_counter() - began)
        began = time.perf_counter()
        situation_figures(
            filters=SituationFilters(
                date_from=dt.date.fromisoformat(query["date_from"]),
                date_to=dt.date.fromisoformat(query["date_to"]),
                areas=("SY06",),
            ),
            points=False,  # as the page reads them
        )
        figures.append(time.perf_counter() - began)
    print(f"{total:,} incidents; dashboard, one governorate × one week, {len(page)} requests:")
    print(f"  dashboard page (test client, whole response): {percentiles(page)}")
    print(f"  the figures alone (situation_figures):        {percentiles(figures)}")
    print(f"  the map's points (points.json, 3,000 newest): {percentiles(points)}")
    print(f"  baseline, the plain aggregate query:          {percentiles(plain)}")
    print(f"  for scale, the smallest page behind the sign-in (a report's progress): {percentiles(floor)}")
    print(f"  ratio page/plain at p50: {statistics.median(page) / statistics.median(plain):.0f}×")
    print(
        f"  ratio (page − smallest page)/plain at p50: "
        f"{(statistics.median(page) - statistics.median(floor)) / statistics.median(plain):.0f}×"
    )

    # The widest view: every area over the data's two years (the per-day chart and list have 731 days).
    wide, wide_points = [], []
    everything = {"date_from": "2024-01-01", "date_to": last.isoformat()}
    for _ in range(3):
        began = time.perf_counter()
        assert client.get("/admin/situation/", everything).status_code == 200
        wide.append(time.perf_counter() - began)
        began = time.perf_counter()
        assert client.get("/admin/situation/points.json", everything).status_code == 200
        wide_points.append(time.perf_counter() - began)
    print(f"every area, two years, 3 requests: page {percentiles(wide)}; points {percentiles(wide_points)}")

    runs = []
    for i in range(3):
        start = last - dt.timedelta(days=7 * (i + 2))
        began = time.perf_counter()
        # No broker here: the task runs in-process when the request commits, as in the demo.
        report = situation_report_request(
            requested_by=user, period_start=start, period_end=start + dt.timedelta(days=6),
            areas=[], categories=[], language="ar" if i % 2 else "en",
        )  # fmt: skip
        situation_report_generate(report_id=report.pk)  # a no-op once the task has claimed it
        runs.append(time.perf_counter() - began)
        report.refresh_from_db()
        assert report.status == "done", report.error
    print(f"situation report, one week, every area: {', '.join(f'{r:.2f} s' for r in runs)}")
    connection.close()


if __name__ == "__main__":
    main()
