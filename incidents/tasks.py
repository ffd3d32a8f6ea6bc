"""Celery tasks: thin; they take ids, re-fetch, and call a service.

PostgreSQL is the record of what is left to do (`Report.processing_state`),
so a lost message loses nothing: the sweeper sends it again. A task run twice
does nothing the second time (the claim in `reports_process` is conditional).
"""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from config.wakeups import coalescing, wake, wake_taken

logger = logging.getLogger(__name__)


def retry_countdown(retries: int) -> int:
    """Seconds before the next attempt: exponential backoff with jitter, at most ten minutes."""
    return min(600, 5 * 2**retries) + random.randint(0, 5)  # noqa: S311 — jitter, not a secret


# A lost, refused or broken database connection: nothing can be recorded, try again later.
DATABASE_LOST = (OperationalError, InterfaceError)


# The pipeline's wake-up key (config/wakeups.py): set while a wake-up message waits for a worker.
PIPELINE_WAKE = "sijil:wake:pipeline"


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def process_report(self, report_id: str | None = None, release_claim: bool = False) -> None:
    """Place a batch of reports (this one first, if it is still to do): `incidents.services.reports_process`.

    The message is a wake-up: the worker claims up to a batch of waiting
    reports, so the messages of reports another batch has placed find nothing
    to do. A report whose attempt failed is retried with backoff (its own
    message, or one sent for it), then marked failed by the service.

    Wake-ups are coalesced (`config/wakeups.py`): the task clears the wake-up
    key before it claims, so a report committed after that sends a new one,
    and a task that claimed a full batch wakes another worker at once (more
    may be waiting: a backlog is spread over every free worker).

    With the database gone even the failed attempt cannot be recorded: the
    task is retried with the same backoff (not counted as an attempt) and,
    once the database answers again, first hands back the claim it may have
    left (`release_claim`), so the report is processed then rather than when
    the sweeper finds the stale claim minutes later (the other reports of a
    batch the outage interrupted wait for the sweeper).
    """
    from incidents.services import report_processing_failed, reports_process

    wake_taken(PIPELINE_WAKE)
    try:
        if release_claim and report_id is not None:
            report_processing_failed(report_id=report_id, error="database connection lost")
        # In-process tasks (no coalescing) are woken once per report or per batch already.
        more = (lambda: enqueue_report(None)) if coalescing() else None
        result = reports_process(first=report_id, when_full=more)
    except DATABASE_LOST as lost:
        logger.warning(
            "Processing report %s failed (%s): the database is unreachable; retried later",
            report_id,
            type(lost).__name__,
        )
        raise self.retry(
            countdown=retry_countdown(self.request.retries),
            exc=lost,
            args=[report_id],
            kwargs={"release_claim": True},
        ) from lost
    for failed_id, again in result.failed.items():
        if not again:
            logger.error("Report %s marked failed after %s attempts", failed_id, settings.SIJIL_PROCESSING_MAX_ATTEMPTS)
        elif failed_id != str(report_id):
            enqueue_report(failed_id, countdown=retry_countdown(0))
    if result.failed.get(str(report_id)):
        raise self.retry(countdown=retry_countdown(self.request.retries))


@shared_task(ignore_result=True)
def sweep_reports() -> int:
    """Beat: send again every report left unprocessed for too long (broker down, worker killed, Redis flushed)."""
    from incidents.services import reports_sweep

    return reports_sweep(enqueue=enqueue_report)


@shared_task(ignore_result=True)
def rollup_outages() -> int:
    """Beat: bring the daily outage rows up to today (an unrestored outage is active on each new day)."""
    from incidents.services import outages_rollup

    return outages_rollup()


@shared_task(ignore_result=True)
def train_matcher() -> str | None:
    """Beat: learn the matcher's weights from the register again (incidents/services/learning.py)."""
    from incidents.services.learning import matcher_train

    row = matcher_train()
    return row.version if row else None


def enqueue_report(report_id: object, *, countdown: int | None = None) -> None:
    """Ask a worker to process a report; if the broker is down, the sweeper will find it later.

    Called from `transaction.on_commit`: the report is already committed with
    `processing_state=pending`, which is the record of work to do, so losing
    this message loses nothing — and nothing here may fail the request that
    stored the report. A wake-up now is coalesced with any already waiting
    (`config/wakeups.py`); a retry later (`countdown`) is its own message.
    `report_id` None: whichever reports wait.
    """
    args = [str(report_id)] if report_id is not None else []
    try:
        if countdown is not None:
            process_report.apply_async(args=args, countdown=countdown, retry=False)
        else:
            wake(key=PIPELINE_WAKE, send=lambda: process_report.apply_async(args=args, retry=False))
    except Exception as exc:
        logger.warning("Broker unreachable (%s); report %s left for the sweeper", type(exc).__name__, report_id)
