"""Speed of the pipeline: reports per second through a real worker, and the cost per report as the register grows.

    python bench/bench_pipeline_speed.py                       # throughput + 0 / 10k / 100k incidents stored
    python bench/bench_pipeline_speed.py --sizes 0 10000       # quicker
    python bench/bench_pipeline_speed.py --skip-worker

Uses its own database (`BENCH_DATABASE_URL`, default
postgres://postgres@127.0.0.1:5432/sijil_bench_pipeline, created and migrated
here, emptied between stages) and a private redis-server on port 6391.

1. Throughput: the reports of a generated set (seed 11, 300 incidents over the
   last five days) are submitted with `report_submit` (enqueued on commit) to
   one `celery -A config worker --concurrency 2`; the clock runs from the first
   submission to the last report marked done.
2. Cost per report with N incidents already stored: N generated incidents
   (about 60 a day, as in March 2025, spread over N/60 days) are bulk-inserted
   with their first report each; then 300 held-out reports of those incidents
   (their second reports, all over the period) are processed in-process with
   `report_process` and timed one by one. Blocking by category family,
   governorate, district and time window, on the partial index
   `incident_block`, should keep this nearly flat as N grows.
"""

import argparse
import hashlib
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sijil_bench_pipeline")
REDIS_PORT = 6391
BROKER_URL = f"redis://127.0.0.1:{REDIS_PORT}/4"
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# DEBUG is off here, so Sijil refuses the development key: a throwaway one for this run.
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django
import psycopg

dbname = DATABASE_URL.rsplit("/", 1)[1]
with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
        admin.execute(f'CREATE DATABASE "{dbname}"')
django.setup()

from django.core.management import call_command
from django.db import connection, transaction

from incidents.models import DailyAggregate, DuplicateCandidate, Incident, MatchDecision
from incidents.services import report_process
from incidents.synthetic import generate, report_record
from reports.choices import ProcessingState
from reports.models import Report, ReportCasualty, User
from reports.services import report_submit


def empty_register() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE incidents_matchdecision, incidents_duplicatecandidate, incidents_incidentcasualty, "
            "incidents_dailyaggregate, reports_reportcasualty, reports_reviewdecision, reports_report, "
            "incidents_incident, incidents_historicalincident, incidents_historicalincidentcasualty, "
            "incidents_historicalduplicatecandidate, reports_historicalreport, reports_historicalreportcasualty "
            "CASCADE"
        )


def monitors(count: int = 40) -> list[User]:
    return [User.objects.get_or_create(username=f"bench-monitor-{i}")[0] for i in range(count)]


