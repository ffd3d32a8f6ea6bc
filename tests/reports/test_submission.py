"""report_submit: durable, idempotent per client id, concurrency-safe, validated by field."""

import threading
import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from reports.models import Category, Report
from reports.services import ReportConflict, report_submit
from tests.factories import MonitorFactory


def submission(**overrides):
    data = {
        "category": "execution",
        "occurred_at": datetime(2025, 3, 7, 6, 30, tzinfo=UTC),
        "admin1": "SY06",
        "place_name": "Al-Qardaha",
        "title": "Three men shot outside their homes",
        "narrative": "Witnesses in hiding describe gunmen going house to house.",
        "source_type": "eyewitness",
        "source_reliability": "B",
        "info_credibility": 2,
        "casualties": [{"kind": "killed", "group": "civilian", "low": 3, "high": 4}],
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_submission_is_stored_with_its_figures_and_its_district_resolved_from_the_place():
    monitor = MonitorFactory()
    result = report_submit(monitor=monitor, report_id=uuid.uuid4(), data=submission())
    assert result.created
    report = Report.objects.get(pk=result.report.pk)
    assert report.admin2_id == "SY0604"
    assert report.geo_precision == 2
    assert list(report.casualties.values_list("kind", "group", "low", "high", "scope")) == [
        ("killed", "civilian", 3, 4, "incident")
    ]
    assert report.status == "submitted" and report.processing_state in {"pending", "done", "failed"}


@pytest.mark.django_db
def test_replayed_submission_returns_the_first_report():
    monitor = MonitorFactory()
    report_id = uuid.uuid4()
    first = report_submit(monitor=monitor, report_id=report_id, data=submission())
    # The same instant written in another zone is the same submission.
    replay = report_submit(
        monitor=monitor,
        report_id=report_id,
        data=submission(occurred_at=datetime.fromisoformat("2025-03-07T09:30:00+03:00")),
    )
    assert not replay.created
    assert replay.report.pk == first.report.pk
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_the_same_id_with_another_body_is_a_conflict_and_changes_nothing():
    monitor = MonitorFactory()
    report_id = uuid.uuid4()
    report_submit(monitor=monitor, report_id=report_id, data=submission())
    with pytest.raises(ReportConflict):
        report_submit(monitor=monitor, report_id=report_id, data=submission(title="Another title"))
    with pytest.raises(ReportConflict):
        report_submit(monitor=MonitorFactory(), report_id=report_id, data=submission())
    assert Report.objects.get(pk=report_id).title == "Three men shot outside their homes"


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_one_id_store_one_report():
    monitor = MonitorFactory()
    report_id = uuid.uuid4()
    barrier = threading.Barrier(8)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            outcomes.append(report_submit(monitor=monitor, report_id=report_id, data=submission()).created)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 7 + [True]
    assert Report.objects.filter(pk=report_id).count() == 1
    assert Report.objects.get(pk=report_id).casualties.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "weather"}, "category"),
        ({"admin1": "SY.14"}, "admin1"),
        ({"admin2": "SY1002"}, "admin2"),  # Banyas is in Tartous, not Lattakia
        ({"latitude": 35.4}, "longitude"),
        ({"occurred_until": datetime(2025, 3, 6, tzinfo=UTC)}, "occurred_until"),
        ({"service": "water"}, "service"),
        ({"title": "   "}, "title"),
        ({"casualties": [{"kind": "killed", "group": "civilian", "low": 5, "high": 2}]}, "casualties"),
        ({"casualties": [{"kind": "killed", "group": "civilian", "low": 1, "high": 2}] * 2}, "casualties"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(overrides, field):
    with pytest.raises(ValidationError) as error:
        report_submit(monitor=MonitorFactory(), report_id=uuid.uuid4(), data=submission(**overrides))
    assert field in error.value.message_dict
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_an_outage_takes_its_service_from_the_category():
    result = report_submit(
        monitor=MonitorFactory(),
        report_id=uuid.uuid4(),
        data=submission(category="water_outage", casualties=[], outage_restored_at=datetime(2025, 3, 9, tzinfo=UTC)),
    )
    assert result.report.service == "water"


@pytest.mark.django_db
def test_a_replay_answers_as_the_first_even_after_its_category_was_retired():
    monitor = MonitorFactory()
    report_id = uuid.uuid4()
    report_submit(monitor=monitor, report_id=report_id, data=submission())
    Category.objects.filter(slug="execution").update(is_active=False)
    replay = report_submit(monitor=monitor, report_id=report_id, data=submission())
    assert not replay.created and replay.report.pk == report_id


@pytest.mark.django_db
def test_a_second_submission_reads_its_category_and_areas_from_the_process_copy():
    from django.test.utils import CaptureQueriesContext

    monitor = MonitorFactory()
    report_submit(monitor=monitor, report_id=uuid.uuid4(), data=submission())
    with CaptureQueriesContext(connection) as queries:
        report_submit(monitor=monitor, report_id=uuid.uuid4(), data=submission())
    assert not [q["sql"] for q in queries.captured_queries if 'FROM "reports_category"' in q["sql"]]
    assert not [q["sql"] for q in queries.captured_queries if 'FROM "reports_area"' in q["sql"]]


@pytest.mark.django_db
def test_a_category_retired_in_this_process_is_refused_at_once():
    monitor = MonitorFactory()
    report_submit(monitor=monitor, report_id=uuid.uuid4(), data=submission())  # the category is now kept
    category = Category.objects.get(slug="execution")
    category.is_active = False
    category.save()
    with pytest.raises(ValidationError) as refused:
        report_submit(monitor=monitor, report_id=uuid.uuid4(), data=submission())
    assert "category" in refused.value.message_dict


@pytest.mark.django_db
def test_an_unknown_category_is_not_kept_so_it_counts_once_created():
    monitor = MonitorFactory()
    with pytest.raises(ValidationError):
        report_submit(monitor=monitor, report_id=uuid.uuid4(), data=submission(category="sniping"))
    # Created behind the ORM's back (no signal): found at once all the same, refusals are never kept.
    Category.objects.bulk_create([Category(slug="sniping", group="violence", name_en="Sniping", name_ar="قنص")])
    assert report_submit(monitor=monitor, report_id=uuid.uuid4(), data=submission(category="sniping")).created
