"""The pipeline in batches: claimed together, decided in memory, written in bulk, all or nothing per report."""

import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from incidents.models import DuplicateCandidate, Incident, MatchDecision
from incidents.services import processing as processing_module
from incidents.services import reports_claim, reports_process
from incidents.services.aggregates import AggregateTracker, aggregates_snapshot, compute_all
from incidents.services.locks import advisory_key, area_lock_key, area_lock_names, report_spans, week_of
from reports.choices import ProcessingState
from reports.models import Report
from reports.services import report_submit
from tests.factories import MonitorFactory, ReviewerFactory, area, category
from tests.incidents.conftest import banyas_outage, jableh_report, reload

pytestmark = pytest.mark.django_db


def drain(limit: int = 50) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    while True:
        result = reports_process(limit=limit)
        if not result.outcomes and not result.failed:
            return outcomes
        outcomes.update(result.outcomes)


def test_two_reports_of_one_new_event_in_one_batch_make_one_incident():
    first, second = jableh_report(), jableh_report(minutes=20, killed=(9, 12))
    result = reports_process(limit=10)
    assert result.outcomes == {str(first.pk): "new", str(second.pk): "join"}
    incident = Incident.objects.get()
    assert reload(first).incident == incident == reload(second).incident
    assert incident.report_count == 2 and incident.source_count == 2
    assert (incident.casualties.get().low, incident.casualties.get().high) == (8, 12)
    joined = MatchDecision.objects.get(report=second)
    assert joined.outcome == "join" and joined.incident == incident
    assert joined.reasons["matches"][0]["incident"] == str(incident.pk)
    # The history of the batch's writes says why, like a report placed on its own.
    assert reload(second).history.first().history_change_reason.startswith("pipeline: joined")
    assert incident.history.first().history_change_reason == "pipeline: a new event"
    assert aggregates_snapshot() == compute_all()
    assert all(r.processing_state == ProcessingState.DONE for r in Report.objects.all())


def test_a_batch_groups_a_generated_set_as_the_pure_matcher_does(monitor):
    from synthetic import generate, report_record
    from synthetic.evaluation import cluster_online

    generated = generate(seed=7, incidents=25)
    monitors = {}
    for item in generated.reports:
        report_submit(
            monitor=monitors.setdefault(item.monitor_index, MonitorFactory()), report_id=item.report_id, data=item.data
        )
    outcomes = drain(limit=len(generated.reports))
    assert len(outcomes) == len(generated.reports)
    expected = cluster_online([report_record(report_id=r.report_id, data=r.data) for r in generated.reports])
    by_incident: dict = {}
    for report_id, incident_id in Report.objects.values_list("pk", "incident_id"):
        by_incident.setdefault(incident_id, set()).add(str(report_id))
    expected_groups: dict = {}
    for report_id, cluster in expected.assignment.items():
        expected_groups.setdefault(cluster, set()).add(report_id)
    assert sorted(map(sorted, by_incident.values())) == sorted(map(sorted, expected_groups.values()))
    assert not Report.objects.filter(~Q(processing_state=ProcessingState.DONE)).exists()
    assert MatchDecision.objects.count() == len(generated.reports)
    assert aggregates_snapshot() == compute_all()


def test_a_poison_report_fails_alone_and_its_batch_is_placed(settings, monkeypatch):
    settings.SIJIL_PROCESSING_MAX_ATTEMPTS = 2
    good = [jableh_report(), jableh_report(minutes=30)]
    poison = jableh_report(minutes=10)
    outage = banyas_outage()
    real = processing_module.score_candidates

    def explodes_on_the_poison(record, *args, **kwargs):
        if record.id == str(poison.pk):
            raise RuntimeError("matcher exploded on this report")
        return real(record, *args, **kwargs)

    monkeypatch.setattr(processing_module, "score_candidates", explodes_on_the_poison)
    result = reports_process(limit=10)
    assert result.failed == {str(poison.pk): True}  # may try again
    assert result.outcomes == {str(good[0].pk): "new", str(good[1].pk): "join", str(outage.pk): "new"}
    waiting = reload(poison)
    assert waiting.processing_state == ProcessingState.PENDING and waiting.incident is None
    assert "matcher exploded" in waiting.processing_error and waiting.processing_attempts == 1
    assert reload(good[0]).incident == reload(good[1]).incident and Incident.objects.count() == 2
    # Its last attempt: failed for good, visibly, with its error; nothing else is touched.
    assert reports_process(limit=10).failed == {str(poison.pk): False}
    poison = reload(poison)
    assert poison.processing_state == ProcessingState.FAILED and poison.processing_attempts == 2
    assert "matcher exploded" in poison.processing_error and poison.incident is None
    assert not MatchDecision.objects.filter(report=poison).exists()
    assert MatchDecision.objects.count() == 3
    assert aggregates_snapshot() == compute_all()


def test_a_batch_mixes_new_reports_with_one_handed_back_for_review(settings):
    first = jableh_report()
    drain()
    Report.objects.filter(pk=first.pk).update(status="rejected", processing_state=ProcessingState.PENDING)
    second = jableh_report(minutes=15)
    outcomes = drain()
    assert outcomes == {str(first.pk): "removed", str(second.pk): "new"}
    assert reload(first).incident is None
    assert Incident.objects.filter(status="withdrawn").count() == 1
    assert reload(second).incident.status == "unverified"
    assert aggregates_snapshot() == compute_all()


