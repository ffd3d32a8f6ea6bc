"""Celery tasks of webhooks: thin; the state is the delivery row (`incidents.webhooks.services`)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    from incidents.webhooks.services import webhook_deliver

    webhook_deliver(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def dispatch_webhooks() -> int:
    """Beat: the retries that are due, and any first attempt whose message was lost."""
    from incidents.webhooks.services import webhooks_dispatch

    return webhooks_dispatch()


def enqueue_delivery(delivery_id: int) -> None:
    try:
        deliver_webhook.apply_async(args=[delivery_id], retry=False)
    except Exception as exc:
        logger.warning(
            "Broker unreachable (%s); webhook delivery %s left for the dispatcher", type(exc).__name__, delivery_id
        )
