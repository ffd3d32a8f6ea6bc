"""Helpers for the import tests: upload a file as a person would, and play the worker's part."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.imports.models import ImportJob
from reports.imports.services import import_confirm, import_run, import_upload, import_validate
from tests.imports.files import good_row


def upload(path: Path, *, owner, monitor=None, encoding: str = "", language: str = "en") -> ImportJob:
    file = SimpleUploadedFile(path.name, path.read_bytes())
    return import_upload(owner=owner, monitor=monitor, file=file, encoding=encoding, language=language)


def preview(job: ImportJob) -> ImportJob:
    """What the worker does with a new job (in these tests no worker runs: on_commit never fires)."""
    return import_validate(job_id=job.pk)


def run_to_the_end(job: ImportJob) -> ImportJob:
    import_confirm(job=job)
    while (job := import_run(job_id=job.pk, slice_seconds=3600)).status == "importing":
        pass
    return job


@pytest.fixture
def rows():
    """`rows(n)`: n valid rows, the same n rows every time it is called in one test."""
    namespace = uuid.uuid4()

    def make(count: int, *, arabic: bool = True) -> list[dict[str, str]]:
        rng = random.Random(7)
        return [good_row(index, rng=rng, namespace=namespace, arabic=arabic) for index in range(count)]

    return make
