"""The coordinators' import pages in the admin: upload, preview with per-row errors, confirm, templates."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from reports.imports.models import ImportJob
from reports.models import Report
from tests.factories import MonitorFactory
from tests.imports.conftest import preview, run_to_the_end, upload
from tests.imports.files import write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def test_a_coordinator_uploads_sees_the_row_errors_and_confirms(
    admin_login, coordinator, tmp_path, rows, django_capture_on_commit_callbacks
):
    client = admin_login(coordinator)
    data = rows(3)
    data[2]["category"] = "massacre"
    monitor = MonitorFactory()
    path = write_xlsx(tmp_path / "partner.xlsx", data)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/admin/imports/importjob/add/",
            {"file": SimpleUploadedFile("partner.xlsx", path.read_bytes()), "encoding": "", "monitor": monitor.pk},
        )
    job = ImportJob.objects.get()
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{job.pk}/change/")
    page = client.get(answer["Location"]).content.decode()
    assert 'id="import-confirm"' in page
    assert "Unknown category “massacre”." in page and "<td>4</td>" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/imports/importjob/{job.pk}/confirm/")
    job.refresh_from_db()
    assert (job.status, job.imported) == ("done", 2)
    assert set(Report.objects.values_list("monitor", flat=True)) == {monitor.pk}
    errors = b"".join(client.get(f"/admin/imports/importjob/{job.pk}/errors/").streaming_content).decode()
    assert data[2]["id"] in errors and data[0]["id"] not in errors


def test_the_preview_page_is_in_arabic_for_an_arabic_coordinator(admin_login, coordinator, tmp_path, rows):
    coordinator.preferred_language = "ar"
    coordinator.save()
    data = rows(2)
    data[0]["admin1"] = "SY99"
    job = preview(upload(write_csv(tmp_path / "a.csv", data), owner=coordinator, language="ar"))
    page = admin_login(coordinator).get(f"/admin/imports/importjob/{job.pk}/change/").content.decode()
    assert 'dir="rtl"' in page
    assert "SY99" in page and "Unknown governorate" not in page


def test_reviewers_do_not_see_imports(admin_login, reviewer):
    client = admin_login(reviewer)
    assert client.get("/admin/imports/importjob/").status_code == 403
    assert client.get("/admin/imports/importjob/add/").status_code == 403


@pytest.mark.parametrize("language", ["en", "ar"])
def test_each_template_imports_as_downloaded_and_once_filled(admin_login, coordinator, tmp_path, rows, language):
    client = admin_login(coordinator)
    xlsx = client.get(f"/admin/imports/importjob/template/{language}.xlsx")
    csv_template = client.get(f"/admin/imports/importjob/template/{language}.csv").content
    assert xlsx.status_code == 200 and csv_template.startswith(b"\xef\xbb\xbf")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    sheet = workbook["reports"]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "id" and "killed_civilian_low" in header
    if language == "ar":
        assert sheet.sheet_view.rightToLeft
        assert any("\u0600" <= char <= "\u06ff" for char in sheet["A2"].value)

    empty = tmp_path / f"empty-{language}.csv"
    empty.write_bytes(csv_template)
    job = preview(upload(empty, owner=coordinator))
    assert (job.rows, job.error_rows) == (0, 0)

    row = rows(1)[0]
    sheet.append([row.get(name, "") for name in header])
    filled = tmp_path / f"filled-{language}.xlsx"
    workbook.save(filled)
    job = run_to_the_end(preview(upload(filled, owner=coordinator)))
    assert (job.rows, job.imported, job.error_rows) == (1, 1, 0)