def test_a_rejected_candidate_is_not_proposed_again_inside_a_batch():
    first = jableh_report()
    drain()
    incident = reload(first).incident
    second = jableh_report(minutes=20)
    DuplicateCandidate.objects.create(
        report=second,
        incident=incident,
        score=0.5,
        decision="rejected",
        decided_by=ReviewerFactory(),
        decided_at=incident.created_at,
    )
    third = jableh_report(minutes=25)
    outcomes = drain()
    assert outcomes[str(second.pk)] == "new" and reload(second).incident != incident
    # The third report, of the same event, joins one of them: the batch's own new incident is a candidate too.
    assert outcomes[str(third.pk)] in ("join", "candidate")
    assert not DuplicateCandidate.objects.filter(report=second, decision="pending", incident=incident).exists()


def test_the_cost_of_a_batch_in_queries_does_not_grow_with_its_size():
    def queries_for(count: int, *, minutes: int) -> int:
        for i in range(count):
            jableh_report(minutes=minutes + i * 3, admin2=area("SY0602"))
        with CaptureQueriesContext(connection) as captured:
            outcomes = reports_process(limit=count).outcomes
        assert len(outcomes) == count
        return len(captured)

    small = queries_for(3, minutes=0)
    large = queries_for(30, minutes=200)
    assert large <= small + 4, (small, large)


def test_a_claim_prefers_a_place_no_other_worker_holds():
    other_worker = jableh_report()
    assert reports_claim(limit=1, first=other_worker.pk)[1] == [str(other_worker.pk)]
    same_place = jableh_report(minutes=5)
    elsewhere = banyas_outage(category=category("water_outage"))
    Report.objects.filter(pk=elsewhere.pk).update(received_at=same_place.received_at + timedelta(seconds=1))
    # The oldest waiting report is in the place the other batch holds: the claim takes the free place first.
    assert reports_claim(limit=1)[1] == [str(elsewhere.pk)]
    assert reports_claim(limit=1)[1] == [str(same_place.pk)]


def test_a_report_near_a_week_boundary_takes_both_weeks_and_one_in_mid_week_only_its_own():
    sunday_night = datetime(2025, 3, 9, 22, 0, tzinfo=UTC)  # the window, a day each side, crosses Monday 10 March
    crossing = jableh_report(occurred_at=sunday_night)
    names = area_lock_names(report_spans(crossing))
    weeks = {week_of(sunday_night), week_of(sunday_night + timedelta(days=1))}
    assert len(weeks) == 2
    for week in weeks:
        for admin1 in ("SY06", "SY10"):  # Jableh's block reaches into the neighbouring governorate
            assert area_lock_key(category="killing", admin1=admin1, week=week) in names
    midweek = jableh_report(occurred_at=datetime(2025, 3, 5, 12, 0, tzinfo=UTC))
    assert {name.rsplit(":", 1)[1] for name in area_lock_names(report_spans(midweek))} == {"2025-03-03"}


@pytest.mark.django_db(transaction=True)
def test_a_batch_crossing_a_week_boundary_waits_for_the_second_weeks_key():
    sunday_night = datetime(2025, 3, 9, 22, 0, tzinfo=UTC)
    crossing = jableh_report(occurred_at=sunday_night)
    monday = week_of(sunday_night) + timedelta(days=7)
    next_week = advisory_key(area_lock_key(category="execution", admin1="SY06", week=monday))
    db = connection.settings_dict
    blocker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"], autocommit=True
    )
    outcome: dict = {}

    def work() -> None:
        try:
            outcome.update(reports_process(limit=5).outcomes)
        finally:
            connection.close()

    try:
        blocker.execute("SELECT pg_advisory_lock(%s)", [next_week])
        worker = threading.Thread(target=work)
        worker.start()
        deadline = time.monotonic() + 30
        waiting = 0
        while time.monotonic() < deadline and not waiting:
            waiting = blocker.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s",
                [next_week & 0xFFFFFFFF],
            ).fetchone()[0]
            time.sleep(0.05)
        assert waiting, "the batch did not wait for the next week's key"
        assert reload(crossing).processing_state == ProcessingState.CLAIMED
    finally:
        blocker.execute("SELECT pg_advisory_unlock_all()")
        blocker.close()
    worker.join(timeout=30)
    assert outcome == {str(crossing.pk): "new"}
    assert reload(crossing).processing_state == ProcessingState.DONE


def test_an_outage_its_reports_say_was_restored_before_it_began_counts_on_its_first_day(event_at):
    # Seen in the benchmark: a month-precise report restored on the 18th and a day-precise one of the 19th
    # made one incident that began on the 19th and was restored on the 18th.
    incident = Incident.objects.create(
        category=category("water_outage"),
        admin1=area("SY10"),
        admin2=area("SY1002"),
        occurred_from=event_at,
        restored_at=event_at - timedelta(hours=20),
        title="Water cut in Banyas",
        report_count=1,
        source_count=1,
    )
    tracker = AggregateTracker()
    tracker.watch(incident, new=True)
    tracker.apply()
    assert aggregates_snapshot() == compute_all()
    assert sum(row["incidents"] for row in aggregates_snapshot().values()) == 1
