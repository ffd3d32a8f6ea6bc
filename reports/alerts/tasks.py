"""Celery tasks of alerts: thin; they take an id and call `reports.alerts.services`."""

from __future__ import annotations

import logging

from celery import shared_task

from config.wakeups import coalescing, pending_done, pending_take, wake, wake_taken

logger = logging.getLogger(__name__)

ALERT_BATCH = 500

# The alert checks' wake-up key (config/wakeups.py); the reports to check wait in its set.
ALERT_WAKE = "sijil:wake:alerts"


@shared_task(acks_late=True, ignore_result=True)
def alert_report(report_id: str) -> None:
    from reports.alerts.services import alerts_for_report

    alerts_for_report(report_id=report_id)


@shared_task(acks_late=True, ignore_result=True)
def alert_waiting() -> int:
    """The alert check of every report waiting in the wake-up's set (`alerts_enqueue`); returns how many.

    A report leaves the set only once checked (`alerts_for_report` alerts each
    reviewer once, so a check run twice alerts no one twice). A report whose
    check fails is logged (by its id alone) and dropped, as a failed task was.
    """
    from reports.alerts.services import alerts_for_report

    wake_taken(ALERT_WAKE)
    checked = 0
    while report_ids := pending_take(ALERT_WAKE, ALERT_BATCH):
        for report_id in report_ids:
            try:
                alerts_for_report(report_id=report_id)
            except Exception as exc:
                logger.warning("Alert check of report %s failed (%s)", report_id, type(exc).__name__)
        pending_done(ALERT_WAKE, report_ids)
        checked += len(report_ids)
    return checked


@shared_task(acks_late=True, ignore_result=True)
def alert_reports(report_ids: list[str]) -> None:
    """The alert check of a batch of reports (a bulk import's): `alerts_for_report` for each."""
    from reports.alerts.services import alerts_for_report

    for report_id in report_ids:
        alerts_for_report(report_id=report_id)


@shared_task(ignore_result=True)
def digest_waiting_reports() -> int:
    from reports.alerts.services import alerts_digest

    return len(alerts_digest())


def alerts_enqueue(*, report_id) -> None:
    """From `report_submit`, after commit: never fails the submission.

    With a Redis broker the report joins the set of reports to check and one
    wake-up goes out only if none is waiting (`config/wakeups.py`).
    """
    try:
        if coalescing():
            wake(key=ALERT_WAKE, member=str(report_id), send=lambda: alert_waiting.apply_async(retry=False))
        else:
            alert_report.apply_async(args=[str(report_id)], retry=False)
    except Exception as exc:
        logger.warning("Broker unreachable (%s); no alert for report %s", type(exc).__name__, report_id)


def alerts_enqueue_many(*, report_ids) -> None:
    """From `report_submit_many`, after commit: one message per 500 reports; never fails the submission."""
    ids = [str(report_id) for report_id in report_ids]
    for start in range(0, len(ids), ALERT_BATCH):
        try:
            alert_reports.apply_async(args=[ids[start : start + ALERT_BATCH]], retry=False)
        except Exception as exc:
            logger.warning("Broker unreachable (%s); no alert for %d reports", type(exc).__name__, len(ids))
            return
