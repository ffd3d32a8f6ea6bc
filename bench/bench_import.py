"""Benchmark: bulk import rows per second (preview, then storage through `report_submit_many`) beside PostgreSQL COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<migrated db> CELERY_BROKER_URL=redis://127.0.0.1:6379/<db> \\
        python bench/bench_import.py [--rows 100000] [--process [--process-seconds 600]]

Writes a CSV of `--rows` valid reports (tests/imports/files.py), then in the
same run and on the same database:

- PostgreSQL `COPY` of the same file into an unlogged table of text columns: the bare floor (no index, no
  WAL, no constraint);
- the import preview (`import_validate`: parsing by the API's parser
  `parse_submission`, the domain checks of `report_check_many`, `BATCH_ROWS`
  rows at a time), rows per second;
- the import (`import_run`: every row through `report_submit_many`, batches of
  `BATCH_ROWS` committed with the checkpoint), rows per second; processing is enqueued
  on the Redis database of `CELERY_BROKER_URL` (flushed first: give one nobody
  else uses), which nobody consumes until the last step;
- PostgreSQL `COPY` of the same rows as the import stored them (the reports, their history rows and their
  casualty rows, read back in PostgreSQL's text form first) into scratch copies of those three tables made
  with `LIKE … INCLUDING ALL` plus their foreign keys — the same indexes, defaults and constraints, logged,
  one transaction per `BATCH_ROWS` reports like the import: the same-table peer, what PostgreSQL alone
  takes to store what the import stored;
- with `--process`, a Celery worker (2 processes) is then started and the
  time until every imported report is processed into incidents is measured
  (or, with `--process-seconds`, how many are processed in that time).

Prints the figures; BENCHMARKS.md records them. Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="sijil-bench-media-"))


def same_table_copy(connection, *, monitor_id: int, since, chunk_rows: int) -> tuple[float, dict[str, int]]:
    """COPY of the imported rows, as stored, into scratch copies of the register's own tables.

    Returns the seconds and the rows copied into each table (by its name).

    `CREATE TABLE … (LIKE … INCLUDING ALL)` gives each scratch table the original's columns, defaults,
    identity, check constraints and indexes; its foreign keys are added too (`DEFERRABLE INITIALLY DEFERRED`
    as the originals, the casualty rows' pointing at the scratch reports). Logged tables, one transaction
    per chunk of `chunk_rows` reports (the import's `BATCH_ROWS`): what PostgreSQL alone takes to store the
    rows the import stored, read back beforehand in PostgreSQL's text form.
    """
    from django.db import transaction

    tables = ["reports_report", "reports_historicalreport", "reports_reportcasualty"]
    scratch = {table: f"bench_peer_{table}" for table in tables}
    with connection.cursor() as cursor:
        for table in reversed(tables):
            cursor.execute(f"DROP TABLE IF EXISTS {scratch[table]}")
        for table in tables:
            cursor.execute(f"CREATE TABLE {scratch[table]} (LIKE {table} INCLUDING ALL)")
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for (definition,) in cursor.fetchall():
                definition = definition.replace(
                    "REFERENCES reports_report(", f"REFERENCES {scratch['reports_report']}("
                )
                cursor.execute(f"ALTER TABLE {scratch[table]} ADD {definition}")
        # The stored rows, by report, in the order of their ids (text form: one line a row).
        selects = {
            "reports_report": "SELECT r.* FROM reports_report r WHERE r.monitor_id = %s AND r.received_at >= %s",
            "reports_historicalreport": "SELECT h.* FROM reports_historicalreport h JOIN reports_report r"
            " ON r.id = h.id WHERE r.monitor_id = %s AND r.received_at >= %s",
            "reports_reportcasualty": "SELECT c.* FROM reports_reportcasualty c JOIN reports_report r"
            " ON r.id = c.report_id WHERE r.monitor_id = %s AND r.received_at >= %s",
        }
        keys = {"reports_report": "id", "reports_historicalreport": "id", "reports_reportcasualty": "report_id"}
        by_report: dict[str, dict[str, list[bytes]]] = {table: {} for table in tables}
        for table in tables:
            cursor.execute(
                "SELECT array_position(array_agg(attname::text ORDER BY attnum), %s) FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [keys[table], table],
            )
            position = cursor.fetchone()[0] - 1
            sql = selects[table] % (int(monitor_id), f"'{since.isoformat()}'")  # an id and a time: no quoting to do
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
                data = b"".join(bytes(block) for block in copy)
            for line in data.splitlines(keepends=True):
                by_report[table].setdefault(line.rstrip(b"\n").split(b"\t")[position].decode(), []).append(line)
    ids = sorted(by_report["reports_report"])
    started = time.perf_counter()
    for start in range(0, len(ids), chunk_rows):
        chunk = ids[start : start + chunk_rows]
        with transaction.atomic(), connection.cursor() as cursor:
            for table in tables:
                with cursor.cursor.copy(f"COPY {scratch[table]} FROM STDIN") as copy:
                    copy.write(b"".join(line for key in chunk for line in by_report[table].get(key, ())))
    seconds = time.perf_counter() - started
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {scratch[table]}")  # noqa: S608 — our own names
            counts[table] = cursor.fetchone()[0]
        for table in reversed(tables):
            cursor.execute(f"DROP TABLE {scratch[table]}")
    return seconds, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--process", action="store_true")
    parser.add_argument("--process-seconds", type=float, default=None, help="stop the workers after this long")
    args = parser.parse_args()

    import django

    django.setup()
    import redis
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.utils import timezone

    from reports.choices import ProcessingState, Role
    from reports.imports.services import import_confirm, import_run, import_upload, import_validate
    from reports.models import Report, User
    from tests.imports.files import COLUMNS, good_row, write_csv

    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()
    rng, namespace = random.Random(5), uuid.uuid4()
    rows = [good_row(index, rng=rng, namespace=namespace) for index in range(args.rows)]
    path = write_csv(Path(tempfile.mkdtemp()) / "bench.csv", rows)
    # Only the file is measured: the rows held here would make each of Python's full garbage collections in
    # the measured code walk 100,000 dicts that no worker holds.
    del rows
    gc.collect()
    owner, _ = User.objects.get_or_create(username="bench-importer")
    from django.contrib.auth.models import Group

    owner.groups.add(Group.objects.get_or_create(name=Role.MONITOR)[0])
    print(f"rows: {args.rows}, file: {path.stat().st_size / 1e6:.1f} MB")

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_copy")
        cursor.execute("CREATE UNLOGGED TABLE bench_import_copy (" + ", ".join(f"{c} text" for c in COLUMNS) + ")")
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_import_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(path.read_bytes())
        copy_seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_import_copy")
    print(f"bare COPY (unlogged text table): {copy_seconds:8.2f} s  {args.rows / copy_seconds:10.0f} rows/s")

    job = import_upload(owner=owner, file=SimpleUploadedFile("bench.csv", path.read_bytes()))
    started = time.perf_counter()
    job = import_validate(job_id=job.pk)
    preview_seconds = time.perf_counter() - started
    assert job.valid == args.rows, (job.valid, list(job.issues.values_list("row", "field", "reason")[:5]))
    print(
        f"preview: {preview_seconds:8.2f} s  {args.rows / preview_seconds:10.0f} rows/s"
        f"  ({preview_seconds / copy_seconds:.0f}× COPY)"
    )

    import_confirm(job=job)
    since = timezone.now()
    started = time.perf_counter()
    while (job := import_run(job_id=job.pk, slice_seconds=3600)).status == "importing":
        pass
    import_seconds = time.perf_counter() - started
    assert job.imported == args.rows, job.imported
    print(
        f"import:  {import_seconds:8.2f} s  {args.rows / import_seconds:10.0f} rows/s"
        f"  ({import_seconds / copy_seconds:.0f}× COPY)"
    )
    total = preview_seconds + import_seconds
    print(f"preview + import: {args.rows / total:.0f} rows/s ({total / copy_seconds:.0f}× COPY)")
    from reports.imports.services import BATCH_ROWS

    peer_seconds, counts = same_table_copy(connection, monitor_id=owner.pk, since=since, chunk_rows=BATCH_ROWS)
    assert counts["reports_report"] == counts["reports_historicalreport"] == args.rows, counts
    print(
        f"COPY into the register's tables (same indexes and constraints): {peer_seconds:8.2f} s"
        f"  {args.rows / peer_seconds:10.0f} rows/s  ({', '.join(f'{t}: {n}' for t, n in counts.items())})"
    )
    print(f"import:  {import_seconds / copy_seconds:.0f}× the bare COPY, {import_seconds / peer_seconds:.1f}×"
          f" the same-table COPY; preview: {preview_seconds / copy_seconds:.0f}× and"
          f" {preview_seconds / peer_seconds:.1f}×")  # fmt: skip

    if args.process:
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker", "--concurrency=2",
             "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
            cwd=str(ROOT), env={**os.environ, "CONN_MAX_AGE": "0"},
        )  # fmt: skip
        started = time.perf_counter()
        deadline = started + (args.process_seconds or float("inf"))
        left = args.rows
        try:
            while left and time.perf_counter() < deadline:
                time.sleep(2)
                mine = Report.objects.filter(monitor=owner, received_at__gte=since)
                left = mine.exclude(processing_state=ProcessingState.DONE).count()
        finally:
            worker.terminate()
            worker.wait(timeout=60)
        seconds = time.perf_counter() - started
        done = args.rows - left
        print(
            f"processed into incidents: {done} of {args.rows} in {seconds:8.1f} s"
            f"  {done / seconds:8.1f} reports/s (2 worker processes)"
            + (f"; all {args.rows} at this rate: {args.rows / (done / seconds):.0f} s" if left and done else "")
        )


if __name__ == "__main__":
    main()
