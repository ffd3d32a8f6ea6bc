"""What every generated report must be, whichever world made it: a body `report_submit` takes, and blockable."""

from datetime import datetime

from incidents.dedup import block_for
from incidents.dedup.geo import gazetteer
from reports.choices import CasualtyGroup, CasualtyKind, CasualtyScope, SourceReliability, SourceType
from reports.seed_data import CATEGORIES
from reports.services import SUBMISSION_FIELDS
from reports.submission_input import parse_submission
from synthetic import GeneratedReport, report_record


def assert_submissions(reports: list[GeneratedReport]) -> None:
    """Each report's `data`: the contract's fields, known category and areas, sane figures; the API parser takes it."""
    slugs = {row[0] for row in CATEGORIES}
    areas = gazetteer()
    for report in reports:
        data = report.data
        assert set(data) <= set(SUBMISSION_FIELDS)
        assert data["category"] in slugs and data["title"] and len(data["title"]) <= 200
        assert isinstance(data["occurred_at"], datetime) and data["occurred_at"].utcoffset() is not None
        assert data["occurred_until"] is None or data["occurred_until"] >= data["occurred_at"]
        assert data["admin2"] is None or areas[data["admin2"]]["parent"] == data["admin1"]
        assert data["source_type"] in SourceType.values and data["source_reliability"] in SourceReliability.values
        for row in data["casualties"]:
            assert row["kind"] in CasualtyKind.values and row["group"] in CasualtyGroup.values
            assert row["scope"] in CasualtyScope.values and 0 <= row["low"] <= row["high"]
        body = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
        parse_submission({**body, "id": report.report_id})  # raises the errors by field
        block_for(report_record(report_id=report.report_id, data=data))
