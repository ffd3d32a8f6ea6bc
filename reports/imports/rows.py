"""From a row of cells to a submission: column names, cells, casualty columns, then the API's own parser.

A row is held to exactly what `POST /api/v1/reports/` holds a request to
(`reports.submission_input.parse_submission`, which the API's
`ReportInputSerializer` validates with), after these spreadsheet
conventions (docs/imports.md):

- columns are the contract's field names; a KoboToolbox/ODK group path
  (`incident/category`) counts by its last part, `_uuid` stands for `id`
  when there is no `id` column, and other columns starting with `_` (Kobo's
  metadata, such as `_submitted_by`) are ignored without a word;
- casualties come as a `casualties` column holding the JSON list, or as one
  column per figure: `<kind>_<group>_low` and `<kind>_<group>_high`
  (`killed_civilian_low`), `…_cumulative_low/high` for a running total, or
  `<kind>_<group>` alone for a single figure (low = high);
- an empty cell is a field left out (its default applies); a cell the error
  file protected from spreadsheet formulas (`'=…`) reads as it was written.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from reports.choices import CasualtyGroup, CasualtyKind, CasualtyScope
from reports.services import SUBMISSION_FIELDS
from reports.submission_input import parse_submission

REPORT_FIELDS = ("id", *SUBMISSION_FIELDS)
REQUIRED_COLUMNS = ("id", "category", "occurred_at", "admin1", "title", "source_type")
# Written by Sijil into the error file; read back silently when it is imported again.
ERROR_FILE_COLUMNS = ("import_row", "import_errors")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CASUALTY_COLUMN = re.compile(
    r"^(?P<kind>{kinds})_(?P<group>{groups})(?P<cumulative>_cumulative)?(?:_(?P<bound>low|high))?$".format(
        kinds="|".join(CasualtyKind.values), groups="|".join(CasualtyGroup.values)
    )
)
BROKEN_BYTE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Issue:
    row: int
    field: str
    reason: str
    severity: str = "error"


@dataclass(frozen=True)
class Columns:
    """How the file's columns map to report fields, decided once from the header."""

    fields: dict[str, str]  # column as written -> report field
    casualties: dict[str, tuple[str, str, str, str | None]]  # column -> (kind, group, scope, low|high|None)
    ignored: tuple[str, ...]  # not report fields: a warning in the preview
    missing: tuple[str, ...]  # required fields with no column: the file is refused


@dataclass
class ParsedRow:
    number: int
    report_id: uuid.UUID | None = None
    data: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(issue.severity == "error" for issue in self.issues)


def map_columns(header: Iterable[str]) -> Columns:
    fields: dict[str, str] = {}
    casualties: dict[str, tuple[str, str, str, str | None]] = {}
    ignored: list[str] = []
    names = list(header)
    normalised = {name: _normalise(name) for name in names}
    has_id = "id" in normalised.values()
    for name, norm in normalised.items():
        if not name.strip():
            continue
        if norm == "_uuid" and not has_id:
            fields[name] = "id"
        elif norm in REPORT_FIELDS and norm not in fields.values():
            fields[name] = norm
        elif match := CASUALTY_COLUMN.match(norm):
            scope = CasualtyScope.CUMULATIVE if match["cumulative"] else CasualtyScope.INCIDENT
            casualties[name] = (match["kind"], match["group"], scope, match["bound"])
        elif norm.startswith("_") or norm in ERROR_FILE_COLUMNS:
            continue
        else:
            ignored.append(name)
    present = set(fields.values())
    return Columns(
        fields=fields,
        casualties=casualties,
        ignored=tuple(ignored),
        missing=tuple(name for name in REQUIRED_COLUMNS if name not in present),
    )


def columns_of_jsonl_row(cells: dict[str, Any]) -> Columns:
    return map_columns(cells.keys())


def _normalise(name: str) -> str:
    name = name.strip().lstrip("\ufeff").lower()
    return name.rsplit("/", 1)[-1] if "/" in name else name


