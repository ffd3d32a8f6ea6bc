"""Invariant 3 against real faults: a real Celery worker process, a real Redis, the real PostgreSQL.

Every submitted report is eventually processed, exactly once in effect,
whether the broker was down when it came in, a worker died mid-task, two
workers raced for it, or Redis lost every message.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection

from incidents.models import Incident, MatchDecision
from incidents.services.aggregates import aggregates_snapshot, compute_all
from incidents.services.locks import advisory_key, area_lock_key, week_of
from incidents.tasks import PIPELINE_WAKE, process_report
from reports.choices import ProcessingState
from reports.models import Report
from reports.services import report_submit
from tests.factories import MonitorFactory
from tests.workers.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EVENT_AT = datetime(2025, 3, 7, 6, 0, tzinfo=UTC)


def submission(*, event: int = 0, minutes: int = 0, killed: int = 8) -> dict:
    """A report of one of two events: an execution in Jableh (0) or a killing in Banyas (1)."""
    place = [("SY06", "SY0602", "Jableh", "execution"), ("SY10", "SY1002", "Banyas", "killing")][event]
    return {
        "category": place[3],
        "occurred_at": EVENT_AT + timedelta(days=event, minutes=minutes),
        "admin1": place[0],
        "admin2": place[1],
        "place_name": place[2],
        "title": f"Eight men executed in {place[2]}",
        "narrative": f"Gunmen took eight men from their homes in {place[2]} at dawn and shot them.",
        "source_type": "eyewitness",
        "source_reliability": "B",
        "info_credibility": 2,
        "casualties": [{"kind": "killed", "group": "civilian", "low": killed, "high": killed + 2}],
    }


def submit(**kwargs) -> Report:
    return report_submit(monitor=MonitorFactory(), report_id=uuid.uuid4(), data=submission(**kwargs)).report


def all_processed() -> bool:
    return not Report.objects.exclude(processing_state=ProcessingState.DONE).exists()


def assert_processed_exactly_once(reports: list[Report]) -> None:
    for report in Report.objects.filter(pk__in=[r.pk for r in reports]):
        assert report.processing_state == ProcessingState.DONE, report.processing_error
        assert report.incident_id is not None
        assert MatchDecision.objects.filter(report=report).count() == 1
    assert aggregates_snapshot() == compute_all()


def test_a_submitted_report_is_processed_by_a_worker(workers):
    workers.start("w1")
    report = submit()
    wait_for(all_processed, timeout=60, what=f"the report to be processed\n{workers.logs()}")
    assert_processed_exactly_once([report])
    incident = Report.objects.get(pk=report.pk).incident
    assert incident.report_count == 1 and incident.casualties.get().low == 8


def test_reports_submitted_while_redis_is_down_are_stored_and_processed_once_it_is_back(workers, redis_server):
    workers.start("w1", beat=True)
    redis_server.stop()
    try:
        reports = [submit(minutes=i) for i in range(3)] + [submit(event=1)]
        # Every submission answered and is stored, waiting for the pipeline.
        assert Report.objects.filter(processing_state=ProcessingState.PENDING).count() == 4
    finally:
        redis_server.start()
    wait_for(all_processed, timeout=90, what=f"the sweeper to recover the reports\n{workers.logs()}")
    assert_processed_exactly_once(reports)
    assert Incident.objects.count() == 2
    assert sorted(Incident.objects.values_list("report_count", flat=True)) == [1, 3]


def test_a_worker_killed_mid_task_leaves_the_report_to_be_processed_exactly_once_after_restart(workers):
    first = workers.start("w1")
    # Hold the lock the worker needs to decide for Jableh, so it is caught in the middle of its task.
    blocker = psycopg.connect(
        host=connection.settings_dict["HOST"] or "127.0.0.1",
        port=connection.settings_dict["PORT"] or 5432,
        user=connection.settings_dict["USER"],
        dbname=connection.settings_dict["NAME"],
        autocommit=True,
    )
    key = advisory_key(area_lock_key(category="execution", admin1="SY06", week=week_of(EVENT_AT)))
    try:
        blocker.execute("SELECT pg_advisory_lock(%s)", [key])
        report = submit()

        def worker_waits_on_the_lock() -> bool:
            row = blocker.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid <> pg_backend_pid()"
            ).fetchone()
            return row[0] > 0

        wait_for(worker_waits_on_the_lock, timeout=60, what=f"the worker to be mid-task\n{workers.logs()}")
        assert Report.objects.get(pk=report.pk).processing_state == ProcessingState.CLAIMED
        first.kill()
    finally:
        blocker.execute("SELECT pg_advisory_unlock_all()")
        blocker.close()
    # The killed worker's transaction was rolled back with its connection: nothing half-done.
    report = Report.objects.get(pk=report.pk)
    assert report.processing_state == ProcessingState.CLAIMED and report.incident_id is None
    assert not Incident.objects.exists()

    workers.start("w2", beat=True)
    wait_for(all_processed, timeout=90, what=f"the report to be processed after the restart\n{workers.logs()}")
    assert_processed_exactly_once([report])
    assert Incident.objects.count() == 1
    assert Report.objects.get(pk=report.pk).processing_attempts == 2


def queued_processing(redis_server) -> int:
    """The pipeline's messages waiting in the queue (a submission also queues its alert check)."""
    messages = [json.loads(raw) for raw in redis_server.client().lrange("celery", 0, -1)]
    return sum(1 for m in messages if m.get("headers", {}).get("task") == "incidents.tasks.process_report")


