"""Writes of bulk imports: upload, preview (validation), confirm, the import itself, the sweeper.

Every row goes through `reports.services` — `report_check_many` for the
preview, `report_submit_many` for the import: the batch forms of
`report_check` and `report_submit`, with the same rules (one `_clean`) and a
few queries and statements per batch instead of several per row — so an
imported report is held to the same rules as one sent to the API, and is
idempotent by its `id` the same way:
importing a file again stores nothing and counts its rows as unchanged; a
known id with another body is a conflict and the stored report is left as it
was. The import runs in batches; each batch and the job's checkpoint
(`processed`) commit in one transaction with the job's row locked, so a
worker killed mid-file leaves either all of a batch or none of it, and
whoever picks the job up next (the same message redelivered, or the
sweeper's) starts at the checkpoint. See docs/imports.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.errors import ActionRefused
from reports.imports.models import ImportFormat, ImportIssue, ImportJob, ImportStatus, IssueSeverity
from reports.imports.readers import UnreadableFile, open_head, read_rows, sniff
from reports.imports.rows import (
    ERROR_FILE_COLUMNS,
    FORMULA_TRIGGERS,
    Columns,
    Issue,
    map_columns,
    parse_row,
)
from reports.models import User
from reports.services import BatchOutcome, report_check_many, report_submit_many, submission_hash

logger = logging.getLogger(__name__)

BATCH_ROWS = 2000
PROGRESS_EVERY = 2000


class ImportRejected(ActionRefused):
    """An upload refused before any job exists: the field, the reason, and the HTTP status an API answers with."""

    def __init__(self, reason: str, *, status: int = 400, field: str = "file") -> None:
        super().__init__(field=field, reason=reason, status=status)


class ImportStateError(ActionRefused):
    """The job is not in a state that allows this (confirming a job that is not ready): HTTP 409."""

    def __init__(self, reason: str) -> None:
        super().__init__(field="status", reason=reason, status=409)


def max_bytes() -> int:
    return int(getattr(settings, "SIJIL_IMPORT_MAX_BYTES", 50 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "SIJIL_IMPORT_MAX_ROWS", 200_000))


# --- Upload ------------------------------------------------------------------------


def import_upload(
    *,
    owner: User,
    file,
    monitor: User | None = None,
    encoding: str = "",
    via_api: bool = False,
    language: str | None = None,
) -> ImportJob:
    """Keep the uploaded file, check its format and its header, and queue the preview.

    Refused at once (`ImportRejected`): a file too large, of another type, or
    whose header lacks a required column. Everything about single rows is the
    preview's to say.
    """
    size = getattr(file, "size", None) or 0
    if size > max_bytes():
        raise ImportRejected(_("The file is larger than %(n)d MB.") % {"n": max_bytes() // 2**20}, status=413)
    if size == 0:
        raise ImportRejected(_("The file is empty."))
    if encoding and encoding not in ("utf-8", "windows-1256"):
        raise ImportRejected(_("Choose utf-8 or windows-1256, or leave it empty."), field="encoding")
    name = Path(getattr(file, "name", "") or "").name[:200]
    try:
        sniffed = sniff(head=open_head(file), filename=name, encoding=encoding)
    except UnreadableFile as exc:
        raise ImportRejected(exc.reason, status=415 if exc.unsupported_type else 400) from exc
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    monitor = monitor or owner
    job = ImportJob(
        owner=owner,
        monitor=monitor,
        via_api=via_api,
        filename=name,
        size=size,
        sha256=digest.hexdigest(),
        format=sniffed.format,
        encoding=sniffed.encoding,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.file.save(f"{job.pk}.{sniffed.format}", File(file), save=False)
    try:
        _check_header(job)
    except ImportRejected:
        job.file.delete(save=False)
        raise
    with transaction.atomic():
        job.save()
        transaction.on_commit(lambda: _enqueue("validate_import", job.pk))
    return job


def _check_header(job: ImportJob) -> None:
    try:
        header, rows = read_rows(path=job.file.path, format=job.format, encoding=job.encoding)
        if job.format == ImportFormat.JSONL:
            first = next(rows, None)
            rows.close()
            if first is None:
                raise ImportRejected(_("The file has no rows."))
            if "__error__" in first[1]:
                return  # the preview names the line
            header = list(first[1].keys())
        else:
            rows.close()
    except UnreadableFile as exc:
        raise ImportRejected(exc.reason) from exc
    columns = map_columns(header)
    if columns.missing:
        raise ImportRejected(
            _("Required columns are missing: %(names)s (the header must use the report field names).")
            % {"names": ", ".join(columns.missing)}
        )


# --- Reading the rows again ----------------------------------------------------------


def _rows(job: ImportJob) -> tuple[Columns | None, Iterator[tuple[int, dict]]]:
    header, rows = read_rows(path=job.file.path, format=job.format, encoding=job.encoding)
    return (None if job.format == ImportFormat.JSONL else map_columns(header)), rows


def _parse(job: ImportJob, columns: Columns | None, number: int, cells: dict):
    row_columns = columns if columns is not None else map_columns(cells.keys())
    return parse_row(number=number, cells=cells, columns=row_columns, encoding=job.encoding)


# --- Preview ----------------------------------------------------------------------


def import_validate(*, job_id) -> ImportJob | None:
    """Check every row without storing anything; record the errors and warnings; the job becomes `ready`.

    Nothing is written until the end, so a preview interrupted is simply run
    again from the start (the sweeper does).
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.VALIDATING:
        return job
    with translation.override(job.language):
        try:
            outcome = _preview(job)
        except (UnreadableFile, OSError) as exc:
            reason = exc.reason if isinstance(exc, UnreadableFile) else _("The stored file cannot be read.")
            return _fail(job, reason)
    issues, counts = outcome
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.VALIDATING:
            return locked  # another worker finished it first
        if counts["rows"] > max_rows():
            locked.status = ImportStatus.FAILED
            locked.failure = _("The file has more than %(n)d rows; split it.") % {"n": max_rows()}
            locked.save()
            return locked
        locked.issues.all().delete()
        _record_issues(locked, issues)
        for name, value in counts.items():
            setattr(locked, name, value)
        locked.checked = counts["rows"]
        locked.status = ImportStatus.READY
        locked.validated_at = locked.heartbeat_at = timezone.now()
        locked.save()
    return locked


