"""Benchmark: POST /api/v1/reports/ against gunicorn on PostgreSQL — submissions per second and latency.

    python bench/bench_api_submit.py [--reports 2000] [--clients 8] [--workers 2] [--port 8766]
                                     [--database sijil_bench_api_submit] [--redis-db 6] [--rounds 1]

Each submission is a new report (its own client id) from one of the
monitors' keys, with one casualty row, so every request does the whole
path: key lookup, parsing, the domain checks and place resolution of
`report_submit`, the insert, the wake-ups on Redis (`--redis-db`, 6 by
default, flushed after; no worker consumes them here, so after the first
submission each wake-up is the one `SET NX` round trip of
`config/wakeups.py` — with workers running, a message is also published
once per batch a worker starts). The request rate
limits are off (bench/api_bench_settings.py): the bench would be throttled
long before it measured anything. Beside it, in the same run and on the
same database:

- a plain Django view doing the same insert through the ORM without the
  API (no key, no serializer, no domain checks): what the framework costs;
  and the same view also waking, after the commit, the pipeline and the
  alert check as a submission does (`enqueue_report`, `alerts_enqueue`):
  what the API costs beyond the work any submission must do;
- a raw psycopg INSERT of the same rows (report + casualty, one transaction
  each), from the same number of client threads: the floor.

`--rounds N` runs the API and the plain view N times each, alternating, and
prints every round (the machine's load moves between rounds). Prints the
figures; BENCHMARKS.md records them. Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "sijil_bench_api_submit"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_DB = 6
BROKER_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"

sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# DEBUG is off here, so Sijil refuses the development key: a throwaway one for this run.
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))
os.environ.setdefault("HTTPS_ONLY", "false")


def use(*, database: str, redis_db: int) -> None:
    """The bench's own database and Redis database."""
    global DB_NAME, DB_URL, REDIS_DB, BROKER_URL
    DB_NAME, REDIS_DB = database, redis_db
    DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    BROKER_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
    os.environ["DATABASE_URL"] = DB_URL


def psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc", sql], check=True)


def report_body(n: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "category": "killing",
        "occurred_at": "2025-03-07T09:30:00+03:00",
        "admin1": "SY06",
        "place_name": "Jableh" if n % 2 else "Al-Qardaha",
        "latitude": 35.36,
        "longitude": 35.92,
        "title": f"Gunmen opened fire in the market, report {n}",
        "narrative": "Witnesses in hiding describe gunmen going house to house. " * 5,
        "source_type": "eyewitness",
        "source_reliability": "B",
        "info_credibility": 2,
        "casualties": [{"kind": "killed", "group": "civilian", "low": 3, "high": 5}],
    }


