"""Daily aggregates count incidents, never reports (invariant 4), and stay equal to a rebuild."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from incidents.models import DailyAggregate, Incident
from incidents.services import aggregates_rebuild, outages_rollup
from incidents.services.aggregates import aggregates_snapshot, compute_all, outage_active_days
from tests.factories import MonitorFactory, area
from tests.incidents.conftest import EVENT_AT, banyas_outage, jableh_report, process, reload

pytestmark = pytest.mark.django_db

DAMASCUS = dt.timezone(dt.timedelta(hours=3))


def test_three_reports_of_one_massacre_count_once_with_its_estimates():
    for minutes, killed in ((0, (8, 8)), (20, (8, 10)), (40, (9, 12))):
        process(jableh_report(killed=killed, minutes=minutes, monitor=MonitorFactory()))
    assert Incident.objects.count() == 1
    row = DailyAggregate.objects.get()
    assert (row.date, row.admin1_id, row.admin2_id, row.category_id, row.verified) == (
        dt.date(2025, 3, 7),
        "SY06",
        "SY0602",
        "execution",
        False,
    )
    assert row.incidents == 1
    assert (row.killed_low, row.killed_best, row.killed_high) == (8, 9, 12)


def test_the_date_is_the_day_the_incident_started_in_damascus():
    # 22:30 UTC on 6 March is 01:30 on 7 March in Damascus.
    process(jableh_report(occurred_at=dt.datetime(2025, 3, 6, 22, 30, tzinfo=dt.UTC)))
    assert DailyAggregate.objects.get().date == dt.date(2025, 3, 7)


def test_an_outage_is_active_each_day_until_it_is_restored():
    start = dt.datetime(2025, 3, 7, 10, 0, tzinfo=DAMASCUS)
    restored = dt.datetime(2025, 3, 9, 18, 0, tzinfo=DAMASCUS)
    process(banyas_outage(occurred_at=start, outage_restored_at=restored))
    rows = {row.date: row for row in DailyAggregate.objects.all()}
    assert sorted(rows) == [dt.date(2025, 3, 7), dt.date(2025, 3, 8)]
    assert rows[dt.date(2025, 3, 7)].incidents == 1 and rows[dt.date(2025, 3, 7)].outages_active == 1
    assert rows[dt.date(2025, 3, 8)].incidents == 0 and rows[dt.date(2025, 3, 8)].outages_active == 1
    assert aggregates_snapshot() == compute_all()


def test_the_active_days_of_an_outage():
    start = dt.datetime(2025, 3, 7, 10, 0, tzinfo=DAMASCUS)
    assert outage_active_days(occurred_from=start, restored_at=start, until=dt.date(2025, 3, 10)) == []
    assert outage_active_days(occurred_from=start, restored_at=None, until=dt.date(2025, 3, 9)) == [
        dt.date(2025, 3, 7),
        dt.date(2025, 3, 8),
        dt.date(2025, 3, 9),
    ]


def test_the_rollup_adds_each_new_day_of_an_unrestored_outage():
    process(banyas_outage(occurred_at=EVENT_AT))
    last = DailyAggregate.objects.order_by("-date").first().date
    tomorrow = last + dt.timedelta(days=1)
    assert outages_rollup(day=tomorrow) == 2
    assert DailyAggregate.objects.get(date=tomorrow).outages_active == 1


def test_a_rebuild_gives_what_the_workers_kept_and_the_command_checks_it():
    process(jableh_report())
    process(banyas_outage(outage_restored_at=EVENT_AT + dt.timedelta(days=2)))
    process(
        jableh_report(
            admin1=area("SY10"),
            admin2=area("SY1002"),
            place_name="Banyas",
            latitude=None,
            longitude=None,
            title="Men shot in Banyas",
            narrative="Three men were shot.",
        )
    )
    incremental = aggregates_snapshot()
    assert incremental
    out = StringIO()
    call_command("rebuild_aggregates", "--check", stdout=out)
    assert "equal a rebuild" in out.getvalue()
    DailyAggregate.objects.all().update(killed_high=999)
    with pytest.raises(SystemExit):
        call_command("rebuild_aggregates", "--check", stdout=StringIO(), stderr=StringIO())
    call_command("rebuild_aggregates", stdout=StringIO())
    assert aggregates_snapshot() == incremental
    assert aggregates_rebuild() == len(incremental)


def test_cumulative_claims_reach_no_aggregate():
    report = jableh_report(killed=(8, 8))
    from tests.factories import ReportCasualtyFactory

    ReportCasualtyFactory(report=report, kind="killed", group="unknown", low=1225, high=1225, scope="cumulative")
    process(report)
    row = DailyAggregate.objects.get()
    assert row.killed_high == 8
    assert reload(report).incident.casualties.count() == 1
