"""Benchmark: the partner API's streamed exports, and the filtered incident list, against gunicorn.

    python bench/bench_api_export.py [--incidents 100000] [--port 8765] [--keep]

Builds its own PostgreSQL database (sijil_bench_api), seeds N verified
incidents (each with a killed and an injured figure) and runs gunicorn (one
sync worker) on it. Then, each on a freshly started worker so its peak
memory is its own:

- `?format=csv` at N/10 and N rows, `?format=hxl` and `?format=geojson` at N:
  rows per second and the worker's peak RSS growth (VmHWM) — it should not
  grow with N;
- the baseline of the same machine and run: a plain Django view building the
  same CSV in memory (bench/api_bench_urls.py; up to 200,000 rows), and PostgreSQL's own
  `COPY (SELECT …) TO STDOUT CSV` through psycopg (the floor);
- the JSON list filtered by governorate and category, 200 requests: p50, p95.

Prints the figures; BENCHMARKS.md records them. Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "sijil_bench_api"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
# Above this the in-memory baseline would need ~10 GiB per million rows: it is skipped.
NAIVE_LIMIT = 200_000

sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# DEBUG is off here, so Sijil refuses the development key: a throwaway one for this run.
os.environ.setdefault("SECRET_KEY", "bench-only-" + secrets.token_urlsafe(48))
os.environ.setdefault("HTTPS_ONLY", "false")


def psql(sql: str, database: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc", sql], check=True)


def build_database(count: int) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from incidents.models import Incident, IncidentCasualty
    from reports.models import Area

    districts = list(Area.objects.filter(level=2).values_list("pcode", "parent_id", "latitude", "longitude"))
    categories = ["killing", "execution", "arson", "looting", "shelling", "abduction", "water_outage"]
    start = datetime(2025, 3, 6, tzinfo=UTC)
    batch = 5000
    for offset in range(0, count, batch):
        incidents = []
        for n in range(offset, min(offset + batch, count)):
            pcode, parent, lat, lon = districts[n % len(districts)]
            moment = start + timedelta(minutes=7 * n)
            incidents.append(
                Incident(
                    id=uuid.uuid4(),
                    status="verified",
                    category_id=categories[n % len(categories)],
                    occurred_from=moment,
                    admin1_id=parent,
                    admin2_id=pcode,
                    place_name=f"Village {n % 997}",
                    latitude=lat,
                    longitude=lon,
                    geo_precision=2,
                    title=f"Incident {n}: gunmen entered the neighbourhood at dawn",
                    summary="Several people killed; accounts from witnesses in hiding. " * 3,
                    report_count=3,
                    source_count=2,
                    first_reported_at=moment,
                    verified_at=moment + timedelta(hours=5),
                )
            )
        Incident.objects.bulk_create(incidents)
        IncidentCasualty.objects.bulk_create(
            IncidentCasualty(incident=i, kind=kind, group="civilian", low=low, best=low + 1, high=low + 3, method="m")
            for i in incidents
            for kind, low in (("killed", 3), ("injured", 5))
        )
    psql("VACUUM ANALYZE", DB_NAME)


def issue_key() -> str:
    import django

    django.setup()
    from incidents.api_keys import api_key_issue
    from reports.models import Organisation

    organisation, _ = Organisation.objects.get_or_create(name="Bench partner", defaults={"kind": "partner"})
    return api_key_issue(name="bench", scopes=["incidents:read", "aggregates:read"], organisation=organisation).key


class Server:
    """gunicorn with one sync worker on the bench database."""

    def __init__(self, port: int):
        self.port = port
        env = {
            **os.environ,
            "DATABASE_URL": DB_URL,
            "DJANGO_SETTINGS_MODULE": "api_bench_settings",
            "HTTPS_ONLY": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "false",
        }
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
                "1",
                "--timeout",
                "900",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/healthz").read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_pid(self) -> int:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return int(children[0])

    def worker_memory_kib(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) of the worker: its current and its peak resident memory."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.worker_pid()}/status").read_text().splitlines())
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])

    def get(self, path: str, key: str | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        connection.request("GET", path, headers={"Authorization": f"Bearer {key}"} if key else {})
        return connection.getresponse()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def measure_export(port: int, key: str, path: str) -> dict:
    server = Server(port)
    try:
        server.get("/api/v1/categories/", key).read()  # warm up: imports, connection, first queries
        _, peak_before = server.worker_memory_kib()
        started = time.perf_counter()
        response = server.get(path, key)
        assert response.status == 200, (response.status, response.read()[:500])
        size = lines = 0
        first_byte = None
        while chunk := response.read(65536):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
        _, peak_after = server.worker_memory_kib()
    finally:
        server.stop()
    return {
        "seconds": elapsed,
        "first_byte": first_byte or elapsed,
        "mib": size / 2**20,
        "lines": lines,
        "peak_growth_mib": (peak_after - peak_before) / 1024,
        "peak_mib": peak_after / 1024,
    }


def measure_copy() -> dict:
    import psycopg

    sql = (
        "COPY (SELECT i.id, i.status, i.category_id, i.occurred_from, i.admin1_id, i.admin2_id, i.title, "
        "COALESCE(SUM(COALESCE(c.best_override, c.best)) FILTER (WHERE c.kind = 'killed'), 0) "
        "FROM incidents_incident i LEFT JOIN incidents_incidentcasualty c ON c.incident_id = i.id "
        "WHERE i.status = 'verified' GROUP BY i.id ORDER BY i.updated_at, i.id) TO STDOUT WITH CSV HEADER"
    )
    started = time.perf_counter()
    size = 0
    with (
        psycopg.connect(DB_URL.replace("postgres://", "postgresql://")) as connection,
        connection.cursor() as cursor,
        cursor.copy(sql) as copy,
    ):
        for block in copy:
            size += len(block)
    return {"seconds": time.perf_counter() - started, "mib": size / 2**20}


def measure_list(port: int, key: str, requests: int = 200, prefix: str = "/api/v1/incidents/") -> dict:
    server = Server(port)
    try:
        latencies = []
        path = prefix + "?admin1=SY06&category=killing&category=execution&page_size=100"
        server.get(path, key).read()
        for n in range(requests):
            query = path + ("&occurred_after=2025-04-01" if n % 2 else "")
            started = time.perf_counter()
            response = server.get(query, key)
            response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status == 200
    finally:
        server.stop()
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "requests": requests,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    options = parser.parse_args()
    count = options.incidents

    started = time.perf_counter()
    build_database(count)
    print(f"seeded {count} verified incidents in {time.perf_counter() - started:.0f} s")
    key = issue_key()
    small = max(count // 10, 1)

    # The small export first needs the filter that keeps it to N/10 rows: the first tenth by time.
    cutoff = (datetime(2025, 3, 6, tzinfo=UTC) + timedelta(minutes=7 * small)).strftime("%Y-%m-%dT%H:%M:%SZ")
    runs = [
        (f"streamed CSV, {small} rows", f"/api/v1/incidents/?format=csv&occurred_before={cutoff}"),
        (f"streamed CSV, {count} rows", "/api/v1/incidents/?format=csv"),
        (f"streamed HXL, {count} rows", "/api/v1/incidents/?format=hxl"),
        (f"streamed GeoJSON, {count} rows", "/api/v1/incidents/?format=geojson"),
    ]
    if count <= NAIVE_LIMIT:
        runs.append((f"baseline: plain Django view, whole CSV in memory, {count} rows", "/bench/naive.csv"))
    print(f"\n{'export':<66} {'rows/s':>9} {'s':>7} {'MiB':>7} {'1st byte s':>10} {'peak RSS +MiB':>14}")
    for label, path in runs:
        figures = measure_export(options.port, key, path)
        header_lines = 0 if "GeoJSON" in label else 2 if "HXL" in label else 1
        rows = count if "GeoJSON" in label else figures["lines"] - header_lines
        print(
            f"{label:<66} {rows / figures['seconds']:>9.0f} {figures['seconds']:>7.2f} {figures['mib']:>7.1f} "
            f"{figures['first_byte']:>10.3f} {figures['peak_growth_mib']:>14.1f}"
        )
    copy = measure_copy()
    print(
        f"{'baseline: psycopg COPY (SELECT …) TO STDOUT CSV, ' + str(count) + ' rows':<66} "
        f"{count / copy['seconds']:>9.0f} {copy['seconds']:>7.2f} {copy['mib']:>7.1f}"
    )
    listing = measure_list(options.port, key)
    print(
        f"\nfiltered JSON list (admin1 + 2 categories, 100 a page) at {count} incidents, "
        f"{listing['requests']} requests: p50 {listing['p50']:.1f} ms, p95 {listing['p95']:.1f} ms"
    )
    if not options.keep:
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
