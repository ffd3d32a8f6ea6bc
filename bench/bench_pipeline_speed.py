"""Speed of the pipeline: reports per second drained by 1, 2 and 4 worker processes, SQL round trips and the cost
per report as the register grows (10k and 1M incidents), and how soon a verified report reaches the aggregates.

    python bench/bench_pipeline_speed.py                                   # everything, ~20 min
    python bench/bench_pipeline_speed.py --workers 2 --sizes 10000 --skip-latency
    python bench/bench_pipeline_speed.py --skip-worker --sizes 10000 1000000

Uses its own database (`BENCH_DATABASE_URL`, default
postgres://postgres@127.0.0.1:5432/sijil_bench_pipeline, created and migrated
here, emptied between stages) and a private redis-server on port
`BENCH_REDIS_PORT` (default 6391), database `BENCH_REDIS_DB` (default 8): the
broker, and the coalesced wake-up key (`config/wakeups.py`). Runs
against whichever code is checked out beside it: copied into a checkout of the
previous code (one report per task), it measures the baseline the same way.

1. Throughput drained (`--workers`): the reports of a generated set (seed 11,
   `--throughput-incidents` incidents at the March 2025 density, 60 a day, up
   to now) are stored `pending` in bulk and one message per report is sent,
   as submissions do; N `celery -A config worker --concurrency 1` processes
   (N machines' worth) drain the queue. Clock: from the first message sent to
   the last report `done`. Each run ends by checking the aggregates against a
   rebuild.
2. Cost per report with N incidents stored (`--sizes`): 10k generated incidents
   (about 60 a day) with their first report each; for more, the 10k are
   copied by SQL (`INSERT … SELECT`, in this database) into the years before,
   period after period, so that every day looks like the generated ones and
   the blocks of the reports timed hold what they held at 10k. Then 300
   held-out second reports of the generated incidents are processed
   in-process: in batches (`reports_process`) when the code has them, and one
   by one (`report_process`), timed, with the SQL statements counted.
3. Latency (`--latency`): two workers drain a steady stream of submissions
   while a reviewer verifies some reports as soon as they are submitted; the
   time from the verification to the report's verified incident being counted
   in the partners' (verified) daily aggregates, p50 and p95.
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
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6391"))
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "8"))
BROKER_URL = f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}"
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

from incidents import services
from incidents.models import DailyAggregate, DuplicateCandidate, Incident, MatchDecision
from incidents.services import report_process
from incidents.services.aggregates import aggregates_snapshot, compute_all
from reports.choices import ProcessingState
from reports.models import Report, ReportCasualty, User
from reports.services import report_submit
from synthetic import generate, report_record

BATCHES = hasattr(services, "reports_process")


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


def _report_row(item, people: list[User], **fields) -> Report:
    record = report_record(report_id=item.report_id, data=item.data)
    data = item.data
    return Report(
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
        submission_hash=hashlib.sha256(item.report_id.encode()).hexdigest(),
        **fields,
    )


def _figure_rows(item) -> list[ReportCasualty]:
    return [
        ReportCasualty(
            report_id=item.report_id,
            kind=row["kind"],
            group=row["group"],
            low=row["low"],
            high=row["high"],
            scope=row.get("scope") or "incident",
        )
        for row in item.data.get("casualties") or []
    ]


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
        reports.append(_report_row(item, people, incident=incident, processing_state=ProcessingState.DONE))
        figures.extend(_figure_rows(item))
    with transaction.atomic():
        Incident.objects.bulk_create(incidents, batch_size=5000)
        Report.objects.bulk_create(reports, batch_size=5000)
        ReportCasualty.objects.bulk_create(figures, batch_size=5000)
    analyze()
    return rest


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incident; ANALYZE reports_report; ANALYZE reports_reportcasualty")


def _columns(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position",
            [table],
        )
        return cursor.fetchall()


def replicate(*, copies: int, period_days: int) -> float:
    """Copy the stored incidents (with their reports and figures) `copies` times into the periods before, in SQL.

    Copy k is shifted k × `period_days` into the past: each day of the past
    looks like a generated day (categories, places, figures). An outage copied
    into the past is restored the day after it began (an outage left open for
    decades would be active on every day up to today). Returns the seconds taken.
    """
    started = time.perf_counter()

    def select_list(table: str, overrides: dict[str, str], alias: str) -> tuple[str, str]:
        names, values = [], []
        for name, data_type in _columns(table):
            names.append(f'"{name}"')
            if name in overrides:
                values.append(overrides[name])
            elif data_type == "timestamp with time zone":
                values.append(f'{alias}."{name}" - c.shift')
            else:
                values.append(f'{alias}."{name}"')
        return ", ".join(names), ", ".join(values)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE incident_copy ON COMMIT DROP AS "
            "SELECT i.id AS src, k, gen_random_uuid() AS new_id, make_interval(days => k * %s) AS shift "
            "FROM incidents_incident i CROSS JOIN generate_series(1, %s) AS k",
            [period_days, copies],
        )
        names, values = select_list(
            "incidents_incident",
            {
                "id": "c.new_id",
                "restored_at": "CASE WHEN cat.is_outage THEN "
                "COALESCE(i.restored_at, i.occurred_from + interval '1 day') - c.shift ELSE NULL END",
            },
            "i",
        )
        cursor.execute(
            f"INSERT INTO incidents_incident ({names}) SELECT {values} FROM incidents_incident i "  # noqa: S608
            "JOIN incident_copy c ON c.src = i.id JOIN reports_category cat ON cat.slug = i.category_id"
        )
        cursor.execute(
            "CREATE TEMP TABLE report_copy ON COMMIT DROP AS "
            "SELECT r.id AS src, c.k, gen_random_uuid() AS new_id, c.new_id AS incident_id, c.shift "
            "FROM reports_report r JOIN incident_copy c ON c.src = r.incident_id"
        )
        names, values = select_list(
            "reports_report",
            {
                "id": "c.new_id",
                "incident_id": "c.incident_id",
                "submission_hash": "encode(sha256(c.new_id::text::bytea), 'hex')",
            },
            "r",
        )
        cursor.execute(
            f"INSERT INTO reports_report ({names}) SELECT {values} FROM reports_report r "  # noqa: S608
            "JOIN report_copy c ON c.src = r.id"
        )
        names, values = select_list("reports_reportcasualty", {"id": "DEFAULT", "report_id": "c.new_id"}, "f")
        kept = [(n, v) for n, v in zip(names.split(", "), values.split(", "), strict=True) if n != '"id"']
        cursor.execute(
            f"INSERT INTO reports_reportcasualty ({', '.join(n for n, _ in kept)}) "  # noqa: S608 — column names
            f"SELECT {', '.join(v for _, v in kept)} "
            "FROM reports_reportcasualty f JOIN report_copy c ON c.src = f.report_id"
        )
    analyze()
    return time.perf_counter() - started


def cost_per_report(size: int, *, sample: int, people: list[User], generated_at_most: int = 10_000) -> list[dict]:
    """The cost of placing held-out reports with `size` incidents stored: in batches (if any) and one by one."""
    empty_register()
    generated_size = min(size, generated_at_most) if size else 0
    days = max(5.0, generated_size / 60)
    generated = generate(seed=5, incidents=max(generated_size, sample), days=days)
    started = time.perf_counter()
    rest = bulk_store(generated, people) if generated_size else generated.reports
    if size > generated_size:
        replicate(copies=size // generated_size - 1, period_days=int(days) + 1)
    stored_in = time.perf_counter() - started
    stored = Incident.objects.count()
    rng = random.Random(3)
    held_out = rng.sample(rest, min(sample, len(rest)))
    held_out.sort(key=lambda r: r.submitted_at)
    for item in held_out:
        report_submit(monitor=people[item.monitor_index % len(people)], report_id=item.report_id, data=item.data)
    ids = [r.report_id for r in held_out]
    modes = [("batches of 50", 50), ("one by one", 1)] if BATCHES else [("one by one", 1)]
    results = []
    for label, batch in modes:
        # Each mode places the same reports from the same state: the decisions are undone in between.
        undo(ids)
        sql = {"seconds": 0.0, "queries": 0}

        def timed(execute, statement, params, many, context, sql=sql):
            begin = time.perf_counter()
            try:
                return execute(statement, params, many, context)
            finally:
                sql["seconds"] += time.perf_counter() - begin
                sql["queries"] += 1

        begin = time.perf_counter()
        with connection.execute_wrapper(timed):
            if batch == 1:
                for report_id in ids:
                    report_process(report_id=report_id)
            else:
                while services.reports_process(limit=batch).outcomes:
                    pass
        elapsed = time.perf_counter() - begin
        assert not Report.objects.filter(pk__in=ids).exclude(processing_state=ProcessingState.DONE).exists()
        decisions = MatchDecision.objects.filter(report_id__in=ids)
        scored = [len(d.reasons.get("matches", [])) for d in decisions]
        results.append(
            {
                "mode": label,
                "stored": stored,
                "insert_s": stored_in,
                "n": len(ids),
                "ms_per_report": elapsed * 1000 / len(ids),
                "joins": decisions.filter(outcome="join").count(),
                "sql_ms": sql["seconds"] * 1000 / len(ids),
                "queries": sql["queries"] / len(ids),
                "mean_scored": statistics.fmean(scored) if scored else 0,  # at most 5 kept per decision
            }
        )
    return results


def undo(report_ids: list[str]) -> None:
    """Put held-out reports back as they were before any placement (their incidents and aggregates too)."""
    made = set(MatchDecision.objects.filter(report_id__in=report_ids).values_list("incident_id", flat=True))
    with transaction.atomic():
        MatchDecision.objects.filter(report_id__in=report_ids).delete()
        DuplicateCandidate.objects.filter(report_id__in=report_ids).delete()
        Report.objects.filter(pk__in=report_ids).update(
            incident=None, processing_state=ProcessingState.PENDING, processing_attempts=0, processing_claimed_at=None
        )
        # Incidents the held-out reports started; the ones they joined are recomputed from their first report.
        Incident.objects.filter(pk__in=made, reports__isnull=True).delete()
        for incident in Incident.objects.filter(pk__in=made).select_related("category"):
            services.incident_refresh(incident, reason="bench: undone")
        services.aggregates_rebuild()


def start_workers(count: int, *, tag: str) -> list[subprocess.Popen]:
    from config.celery import app

    env = {**os.environ, "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"}
    names = [f"bench{i}-{tag}@sijil" for i in range(count)]
    command = [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--concurrency=1",
               "--loglevel=WARNING", "--without-gossip", "--without-mingle"]  # fmt: skip
    workers = [
        subprocess.Popen(
            [*command, "--hostname", name],
            env=env,
            cwd=str(ROOT),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for name in names
    ]
    for _ in range(120):
        replies = app.control.inspect(destination=names, timeout=1).ping() or {}
        if len(replies) == count:
            break
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def workers_cpu_seconds(workers: list[subprocess.Popen]) -> float:
    """User + system CPU seconds of every live process in the workers' process groups (Linux /proc)."""
    groups = {worker.pid for worker in workers}
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) in groups:  # pgrp; utime and stime are fields 14 and 15 of the line
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def recent_start(days: float) -> datetime:
    # Up to now, as in live operation: an unrestored outage is active up to today, so events of long ago
    # would make every outage report rewrite hundreds of daily rows.
    return (datetime.now(UTC) - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def worker_throughput(count: int, people: list[User], *, incidents: int) -> dict:
    from incidents.tasks import enqueue_report

    empty_register()
    days = max(5.0, incidents / 60)
    generated = generate(seed=11, incidents=incidents, start=recent_start(days), days=days)
    reports, figures = [], []
    now = datetime.now(UTC)
    for item in generated.reports:
        reports.append(_report_row(item, people, processing_state=ProcessingState.PENDING))
        figures.extend(_figure_rows(item))
    with transaction.atomic():
        Report.objects.bulk_create(reports, batch_size=5000)
        ReportCasualty.objects.bulk_create(figures, batch_size=5000)
    # In arrival order, a few microseconds apart (bulk_create stamps one time).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_report r SET received_at = %s + (o.n * interval '1 microsecond') FROM "
            "(SELECT id, row_number() OVER () AS n FROM unnest(%s::uuid[]) AS id) o WHERE o.id = r.id",
            [now, [r.id for r in reports]],
        )
    analyze()
    workers = start_workers(count, tag=str(count))
    try:
        cpu = workers_cpu_seconds(workers)  # their start-up, not counted
        started = time.perf_counter()
        for report in reports:
            enqueue_report(report.id)
        sent = time.perf_counter() - started
        while Report.objects.exclude(processing_state=ProcessingState.DONE).exists():
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        cpu = workers_cpu_seconds(workers) - cpu
    finally:
        stop_workers(workers)
    return {
        "workers": count,
        "reports": len(reports),
        "seconds": elapsed,
        "send_seconds": sent,
        "workers_cpu": cpu,
        "per_second": len(reports) / elapsed,
        "incidents": Incident.objects.filter(status__in=["unverified", "verified"]).count(),
        "candidates": DuplicateCandidate.objects.count(),
        "aggregate_rows": DailyAggregate.objects.count(),
        "aggregates_equal_rebuild": aggregates_snapshot() == compute_all(),
        "failed": Report.objects.filter(processing_state=ProcessingState.FAILED).count(),
    }


