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
