"""Transaction-scoped locks that serialise the pipeline's decisions (docs/pipeline.md).

Two workers deciding at the same moment whether two reports of one event
start an incident would both see "no candidate" and create two. Row locks
cannot prevent that: the row that would conflict does not exist yet. So every
write that changes which reports belong to which incident first takes a
PostgreSQL advisory lock per *area key* (category family × governorate) it may
touch, and every recomputation of a daily aggregate row takes one per
aggregate key. Both are `pg_advisory_xact_lock`: released at commit or
rollback, or when a killed worker's connection drops, so nothing stays locked.

Lock order, to rule out deadlocks: area keys (sorted), then report and
incident rows, then aggregate keys (sorted). Nothing takes an area key after
an aggregate key.

On SQLite (the embedded demo) there are no advisory locks and none are
needed: SQLite lets one writer at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connection

from incidents.dedup import compatible_categories


def _key(text: str) -> int:
    """A signed 64-bit advisory-lock key for a text, stable across processes and machines."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def area_lock_key(*, category: str, admin1: str) -> str:
    """The lock name of a governorate for a category family: every category a report of it may match."""
    family = ",".join(sorted(compatible_categories(category)))
    return f"sijil:area:{family}:{admin1}"


def advisory_key(name: str) -> int:
    return _key(name)


def lock_names(names: Iterable[str]) -> None:
    """Take transaction-scoped advisory locks on the names, in a fixed order."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({_key(name) for name in names})
    if not keys:
        return
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def lock_areas(pairs: Iterable[tuple[str, str]]) -> None:
    """Lock the area keys of (category, admin1) pairs before changing which reports form which incident."""
    lock_names(area_lock_key(category=category, admin1=admin1) for category, admin1 in pairs)