def latency(people: list[User], *, rate: float, samples: int) -> dict:
    """From a reviewer's verification to the report's verified incident counted in the verified aggregates."""
    from django.contrib.auth.models import Group

    from reports.choices import Role
    from reports.review import report_review

    empty_register()
    reviewer, _ = User.objects.get_or_create(username="bench-reviewer")
    reviewer.groups.add(Group.objects.get_or_create(name=Role.REVIEWER)[0])
    reviewer = User.objects.get(pk=reviewer.pk)
    generated = generate(seed=13, incidents=max(60, samples * 4), start=recent_start(5), days=5)
    workers = start_workers(2, tag="latency")
    waits: list[float] = []
    asked = 0
    try:
        verified_at: dict[str, float] = {}
        asked = 0
        every = max(1, len(generated.reports) // samples)
        interval = 1 / rate
        for position, item in enumerate(generated.reports):
            begin = time.perf_counter()
            report = report_submit(
                monitor=people[item.monitor_index % len(people)], report_id=item.report_id, data=item.data
            ).report
            if position % every == 0 and asked < samples:
                report_review(report=report, reviewer=reviewer, decision="verify", note="bench")
                verified_at[item.report_id] = time.perf_counter()
                asked += 1
            waits.extend(_counted(verified_at))
            time.sleep(max(0.0, interval - (time.perf_counter() - begin)))
        deadline = time.perf_counter() + 120
        while verified_at and time.perf_counter() < deadline:
            waits.extend(_counted(verified_at))
            time.sleep(0.02)
        while Report.objects.exclude(processing_state=ProcessingState.DONE).exists() and time.perf_counter() < deadline:
            time.sleep(0.05)
    finally:
        stop_workers(workers)
    waits.sort()
    return {
        "samples": len(waits),
        "missing": asked - len(waits),
        "p50": statistics.median(waits) if waits else float("nan"),
        "p95": waits[int(0.95 * (len(waits) - 1))] if waits else float("nan"),
        "max": max(waits) if waits else float("nan"),
        "reports": len(generated.reports),
        "aggregates_equal_rebuild": aggregates_snapshot() == compute_all(),
    }


def _counted(verified_at: dict[str, float]) -> list[float]:
    """Which of the verified reports are counted now: placed, their incident verified and in a verified row."""
    if not verified_at:
        return []
    now = time.perf_counter()
    done = []
    for report_id, admin1, category, occurred_from in Report.objects.filter(
        pk__in=list(verified_at), processing_state=ProcessingState.DONE, incident__status="verified"
    ).values_list("pk", "incident__admin1_id", "incident__category_id", "incident__occurred_from"):
        from incidents.services.aggregates import local_date

        if DailyAggregate.objects.filter(
            verified=True, admin1_id=admin1, category_id=category, date=local_date(occurred_from), incidents__gt=0
        ).exists():
            done.append(now - verified_at.pop(str(report_id)))
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4])
    parser.add_argument("--throughput-incidents", type=int, default=1500)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 1_000_000])
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--generated", type=int, default=10_000, help="incidents generated; more are copies")
    parser.add_argument("--skip-worker", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--latency-rate", type=float, default=20.0, help="submissions a second during the latency run")
    parser.add_argument("--latency-samples", type=int, default=40)
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
    code = "batches" if BATCHES else "one report per task"
    print(f"database {dbname}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs; code: {code}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    if not args.skip_worker:
        for count in args.workers:
            r = worker_throughput(count, people, incidents=args.throughput_incidents)
            print(
                f"{count} worker process(es): {r['reports']} reports drained in {r['seconds']:.1f} s = "
                f"{r['per_second']:.1f} reports/s (sending the messages {r['send_seconds']:.1f} s); "
                f"workers' CPU {r['workers_cpu']:.1f} s ({1000 * r['workers_cpu'] / r['reports']:.1f} ms a report); "
                f"{r['incidents']} incidents, {r['candidates']} candidates, {r['aggregate_rows']} aggregate rows, "
                f"{r['failed']} failed; aggregates equal a rebuild: {r['aggregates_equal_rebuild']}; "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    for size in args.sizes:
        for r in cost_per_report(size, sample=args.sample, people=people, generated_at_most=args.generated):
            print(
                f"{r['stored']:>8} incidents stored (in {r['insert_s']:.0f} s), {r['mode']}: {r['n']} reports, "
                f"{r['ms_per_report']:.1f} ms per report, of which SQL {r['sql_ms']:.1f} ms in "
                f"{r['queries']:.1f} statements; {r['joins']} joined; "
                f"{r['mean_scored']:.2f} incidents scored (≤5 kept)",
                flush=True,
            )
    if not args.skip_latency:
        r = latency(people, rate=args.latency_rate, samples=args.latency_samples)
        print(
            f"latency, verified → in the verified aggregates (2 workers, {args.latency_rate:.0f} submissions/s, "
            f"{r['reports']} reports): {r['samples']} samples, p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s, "
            f"max {r['max']:.2f} s, {r['missing']} not counted after 120 s; "
            f"aggregates equal a rebuild: {r['aggregates_equal_rebuild']}",
            flush=True,
        )
    empty_register()


if __name__ == "__main__":
    main()
