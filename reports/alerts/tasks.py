"""Celery tasks of alerts: thin; they take an id and call `reports.alerts.services`."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def alert_report(report_id: str) -> None:
    from reports.alerts.services import alerts_for_report

    alerts_for_report(report_id=report_id)


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
    """From `report_submit`, after commit: never fails the submission."""
    try:
        alert_report.apply_async(args=[str(report_id)], retry=False)
    except Exception as exc:
        logger.warning("Broker unreachable (%s); no alert for report %s", type(exc).__name__, report_id)


ALERT_BATCH = 500


def alerts_enqueue_many(*, report_ids) -> None:
    """From `report_submit_many`, after commit: one message per 500 reports; never fails the submission."""
    ids = [str(report_id) for report_id in report_ids]
    for start in range(0, len(ids), ALERT_BATCH):
        try:
            alert_reports.apply_async(args=[ids[start : start + ALERT_BATCH]], retry=False)
        except Exception as exc:
            logger.warning("Broker unreachable (%s); no alert for %d reports", type(exc).__name__, len(ids))
            return
