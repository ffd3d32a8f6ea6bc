"""Bulk import through the services: the preview's per-row errors, idempotence by id, the error file."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.utils import translation

from reports.imports.models import ImportIssue, ImportJob
from reports.imports.services import ImportRejected, ImportStateError, import_confirm, import_error_file
from reports.models import Report
from tests.factories import ReportFactory
from tests.imports.conftest import preview, run_to_the_end, upload
from tests.imports.files import COLUMNS, write_csv, write_jsonl, write_xlsx

pytestmark = pytest.mark.django_db

BROKEN = b"\xff\xfe broken \xc3("  # not UTF-8


def plant_bad_rows(rows: list[dict[str, str]]) -> dict[int, str]:
    """Spoil some rows; return {spreadsheet row number: the field its error must name}."""
    planted = {}
    for index, (field, value) in {
        17: ("admin1", "SY99"),
        1234: ("admin2", "SY0699"),
        2500: ("category", "massacre"),
        4321: ("casualties", None),  # low > high
        7777: ("occurred_at", "2025-03-07 09:00"),  # no offset
    }.items():
        if value is None:
            rows[index]["killed_civilian_low"], rows[index]["killed_civilian_high"] = "9", "2"
        else:
            rows[index][field] = value
        planted[index + 2] = field
    # Another body under an id the file already used: the later row is the conflict.
    duplicate = dict(rows[100], title="Another account under the same id")
    rows.insert(9000, duplicate)
    planted = {(number + 1 if number >= 9002 else number): field for number, field in planted.items()}
    planted[9002] = "id"
    return planted


def csv_with_a_broken_row(path, rows, *, broken_index: int):
    write_csv(path, rows)
    lines = path.read_bytes().split(b"\r\n")
    lines[broken_index + 1] = lines[broken_index + 1].replace(b"Witnesses spoke", BROKEN + b" spoke")
    path.write_bytes(b"\r\n".join(lines))


def errors_by_row(job: ImportJob) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for row, field in job.issues.filter(severity="error").values_list("row", "field"):
        found.setdefault(row, set()).add(field)
    return found


@pytest.mark.slow
def test_a_10000_row_csv_with_bad_rows_imports_the_good_rows_once_and_says_the_same_twice(tmp_path, coordinator, rows):
    data = rows(10_000)
    planted = plant_bad_rows(data)
    broken_index = 6000
    planted[broken_index + 2] = "narrative"
    path = tmp_path / "coast.csv"
    csv_with_a_broken_row(path, data, broken_index=broken_index)
    good = len(data) - len(planted)

    first = preview(upload(path, owner=coordinator))
    assert (first.status, first.rows, first.valid, first.error_rows) == ("ready", 10_001, good, len(planted))
    assert errors_by_row(first) == {row: {field} for row, field in planted.items()}
    assert Report.objects.count() == 0  # the preview stores nothing

    first = run_to_the_end(first)
    assert (first.status, first.imported, first.unchanged, first.conflicts) == ("done", good, 0, 1)
    assert Report.objects.count() == good
    assert errors_by_row(first) == {row: {field} for row, field in planted.items()}
    stored = Report.objects.get(pk=data[100]["id"])
    assert stored.title == data[100]["title"]  # the conflicting row left it untouched

    second = run_to_the_end(preview(upload(path, owner=coordinator)))
    assert (second.status, second.imported, second.unchanged, second.conflicts) == ("done", 0, good, 1)
    assert errors_by_row(second) == errors_by_row(first)
    assert Report.objects.count() == good


def test_the_preview_names_row_field_and_reason_in_the_uploaders_language(tmp_path, coordinator, rows):
    data = rows(3)
    data[1]["admin1"] = "SY99"
    job = preview(upload(write_csv(tmp_path / "a.csv", data), owner=coordinator, language="ar"))
    issue = job.issues.get(severity="error")
    assert (issue.row, issue.field) == (3, "admin1")
    with translation.override("ar"):
        assert issue.reason == translation.gettext("Unknown governorate p-code “%(pcode)s”.") % {"pcode": "SY99"}
    assert "SY99" in issue.reason and "Unknown" not in issue.reason


def test_windows_1256_and_utf8_with_bom_read_the_same_arabic(tmp_path, coordinator, rows):
    data = rows(4)
    for index, encoding in enumerate(["windows-1256", "utf-8-sig", "utf-8"]):
        path = write_csv(tmp_path / f"{index}.csv", data, encoding=encoding)
        job = preview(upload(path, owner=coordinator))
        assert job.encoding in ("windows-1256", "utf-8-sig", "utf-8")
        assert (job.valid, job.error_rows) == (4, 0), list(job.issues.values_list("row", "field", "reason"))
        job = run_to_the_end(job)
        assert (job.imported, job.unchanged) == ((4, 0) if index == 0 else (0, 4))
    assert Report.objects.get(pk=data[1]["id"]).title == data[1]["title"]
    assert "جبلة" in data[1]["title"] or "القرداحة" in data[1]["title"]


def test_an_xlsx_file_with_numbers_as_numbers_imports(tmp_path, coordinator, rows):
    data = rows(5)
    job = run_to_the_end(preview(upload(write_xlsx(tmp_path / "a.xlsx", data), owner=coordinator)))
    assert (job.format, job.imported, job.error_rows) == ("xlsx", 5, 0)
    report = Report.objects.get(pk=data[2]["id"])
    casualty = report.casualties.get(kind="killed")
    assert (casualty.low, casualty.high) == (int(data[2]["killed_civilian_low"]), int(data[2]["killed_civilian_high"]))


def test_jsonl_rows_are_report_bodies_as_the_api_takes_them(tmp_path, coordinator, rows):
    bodies = []
    for row in rows(3):
        body = {name: row[name] for name in COLUMNS if "_civilian" not in name}
        body["casualties"] = [{"kind": "killed", "group": "civilian", "low": 2, "high": 4}]
        body["info_credibility"] = int(body["info_credibility"])
        bodies.append(body)
    bodies[2]["casualties"][0]["high"] = "many"
    path = write_jsonl(tmp_path / "a.jsonl", bodies)
    path.write_bytes(path.read_bytes() + b"{not json\n")
    job = preview(upload(path, owner=coordinator))
    assert job.format == "jsonl"
    assert set(job.issues.filter(severity="error").values_list("row", "field")) == {
        (3, "casualties.0.high"),
        (4, "row"),
    }
    job = run_to_the_end(job)
    assert job.imported == 2


def test_a_file_without_a_required_column_is_refused_at_upload(tmp_path, coordinator, rows):
    path = write_csv(tmp_path / "a.csv", rows(2), columns=[c for c in COLUMNS if c != "source_type"])
    with pytest.raises(ImportRejected, match="source_type"):
        upload(path, owner=coordinator)
    assert not ImportJob.objects.exists()


def test_an_old_xls_file_is_refused_as_an_unsupported_type(tmp_path, coordinator):
    path = tmp_path / "a.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ImportRejected) as refused:
        upload(path, owner=coordinator)
    assert refused.value.status == 415


def test_a_known_id_with_another_body_is_a_conflict_and_the_stored_report_is_untouched(tmp_path, coordinator, rows):
    data = rows(2)
    stored = ReportFactory(id=data[0]["id"], monitor=coordinator, title="As first filed")
    job = preview(upload(write_csv(tmp_path / "a.csv", data), owner=coordinator))
    assert set(job.issues.filter(severity="error").values_list("row", "field")) == {(2, "id")}
    job = run_to_the_end(job)
    assert (job.imported, job.conflicts) == (1, 1)
    stored.refresh_from_db()
    assert stored.title == "As first filed"


def test_a_job_is_confirmed_once(tmp_path, coordinator, rows):
    job = run_to_the_end(preview(upload(write_csv(tmp_path / "a.csv", rows(2)), owner=coordinator)))
    with pytest.raises(ImportStateError):
        import_confirm(job=job)


def test_the_error_file_has_the_failed_rows_formula_safe_and_imports_again_once_fixed(tmp_path, coordinator, rows):
    data = rows(4)
    data[1]["admin1"] = "SY99"
    data[1]["title"] = '=HYPERLINK("http://evil.example","click")'
    data[1]["narrative"] = "@SUM(A1:A9)"
    data[1]["place_name"] = "-2+3"
    job = run_to_the_end(preview(upload(write_csv(tmp_path / "a.csv", data), owner=coordinator)))
    filename, content_type, chunks = import_error_file(job=job)
    text = "".join(chunks)
    assert filename == "a-errors.csv" and content_type.startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(records) == 1
    record = records[0]
    assert record["import_row"] == "3" and "admin1" in record["import_errors"]
    assert record["title"] == "'" + data[1]["title"]
    assert record["narrative"] == "'@SUM(A1:A9)" and record["place_name"] == "'-2+3"
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)

    # Fixed and imported again: the guard is undone, the text is the monitor's.
    record["admin1"] = "SY06"
    fixed = write_csv(tmp_path / "fixed.csv", [record], columns=list(record))
    again = run_to_the_end(preview(upload(fixed, owner=coordinator)))
    assert (again.imported, again.error_rows) == (1, 0)
    assert Report.objects.get(pk=data[1]["id"]).title == data[1]["title"]
    assert not again.issues.filter(field__in=["import_row", "import_errors"]).exists()


def test_kobo_headers_count_by_their_last_part_and_metadata_columns_are_dropped(tmp_path, coordinator, rows):
    data = rows(2)
    kobo = [
        {
            "_uuid": row["id"],
            "report/category": row["category"],
            "report/when/occurred_at": row["occurred_at"],
            "report/admin1": row["admin1"],
            "report/title": row["title"],
            "report/source_type": row["source_type"],
            "report/killed_civilian": "3",
            "_submitted_by": "monitor.latakia",
            "_submission_time": "2025-03-07T10:00:00",
            "deviceid": "ee.kobo:abc",
        }
        for row in data
    ]
    job = preview(upload(write_csv(tmp_path / "kobo.csv", kobo, columns=list(kobo[0])), owner=coordinator))
    assert (job.valid, job.error_rows) == (2, 0)
    warnings = list(job.issues.filter(severity="warning").values_list("row", "field"))
    assert warnings == [(1, "deviceid")]
    job = run_to_the_end(job)
    casualty = Report.objects.get(pk=data[0]["id"]).casualties.get()
    assert (casualty.kind, casualty.group, casualty.low, casualty.high) == ("killed", "civilian", 3, 3)


def test_a_validation_interrupted_runs_again_from_the_start_without_doubling_its_issues(tmp_path, coordinator, rows):
    data = rows(3)
    data[0]["admin1"] = "SY99"
    job = upload(write_csv(tmp_path / "a.csv", data), owner=coordinator)
    preview(job)
    ImportJob.objects.filter(pk=job.pk).update(status="validating")  # as if a second message came
    preview(job)
    assert ImportIssue.objects.filter(job=job, severity="error").count() == 1


def test_jsonl_error_file_keeps_the_original_lines(tmp_path, coordinator, rows):
    body = {name: rows(1)[0][name] for name in COLUMNS if "_civilian" not in name}
    body["admin1"] = "SY99"
    job = run_to_the_end(preview(upload(write_jsonl(tmp_path / "a.jsonl", [body]), owner=coordinator)))
    filename, _type, chunks = import_error_file(job=job)
    line = json.loads("".join(chunks))
    assert filename == "a-errors.jsonl"
    assert line["admin1"] == "SY99" and line["import_row"] == 1