def bulk_store(generated, people: list[User]) -> list:
    """Store each generated incident with its first report, as the pipeline would have; returns the rest."""
    first_of: dict[str, object] = {}
    rest = []
    for item in generated.reports:
        if item.incident_id in first_of:
            rest.append(item)
        else:
            first_of[item.incident_id] = item
    incidents, reports, figures = [], [], []
    for item in first_of.values():
        record = report_record(report_id=item.report_id, data=item.data)
        incident = Incident(
            category_id=record.category,
            occurred_from=record.occurred_from,
            occurred_to=record.occurred_to
            if record.occurred_to and record.occurred_to > record.occurred_from
            else None,
            time_precision=record.time_precision,
            admin1_id=record.admin1,
            admin2_id=record.admin2,
            place_name=record.place_name,
            title=record.title,
            report_count=1,
            source_count=1,
        )
        incidents.append(incident)
        data = item.data
        reports.append(
            Report(
                id=item.report_id,
                monitor=people[item.monitor_index % len(people)],
                category_id=record.category,
                occurred_at=record.occurred_from,
                occurred_until=record.occurred_to,
                time_precision=record.time_precision,
                admin1_id=record.admin1,
                admin2_id=record.admin2,
                place_name=record.place_name,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                geo_precision=record.geo_precision,
                title=record.title,
                narrative=record.narrative,
                language=record.language,
                perpetrator=record.perpetrator,
                source_type=data["source_type"],
                source_reliability=data["source_reliability"],
                info_credibility=data["info_credibility"],
                service=data.get("service", ""),
                outage_restored_at=data.get("outage_restored_at"),
                incident=incident,
                processing_state=ProcessingState.DONE,
                submission_hash=hashlib.sha256(item.report_id.encode()).hexdigest(),
            )
        )
        for row in data.get("casualties") or []:
            figures.append(
                ReportCasualty(
                    report_id=item.report_id,
                    kind=row["kind"],
                    group=row["group"],
                    low=row["low"],
                    high=row["high"],
                    scope=row.get("scope") or "incident",
                )
            )
    with transaction.atomic():
        Incident.objects.bulk_create(incidents, batch_size=5000)
        Report.objects.bulk_create(reports, batch_size=5000)
        ReportCasualty.objects.bulk_create(figures, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incident; ANALYZE reports_report; ANALYZE reports_reportcasualty")
    return rest


def cost_per_report(size: int, *, sample: int, people: list[User]) -> dict:
    empty_register()
    days = max(5.0, size / 60)
    generated = generate(seed=5, incidents=max(size, sample), days=days)
    started = time.perf_counter()
    rest = bulk_store(generated, people) if size else []
    if not size:
        rest = generated.reports
    stored_in = time.perf_counter() - started
    rng = random.Random(3)
    held_out = rng.sample(rest, min(sample, len(rest)))
    held_out.sort(key=lambda r: r.submitted_at)
    for item in held_out:
        report_submit(monitor=people[item.monitor_index % len(people)], report_id=item.report_id, data=item.data)
    Report.objects.filter(pk__in=[r.report_id for r in held_out]).update(processing_state=ProcessingState.PENDING)
    timings = []
    sql = {"seconds": 0.0, "queries": 0}

    def timed(execute, statement, params, many, context):
        begin = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql["seconds"] += time.perf_counter() - begin
            sql["queries"] += 1

    with connection.execute_wrapper(timed):
        for item in held_out:
            begin = time.perf_counter()
            report_process(report_id=item.report_id)
            timings.append((time.perf_counter() - begin) * 1000)
    decisions = MatchDecision.objects.filter(report_id__in=[r.report_id for r in held_out])
    scored = [len(d.reasons.get("matches", [])) for d in decisions]
    return {
        "insert_s": stored_in,
        "n": len(timings),
        "median_ms": statistics.median(timings),
        "p90_ms": statistics.quantiles(timings, n=10)[-1],
        "mean_ms": statistics.fmean(timings),
        "joins": decisions.filter(outcome="join").count(),
        "sql_ms": sql["seconds"] * 1000 / len(timings),
        "queries": sql["queries"] / len(timings),
        "mean_scored": statistics.fmean(scored) if scored else 0,  # at most 5 kept per decision
    }


def worker_throughput(people: list[User]) -> dict:
    from config.celery import app

    empty_register()
    worker = None
    try:
        env = {**os.environ, "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"}
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--concurrency=2",
             "--loglevel=WARNING", "--hostname", "bench@sijil", "--without-gossip", "--without-mingle"],
            env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        for _ in range(120):
            if app.control.inspect(destination=["bench@sijil"], timeout=1).ping():
                break
        # The last five days, as in live operation: an unrestored outage is active up to today, so
        # events of long ago would make every outage report rewrite hundreds of daily rows.
        recent = (datetime.now(UTC) - timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
        generated = generate(seed=11, incidents=300, start=recent)
        started = time.perf_counter()
        for item in generated.reports:
            report_submit(monitor=people[item.monitor_index % len(people)], report_id=item.report_id, data=item.data)
        submitted = time.perf_counter() - started
        while Report.objects.exclude(processing_state=ProcessingState.DONE).exists():
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        return {
            "reports": len(generated.reports),
            "seconds": elapsed,
            "submit_seconds": submitted,
            "per_second": len(generated.reports) / elapsed,
            "incidents": Incident.objects.filter(status__in=["unverified", "verified"]).count(),
            "candidates": DuplicateCandidate.objects.count(),
            "aggregate_rows": DailyAggregate.objects.count(),
        }
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[0, 10_000, 100_000])
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--skip-worker", action="store_true")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    people = monitors()
    # The broker: in the cost stages no worker consumes (reports are processed in-process, timed).
    redis = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    try:
        run(args, people)
    finally:
        redis.kill()
        redis.wait()


def run(args, people: list[User]) -> None:
    print(f"database {dbname}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    if not args.skip_worker:
        result = worker_throughput(people)
        print(
            f"worker (1 process, concurrency 2): {result['reports']} reports in {result['seconds']:.1f} s "
            f"= {result['per_second']:.1f} reports/s end to end (submission alone {result['submit_seconds']:.1f} s); "
            f"{result['incidents']} incidents, {result['candidates']} candidates, "
            f"{result['aggregate_rows']} aggregate rows"
        )
    for size in args.sizes:
        r = cost_per_report(size, sample=args.sample, people=people)
        print(
            f"{size:>7} incidents stored (inserted in {r['insert_s']:.0f} s): {r['n']} reports, "
            f"median {r['median_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, mean {r['mean_ms']:.1f} ms per report; "
            f"of which SQL {r['sql_ms']:.1f} ms in {r['queries']:.0f} queries; "
            f"{r['joins']} joined; {r['mean_scored']:.2f} incidents in the block (≤5 kept)"
        )
    empty_register()


if __name__ == "__main__":
    main()
