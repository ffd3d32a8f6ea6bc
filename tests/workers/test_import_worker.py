"""Bulk import with a real worker killed mid-file: the next worker resumes at the checkpoint, no row twice."""

from __future__ import annotations

import random
import uuid

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.imports.models import ImportJob
from reports.imports.services import BATCH_ROWS, import_confirm, import_upload
from reports.models import Report
from tests.factories import CoordinatorFactory
from tests.imports.files import good_row, write_csv
from tests.workers.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROWS = 6 * BATCH_ROWS  # the kill lands with batches still to do


def status(job: ImportJob) -> ImportJob:
    current = ImportJob.objects.get(pk=job.pk)
    assert current.status != "failed", current.failure
    return current


def test_a_worker_killed_mid_import_is_resumed_by_another_without_a_duplicate(workers, tmp_path, monkeypatch):
    monkeypatch.setenv("SIJIL_IMPORT_STALE_SECONDS", "2")
    monkeypatch.setenv("MEDIA_ROOT", settings.MEDIA_ROOT)  # the workers read the stored file
    # One slice finishes the file: a continuation would queue behind the imported reports' processing.
    monkeypatch.setenv("SIJIL_IMPORT_SLICE_SECONDS", "3600")
    rng, namespace = random.Random(11), uuid.uuid4()
    rows = [good_row(index, rng=rng, namespace=namespace) for index in range(ROWS)]
    path = write_csv(tmp_path / "coast.csv", rows)
    first = workers.start("w1")

    job = import_upload(owner=CoordinatorFactory(), file=SimpleUploadedFile("coast.csv", path.read_bytes()))
    wait_for(lambda: status(job).status == "ready", timeout=300, what=f"the preview\n{workers.logs()}")
    assert status(job).valid == ROWS
    import_confirm(job=job)
    wait_for(
        lambda: BATCH_ROWS <= status(job).processed < ROWS - BATCH_ROWS,
        timeout=300,
        what=f"the first batches\n{workers.logs()}",
        interval=0.05,
    )
    first.kill()
    killed_at = status(job)
    assert killed_at.status == "importing"
    assert Report.objects.count() in (killed_at.processed, killed_at.processed + BATCH_ROWS)

    workers.start("w2", beat=True)
    wait_for(lambda: status(job).status == "done", timeout=600, what=f"the import to finish\n{workers.logs()}")
    done = status(job)
    # Exact counts: no batch was half stored (its rows would now count as unchanged).
    assert (done.processed, done.imported, done.unchanged, done.conflicts) == (ROWS, ROWS, 0, 0)
    assert Report.objects.count() == ROWS
    assert set(map(str, Report.objects.values_list("pk", flat=True))) == {row["id"] for row in rows}
