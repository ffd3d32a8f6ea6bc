"""Import files for the tests and the benchmark: rows in the contract's field names, written as CSV, XLSX or JSONL."""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

COLUMNS = [
    "id",
    "category",
    "occurred_at",
    "admin1",
    "admin2",
    "place_name",
    "title",
    "narrative",
    "source_type",
    "source_reliability",
    "info_credibility",
    "killed_civilian_low",
    "killed_civilian_high",
    "injured_civilian",
]
PLACES = [
    ("SY06", "SY0602", "Jableh", "جبلة"),
    ("SY06", "SY0603", "Qardaha", "القرداحة"),
    ("SY06", "SY0600", "Latakia", "اللاذقية"),
    ("SY10", "SY1002", "Baniyas", "بانياس"),
    ("SY10", "SY1000", "Tartous", "طرطوس"),
]
CATEGORIES = ["looting", "arson", "property_destruction", "injury", "abduction", "armed_clash", "shelling"]


def good_row(index: int, *, rng: random.Random, namespace: uuid.UUID, arabic: bool = True) -> dict[str, str]:
    """A valid report, its id derived from the index (so that generating again gives the same file)."""
    admin1, admin2, place_en, place_ar = PLACES[index % len(PLACES)]
    when = datetime(2025, 3, 6, 8, 0, tzinfo=UTC) + timedelta(minutes=17 * index)
    low = rng.randint(0, 3)
    return {
        "id": str(uuid.uuid5(namespace, str(index))),
        "category": CATEGORIES[index % len(CATEGORIES)],
        "occurred_at": when.isoformat(),
        "admin1": admin1,
        "admin2": admin2,
        "place_name": place_ar if arabic and index % 2 else place_en,
        "title": f"نهب منازل في {place_ar} ({index})"
        if arabic and index % 2
        else f"Homes looted in {place_en} ({index})",
        "narrative": '=HYPERLINK("http://example.invalid")' if index % 997 == 0 else "Witnesses spoke from hiding.",
        "source_type": "eyewitness",
        "source_reliability": "B",
        "info_credibility": "2",
        "killed_civilian_low": str(low),
        "killed_civilian_high": str(low + rng.randint(0, 2)),
        "injured_civilian": str(rng.randint(0, 4)),
    }


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8", columns=None) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or COLUMNS, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]], *, columns=None) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("reports")
    columns = columns or COLUMNS
    sheet.append(columns)
    for row in rows:
        sheet.append([_typed(row.get(name, "")) for name in columns])
    workbook.save(path)
    return path


def _typed(value: str):
    """As a spreadsheet holds it: figures as numbers."""
    return int(value) if value.isdigit() else value


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path
