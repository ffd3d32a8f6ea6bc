"""`/api/v1/imports/`: upload, status with per-row errors, confirm, the error file; a job is its owner's."""

from __future__ import annotations

import random
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.api_keys import api_key_issue
from reports.models import Report
from tests.api.conftest import keyed_client
from tests.factories import MonitorFactory
from tests.imports.files import good_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def spreadsheet(tmp_path):
    rng = random.Random(3)
    namespace = uuid.uuid4()
    rows = [good_row(index, rng=rng, namespace=namespace) for index in range(4)]
    rows[2]["killed_civilian_low"], rows[2]["killed_civilian_high"] = "7", "3"
    return rows, write_csv(tmp_path / "monitors.csv", rows)


def post_file(client, path, **extra):
    return client.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile(path.name, path.read_bytes()), **extra}, format="multipart"
    )


def test_an_upload_is_checked_then_confirmed_and_imported(monitor_api, spreadsheet, django_capture_on_commit_callbacks):
    rows, path = spreadsheet
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_file(monitor_api, path)
    assert answer.status_code == 202, answer.json()
    assert set(answer.json()) == {"id", "status", "url"}
    job = monitor_api.get(answer.json()["url"]).json()
    assert (job["status"], job["rows"], job["valid"]) == ("ready", 4, 3)
    assert job["errors"] == [{"row": 4, "field": "casualties", "reason": "Row 1: 0 ≤ low ≤ high."}]
    assert Report.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = monitor_api.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert confirmed.status_code == 202
    done = monitor_api.get(answer.json()["url"]).json()
    assert (done["status"], done["imported"], done["unchanged"], done["conflicts"]) == ("done", 3, 0, 0)
    errors_file = monitor_api.get(done["errors_url"])
    assert errors_file.status_code == 200
    assert rows[2]["id"] in b"".join(errors_file.streaming_content).decode()

    again = monitor_api.post(f"/api/v1/imports/{job['id']}/confirm/")
    assert again.status_code == 409 and "status" in again.json()["errors"]


def test_the_same_file_again_imports_nothing_and_counts_every_row_unchanged(
    monitor_api, spreadsheet, django_capture_on_commit_callbacks
):
    _rows, path = spreadsheet
    for expected in ((3, 0), (0, 3)):
        with django_capture_on_commit_callbacks(execute=True):
            url = post_file(monitor_api, path).json()["url"]
        job_id = url.rstrip("/").rsplit("/", 1)[-1]
        with django_capture_on_commit_callbacks(execute=True):
            monitor_api.post(f"/api/v1/imports/{job_id}/confirm/")
        done = monitor_api.get(url).json()
        assert (done["imported"], done["unchanged"]) == expected
    assert Report.objects.count() == 3


def test_another_keys_job_is_a_404(monitor_api, spreadsheet, django_capture_on_commit_callbacks):
    _rows, path = spreadsheet
    url = post_file(monitor_api, path).json()["url"]
    other = keyed_client(api_key_issue(name="other", scopes=["reports:write"], user=MonitorFactory()).key)
    assert other.get(url).status_code == 404
    job_id = url.rstrip("/").rsplit("/", 1)[-1]
    assert other.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 404


def test_a_key_without_reports_write_and_a_partners_key_are_refused(partner, monitor_user, spreadsheet):
    _rows, path = spreadsheet
    reader = keyed_client(api_key_issue(name="read", scopes=["reports:read"], user=monitor_user).key)
    assert post_file(reader, path).status_code == 403
    assert post_file(partner, path).status_code == 403


def test_bad_uploads_answer_4xx_naming_the_field(monitor_api, tmp_path):
    assert monitor_api.post("/api/v1/imports/", {}, format="multipart").json()["errors"] == {
        "file": ["No file was submitted."]
    }
    png = tmp_path / "photo.xls"
    png.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    answer = post_file(monitor_api, png)
    assert answer.status_code == 415 and "file" in answer.json()["errors"]
    headerless = tmp_path / "a.csv"
    headerless.write_text("title,category\nx,looting\n")
    answer = post_file(monitor_api, headerless)
    assert answer.status_code == 400 and "id" in answer.json()["errors"]["file"][0]
    answer = post_file(monitor_api, headerless, encoding="latin-1")
    assert answer.status_code == 400 and "encoding" in answer.json()["errors"]
    assert Report.objects.count() == 0