def _preview(job: ImportJob) -> tuple[list[Issue], dict[str, int]]:
    columns, rows = _rows(job)
    issues: list[Issue] = []
    if columns is not None:
        for column in columns.ignored:
            issues.append(
                Issue(1, column, _("Not a report field; this column is ignored."), severity=IssueSeverity.WARNING)
            )
    counts = {"rows": 0, "valid": 0, "error_rows": 0, "preview_new": 0}
    seen: dict[uuid.UUID, tuple[str, int]] = {}
    chunk: list = []
    for number, cells in rows:
        counts["rows"] += 1
        if counts["rows"] > max_rows():
            break
        if counts["rows"] % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.VALIDATING).update(
                checked=counts["rows"], heartbeat_at=timezone.now()
            )
        chunk.append(_parse(job, columns, number, cells))
        if len(chunk) >= BATCH_ROWS:
            issues.extend(_preview_chunk(job, chunk, seen, counts))
            chunk = []
    issues.extend(_preview_chunk(job, chunk, seen, counts))
    return issues, counts


def _preview_chunk(job: ImportJob, chunk: list, seen: dict[uuid.UUID, tuple[str, int]], counts: dict) -> list[Issue]:
    """The rows of one chunk, checked against the file's earlier rows and then by `report_check_many`."""
    found: dict[int, list[Issue]] = {parsed.number: list(parsed.issues) for parsed in chunk}
    to_check = []
    digests = []
    for parsed in chunk:
        if not parsed.ok:
            continue
        number = parsed.number
        digest = submission_hash(report_id=parsed.report_id, data=parsed.data)
        earlier = seen.get(parsed.report_id)
        if earlier is not None and earlier[0] != digest:
            found[number].append(
                Issue(number, "id", _("Row %(n)d has this id with other content.") % {"n": earlier[1]})
            )
        elif earlier is not None:
            found[number].append(
                Issue(
                    number,
                    "id",
                    _("The same report as row %(n)d; it is stored once.") % {"n": earlier[1]},
                    severity=IssueSeverity.WARNING,
                )
            )
            counts["valid"] += 1
        else:
            seen[parsed.report_id] = (digest, number)
            to_check.append(parsed)
            digests.append(digest)
    outcomes = report_check_many(
        monitor=job.monitor, submissions=[(p.report_id, p.data) for p in to_check], digests=digests
    )
    for parsed, outcome in zip(to_check, outcomes, strict=True):
        number = parsed.number
        problems = _outcome_issues(number, outcome)
        found[number].extend(problems)
        if not problems:
            counts["valid"] += 1
            if outcome.created:
                counts["preview_new"] += 1
            else:
                found[number].append(
                    Issue(
                        number,
                        "id",
                        _("Already stored, identical: it will count as unchanged."),
                        severity=IssueSeverity.WARNING,
                    )
                )
    issues: list[Issue] = []
    for parsed in chunk:
        row_issues = found[parsed.number]
        if any(issue.severity == IssueSeverity.ERROR for issue in row_issues):
            counts["error_rows"] += 1
        issues.extend(row_issues)
    return issues


