"""Coalesced wake-ups (config/wakeups.py) on a real, private Redis: one message while one is waiting."""

from __future__ import annotations

import pytest

from config import wakeups

pytestmark = pytest.mark.worker

KEY = "sijil:wake:test"


def test_a_wake_up_is_sent_once_until_a_task_takes_it(real_broker, redis_server):
    sent: list[int] = []
    assert wakeups.coalescing()
    assert wakeups.wake(key=KEY, send=lambda: sent.append(1)) is True
    assert wakeups.wake(key=KEY, send=lambda: sent.append(2)) is False
    assert sent == [1]
    assert 0 < redis_server.client().ttl(KEY) <= wakeups.WAKE_TTL  # a lost message delays the next one by that
    wakeups.wake_taken(KEY)
    assert wakeups.wake(key=KEY, send=lambda: sent.append(3)) is True
    assert sent == [1, 3]


def test_a_failed_publish_leaves_no_key_so_the_next_commit_tries_again(real_broker, redis_server):
    def broken() -> None:
        raise ConnectionError("broker gone")

    with pytest.raises(ConnectionError):
        wakeups.wake(key=KEY, send=broken)
    assert not redis_server.client().exists(KEY)
    sent: list[int] = []
    assert wakeups.wake(key=KEY, send=lambda: sent.append(1)) is True and sent == [1]


def test_members_wait_in_the_set_until_done(real_broker, redis_server):
    for member in ("a", "b", "c"):
        wakeups.wake(key=KEY, member=member, send=lambda: None)
    taken = wakeups.pending_take(KEY, 10)
    assert sorted(taken) == ["a", "b", "c"]
    assert sorted(wakeups.pending_take(KEY, 10)) == ["a", "b", "c"]  # still there until done: at least once
    wakeups.pending_done(KEY, taken[:2])
    assert wakeups.pending_take(KEY, 10) == [taken[2]]


def test_with_tasks_in_process_every_wake_up_is_sent(settings):
    from celery import current_app

    assert current_app.conf.task_always_eager  # the tests' default, as the embedded demo's
    sent: list[int] = []
    assert wakeups.wake(key=KEY, send=lambda: sent.append(1)) and wakeups.wake(key=KEY, send=lambda: sent.append(2))
    assert sent == [1, 2]
    assert wakeups.pending_take(KEY, 10) == []


@pytest.mark.django_db
def test_alert_checks_left_in_the_set_by_a_killed_worker_are_done_by_the_next_drain(real_broker, redis_server):
    """A worker killed mid-drain leaves ids in the set and no wake-up waiting: beat's `check-waiting-alerts`
    runs `alert_waiting`, which checks them (once per reviewer) and empties the set."""
    import uuid
    from datetime import UTC, datetime

    from django.conf import settings

    from reports.alerts.models import Alert
    from reports.alerts.tasks import ALERT_WAKE, alert_waiting
    from reports.services import report_submit
    from tests.factories import MonitorFactory, ReviewerFactory

    assert settings.CELERY_BEAT_SCHEDULE["check-waiting-alerts"]["task"] == alert_waiting.name
    reviewer = ReviewerFactory()
    data = {
        "category": "execution",
        "occurred_at": datetime(2025, 3, 7, 6, 0, tzinfo=UTC),
        "admin1": "SY06",
        "place_name": "Jableh",
        "title": "Five men executed",
        "narrative": "Taken from their homes at dawn.",
        "source_type": "eyewitness",
        "casualties": [{"kind": "killed", "group": "civilian", "low": 5, "high": 6}],
    }
    report = report_submit(monitor=MonitorFactory(), report_id=uuid.uuid4(), data=data).report
    client = redis_server.client()
    client.sadd(f"{ALERT_WAKE}:pending", str(report.pk), str(report.pk))  # as a killed drain leaves it
    assert alert_waiting() == 1
    assert alert_waiting() == 0  # nothing twice
    assert Alert.objects.filter(recipient=reviewer, report=report).count() == 1
    assert client.scard(f"{ALERT_WAKE}:pending") == 0
