"""Daily aggregates: counted from incidents, never from reports (invariant 4).

A row is a key — date × admin1 × admin2 × category × verified — and what the
live incidents of that key add up to: how many started that day (the date in
register's zone of `occurred_from`, `reports/days.py`), the sums of their killed and injured
low/best/high estimates (every group), and how many outages of that area and
category were active at the end of the day. Each incident counts once, in the
row of its own verification state; merged and withdrawn incidents count
nowhere. A row that would be all zeros is not stored, so that an incremental
update and a rebuild give the same table.

Incremental: a change to incidents names the rows it touched (those where the
incidents' contributions before and after the change differ: `AggregateTracker`)
and `aggregates_refresh` recomputes exactly those rows from the incidents, in
the same transaction. Concurrency: each key
is recomputed under an advisory lock on that key, taken after the incident
changes are made, so whichever transaction recomputes second sees the first's
committed incidents (READ COMMITTED takes a fresh snapshot per statement) and
no update is lost. A rebuild locks the table against concurrent refreshes.
"""

from __future__ import annotations

import datetime as dt
import operator
import uuid
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from typing import NamedTuple, TypeAlias

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from incidents.models import LIVE_STATUSES, DailyAggregate, Incident, IncidentCasualty, IncidentStatus
from incidents.services.locks import lock_names
from incidents.webhooks.services import webhook_events_record  # webhooks
from reports.days import counting_day, counting_zone
from reports.models import Category

FIGURE_KINDS = ("killed", "injured")
MEASURES = (
    "incidents",
    "killed_low",
    "killed_best",
    "killed_high",
    "injured_low",
    "injured_best",
    "injured_high",
    "outages_active",
)

# An aggregate row's area: (admin1, admin2, category, verified), as in `AggregateKey.area`.
Area: TypeAlias = tuple[str, str | None, str, bool]
# One incident's (kind, low, best, high) casualty figures.
FigureRow: TypeAlias = tuple[str, int, int, int]
# The values of one row, in the order of `MEASURES`.
Measures: TypeAlias = tuple[int, ...]


class AggregateKey(NamedTuple):
    date: dt.date
    admin1: str
    admin2: str | None
    category: str
    verified: bool

    @property
    def area(self) -> Area:
        return (self.admin1, self.admin2, self.category, self.verified)

    @property
    def lock_name(self) -> str:
        return f"sijil:aggregate:{self.admin1}:{self.admin2 or '-'}:{self.category}:{self.verified}"


def local_date(moment: dt.datetime) -> dt.date:
    return counting_day(moment)


def today() -> dt.date:
    return local_date(timezone.now())


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = counting_zone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def outage_active_days(*, occurred_from: dt.datetime, restored_at: dt.datetime | None, until: dt.date) -> list[dt.date]:
    """The days at whose end an outage had started and was not yet restored, up to `until`."""
    first = local_date(occurred_from)
    days = []
    day = first
    while day <= until:
        _start, end = _day_bounds(day)
        if restored_at is not None and restored_at < end:
            break
        days.append(day)
        day += dt.timedelta(days=1)
    return days


def incident_contribution(
    incident: Incident, *, until: dt.date | None = None, rows: list[FigureRow] | None = None
) -> dict[AggregateKey, Measures]:
    """What an incident adds to each aggregate row, in its current state (nothing when merged or withdrawn).

    The row of its start day gets one incident and its killed/injured
    estimates; each day an outage was active gets one active outage. `rows`:
    its (kind, low, best, high) figures when the caller read them already
    (`contributions` reads those of many incidents at once).
    """
    if incident.status not in LIVE_STATUSES:
        return {}
    verified = incident.status == IncidentStatus.VERIFIED
    figures = dict.fromkeys(MEASURES, 0)
    figures["incidents"] = 1
    if rows is None:
        rows = list(
            IncidentCasualty.objects.filter(incident=incident, kind__in=FIGURE_KINDS).values_list(
                "kind", "low", "best", "high"
            )
        )
    for kind, low, best, high in rows:
        figures[f"{kind}_low"] += low
        figures[f"{kind}_best"] += best
        figures[f"{kind}_high"] += high
    area = (incident.admin1_id, incident.admin2_id, incident.category_id, verified)
    contribution = {AggregateKey(local_date(incident.occurred_from), *area): figures}
    if incident.category.is_outage:
        for day in outage_active_days(
            occurred_from=incident.occurred_from, restored_at=incident.restored_at, until=until or today()
        ):
            row = contribution.setdefault(AggregateKey(day, *area), dict.fromkeys(MEASURES, 0))
            row["outages_active"] += 1
    return {key: tuple(values[m] for m in MEASURES) for key, values in contribution.items()}


