"""One parser for a report's body: `parse_submission` answers as the serializer's declared fields would.

The API (`ReportInputSerializer`) and bulk imports both parse with
`parse_submission`; the serializer's fields remain its OpenAPI schema. Here
DRF's own `Serializer.to_internal_value` over those declared fields is the
reference: for every body below the two give the same values, or the same
errors (text and code) nested the same way, in English and in Arabic.
"""

from __future__ import annotations

import uuid

import pytest
from django.utils import translation
from rest_framework import serializers

from reports.submission_input import SUBMISSION_SPECS, ReportInputSerializer, StrictSerializer, parse_submission

GOOD = {
    "id": "0b9f9a4e-8f1d-4c47-9a55-6d3c1f0e2a11",
    "category": "looting",
    "occurred_at": "2025-03-07T09:30:00+03:00",
    "admin1": "SY06",
    "title": "Homes looted",
    "source_type": "eyewitness",
}

VARIANTS = [
    {},
    {"id": "not-a-uuid"},
    {"id": 12345},
    {"id": True},
    {"id": ["x"]},
    {"id": None},
    {"id": ""},
    {"category": "not a slug!"},
    {"category": "x" * 41},
    {"category": "é" * 50},
    {"category": 7},
    {"occurred_at": "2025-03-07T09:30:00"},
    {"occurred_at": "yesterday"},
    {"occurred_at": 1741329000},
    {"occurred_at": "1850-01-01T00:00:00Z"},
    {"occurred_at": None},
    {"occurred_until": None},
    {"occurred_until": "2025-03-08T09:30:00Z"},
    {"time_precision": 4},
    {"time_precision": "2"},
    {"time_precision": 2.0},
    {"time_precision": None},
    {"admin1": "   "},
    {"admin1": " SY06 "},
    {"admin1": 6},
    {"admin1": 6.5},
    {"admin1": False},
    {"admin1": {"a": 1}},
    {"admin2": ""},
    {"admin2": None},
    {"admin2": "SY0602345678901"},
    {"place_name": "a\x00b"},
    {"place_name": "bad \udcff byte"},
    {"latitude": "north"},
    {"latitude": 91},
    {"latitude": "35.1234567"},
    {"latitude": "NaN"},
    {"latitude": True},
    {"latitude": 35.5, "longitude": None},
    {"longitude": "1" * 41},
    {"geo_precision": None},
    {"geo_precision": "9"},
    {"title": ""},
    {"title": "x" * 201},
    {"title": "x" * 201 + "\x00"},
    {"narrative": ""},
    {"narrative": None},
    {"language": "not a tag!"},
    {"language": "ar-SY"},
    {"language": ""},
    {"casualties": "three"},
    {"casualties": None},
    {"casualties": []},
    {"casualties": [{"kind": "killed", "group": "civilian", "low": 1, "high": 2}]},
    {"casualties": [{"kind": "killed", "group": "civilian", "low": "1", "high": "2.0", "scope": "cumulative"}]},
    {"casualties": [{"kind": "eaten", "group": "civilian", "low": -1, "high": 10_000_001}]},
    {"casualties": [{"kind": "killed", "group": "civilian", "low": "1.5", "high": "x" * 1001}]},
    {"casualties": [{"kind": "killed", "group": "civilian", "low": True, "high": None, "colour": "red"}]},
    {"casualties": [None, "x", {}, {"kind": "killed", "group": "civilian", "low": 0, "high": 0}]},
    {"casualties": [{"kind": "killed", "group": "civilian", "low": 0, "high": 0}] * 61},
    {"source_type": "rumour"},
    {"source_type": ""},
    {"source_reliability": "B"},
    {"source_reliability": None},
    {"info_credibility": "very"},
    {"info_credibility": "2"},
    {"service": ""},
    {"service": None},
    {"service": "water"},
    {"outage_restored_at": "2025-03-07T10:00:00Z"},
    {"colour": "red", "title": ""},
]


def reference(data):
    """The declared fields, validated by DRF's own machinery (as the serializer did before it delegated)."""
    return StrictSerializer.to_internal_value(ReportInputSerializer(), data)


def outcome(parse, data):
    try:
        return "ok", dict(parse(data))
    except serializers.ValidationError as invalid:
        return "invalid", invalid.detail, invalid.get_codes()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("overrides", VARIANTS, ids=[str(i) for i in range(len(VARIANTS))])
def test_the_parser_answers_as_the_declared_fields(overrides, language):
    data = {**GOOD, **overrides}
    with translation.override(language):
        assert outcome(parse_submission, data) == outcome(reference, data)


@pytest.mark.parametrize("body", [[], "text", None, 5, [GOOD]])
def test_a_body_that_is_not_an_object_is_refused_as_the_serializer_refuses_it(body):
    assert outcome(parse_submission, body) == outcome(reference, body)


def test_a_field_left_out_is_left_out_and_a_casualty_row_gets_its_default_scope():
    values = parse_submission({**GOOD, "casualties": [{"kind": "killed", "group": "civilian", "low": 1, "high": 1}]})
    assert values["id"] == uuid.UUID(GOOD["id"])
    assert "narrative" not in values and "latitude" not in values
    assert values["casualties"] == [{"kind": "killed", "group": "civilian", "low": 1, "high": 1, "scope": "incident"}]


def test_the_schema_and_the_parser_have_the_same_fields_and_required_ones():
    fields = ReportInputSerializer().fields
    assert list(fields) == list(SUBMISSION_SPECS)
    assert {name for name, field in fields.items() if field.required} == {
        name for name, spec in SUBMISSION_SPECS.items() if spec.required
    }
