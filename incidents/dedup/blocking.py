"""Blocking: which incidents are worth scoring against a report at all.

The pipeline turns a `Block` into one indexed query (category, governorate,
district, time window), so the number of incidents scored per report depends
on how busy that place and week were, not on the size of the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from incidents.dedup.geo import district_parent, neighbouring_districts
from incidents.dedup.records import ReportRecord

# Categories that monitors use for one event. A killing is reported as an
# execution or an injury by another witness; a burned house was looted first;
# an ambush is a clash. Outages, displacement and shelling match only their own kind.
COMPATIBLE_CATEGORIES: tuple[frozenset[str], ...] = (
    frozenset({"killing", "execution", "injury"}),
    frozenset({"looting", "arson", "property_destruction"}),
    frozenset({"armed_clash", "ambush"}),
    frozenset({"abduction", "arbitrary_detention", "detainee_mistreatment"}),
)

# How far the real time may be from the stated one, by ACLED time precision:
# 1 the day is known (a day covers time zones, "last night" and late reports),
# 2 the week, 3 the month.
TIME_TOLERANCE: dict[int, timedelta] = {1: timedelta(days=1), 2: timedelta(days=7), 3: timedelta(days=31)}


def compatible_categories(category: str) -> frozenset[str]:
    for group in COMPATIBLE_CATEGORIES:
        if category in group:
            return group
    return frozenset({category})


def time_tolerance(precision: int) -> timedelta:
    return TIME_TOLERANCE.get(precision, TIME_TOLERANCE[3])


@dataclass(frozen=True)
class Block:
    """What the query for candidate incidents must cover.

    An incident is a candidate when its category is in `categories`, its
    governorate in `admin1`, its district in `admin2` — or it has no district,
    or `admin2` is None (any district of those governorates) — and its time
    span [occurred_from, occurred_to or occurred_from] overlaps
    [window_start, window_end]. `block_contains` is that rule in Python.
    """

    categories: frozenset[str]
    admin1: frozenset[str]
    admin2: frozenset[str] | None
    window_start: datetime
    window_end: datetime


def block_for(report: ReportRecord) -> Block:
    """The block of a report: compatible categories, its district and the neighbouring ones, its time ± tolerance.

    A report with a district looks in that district and its neighbours (a
    village near a district border is often filed under the next district),
    and in their governorates. A report with only a governorate looks at all
    of it.
    """
    tolerance = time_tolerance(report.time_precision)
    if report.admin2:
        districts = neighbouring_districts().get(report.admin2, frozenset({report.admin2}))
        governorates = frozenset({report.admin1} | {p for d in districts if (p := district_parent(d))})
        admin2: frozenset[str] | None = districts
    else:
        governorates, admin2 = frozenset({report.admin1}), None
    return Block(
        categories=compatible_categories(report.category),
        admin1=governorates,
        admin2=admin2,
        window_start=report.occurred_from - tolerance,
        window_end=(report.occurred_to or report.occurred_from) + tolerance,
    )


class Placed(Protocol):
    """What `block_contains` reads of an incident: an `IncidentRecord`, or the pipeline's view of one."""

    @property
    def category(self) -> str: ...
    @property
    def admin1(self) -> str: ...
    @property
    def admin2(self) -> str | None: ...
    @property
    def occurred_from(self) -> datetime: ...
    @property
    def occurred_to(self) -> datetime | None: ...


def block_contains(block: Block, incident: Placed) -> bool:
    """Whether an incident falls in a block: exactly what the pipeline's query selects."""
    if incident.category not in block.categories or incident.admin1 not in block.admin1:
        return False
    if block.admin2 is not None and incident.admin2 is not None and incident.admin2 not in block.admin2:
        return False
    end = incident.occurred_to or incident.occurred_from
    return incident.occurred_from <= block.window_end and end >= block.window_start