def contributions(incidents: Iterable[Incident]) -> dict[object, dict[AggregateKey, Measures]]:
    """`incident_contribution` of many incidents, their figures read in one query."""
    incidents = list(incidents)
    live = [i.pk for i in incidents if i.status in LIVE_STATUSES]
    rows: dict[object, list[FigureRow]] = defaultdict(list)
    if live:
        for pk, kind, low, best, high in IncidentCasualty.objects.filter(
            incident_id__in=live, kind__in=FIGURE_KINDS
        ).values_list("incident_id", "kind", "low", "best", "high"):
            rows[pk].append((kind, low, best, high))
    until = today()
    return {i.pk: incident_contribution(i, until=until, rows=rows.get(i.pk, [])) for i in incidents}


class AggregateTracker:
    """Which aggregate rows a change to incidents touched: their contributions before, and after.

    `watch` the incidents a change may affect before making it (`new=True` for
    ones created by the change), then `apply()` after: only the rows whose
    contribution differs are recomputed, so a long unrestored outage does not
    make every change to it recompute each of its days. Every writer of
    incidents watches them (`transitions.py`), so "before" is always known.
    However many incidents are watched (a batch of the pipeline), each step is
    a fixed number of queries.
    """

    def __init__(self) -> None:
        self._before: dict[object, dict[AggregateKey, Measures]] = {}

    def watch(self, *incidents: Incident | None, new: bool = False) -> None:
        fresh = [i for i in incidents if i is not None and i.pk not in self._before]
        if new:
            self._before.update({i.pk: {} for i in fresh})
        elif fresh:
            self._before.update(contributions(fresh))

    def apply(self) -> None:
        if not self._before:
            return
        after = contributions(Incident.objects.select_related("category").filter(pk__in=list(self._before)))
        changed: set[AggregateKey] = set()
        for pk, before in self._before.items():
            now = after.get(pk, {})
            changed |= {key for key in before.keys() | now.keys() if before.get(key) != now.get(key)}
        aggregates_refresh(keys=changed)