def _outcome_issues(number: int, outcome: BatchOutcome) -> list[Issue]:
    """The errors of a row the services refused: its id taken, or the rules by field."""
    if outcome.conflict:
        return [Issue(number, "id", _("This id is already taken by a different report."))]
    if outcome.error is not None:
        return _validation_issues(number, outcome.error)
    return []


def _validation_issues(number: int, exc: ValidationError) -> list[Issue]:
    if hasattr(exc, "error_dict"):
        return [Issue(number, name, str(text)) for name, messages in exc.message_dict.items() for text in messages]
    return [Issue(number, "row", str(message)) for message in exc.messages]


def _fail(job: ImportJob, reason: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).exclude(status=ImportStatus.DONE).update(
        status=ImportStatus.FAILED, failure=reason, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


# --- Confirm and import --------------------------------------------------------------


def import_confirm(*, job: ImportJob) -> ImportJob:
    """Start the import of a job whose preview is ready (once: a second confirm is refused)."""
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READY).update(
            status=ImportStatus.IMPORTING, confirmed_at=timezone.now(), heartbeat_at=timezone.now()
        )
        if not updated:
            job.refresh_from_db()
            status = job.get_status_display()
            raise ImportStateError(
                _("Only a checked file can be imported; this one is “%(status)s”.") % {"status": status}
            )
        transaction.on_commit(lambda: _enqueue("run_import", job.pk))
    job.refresh_from_db()
    return job