def test_two_workers_on_the_same_reports_make_no_duplicate_incident_and_lose_no_update(workers, redis_server):
    # The queue fills first (reports of one event back to back, then the other's, every message
    # twice), then two workers start together: they take reports of the same event at the same time.
    # The submissions' wake-ups are coalesced into one (config/wakeups.py): a message per report, twice
    # over, is sent directly, as duplicated and racing messages would be.
    reports = [submit(minutes=i, killed=8 + i % 3) for i in range(6)] + [submit(event=1, minutes=i) for i in range(6)]
    for report in reports * 2:
        process_report.apply_async(args=[str(report.pk)])
    assert queued_processing(redis_server) == 25
    workers.start_together("w1", "w2")
    wait_for(all_processed, timeout=120, what=f"both workers to finish\n{workers.logs()}")
    assert_processed_exactly_once(reports)
    incidents = list(Incident.objects.all())
    assert len(incidents) == 2
    assert sorted(i.report_count for i in incidents) == [6, 6]
    assert sum(row["incidents"] for row in aggregates_snapshot().values()) == 2
    both_worked = [w for w in ("w1", "w2") if "process_report" in (workers.log_of(w))]
    assert len(both_worked) == 2


def test_after_redis_is_flushed_the_sweeper_recovers_every_report(workers, redis_server):
    reports = [submit(minutes=i) for i in range(3)]
    assert queued_processing(redis_server) == 1  # one wake-up for the three, no worker yet
    assert redis_server.client().exists(PIPELINE_WAKE)
    redis_server.flush()
    assert redis_server.client().llen("celery") == 0
    workers.start("w1", beat=True)
    wait_for(all_processed, timeout=90, what=f"the sweeper to recover the lost messages\n{workers.logs()}")
    assert_processed_exactly_once(reports)
    assert Incident.objects.get().report_count == 3


def test_submissions_while_no_worker_runs_send_one_wake_up_and_a_full_batch_wakes_the_next(workers, redis_server):
    """Coalesced wake-ups (config/wakeups.py): 12 submissions, one pipeline message and one alert message;
    a worker claiming batches of 5 wakes itself again after each full batch, so all 12 are placed, and the
    alert check of each severe report is done once."""
    from reports.alerts.models import Alert, AlertRule
    from reports.alerts.tasks import ALERT_WAKE
    from tests.factories import ReviewerFactory

    AlertRule.objects.all().delete()
    AlertRule.objects.create(name="Executions", categories=["execution"])
    reviewer = ReviewerFactory()
    reports = [submit(minutes=i) for i in range(7)] + [submit(event=1, minutes=i) for i in range(5)]
    messages = [json.loads(raw) for raw in redis_server.client().lrange("celery", 0, -1)]
    tasks = sorted(m["headers"]["task"] for m in messages)
    assert tasks == ["incidents.tasks.process_report", "reports.alerts.tasks.alert_waiting"]
    assert redis_server.client().scard(f"{ALERT_WAKE}:pending") == 7  # the executions; the killings match no rule
    workers.start("w1", env={"SIJIL_PROCESSING_BATCH_SIZE": "5"})
    wait_for(all_processed, timeout=90, what=f"the backlog to be drained\n{workers.logs()}")
    assert_processed_exactly_once(reports)
    assert sorted(i.report_count for i in Incident.objects.all()) == [5, 7]
    wait_for(
        lambda: Alert.objects.filter(recipient=reviewer).count() == 7,
        timeout=30,
        what=f"an alert for each execution\n{workers.logs()}",
    )
    assert redis_server.client().scard(f"{ALERT_WAKE}:pending") == 0
    # The next submission finds no wake-up waiting (the worker took it) and sends one.
    later = submit(event=1, minutes=30)
    wait_for(all_processed, timeout=60, what=f"the later report\n{workers.logs()}")
    assert Report.objects.get(pk=later.pk).incident.report_count == 6