def compute_keys(keys: Iterable[AggregateKey]) -> dict[AggregateKey, dict[str, int]]:
    """What the live incidents of each key add up to, read from the incidents now.

    Keys are grouped by area (admin1, admin2, category, verified); the
    incidents of every area in the days asked are one query, their figures one
    more, however many areas and days (a long outage touches every day it lasted).
    """
    by_area: dict[Area, set[dt.date]] = defaultdict(set)
    for key in keys:
        by_area[key.area].add(key.date)
    if not by_area:
        return {}
    outage_categories = set(
        Category.objects.filter(slug__in={area[2] for area in by_area}, is_outage=True).values_list("slug", flat=True)
    )
    conditions = []
    for area, days in by_area.items():
        first_start, _ = _day_bounds(min(days))
        _, last_end = _day_bounds(max(days))
        condition = _area_filter(area) & Q(occurred_from__lt=last_end)
        if area[2] in outage_categories:
            # Active on one of the days, or started on one (even if restored before it started, as its
            # reports may say: it still counts as an incident of its first day).
            condition &= (
                Q(restored_at__isnull=True) | Q(restored_at__gte=first_start) | Q(occurred_from__gte=first_start)
            )
        else:
            condition &= Q(occurred_from__gte=first_start)
        conditions.append(condition)
    wanted = reduce(operator.or_, conditions)
    rows_of: dict[Area, list[tuple[uuid.UUID, dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for pk, admin1, admin2, category, status, occurred_from, restored_at in Incident.objects.filter(wanted).values_list(
        "id", "admin1_id", "admin2_id", "category_id", "status", "occurred_from", "restored_at"
    ):
        area = (admin1, admin2, category, status == IncidentStatus.VERIFIED)
        rows_of[area].append((pk, occurred_from, restored_at))
    values_of = {area: {day: dict.fromkeys(MEASURES, 0) for day in days} for area, days in by_area.items()}
    started: dict[object, tuple[Area, dt.date]] = {}
    for area, rows in rows_of.items():
        values = values_of.get(area)
        if values is None:
            continue
        for pk, occurred_from, _restored_at in rows:
            day = local_date(occurred_from)
            if day in values:
                values[day]["incidents"] += 1
                started[pk] = (area, day)
    if started:
        for pk, kind, low, best, high in IncidentCasualty.objects.filter(
            incident_id__in=list(started), kind__in=FIGURE_KINDS
        ).values_list("incident_id", "kind", "low", "best", "high"):
            area, day = started[pk]
            row = values_of[area][day]
            row[f"{kind}_low"] += low
            row[f"{kind}_best"] += best
            row[f"{kind}_high"] += high
    result: dict[AggregateKey, dict[str, int]] = {}
    for area, days in by_area.items():
        if area[2] in outage_categories:
            rows = rows_of.get(area, [])
            for day in days:
                _start, end = _day_bounds(day)
                values_of[area][day]["outages_active"] = sum(
                    1
                    for _pk, occurred_from, restored_at in rows
                    if occurred_from < end and (restored_at is None or restored_at >= end)
                )
        for day, row in values_of[area].items():
            result[AggregateKey(day, *area)] = row
    return result


def _area_filter(area: Area) -> Q:
    admin1, admin2, category, verified = area
    status = IncidentStatus.VERIFIED if verified else IncidentStatus.UNVERIFIED
    place = Q(admin1_id=admin1) & (Q(admin2_id=admin2) if admin2 else Q(admin2__isnull=True))
    return place & Q(category_id=category, status=status)


def _aggregate_rows_filter(area: Area, days: Iterable[dt.date]) -> Q:
    admin1, admin2, category, verified = area
    condition = Q(admin1_id=admin1, category_id=category, verified=verified, date__in=sorted(days))
    return condition & (Q(admin2_id=admin2) if admin2 else Q(admin2__isnull=True))


Stored = dict[AggregateKey, tuple[int, dict[str, int]]]  # a stored row's id and measures, by its key


def _store(table: dict[AggregateKey, dict[str, int]]) -> None:
    """Write computed rows: update those that changed, create the missing, delete the ones now all zero.

    One read of the stored rows, then at most one statement per kind of write. On PostgreSQL the read
    and the update take the keys and values as arrays (`unnest`): Django's `bulk_update` builds one
    CASE per field and row, and resolving those expressions was half of a batch's time.
    """
    if not table:
        return
    postgres = connection.vendor == "postgresql"
    existing = _stored_postgres(list(table)) if postgres else _stored_portably(table)
    empty: list[int] = []
    changed: list[tuple[int, dict[str, int]]] = []
    created: list[DailyAggregate] = []
    for key, values in table.items():
        found = existing.get(key)
        if not any(values.values()):
            if found is not None:
                empty.append(found[0])
            continue
        if found is None:
            created.append(
                DailyAggregate(
                    date=key.date,
                    admin1_id=key.admin1,
                    admin2_id=key.admin2,
                    category_id=key.category,
                    verified=key.verified,
                    **values,
                )
            )
        elif found[1] != {m: values.get(m, 0) for m in MEASURES}:
            changed.append((found[0], values))
    if empty:
        DailyAggregate.objects.filter(pk__in=empty).delete()
    if changed and postgres:
        _update_postgres(changed)
    elif changed:
        now = timezone.now()
        rows = [
            DailyAggregate(pk=pk, updated_at=now, **{m: values.get(m, 0) for m in MEASURES}) for pk, values in changed
        ]
        DailyAggregate.objects.bulk_update(rows, [*MEASURES, "updated_at"], batch_size=1000)
    if created:
        DailyAggregate.objects.bulk_create(created, batch_size=1000)


def _stored_postgres(keys: list[AggregateKey]) -> Stored:
    """The stored rows of these keys, the keys bound as arrays: one statement whatever their number."""
    aggregate = DailyAggregate._meta.db_table
    measures = ", ".join(f"a.{m}" for m in MEASURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.id, a.date, a.admin1_id, a.admin2_id, a.category_id, a.verified, {measures} "  # noqa: S608 — names
            f"FROM {aggregate} a JOIN unnest(%s::date[], %s::varchar[], %s::varchar[], %s::varchar[], %s::bool[]) "
            "AS k(date, admin1, admin2, category, verified) "
            "ON a.date = k.date AND a.admin1_id = k.admin1 AND a.category_id = k.category "
            "AND a.verified = k.verified "
            "AND (a.admin2_id = k.admin2 OR (a.admin2_id IS NULL AND k.admin2 IS NULL))",
            [
                [k.date for k in keys],
                [k.admin1 for k in keys],
                [k.admin2 for k in keys],
                [k.category for k in keys],
                [k.verified for k in keys],
            ],
        )
        return {
            AggregateKey(row[1], row[2], row[3], row[4], row[5]): (row[0], dict(zip(MEASURES, row[6:], strict=True)))
            for row in cursor.fetchall()
        }


def _stored_portably(table: dict[AggregateKey, dict[str, int]]) -> Stored:
    """The stored rows of the table's keys through the ORM (SQLite: the demo and the embedded default)."""
    by_area: dict[Area, dict[dt.date, dict[str, int]]] = defaultdict(dict)
    for key, values in table.items():
        by_area[key.area][key.date] = values
    wanted = reduce(operator.or_, (_aggregate_rows_filter(area, days) for area, days in by_area.items()))
    return {
        AggregateKey(row.date, row.admin1_id, row.admin2_id, row.category_id, row.verified): (
            row.pk,
            {m: getattr(row, m) for m in MEASURES},
        )
        for row in DailyAggregate.objects.filter(wanted)
    }


def _update_postgres(changed: list[tuple[int, dict[str, int]]]) -> None:
    """The changed rows' measures in one `UPDATE … FROM unnest(…)`."""
    aggregate = DailyAggregate._meta.db_table
    assignments = ", ".join(f"{m} = v.{m}" for m in MEASURES)
    arrays = ", ".join(["%s::bigint[]"] + ["%s::integer[]"] * len(MEASURES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {aggregate} a SET {assignments}, updated_at = %s "  # noqa: S608 — names
            f"FROM unnest({arrays}) AS v(id, {', '.join(MEASURES)}) WHERE a.id = v.id",
            [
                timezone.now(),
                [pk for pk, _ in changed],
                *([values.get(m, 0) for _, values in changed] for m in MEASURES),
            ],
        )


def _lock_table(mode: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {DailyAggregate._meta.db_table} IN {mode} MODE")


def aggregates_refresh(*, keys: Iterable[AggregateKey]) -> None:
    """Recompute the named aggregate rows from the incidents, inside the caller's transaction.

    Call it after the incident changes are written. The advisory locks are per
    area (admin1 × admin2 × category × verified), not per day, so that a long
    outage does not take hundreds of locks.
    """
    keys = set(keys)
    if not keys:
        return
    with transaction.atomic(savepoint=False):
        _lock_table("ROW EXCLUSIVE")
        lock_names(key.lock_name for key in keys)
        _store(compute_keys(keys))
        webhook_events_record(event="aggregates.updated", aggregate_keys=keys)  # webhooks: partner-visible


def compute_all(*, until: dt.date | None = None) -> dict[AggregateKey, dict[str, int]]:
    """Every aggregate row, computed from scratch from the live incidents (what a rebuild stores)."""
    until = until or today()
    table: dict[AggregateKey, dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    figures: dict[object, list[tuple[str, int, int, int]]] = defaultdict(list)
    for row in IncidentCasualty.objects.filter(incident__status__in=LIVE_STATUSES, kind__in=FIGURE_KINDS).values_list(
        "incident_id", "kind", "low", "best", "high"
    ):
        figures[row[0]].append(row[1:])
    incidents = Incident.objects.filter(status__in=LIVE_STATUSES).values_list(
        "id", "status", "occurred_from", "admin1_id", "admin2_id", "category_id", "category__is_outage", "restored_at"
    )
    for pk, status, occurred_from, admin1, admin2, category, is_outage, restored_at in incidents.iterator(
        chunk_size=5000
    ):
        verified = status == IncidentStatus.VERIFIED
        values = table[AggregateKey(local_date(occurred_from), admin1, admin2, category, verified)]
        values["incidents"] += 1
        for kind, low, best, high in figures.get(pk, ()):
            values[f"{kind}_low"] += low
            values[f"{kind}_best"] += best
            values[f"{kind}_high"] += high
        if is_outage:
            for day in outage_active_days(occurred_from=occurred_from, restored_at=restored_at, until=until):
                table[AggregateKey(day, admin1, admin2, category, verified)]["outages_active"] += 1
    return {key: values for key, values in table.items() if any(values.values())}


@transaction.atomic
def aggregates_rebuild() -> int:
    """Throw the daily aggregates away and count them again from the incidents; returns the number of rows.

    The table is locked against the workers' refreshes meanwhile: one that
    was under way finishes first and its incidents are counted; one that
    starts waits and recomputes its keys on top of the rebuilt table.
    """
    _lock_table("EXCLUSIVE")
    table = compute_all()
    DailyAggregate.objects.all().delete()
    DailyAggregate.objects.bulk_create(
        (
            DailyAggregate(
                date=key.date,
                admin1_id=key.admin1,
                admin2_id=key.admin2,
                category_id=key.category,
                verified=key.verified,
                **values,
            )
            for key, values in table.items()
        ),
        batch_size=2000,
    )
    return len(table)


def outages_rollup(*, day: dt.date | None = None) -> int:
    """Bring the outage rows up to `day` (today by default): a run of beat each day adds the new day's actives.

    An unrestored outage is active on every day from its start to today,
    so the row for a new day appears only when something writes it; this
    recomputes the rows of `day` and the day before for every live outage
    incident that may be active then. Returns the number of keys refreshed.
    """
    day = day or today()
    _start, end = _day_bounds(day)
    previous_start, _ = _day_bounds(day - dt.timedelta(days=1))
    outages = (
        Incident.objects.filter(status__in=LIVE_STATUSES, category__is_outage=True, occurred_from__lt=end)
        .filter(Q(restored_at__isnull=True) | Q(restored_at__gte=previous_start))
        .select_related("category")
    )
    keys: set[AggregateKey] = set()
    for incident in outages.iterator(chunk_size=2000):
        verified = incident.status == IncidentStatus.VERIFIED
        for when in (day - dt.timedelta(days=1), day):
            keys.add(AggregateKey(when, incident.admin1_id, incident.admin2_id, incident.category_id, verified))
    with transaction.atomic():
        aggregates_refresh(keys=keys)
    return len(keys)


def aggregates_snapshot() -> dict[AggregateKey, dict[str, int]]:
    """The stored aggregate rows, keyed like `compute_all` (to compare an incremental table with a rebuild)."""
    return {
        AggregateKey(row.date, row.admin1_id, row.admin2_id, row.category_id, row.verified): {
            measure: getattr(row, measure) for measure in MEASURES
        }
        for row in DailyAggregate.objects.all()
    }