class Server:
    def __init__(self, port: int, workers: int):
        env = {
            **os.environ,
            "DATABASE_URL": DB_URL,
            "DJANGO_SETTINGS_MODULE": "api_bench_settings",
            "HTTPS_ONLY": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "false",
            "CELERY_BROKER_URL": BROKER_URL,
            "CONN_MAX_AGE": "60",
        }
        self.port = port
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--pythonpath",
                f"{ROOT},{ROOT / 'bench'}",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def run_clients(*, port: int, path: str, keys: list[str], total: int, clients: int) -> tuple[float, list[float], dict]:
    """`clients` threads with a keep-alive connection each, `total` POSTs in all."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    per_client = total // clients

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {keys[index % len(keys)]}"}
        for n in range(per_client):
            body = json.dumps(report_body(index * per_client + n))
            started = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed * 1000)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, sorted(latencies), statuses


def raw_inserts(*, total: int, clients: int, monitor_id: int) -> tuple[float, list[float]]:
    import psycopg

    latencies: list[float] = []
    lock = threading.Lock()
    per_client = total // clients
    report_sql = (
        "INSERT INTO reports_report (id, monitor_id, category_id, occurred_at, time_precision, admin1_id, admin2_id, "
        "place_name, latitude, longitude, geo_precision, title, narrative, language, perpetrator, source_type, "
        "source_reliability, info_credibility, source_notes, service, status, review_note, incident_pinned, "
        "processing_state, processing_attempts, processing_error, processing_reason, submission_hash, received_at, "
        "updated_at) "
        "VALUES (%s, %s, 'killing', '2025-03-07T06:30:00Z', 1, 'SY06', 'SY0602', 'Jableh', 35.36, 35.92, 1, %s, %s, "
        "'', '', 'eyewitness', 'B', 2, '', '', 'submitted', '', false, 'pending', 0, '', 'submitted', %s, now(), "
        "now())"
    )
    casualty_sql = (
        'INSERT INTO reports_reportcasualty (report_id, kind, "group", low, high, scope) '
        "VALUES (%s, 'killed', 'civilian', 3, 5, 'incident')"
    )

    def client(index: int) -> None:
        with psycopg.connect(DB_URL.replace("postgres://", "postgresql://")) as connection:
            for n in range(per_client):
                body = report_body(index * per_client + n)
                started = time.perf_counter()
                with connection.transaction():
                    connection.execute(
                        report_sql,
                        (
                            body["id"],
                            monitor_id,
                            body["title"],
                            body["narrative"],
                            hashlib.sha256(body["id"].encode()).hexdigest(),
                        ),
                    )
                    connection.execute(casualty_sql, (body["id"],))
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, sorted(latencies)


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(len(values) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--database", default=DB_NAME)
    parser.add_argument("--redis-db", type=int, default=REDIS_DB)
    parser.add_argument("--rounds", type=int, default=1)
    options = parser.parse_args()
    use(database=options.database, redis_db=options.redis_db)

    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)
    import django

    django.setup()
    from django.contrib.auth.models import Group

    from incidents.api_keys import api_key_issue
    from reports.models import Organisation, User

    organisation = Organisation.objects.create(name="Bench network")
    group = Group.objects.get(name="monitor")
    keys = []
    for n in range(options.clients):
        user = User.objects.create(username=f"bench-monitor-{n}", organisation=organisation)
        user.groups.add(group)
        keys.append(api_key_issue(name="bench", scopes=["reports:write"], user=user).key)
    monitor_id = user.pk

    server = Server(options.port, options.workers)
    rows = []
    try:
        for round_ in range(options.rounds):
            for label, path in (
                ("POST /api/v1/reports/ (the API)", "/api/v1/reports/"),
                ("baseline: plain Django view, ORM insert", "/bench/plain-submit"),
                ("plain Django view, ORM insert + the two wake-ups", "/bench/plain-submit-enqueued"),
            ):
                run_clients(
                    port=options.port, path=path, keys=keys, total=options.clients * 10, clients=options.clients
                )
                seconds, latencies, statuses = run_clients(
                    port=options.port, path=path, keys=keys, total=options.reports, clients=options.clients
                )
                suffix = f" [round {round_ + 1}]" if options.rounds > 1 else ""
                rows.append((label + suffix, len(latencies) / seconds, latencies, statuses))
    finally:
        server.stop()
    seconds, latencies = raw_inserts(total=options.reports, clients=options.clients, monitor_id=monitor_id)
    rows.append(("baseline: raw psycopg INSERT (report + casualty)", len(latencies) / seconds, latencies, {}))

    print(
        f"{options.reports} submissions, {options.clients} client threads, gunicorn {options.workers} sync workers\n"
        f"{'':<60} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses"
    )
    for label, rate, latencies, statuses in rows:
        print(
            f"{label:<60} {rate:>8.0f} {statistics.median(latencies):>8.1f} {percentile(latencies, 0.95):>8.1f} "
            f"{percentile(latencies, 0.99):>8.1f}  {statuses or ''}"
        )
    if options.rounds > 1:
        # Paired within a round (the load moves between rounds): the API's rate over the plain view's.
        ratios = [rows[3 * r][1] / rows[3 * r + 1][1] for r in range(options.rounds)]
        print(
            "API ÷ plain view by round: "
            + ", ".join(f"{ratio:.2f}" for ratio in ratios)
            + f"; median {statistics.median(ratios):.2f}"
        )
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], check=True, capture_output=True)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
