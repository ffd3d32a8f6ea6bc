"""How the review queue (the reports changelist) holds up as the register grows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sijil_bench_admin python bench/bench_admin_queue.py
    python bench/bench_admin_queue.py --sizes 1000,10000,50000 --repeat 5

Creates the database if needed (migrate), fills it with reports (a third with
casualty figures, one in five with a pending duplicate candidate; half of them
already decided, so the queue is half the table), then requests the queue
pages a reviewer uses, signed in with a verified one-time-code session, and
prints the median time and the number of SQL queries per page for each size.
The query count must not grow with the size (the test suite checks that).
"""

import argparse
import hashlib
import os
import secrets
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sijil_bench_admin")
os.environ.setdefault("HTTPS_ONLY", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# DEBUG is off here, so Sijil refuses the development key: a throwaway one for this run.
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))
os.environ["AXES_ENABLED"] = "false"

import django

django.setup()

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.models import DuplicateCandidate, Incident
from reports.models import Area, Category, Organisation, Report, ReportCasualty, User

PAGES = {
    "queue": "/admin/reports/report/",
    "queue, killings": "/admin/reports/report/?category__slug__exact=killing",
    "queue, has candidates": "/admin/reports/report/?candidates=yes",
    "queue, search": "/admin/reports/report/?q=bakery",
    "incidents": "/admin/incidents/incident/",
}


def ensure_database() -> None:
    import psycopg

    name = connection.settings_dict["NAME"]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def fill(total: int) -> None:
    """Add reports until there are `total`, in batches."""
    have = Report.objects.count()
    if have >= total:
        return
    org, _ = Organisation.objects.get_or_create(name="Bench network")
    monitor, created = User.objects.get_or_create(username="bench.monitor", defaults={"organisation": org})
    if created:
        monitor.groups.add(Group.objects.get_or_create(name="monitor")[0])
    categories = list(Category.objects.filter(is_outage=False))
    districts = list(Area.objects.filter(level=2))
    start = datetime(2025, 3, 6, tzinfo=UTC)
    incident = Incident.objects.filter(title="Bench incident").first() or Incident.objects.create(
        title="Bench incident", category=categories[0], occurred_from=start, admin1=districts[0].parent
    )
    batch = 2000
    for offset in range(have, total, batch):
        reports = []
        for n in range(offset, min(offset + batch, total)):
            district = districts[n % len(districts)]
            report_id = uuid.uuid4()
            reports.append(
                Report(
                    id=report_id,
                    monitor=monitor,
                    organisation=org,
                    category=categories[n % len(categories)],
                    occurred_at=start + timedelta(minutes=7 * n),
                    admin1_id=district.parent_id,
                    admin2=district,
                    place_name=district.name_en,
                    title=f"Report {n}",
                    narrative="Shots near the bakery at dawn" if n % 50 == 0 else "Gunmen entered the neighbourhood.",
                    source_type="eyewitness",
                    status=["submitted", "in_review", "verified", "rejected"][n % 4],
                    submission_hash=hashlib.sha256(report_id.bytes).hexdigest(),
                )
            )
        Report.objects.bulk_create(reports)
        ReportCasualty.objects.bulk_create(
            ReportCasualty(report=r, kind="killed", group="civilian", low=n % 7, high=n % 7 + n % 5)
            for n, r in enumerate(reports)
            if n % 3 == 0
        )
        DuplicateCandidate.objects.bulk_create(
            DuplicateCandidate(report=r, incident=incident, score=0.5, reasons={})
            for n, r in enumerate(reports)
            if n % 5 == 0
        )


def reviewer_client() -> Client:
    reviewer, created = User.objects.get_or_create(username="bench.reviewer")
    if created:
        reviewer.groups.add(Group.objects.get_or_create(name="reviewer")[0])
    device = TOTPDevice.objects.filter(user=reviewer, confirmed=True).first() or TOTPDevice.objects.create(
        user=reviewer, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(reviewer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client: Client, url: str, repeat: int) -> tuple[float, int]:
    client.get(url)  # warm caches
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(times), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ensure_database()
    client = reviewer_client()
    print(f"{'reports':>8}  {'page':<22} {'median ms':>10} {'queries':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        fill(size)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for name, url in PAGES.items():
            median, queries = measure(client, url, args.repeat)
            print(f"{size:>8}  {name:<22} {median * 1000:>10.1f} {queries:>8}")


if __name__ == "__main__":
    main()
