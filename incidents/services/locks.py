"""Transaction-scoped locks that serialise the pipeline's decisions (docs/pipeline.md).

Two workers deciding at the same moment whether two reports of one event
start an incident would both see "no candidate" and create two. Row locks
cannot prevent that: the row that would conflict does not exist yet. So every
write that changes which reports belong to which incident first takes a
PostgreSQL advisory lock per *area key* it may touch — category family ×
governorate × ISO week (UTC) — and every recomputation of a daily aggregate
row takes one per aggregate key. Both are `pg_advisory_xact_lock`: released
at commit or rollback, or when a killed worker's connection drops, so nothing
stays locked.

The week is as fine as the decision allows. A report's decision reads the
incidents whose time span overlaps its block's window (`incidents.selectors`):
it takes the keys of every week that window touches (both weeks when it
crosses a Monday). Every writer of an incident takes the keys of every week
of the incident's span. Two windows that overlap share a week, and an
incident that overlaps a window shares one of its weeks with it, so any two
decisions that could read or create the same incident share a key; reports of
one place a month apart decide in parallel.

Lock order, to rule out deadlocks: area keys (sorted, all in one statement),
then report and incident rows, then aggregate keys (sorted, one statement).
Nothing takes an area key after an aggregate key.

On SQLite (the embedded demo) there are no advisory locks and none are
needed: SQLite lets one writer at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from django.db import connection

from incidents.dedup import compatible_categories

if TYPE_CHECKING:
    from incidents.models import Incident
    from reports.models import Report


class AreaSpan(NamedTuple):
    """What a decision or a write may touch: a category's family, governorates, and a time span."""

    category: str
    admin1: frozenset[str] | tuple[str, ...]
    start: dt.datetime
    end: dt.datetime


def _key(text: str) -> int:
    """A signed 64-bit advisory-lock key for a text, stable across processes and machines."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def week_of(moment: dt.datetime) -> dt.date:
    """The Monday (UTC) of the ISO week a moment falls in."""
    day = moment.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def weeks_between(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """Every week [start, end] touches (a reversed span counts as its start's week)."""
    first, last = week_of(start), week_of(max(start, end))
    return [first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def area_lock_key(*, category: str, admin1: str, week: dt.date) -> str:
    """The lock name of a governorate and a week for a category family: every category a report of it may match."""
    family = ",".join(sorted(compatible_categories(category)))
    return f"sijil:area:{family}:{admin1}:{week.isoformat()}"


def area_lock_names(spans: Iterable[AreaSpan]) -> set[str]:
    names: set[str] = set()
    for span in spans:
        for week in weeks_between(span.start, span.end):
            names.update(area_lock_key(category=span.category, admin1=admin1, week=week) for admin1 in span.admin1)
    return names


def advisory_key(name: str) -> int:
    return _key(name)


def lock_names(names: Iterable[str]) -> None:
    """Take transaction-scoped advisory locks on the names, in a fixed order, in one statement."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({_key(name) for name in names})
    if not keys:
        return
    with connection.cursor() as cursor:
        # unnest yields the sorted array in order, and each row's lock is taken as it is scanned.
        cursor.execute("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS t(k)", [keys])


def lock_areas(spans: Iterable[AreaSpan]) -> set[str]:
    """Lock the area keys of the spans before changing which reports form which incident; returns the names."""
    names = area_lock_names(spans)
    lock_names(names)
    return names


def incident_span(incident: Incident) -> AreaSpan:
    """The keys a writer of an incident takes: its family, its governorate, every week of its time span."""
    end = incident.occurred_to or incident.occurred_from
    return AreaSpan(incident.category_id, (incident.admin1_id,), incident.occurred_from, end)


def report_span(report: Report) -> AreaSpan:
    """The keys a decision on a report takes: its block's family, governorates and window (`incidents.dedup`)."""
    from incidents.dedup import block_for
    from incidents.services.refresh import report_record

    block = block_for(report_record(report, figures=False))
    return AreaSpan(report.category_id, block.admin1, block.window_start, block.window_end)


def report_spans(report: Report) -> set[AreaSpan]:
    """A report's block, and the incident it is in (with `report.incident` loaded), if any."""
    spans = {report_span(report)}
    if report.incident_id is not None and report.incident is not None:
        spans.add(incident_span(report.incident))
    return spans
