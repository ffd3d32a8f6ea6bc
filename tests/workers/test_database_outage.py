"""A worker whose task finds the database gone retries with backoff, and processes the report once it is back.

A real `celery -A config worker` on a private Redis, and a PostgreSQL cluster the test owns
(tests/pg_cluster.py), stopped while the task runs: never the shared server. No beat runs here,
so nothing but the task's own retry can process the report.
"""

import uuid

import pytest

from reports.choices import ProcessingState
from reports.models import Report
from reports.services import report_submit
from tests.factories import MonitorFactory
from tests.workers.conftest import wait_for
from tests.workers.test_worker_faults import assert_processed_exactly_once, submission

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_task_that_finds_the_database_gone_retries_and_processes_the_report_when_it_is_back(
    on_private_cluster, workers
):
    report = report_submit(monitor=MonitorFactory(), report_id=uuid.uuid4(), data=submission()).report
    # The message waits in Redis; the database goes away before any worker takes it.
    on_private_cluster.stop()
    worker = workers.start("w1")
    wait_for(
        lambda: f"Processing report {report.pk} failed (OperationalError)" in worker.log.read_text(errors="replace"),
        timeout=60,
        what=f"the task to meet the outage\n{workers.logs()}",
    )
    on_private_cluster.start()
    wait_for(
        lambda: Report.objects.get(pk=report.pk).processing_state == ProcessingState.DONE,
        timeout=90,
        what=f"the retried task to process the report\n{workers.logs()}",
    )
    assert_processed_exactly_once([report])
    assert Report.objects.get(pk=report.pk).processing_attempts == 1  # the outage did not use up an attempt
