"""Helpers for the pipeline's tests: reports of one event, processed in-process."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from incidents.services import report_process
from reports.models import Report
from tests.factories import ReportCasualtyFactory, ReportFactory, area, category

EVENT_AT = datetime(2025, 3, 7, 9, 0, tzinfo=UTC)


def jableh_report(*, killed=(8, 10), minutes=0, reliability="B", credibility=2, **fields) -> Report:
    """A report of one execution in Jableh on 7 March: several of these describe one event."""
    values = {
        "category": category("execution"),
        "occurred_at": EVENT_AT + timedelta(minutes=minutes),
        "admin1": area("SY06"),
        "admin2": area("SY0602"),
        "place_name": "Jableh",
        "latitude": Decimal("35.361100"),
        "longitude": Decimal("35.925600"),
        "geo_precision": 1,
        "title": "Eight men executed in Jableh",
        "narrative": "Gunmen took eight men from their homes in Jableh at dawn and shot them.",
        "source_reliability": reliability,
        "info_credibility": credibility,
        "perpetrator": "armed group",
    }
    values.update(fields)
    report = ReportFactory(**values)
    if killed is not None:
        ReportCasualtyFactory(report=report, kind="killed", group="civilian", low=killed[0], high=killed[1])
    return report


def banyas_outage(**fields) -> Report:
    values = {
        "category": category("water_outage"),
        "occurred_at": EVENT_AT,
        "admin1": area("SY10"),
        "admin2": area("SY1002"),
        "place_name": "Banyas",
        "title": "Water cut in Banyas",
        "narrative": "No running water in Banyas since the morning.",
        "service": "water",
    }
    values.update(fields)
    return ReportFactory(**values)


def process(report: Report) -> str:
    return report_process(report_id=report.pk)


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def event_at():
    return EVENT_AT