def unguard(text: str) -> str:
    """Undo the formula guard of Sijil's own error file (`'=…` back to `=…`)."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def parse_row(*, number: int, cells: dict[str, Any], columns: Columns, encoding: str) -> ParsedRow:
    """One row's submission (`report_id`, `data` as `report_submit` takes it), or its issues by field."""
    parsed = ParsedRow(number=number)
    if "__error__" in cells:
        parsed.issues.append(Issue(number, "row", cells["__error__"]))
        return parsed
    data: dict[str, Any] = {}
    for column, name in columns.fields.items():  # in the header's order, as the cells are
        value = _cell(cells.get(column))
        if value is None:
            continue
        if _broken(value):
            parsed.issues.append(Issue(number, name, _broken_reason(encoding)))
            continue
        data[name] = value
    casualty_columns = _casualties(parsed, cells, columns, data, encoding)
    if isinstance(data.get("id"), str) and data["id"].lower().startswith("uuid:"):
        data["id"] = data["id"][5:]  # ODK's instanceID is "uuid:…"
    if parsed.issues:
        return parsed
    try:
        # What `ReportInputSerializer(data=data).is_valid()` checks: the API's own parser, without DRF's machinery.
        values = parse_submission(data)
    except serializers.ValidationError as invalid:
        for path, messages in _flatten(invalid.detail).items():
            head, _dot, rest = path.partition(".")
            if head == "casualties" and rest and casualty_columns:
                index, _dot, sub = rest.partition(".")
                if index in casualty_columns:
                    stem = casualty_columns[index]
                    path = f"{stem}_{sub}" if sub in ("low", "high") else stem
            for message in messages:
                parsed.issues.append(Issue(number, path, str(message)))
        return parsed
    parsed.report_id = values.pop("id")
    values.setdefault("casualties", [])
    parsed.data = values
    return parsed


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = unguard(value.strip())
        return value or None
    return value


def _broken(value: Any) -> bool:
    if isinstance(value, str):
        return bool(BROKEN_BYTE.search(value))
    if isinstance(value, list):
        return any(_broken(item) for item in value)
    if isinstance(value, dict):
        return any(_broken(item) for item in value.values())
    return False


def _broken_reason(encoding: str) -> str:
    return _(
        "Some bytes here are not valid %(encoding)s text (the file was saved in another encoding, or is damaged); "
        "save it as CSV UTF-8 and import it again."
    ) % {"encoding": "Windows-1256" if encoding == "windows-1256" else "UTF-8"}


def _casualties(parsed: ParsedRow, cells, columns: Columns, data: dict, encoding: str) -> dict[str, str]:
    """Fill `data["casualties"]` from the figure columns; return which column each list position came from."""
    if isinstance(data.get("casualties"), str):
        try:
            data["casualties"] = json.loads(data["casualties"])
        except json.JSONDecodeError:
            parsed.issues.append(
                Issue(parsed.number, "casualties", _("Give a JSON list of {kind, group, low, high, scope}."))
            )
            return {}
    if not columns.casualties:
        return {}
    figures: dict[tuple[str, str, str], dict[str, Any]] = {}
    origin: dict[tuple[str, str, str], str] = {}
    for column, (kind, group, scope, bound) in columns.casualties.items():
        value = _cell(cells.get(column))
        if value is None:
            continue
        if _broken(value):
            parsed.issues.append(Issue(parsed.number, column, _broken_reason(encoding)))
            continue
        key = (kind, group, scope)
        entry = figures.setdefault(key, {"kind": kind, "group": group, "scope": scope})
        origin.setdefault(key, column)
        if bound is None:
            entry.setdefault("low", value)
            entry.setdefault("high", value)
        else:
            entry[bound] = value
    rows = list(data.get("casualties") or [])
    if not isinstance(rows, list):
        return {}
    offset = len(rows)
    positions: dict[str, str] = {}
    for index, (key, entry) in enumerate(figures.items()):
        entry.setdefault("low", entry.get("high"))
        entry.setdefault("high", entry.get("low"))
        rows.append(entry)
        column = origin[key]
        positions[str(offset + index)] = column.rsplit("_", 1)[0] if column.endswith(("_low", "_high")) else column
    if rows:
        data["casualties"] = rows
    return positions


def _flatten(detail, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as `{"casualties.0.high": [...]}`, as the API names them."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = path if (path and key == "detail") else (f"{path}.{key}" if path else str(key))
            for name2, messages in _flatten(value, name).items():
                errors.setdefault(name2, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if detail:
                errors[path or "row"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for name2, messages in _flatten(item, f"{path}.{index}" if path else str(index)).items():
                    errors.setdefault(name2, []).extend(messages)
    else:
        errors[path or "row"] = [str(detail)]
    return errors
