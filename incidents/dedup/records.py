"""What the matcher knows of a report and of an incident: plain, frozen records.

The pipeline builds these from the database; the benchmarks and tests build
them from generated data (`synthetic.report_record`). Nothing here
knows about Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Figure:
    """One casualty figure of incident scope: kind × group, a low and a high count.

    Cumulative-scope figures ("1,225 killed in Latakia and Tartous since
    Thursday") describe an area and a period, not an event: they never reach
    the matcher.
    """

    kind: str
    group: str
    low: int
    high: int


@dataclass(frozen=True)
class ReportRecord:
    id: str
    category: str
    occurred_from: datetime
    occurred_to: datetime | None
    time_precision: int  # ACLED: 1 day, 2 week, 3 month
    admin1: str
    admin2: str | None
    place_name: str
    latitude: float | None
    longitude: float | None
    geo_precision: int  # ACLED: 1 town or spot, 2 near a town, 3 region
    title: str
    narrative: str
    figures: tuple[Figure, ...]
    perpetrator: str
    language: str = ""


@dataclass(frozen=True)
class IncidentRecord:
    """A summary of the reports already grouped into an incident, as the matcher compares it.

    Built with `from_reports` so that the pipeline, the tests and the
    benchmark summarise incidents the same way.
    """

    id: str
    category: str
    occurred_from: datetime
    occurred_to: datetime | None
    time_precision: int
    admin1: str
    admin2: str | None
    place_names: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    titles: tuple[str, ...]
    narratives: tuple[str, ...]
    figures: tuple[Figure, ...]
    perpetrators: tuple[str, ...]
    geo_precision: int = 2  # of the coordinates above; added after the first interface, hence the default

    @classmethod
    def from_reports(cls, id: str, reports: Sequence[ReportRecord]) -> IncidentRecord:
        """Summarise the reports of one incident.

        The incident's time and place come from its most precise reports only:
        a report known to the month must not stretch the window of an event
        that others date to the hour. Its category is the most common one
        among the reports (the first report's on a tie). Names, texts, figures
        and perpetrators are kept per report (distinct, in order), so that a
        new report is compared with each account rather than with a blend.
        """
        if not reports:
            raise ValueError("An incident summarises at least one report.")
        best_time = min(r.time_precision for r in reports)
        timed = [r for r in reports if r.time_precision == best_time]
        occurred_from = min(r.occurred_from for r in timed)
        ends = [r.occurred_to or r.occurred_from for r in timed]
        occurred_to = max(ends)
        located = [r for r in reports if r.latitude is not None and r.longitude is not None]
        latitude = longitude = None
        geo_precision = min(r.geo_precision for r in reports)
        if located:
            best_geo = min(r.geo_precision for r in located)
            points = [r for r in located if r.geo_precision == best_geo]
            latitude = sum(r.latitude for r in points) / len(points)  # type: ignore[misc]
            longitude = sum(r.longitude for r in points) / len(points)  # type: ignore[misc]
            geo_precision = best_geo
        counts: dict[str, int] = {}
        for r in reports:
            counts[r.category] = counts.get(r.category, 0) + 1
        category = max(counts, key=lambda slug: (counts[slug], -_first_index(reports, slug)))
        admin2s = [r.admin2 for r in reports if r.admin2]
        return cls(
            id=id,
            category=category,
            occurred_from=occurred_from,
            occurred_to=occurred_to if occurred_to != occurred_from else None,
            time_precision=best_time,
            admin1=_most_common([r.admin1 for r in reports]),
            admin2=_most_common(admin2s) if admin2s else None,
            place_names=_distinct(r.place_name for r in reports),
            latitude=latitude,
            longitude=longitude,
            titles=_distinct(r.title for r in reports),
            narratives=_distinct(r.narrative for r in reports),
            figures=tuple(dict.fromkeys(f for r in reports for f in r.figures)),
            perpetrators=_distinct(r.perpetrator for r in reports),
            geo_precision=geo_precision,
        )


def _first_index(reports: Sequence[ReportRecord], category: str) -> int:
    return next(i for i, r in enumerate(reports) if r.category == category)


def _most_common(values: list[str]) -> str:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=lambda v: (counts[v], -values.index(v)))


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
