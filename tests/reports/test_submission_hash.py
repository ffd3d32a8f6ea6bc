"""`submission_hash` gives the digests it always gave: stored reports are judged replays by them.

The reference below is the canonical form as first written (`json.dumps` with sorted keys of every field);
`submission_hash` builds the same body with its keys already in order and must give the same bytes.
"""

import hashlib
import json
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from reports.choices import CasualtyScope
from reports.imports.rows import map_columns, parse_row
from reports.services import DEFAULTS, SUBMISSION_FIELDS, _canonical, submission_hash
from tests.imports.files import COLUMNS, good_row


def reference_hash(*, report_id, data: dict[str, Any]) -> str:
    body = {name: _canonical(data.get(name, DEFAULTS.get(name))) for name in SUBMISSION_FIELDS}
    body["casualties"] = sorted(
        (
            {
                "kind": row["kind"],
                "group": row["group"],
                "low": int(row["low"]),
                "high": int(row["high"]),
                "scope": row.get("scope") or CasualtyScope.INCIDENT,
            }
            for row in data.get("casualties") or []
        ),
        key=lambda row: (row["kind"], row["group"], row["scope"]),
    )
    body["id"] = str(report_id)
    encoded = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


REPORT_ID = uuid.UUID("0b7e6f1c-3d2a-4c5b-9e8f-1a2b3c4d5e6f")
FULL = {
    "category": "power_outage",
    "occurred_at": datetime(2025, 3, 7, 9, 30, tzinfo=timezone(timedelta(hours=3))),
    "occurred_until": datetime(2025, 3, 7, 12, 0, tzinfo=UTC),
    "time_precision": 2,
    "admin1": "SY06",
    "admin2": "SY0602",
    "place_name": "جبلة",
    "latitude": Decimal("35.3614"),
    "longitude": 35.9256,
    "geo_precision": 1,
    "title": "Power cut in Jableh «الكهرباء»",
    "narrative": 'Line one\nline "two"\t\u2028',
    "language": "ar-SY",
    "casualties": [
        {"kind": "killed", "group": "civilian", "low": 1, "high": "3", "scope": "cumulative"},
        {"kind": "injured", "group": "armed_group", "low": "0", "high": 2},
        {"kind": "injured", "group": "armed_group", "low": 0, "high": 2, "scope": CasualtyScope.CUMULATIVE},
        {"kind": "detained", "group": "unknown", "low": 4, "high": 4, "scope": None},
    ],
    "perpetrator": "",
    "source_type": "eyewitness",
    "source_reliability": "B",
    "info_credibility": 2,
    "source_notes": "",
    "service": "electricity",
    "outage_restored_at": datetime(2025, 3, 8, tzinfo=UTC),
}
BODIES = [
    {},
    {"title": "x"},
    FULL,
    {**FULL, "casualties": []},
    {**FULL, "casualties": None, "latitude": None, "longitude": None, "narrative": None},
    {**FULL, "place_name": "", "admin2": "", "service": ""},
    {**FULL, "time_precision": True, "info_credibility": 0},
    # Not what the parser gives, but the hash takes any mapping: nested values, unknown keys, odd types.
    {**FULL, "perpetrator": {"b": 1, "a": [2, {"d": 3, "c": None}]}},
    {**FULL, "title": ["b", "a"], "unknown": "ignored"},
    {**FULL, "language": uuid.UUID(int=7), "narrative": 1.5},
]


@pytest.mark.parametrize("data", BODIES)
def test_the_digest_is_the_first_canonical_form_s(data):
    assert submission_hash(report_id=REPORT_ID, data=data) == reference_hash(report_id=REPORT_ID, data=data)


def test_the_digest_of_a_body_is_pinned():
    """Not only equal to the reference: the digest the code before this form gave (d7257ce), as stored."""
    body = {"category": "looting", "occurred_at": datetime(2025, 3, 6, 8, tzinfo=UTC), "admin1": "SY06", "title": "t"}
    assert submission_hash(report_id=REPORT_ID, data=body) == (
        "7130286f1088dd2f44dd94b26c00eb26b26d0b759e3e9ca9522d08f625d614c4"
    )


def test_the_digests_of_parsed_import_rows_are_unchanged():
    rng, namespace = random.Random(3), uuid.uuid4()
    columns = map_columns(COLUMNS)
    for index in range(300):
        parsed = parse_row(
            number=index + 2,
            cells=good_row(index, rng=rng, namespace=namespace, arabic=bool(index % 3)),
            columns=columns,
            encoding="utf-8",
        )
        assert parsed.ok, parsed.issues
        assert submission_hash(report_id=parsed.report_id, data=parsed.data) == reference_hash(
            report_id=parsed.report_id, data=parsed.data
        )
