"""`/healthz`: is the database reachable, is the broker? For load balancers and monitoring.

200 when both answer; 503 naming what is down. With no broker configured
(the embedded default) tasks run in-process and the broker reports so.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "down"; the reason goes to the log, not the response
        logger.warning("Health check: database unreachable: %s", type(error).__name__)
        return "down"
    return "ok"


def broker_state() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "in-process"
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:  # as above
        logger.warning("Health check: broker unreachable: %s", type(error).__name__)
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    checks = {"database": database_state(), "broker": broker_state()}
    down = sorted(name for name, state in checks.items() if state == "down")
    body: dict[str, Any] = {"status": "down" if down else "ok", "checks": checks}
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)