def import_run(*, job_id, slice_seconds: float | None = None) -> ImportJob | None:
    """Import rows from the checkpoint on, batch by batch, for at most `slice_seconds`; then hand on.

    Returns the job; if it is still `importing` when the slice ends, the
    caller (the task) sends itself again.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.IMPORTING:
        return job
    budget = slice_seconds if slice_seconds is not None else settings.SIJIL_IMPORT_SLICE_SECONDS
    deadline = time.monotonic() + budget
    with translation.override(job.language):
        columns, rows = _rows(job)
        position = 0
        try:
            while True:
                with transaction.atomic():
                    locked = (
                        ImportJob.objects.select_for_update(of=("self",))
                        .select_related("monitor", "owner")
                        .get(pk=job.pk)
                    )
                    if locked.status != ImportStatus.IMPORTING or position > locked.processed:
                        return locked  # finished, or another worker is past us: leave it to them
                    while position < locked.processed and next(rows, None) is not None:
                        position += 1
                    batch = [row for _n, row in zip(range(BATCH_ROWS), rows, strict=False)]
                    if not batch or locked.processed >= locked.rows:
                        locked.status = ImportStatus.DONE
                        locked.finished_at = locked.heartbeat_at = timezone.now()
                        locked.save()
                        return locked
                    _import_batch(locked, columns, batch)
                    position += len(batch)
                    locked.processed = min(locked.rows, locked.processed + len(batch))
                    locked.heartbeat_at = timezone.now()
                    locked.save()
                if time.monotonic() >= deadline:
                    return locked
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()


def _import_batch(job: ImportJob, columns: Columns | None, batch: list[tuple[int, dict]]) -> None:
    _record_issues(job, _import_rows(job, columns, batch))


def _import_rows(job: ImportJob, columns: Columns | None, batch: list[tuple[int, dict]]) -> list[Issue]:
    """Parse the batch's rows and store the good ones with `report_submit_many`, in the caller's transaction."""
    issues: list[Issue] = []
    good = []
    for number, cells in batch:
        parsed = _parse(job, columns, number, cells)
        if parsed.ok:
            good.append(parsed)
        else:
            issues.extend(parsed.issues)
    outcomes = report_submit_many(
        monitor=job.monitor,
        submissions=[(parsed.report_id, parsed.data) for parsed in good],
        by=job.owner,
        reason="bulk import",
    )
    for parsed, outcome in zip(good, outcomes, strict=True):
        if outcome.conflict:
            job.conflicts += 1
        elif outcome.created:
            job.imported += 1
        elif outcome.error is None:
            job.unchanged += 1
        issues.extend(_outcome_issues(parsed.number, outcome))
    issues.sort(key=lambda issue: issue.row)
    return issues


def _record_issues(job: ImportJob, issues: list[Issue]) -> None:
    ImportIssue.objects.bulk_create(
        (ImportIssue(job=job, row=i.row, field=i.field[:100], reason=i.reason, severity=i.severity) for i in issues),
        batch_size=2000,
        ignore_conflicts=True,
    )


# --- The sweeper ------------------------------------------------------------------


def imports_sweep(*, enqueue: Callable[[str, Any], None]) -> int:
    """Send again every job a worker stopped working on (killed, or its message lost); returns how many."""
    stale = timezone.now() - timedelta(seconds=settings.SIJIL_IMPORT_STALE_SECONDS)
    sent = 0
    candidates = ImportJob.objects.filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale),
        status__in=[ImportStatus.VALIDATING, ImportStatus.IMPORTING],
    ).values_list("pk", "status")
    for pk, status in candidates:
        # Claim with a conditional UPDATE: of two sweepers, one sends it.
        claimed = (
            ImportJob.objects.filter(pk=pk, status=status)
            .filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
            .update(heartbeat_at=timezone.now())
        )
        if claimed:
            enqueue("validate_import" if status == ImportStatus.VALIDATING else "run_import", pk)
            sent += 1
    return sent


def _enqueue(task: str, job_id) -> None:
    from reports.imports.tasks import enqueue

    enqueue(task, job_id)


# --- The error file ------------------------------------------------------------------


def formula_safe(value: Any) -> str:
    """A cell no spreadsheet runs as a formula: text starting with = + - @ (or a tab, CR) gets a leading '."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def import_error_file(*, job: ImportJob) -> tuple[str, str, Iterator[str]]:
    """The rows that failed, as they were uploaded, with their row number and reasons: fix and import again.

    CSV (UTF-8 with a BOM, for Excel) for CSV and XLSX uploads, every cell
    formula-safe; JSONL for JSONL uploads (the original lines, each with
    `import_row` and `import_errors`). Returns (filename, content type, chunks).
    """
    reasons: dict[int, list[str]] = {}
    for row, field, reason in job.issues.filter(severity=IssueSeverity.ERROR).values_list("row", "field", "reason"):
        reasons.setdefault(row, []).append(f"{field}: {reason}")
    header, rows = read_rows(path=job.file.path, format=job.format, encoding=job.encoding)
    stem = Path(job.filename or str(job.pk)).stem
    if job.format == ImportFormat.JSONL:

        def jsonl() -> Iterator[str]:
            for number, cells in rows:
                if number in reasons and "__error__" not in cells:
                    line = {**cells, "import_row": number, "import_errors": "; ".join(reasons[number])}
                    yield json.dumps(line, ensure_ascii=False) + "\n"

        return f"{stem}-errors.jsonl", "application/x-ndjson; charset=utf-8", jsonl()

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        columns = [name for name in header if name not in ERROR_FILE_COLUMNS]
        writer.writerow([formula_safe(name) for name in [*columns, *ERROR_FILE_COLUMNS]])
        yield "\ufeff" + buffer.getvalue()
        for number, cells in rows:
            if number not in reasons:
                continue
            buffer.seek(0)
            buffer.truncate()
            values = [_error_file_cell(cells.get(name)) for name in columns]
            writer.writerow([*values, str(number), formula_safe("; ".join(reasons[number]))])
            yield buffer.getvalue()

    return f"{stem}-errors.csv", "text/csv; charset=utf-8", lines()


def _error_file_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Bytes that could not be read go back as U+FFFD: the person sees where the text was damaged.
    text = text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
    return formula_safe(text)
