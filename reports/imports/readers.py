"""Reading an uploaded file into rows of cells: CSV (UTF-8 with or without BOM, Windows-1256), XLSX, JSONL.

Pure functions over bytes on disk; nothing here knows what a report is.
Each reader yields `(row_number, cells)` with the row number a person sees
in a spreadsheet (the header is row 1) or the line number of a JSONL file;
blank rows and hint rows (the first cell starting with `#`, as in the
templates) are skipped but keep their numbers. Bytes that are not valid in
the file's encoding are kept as surrogate escapes, so that the row they
are in is reported as an error instead of the whole file failing.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Generator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from reports.imports.models import ImportFormat

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
WINDOWS_1256 = "windows-1256"
ENCODINGS = (UTF8, WINDOWS_1256)
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc): not read
SNIFF_BYTES = 1 << 20

# `(row_number, cells)` pairs; a generator, so that a caller that stops early can close the file.
Rows = Generator[tuple[int, dict], None, None]


class UnreadableFile(Exception):
    """The file is not a CSV, XLSX or JSONL file Sijil can read; `reason` says why, for the uploader."""

    def __init__(self, reason: str, *, unsupported_type: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unsupported_type = unsupported_type


@dataclass(frozen=True)
class Sniffed:
    format: str
    encoding: str  # for CSV and JSONL; empty for XLSX


def sniff(*, head: bytes, filename: str = "", encoding: str = "") -> Sniffed:
    """The file's format from its content (the name is only a tie-breaker), and its text encoding.

    `encoding` forces one (`utf-8` or `windows-1256`); otherwise a file whose
    bytes are valid UTF-8 is UTF-8, one with valid UTF-8 sequences beside some
    broken bytes is UTF-8 with broken rows, and one with high bytes but no
    UTF-8 sequence at all is Windows-1256 (how Excel saves Arabic on Windows).
    """
    from django.utils.translation import gettext as _

    if head.startswith(OLE_MAGIC):
        raise UnreadableFile(
            _("This is an old Excel (.xls) file; save it as .xlsx or as CSV (UTF-8) and upload that."),
            unsupported_type=True,
        )
    if head.startswith(XLSX_MAGIC):
        return Sniffed(format=ImportFormat.XLSX, encoding="")
    if b"\x00" in head[:4096]:
        raise UnreadableFile(_("This is not a CSV, XLSX or JSONL file."), unsupported_type=True)
    text_encoding = encoding or _guess_encoding(head)
    if text_encoding == UTF8 and head.startswith(codecs.BOM_UTF8):
        text_encoding = UTF8_BOM
    first = head.lstrip(codecs.BOM_UTF8).lstrip()[:1]
    if first == b"{" or filename.lower().endswith((".jsonl", ".ndjson")):
        return Sniffed(format=ImportFormat.JSONL, encoding=text_encoding)
    return Sniffed(format=ImportFormat.CSV, encoding=text_encoding)


def _guess_encoding(head: bytes) -> str:
    sample = head.lstrip(codecs.BOM_UTF8)
    if len(head) >= SNIFF_BYTES:
        # A multi-byte character may be cut at the end of the sample.
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    try:
        sample.decode(UTF8)
        return UTF8
    except UnicodeDecodeError:
        pass
    decoded = sample.decode(UTF8, errors="surrogateescape")
    if any(ord(char) > 0x7F and not 0xDC80 <= ord(char) <= 0xDCFF for char in decoded):
        return UTF8  # real UTF-8 text with some broken bytes: those rows are errors
    return WINDOWS_1256


def read_rows(*, path: Path | str, format: str, encoding: str) -> tuple[list[str], Rows]:
    """The header (column names as written) and an iterator over the data rows."""
    if format == ImportFormat.XLSX:
        return _xlsx(path)
    if format == ImportFormat.JSONL:
        return [], _jsonl(path, encoding)
    return _csv(path, encoding)


def _text_stream(path, encoding: str) -> io.TextIOWrapper:
    return io.open(path, encoding=encoding or UTF8, errors="surrogateescape", newline="")  # noqa: UP020


def _csv(path, encoding: str) -> tuple[list[str], Rows]:
    from django.utils.translation import gettext as _

    stream = _text_stream(path, encoding)
    sample = stream.read(64 * 1024)
    stream.seek(0)
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] + "\n", delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(stream, delimiter=delimiter, strict=False)
    header = next(reader, None)
    if header is None:
        stream.close()
        raise UnreadableFile(_("The file is empty."))
    header = [name.lstrip("\ufeff") for name in header]

    def rows() -> Rows:
        with stream:
            # Numbered as a spreadsheet shows them: one row per record, the header row 1.
            for number, record in enumerate(reader, start=2):
                if not any(cell.strip() for cell in record) or _is_hint(record):
                    continue
                yield number, dict(zip(header, record, strict=False))

    return header, rows()


def _xlsx(path) -> tuple[list[str], Rows]:
    from django.utils.translation import gettext as _
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        reason = _("The XLSX file cannot be opened (%(reason)s).") % {"reason": type(exc).__name__}
        raise UnreadableFile(reason) from exc
    sheet = workbook.worksheets[0]
    rows_iter = sheet.iter_rows(values_only=True)
    header_row = next(rows_iter, None)
    if header_row is None:
        workbook.close()
        raise UnreadableFile(_("The first sheet is empty."))
    header = ["" if name is None else str(name).strip() for name in header_row]

    def rows() -> Rows:
        try:
            for number, record in enumerate(rows_iter, start=2):
                if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in record):
                    continue
                if _is_hint(record):
                    continue
                yield number, {name: _xlsx_cell(cell) for name, cell in zip(header, record, strict=False) if name}
        finally:
            workbook.close()

    return header, rows()


def _is_hint(record) -> bool:
    """A row of the template's hints (its first cell starts with `#`)."""
    first = next((cell for cell in record if cell is not None and str(cell).strip()), "")
    return str(first).lstrip().startswith("#")


def _xlsx_cell(value: Any) -> Any:
    """A cell as the text a person would have typed: whole numbers without `.0`, times in ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _jsonl(path, encoding: str) -> Rows:
    from django.utils.translation import gettext as _

    with _text_stream(path, encoding) as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, {"__error__": _("Not a JSON object: %(reason)s.") % {"reason": exc.msg}}
                continue
            if not isinstance(value, dict):
                yield number, {"__error__": _("Each line must be one JSON object.")}
                continue
            yield number, value


def open_head(file: BinaryIO) -> bytes:
    """The first bytes of an uploaded file, for `sniff`, leaving the file at its start."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head
