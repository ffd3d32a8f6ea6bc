"""Benchmark: bulk import rows per second (preview, then storage through `report_submit_many`) beside PostgreSQL COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<migrated db> CELERY_BROKER_URL=redis://127.0.0.1:6379/<db> \\
        python bench/bench_import.py [--rows 100000] [--process [--process-seconds 600]]

Writes a CSV of `--rows` valid reports (tests/imports/files.py), then in the
same run and on the same database:

- PostgreSQL `COPY` of the same file into a table of the same columns: the floor;
- the import preview (`import_validate`: parsing by the API's parser
  `parse_submission`, the domain checks of `report_check_many`, `BATCH_ROWS`
  rows at a time), rows per second;
- the import (`import_run`: every row through `report_submit_many`, batches of
  `BATCH_ROWS` committed with the checkpoint), rows per second; processing is enqueued
  on the Redis database of `CELERY_BROKER_URL` (flushed first: give one nobody
  else uses), which nobody consumes until the last step;
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
    print(f"COPY:    {copy_seconds:8.2f} s  {args.rows / copy_seconds:10.0f} rows/s")

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
