"""Coalesced wake-ups: many commits, one Celery message while no worker has started on them yet.

A submission commits its report `pending` (PostgreSQL is the record of work
to do) and then wakes a worker. Publishing a Celery message for each one is
most of what a submission costs beyond its insert (kombu builds, serialises
and sends a message of about a kilobyte), and a worker's task claims a whole
batch anyway (`incidents.services.reports_claim`). So, when the broker is
Redis and tasks are not run in-process:

- `wake(key, send)` sets `key` in the broker's Redis with `SET NX EX`: if it
  was not set, no wake-up is waiting and `send()` publishes one; if it was, a
  message is already queued (or its task has not yet reached its claim), and
  that claim will see this commit — nothing is sent. One round trip instead
  of a publish;
- the task calls `wake_taken(key)` *before* it claims: a commit after that
  sets the key again and sends a new wake-up, so no commit is left behind;
- a task that claimed a full batch wakes again (more may be waiting), which
  also spreads a backlog over every free worker.

The key expires after `WAKE_TTL` seconds, so a lost message (Redis flushed,
a worker killed before it took the key) delays the next wake-up by at most
that, and the sweeper still finds whatever a lost message left. If the
publish fails the key is deleted again, so the next commit tries afresh.

`wake(…, member=…)` also adds a member to the key's set (`pending_key(key)`)
in the same round trip, for tasks that must see every item (the alert checks
of `reports/alerts/tasks.py`), drained with `pending_take`/`pending_done`.

With in-process tasks (the embedded default) or another broker, `wake`
simply calls `send()`, and members are not kept (the sender passes them).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

import redis
from celery import current_app

logger = logging.getLogger(__name__)

WAKE_TTL = 30  # seconds

_clients: dict[str, redis.Redis] = {}


def coalescing() -> bool:
    """Wake-ups are coalesced: the broker is Redis and tasks are not run in-process."""
    conf = current_app.conf
    return not conf.task_always_eager and str(conf.broker_url or "").startswith(("redis://", "rediss://"))


def _client() -> redis.Redis:
    """The broker's own Redis (its URL, so its database), one connection pool per process and URL."""
    conf = current_app.conf
    url = str(conf.broker_url)
    client = _clients.get(url)
    if client is None:
        timeout = float(conf.broker_connection_timeout or 4)
        client = _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    return client


def pending_key(key: str) -> str:
    return f"{key}:pending"


def wake(*, key: str, send: Callable[[], object], member: str | None = None) -> bool:
    """Send a wake-up unless one is already waiting; returns whether one was sent.

    Raises what Redis or the broker raise (the caller decides that a lost
    wake-up is left for the sweeper).
    """
    if not coalescing():
        send()
        return True
    client = _client()
    pipe = client.pipeline(transaction=False)
    if member is not None:
        pipe.sadd(pending_key(key), member)
    pipe.set(key, "1", nx=True, ex=WAKE_TTL)
    fresh = pipe.execute()[-1]
    if not fresh:
        return False
    try:
        send()
    except Exception:
        with contextlib.suppress(redis.RedisError):  # else it expires by itself
            client.delete(key)
        raise
    return True


def wake_taken(key: str) -> None:
    """A task starts on its wake-up: clear the key before claiming, so later commits wake again."""
    if not coalescing():
        return
    try:
        _client().delete(key)
    except redis.RedisError as exc:  # the key expires by itself
        logger.warning("Could not clear wake-up %s (%s)", key, type(exc).__name__)


def pending_take(key: str, count: int) -> list[str]:
    """Up to `count` members waiting in the key's set, left in it until `pending_done` (at least once)."""
    if not coalescing():
        return []
    members = _client().srandmember(pending_key(key), count)
    return [m.decode() if isinstance(m, bytes) else str(m) for m in members or []]


def pending_done(key: str, members: list[str]) -> None:
    if members and coalescing():
        _client().srem(pending_key(key), *members)
