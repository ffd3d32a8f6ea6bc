"""Reads of the situation room: every figure of the dashboard and of a situation report, in one place.

`situation_figures` returns plain, JSON-ready data: the dashboard renders it,
and a situation report stores it as it is (its frozen figures). Where the
figures come from:

- incidents, killed and injured (low/best/high), per day, area and category:
  the daily aggregates (`incidents.models.DailyAggregate`), which count each
  live incident once with its reconciled estimates. The `verified` rows are
  exactly what partners get from `/api/v1/aggregates/daily/`; "all reported"
  adds the unverified rows;
- abducted and detained: the incidents' own estimates (`IncidentCasualty`), the
  aggregates having no column for them;
- outages: the live outage incidents (service, area, since, restored);
- cumulative claims ("1,225 killed since Thursday"): the reports' figures of
  scope `cumulative`, listed apart. They never enter any figure above, as the
  aggregates never count them.

The date of an incident is the day it started in the register's zone
(`reports/days.py`), as in the aggregates and the API's date filters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from incidents.models import DailyAggregate, Incident, IncidentCasualty, IncidentStatus
from reports.choices import CasualtyScope, ReportStatus
from reports.days import counting_zone
from reports.models import Area, Category, ReportCasualty

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Row = Mapping[str, Any]

LIVE = (IncidentStatus.UNVERIFIED, IncidentStatus.VERIFIED)
RANGE = ("low", "best", "high")
FIGURE_KINDS = ("killed", "injured", "abducted", "detained")
AGGREGATE_MEASURES = (
    "incidents",
    "killed_low",
    "killed_best",
    "killed_high",
    "injured_low",
    "injured_best",
    "injured_high",
)
# The dashboard's map carries at most this many incidents as points (the newest); the page says how many match.
MAX_POINTS = 3000
# A report's print map: past a few hundred dots a printed map shows nothing more, and the PDF renderer
# draws each one (bench/bench_situation.py); a report stores only these.
PRINT_MAP_POINTS = 500
MAX_CUMULATIVE = 200
# The outages listed of each kind: the longest active and the latest restored (the counts count all).
OUTAGES_LISTED = 50
# An outage's span, from its start to its restoration (or without end): the expression of the GiST index
# `situation_outage_span` (migrations/0004_figures_indexes.py), which PostgreSQL uses only for this exact text.
OUTAGE_SPAN = (
    'tstzrange("incidents_incident"."occurred_from", GREATEST("incidents_incident"."occurred_from", '
    "COALESCE(\"incidents_incident\".\"restored_at\", 'infinity'::timestamptz)), '[]')"
)
# Who reads the figures: the coordinators (both states, marked) or partners (verified only).
INTERNAL = "internal"
PARTNER = "partner"


class State:
    """Which incidents the charts, tables and map show: all reported (the default), or one state."""

    ALL = ""
    VERIFIED = "verified"
    UNVERIFIED = "unverified"

    @staticmethod
    def verified_flags(state: str) -> tuple[bool, ...]:
        return {State.VERIFIED: (True,), State.UNVERIFIED: (False,)}.get(state, (True, False))


@dataclass(frozen=True)
class SituationFilters:
    """What the coordinator chose: a period (inclusive days), areas, categories and a state.

    `areas` holds governorate (SY06) and district (SY0602) p-codes; empty is every area.
    """

    date_from: dt.date
    date_to: dt.date
    areas: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    state: str = State.ALL
    governorates: tuple[str, ...] = field(init=False)
    districts: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "governorates", tuple(sorted(a for a in self.areas if len(a) == 4)))
        object.__setattr__(self, "districts", tuple(sorted(a for a in self.areas if len(a) > 4)))

    def area_q(self, *, admin1: str = "admin1_id", admin2: str = "admin2_id") -> Q:
        if not self.areas:
            return Q()
        q = Q()
        if self.governorates:
            q |= Q(**{f"{admin1}__in": self.governorates})
        if self.districts:
            q |= Q(**{f"{admin2}__in": self.districts})
        return q

    def category_q(self, *, category: str = "category_id") -> Q:
        return Q(**{f"{category}__in": self.categories}) if self.categories else Q()

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time.min, tzinfo=counting_zone())

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=counting_zone())


def local_today() -> dt.date:
    return timezone.now().astimezone(counting_zone()).date()


def latest_incident_day() -> dt.date | None:
    """The last day any incident started on (so that a register of last March opens on last March)."""
    return DailyAggregate.objects.filter(incidents__gt=0).aggregate(day=Max("date"))["day"]


def default_period(*, days: int = 30) -> tuple[dt.date, dt.date]:
    """Up to the last day with an incident: from the first day with one in the `days` before it (a whole event)."""
    end = min(latest_incident_day() or local_today(), local_today())
    earliest = end - dt.timedelta(days=days - 1)
    first = DailyAggregate.objects.filter(incidents__gt=0, date__gte=earliest, date__lte=end).aggregate(
        day=Min("date")
    )["day"]
    return first or earliest, end


def _aggregates(filters: SituationFilters) -> QuerySet[DailyAggregate]:
    """The aggregate rows of the filters: a range of days of an area (`situation_aggregate_admin1_date`, …).

    No ordering: the model's default one (by area and category) would join those tables into every sum.
    """
    return DailyAggregate.objects.filter(
        filters.area_q(), filters.category_q(), date__gte=filters.date_from, date__lte=filters.date_to
    ).order_by()


def _live_incidents(filters: SituationFilters) -> QuerySet[Incident]:
    return Incident.objects.filter(
        filters.area_q(),
        filters.category_q(),
        status__in=LIVE,
        occurred_from__gte=filters.start,
        occurred_from__lt=filters.end,
    )


def _sums(rows: QuerySet, measures=AGGREGATE_MEASURES) -> dict[str, int]:
    totals = rows.aggregate(**{m: Sum(m) for m in measures})
    return {m: totals[m] or 0 for m in measures}


def _empty_tile() -> dict[str, Any]:
    tile: dict[str, Any] = {"incidents": 0, "outages_active": 0}
    for kind in FIGURE_KINDS:
        tile[kind] = dict.fromkeys(RANGE, 0)
    return tile


def tiles(filters: SituationFilters, *, outage_counts: list[dict]) -> dict[str, dict]:
    """The tiles: each figure for verified incidents and for all reported (verified + unverified)."""
    by_state = {True: _empty_tile(), False: _empty_tile()}
    sums: QuerySet[DailyAggregate, Row] = (
        _aggregates(filters).values("verified").annotate(**{m: Sum(m) for m in AGGREGATE_MEASURES})
    )
    for row in sums:
        tile = by_state[row["verified"]]
        tile["incidents"] += row["incidents"] or 0
        for kind in ("killed", "injured"):
            for end in RANGE:
                tile[kind][end] += row[f"{kind}_{end}"] or 0
    # One join: the casualty rows of kind abducted/detained (`situation_casualty_held`) of the filters' incidents.
    casualties: QuerySet[IncidentCasualty, Row] = (
        IncidentCasualty.objects.filter(
            filters.area_q(admin1="incident__admin1_id", admin2="incident__admin2_id"),
            filters.category_q(category="incident__category_id"),
            incident__status__in=LIVE,
            incident__occurred_from__gte=filters.start,
            incident__occurred_from__lt=filters.end,
            kind__in=("abducted", "detained"),
        )
        .order_by()
        .values("incident__status", "kind")
        .annotate(low=Sum("low"), best=Sum("best"), high=Sum("high"))
    )
    for held in casualties:
        tile = by_state[held["incident__status"] == IncidentStatus.VERIFIED]
        for end in RANGE:
            tile[held["kind"]][end] += held[end] or 0
    for outage in outage_counts:
        if outage["active"]:
            by_state[outage["verified"]]["outages_active"] += outage["count"]
    everything = _empty_tile()
    for tile in by_state.values():
        everything["incidents"] += tile["incidents"]
        everything["outages_active"] += tile["outages_active"]
        for kind in FIGURE_KINDS:
            for end in RANGE:
                everything[kind][end] += tile[kind][end]
    return {"verified": by_state[True], "all": everything}


def daily_series(filters: SituationFilters) -> list[dict]:
    """Per day of the period: incidents per category group, killed (best per group, low and high in total)."""
    flags = State.verified_flags(filters.state)
    rows = (
        _aggregates(filters)
        .filter(verified__in=flags)
        .values("date", "category__group")
        .annotate(incidents=Sum("incidents"), low=Sum("killed_low"), best=Sum("killed_best"), high=Sum("killed_high"))
    )
    days: dict[dt.date, dict] = {}
    day = filters.date_from
    while day <= filters.date_to:
        days[day] = {"date": day.isoformat(), "incidents": {}, "killed": {}, "killed_low": 0, "killed_high": 0}
        day += dt.timedelta(days=1)
    for row in rows:
        entry = days[row["date"]]
        group = row["category__group"]
        if row["incidents"]:
            entry["incidents"][group] = entry["incidents"].get(group, 0) + row["incidents"]
        if row["best"]:
            entry["killed"][group] = entry["killed"].get(group, 0) + row["best"]
        entry["killed_low"] += row["low"] or 0
        entry["killed_high"] += row["high"] or 0
    for entry in days.values():
        entry["incidents_total"] = sum(entry["incidents"].values())
        entry["killed_best"] = sum(entry["killed"].values())
    return list(days.values())


def _area_names() -> dict[str, dict]:
    return {
        pcode: {"pcode": pcode, "name_en": en, "name_ar": ar, "parent": parent, "lat": float(lat), "lon": float(lon)}
        for pcode, en, ar, parent, lat, lon in Area.objects.values_list(
            "pcode", "name_en", "name_ar", "parent_id", "latitude", "longitude"
        )
    }


def area_table(filters: SituationFilters, *, names: dict[str, dict]) -> dict[str, list[dict]]:
    """Per governorate and per district: incidents, killed and injured, verified and all reported.

    Incidents placed only in a governorate count in its total and in a "no district" row of it.
    """
    rows: QuerySet[DailyAggregate, Row] = (
        _aggregates(filters)
        .values("admin1_id", "admin2_id", "verified")
        .annotate(**{m: Sum(m) for m in AGGREGATE_MEASURES})
    )
    flags = State.verified_flags(filters.state)
    governorates: dict[str, dict] = {}
    districts: dict[tuple[str, str | None], dict] = {}

    def blank(pcode: str | None, parent: str | None) -> dict:
        area = names.get(pcode or "", {})
        return {
            "pcode": pcode,
            "parent": parent,
            "name_en": area.get("name_en", ""),
            "name_ar": area.get("name_ar", ""),
            "verified_incidents": 0,
            **dict.fromkeys(AGGREGATE_MEASURES, 0),
        }

    for row in rows:
        if not any(row[m] for m in AGGREGATE_MEASURES):
            continue
        admin1, admin2 = row["admin1_id"], row["admin2_id"]
        for entry in (
            governorates.setdefault(admin1, blank(admin1, None)),
            districts.setdefault((admin1, admin2), blank(admin2, admin1)),
        ):
            if row["verified"]:
                entry["verified_incidents"] += row["incidents"] or 0
            if row["verified"] in flags:
                for measure in AGGREGATE_MEASURES:
                    entry[measure] += row[measure] or 0
    return {
        "governorates": sorted(governorates.values(), key=lambda e: (-e["incidents"], e["pcode"])),
        "districts": sorted(districts.values(), key=lambda e: (e["parent"], -e["incidents"], e["pcode"] or "~")),
    }


def outages(
    filters: SituationFilters, *, now: dt.datetime, verified_only: bool = False, listed: int = OUTAGES_LISTED
) -> tuple[list[dict], list[dict]]:
    """The outages of the period: active at its end (or now, if it ends today) or restored, with durations.

    "Active" is the aggregates' rule (`incidents.services.aggregates`): started
    before the end of the day and not restored by then. Returns the counts
    (per service, state and active or restored: every outage of the period, both
    states whatever the filters' state, since the tiles show verified and all
    reported side by side) and the listed outages of the filters' state: the
    `listed` longest active and the `listed` latest restored. Three queries; only
    the listed rows are read out. `verified_only`: what partners may read.
    """
    as_of_day = min(filters.date_to, now.astimezone(counting_zone()).date())
    day_end = dt.datetime.combine(as_of_day + dt.timedelta(days=1), dt.time.min, tzinfo=counting_zone())
    outage_categories = Category.objects.filter(is_outage=True).values_list("slug", flat=True)
    statuses = [IncidentStatus.VERIFIED] if verified_only else list(LIVE)
    # Outage incidents carry their service (the partial indexes' condition): with no category chosen, that is
    # every outage category and needs no other test.
    categories = (
        Q(category_id__in=sorted(set(outage_categories) & set(filters.categories))) if filters.categories else Q()
    )
    period = Incident.objects.filter(filters.area_q(), categories, status__in=statuses, occurred_from__lt=filters.end)
    period = period.exclude(service="").order_by()
    if connection.vendor == "postgresql":
        # Its span (start to restoration, or without end) overlaps the period: one search of the GiST index
        # `situation_outage_span` (migrations/0004_figures_indexes.py), whose expression this is.
        # A constant expression; the period is passed as parameters.
        overlaps = RawSQL(f"{OUTAGE_SPAN} && tstzrange(%s, %s, '[)')", (filters.start, filters.end))  # noqa: S611
        period = period.filter(ExpressionWrapper(overlaps, output_field=BooleanField()))
    else:
        # SQLite (the demo): not restored, or restored after the start (`situation_outage_restored`).
        period = period.filter(Q(restored_at__isnull=True) | Q(restored_at__gte=filters.start))
    active_q = Q(occurred_from__lt=day_end) & (Q(restored_at__isnull=True) | Q(restored_at__gte=day_end))
    counts = [
        {"service": service, "verified": status == IncidentStatus.VERIFIED, "active": active, "count": count}
        for service, status, active, count in period.annotate(
            active=Case(When(active_q, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .values_list("service", "status", "active")
        .annotate(count=Count("id"))
        .order_by("service", "status", "active")
    ]
    shown = period.filter(
        status__in=[s for s in statuses if (s == IncidentStatus.VERIFIED) in State.verified_flags(filters.state)]
    )
    columns = ("id", "service", "category_id", "admin1_id", "admin2_id", "place_name", "occurred_from",
               "restored_at", "status")  # fmt: skip
    # The longest active (all measured to the same end: the earliest started) and the latest restored.
    active = shown.filter(active_q)
    if connection.vendor == "postgresql":
        # Active at the day's end: the span contains that instant (the same GiST index; few outages do).
        contains = RawSQL(f"{OUTAGE_SPAN} @> %s::timestamptz", (day_end,))  # noqa: S611 — constant, parameters
        active = active.filter(ExpressionWrapper(contains, output_field=BooleanField()))
    rows = [
        *active.order_by("occurred_from", "id").values_list(*columns)[:listed],
        *shown.exclude(active_q).order_by("-restored_at", "-id").values_list(*columns)[:listed],
    ]
    result = []
    for pk, service, category, admin1, admin2, place_name, since, restored_at, status in rows:
        still_out = since < day_end and (restored_at is None or restored_at >= day_end)
        # An outage active at the end of the period is measured to then (or to now, for a period not over yet);
        # a restored one from its start to its restoration.
        until = min(day_end, now) if still_out else restored_at
        result.append(
            {
                "id": str(pk),
                "service": service,
                "category": category,
                "admin1": admin1,
                "admin2": admin2,
                "place_name": place_name,
                "since": since.isoformat(),
                "restored_at": restored_at.isoformat() if restored_at else None,
                "active": still_out,
                "hours": round(max((until - since).total_seconds(), 0) / 3600, 1),
                "verified": status == IncidentStatus.VERIFIED,
            }
        )
    return counts, result


def cumulative_claims(filters: SituationFilters, *, verified_only: bool = False) -> list[dict]:
    """Running totals reports gave for an area and period: quoted apart, never in any figure.

    From reports of the period and areas that were not rejected (`verified_only`:
    from verified reports only, what partners may read); what is kept of each is
    the figure, where and when, and the kind of source with its grading, never
    who reported it or who the source is.
    """
    reports = Q(report__status=ReportStatus.VERIFIED) if verified_only else ~Q(report__status=ReportStatus.REJECTED)
    rows = (
        ReportCasualty.objects.filter(
            reports,
            filters.area_q(admin1="report__admin1_id", admin2="report__admin2_id"),
            filters.category_q(category="report__category_id"),
            scope=CasualtyScope.CUMULATIVE,
            report__occurred_at__gte=filters.start,
            report__occurred_at__lt=filters.end,
        )
        .order_by("-high", "report__occurred_at", "id")
        .values(
            "kind",
            "group",
            "low",
            "high",
            "report_id",
            "report__occurred_at",
            "report__admin1_id",
            "report__admin2_id",
            "report__source_type",
            "report__source_reliability",
            "report__info_credibility",
            "report__status",
        )
    )
    return [
        {
            "kind": row["kind"],
            "group": row["group"],
            "low": row["low"],
            "high": row["high"],
            "report": str(row["report_id"]),
            "date": row["report__occurred_at"].astimezone(counting_zone()).date().isoformat(),
            "admin1": row["report__admin1_id"],
            "admin2": row["report__admin2_id"],
            "source_type": row["report__source_type"],
            "grading": f"{row['report__source_reliability']}{row['report__info_credibility']}",
            "verified": row["report__status"] == ReportStatus.VERIFIED,
        }
        for row in rows[:MAX_CUMULATIVE]
    ]


def map_points(filters: SituationFilters, *, names: dict[str, dict], limit: int = MAX_POINTS) -> list[dict]:
    """The newest `limit` incidents as points (their coordinates, else their district's or governorate's point).

    One query: each incident's killed (best, every group) is a correlated sum over its own few figures.
    """
    flags = State.verified_flags(filters.state)
    statuses = [s for s in LIVE if (s == IncidentStatus.VERIFIED) in flags]
    killed = (
        IncidentCasualty.objects.filter(incident=OuterRef("pk"), kind="killed")
        .order_by()
        .values("incident")
        .annotate(best=Sum("best"))
        .values("best")
    )
    rows = (
        _live_incidents(filters)
        .filter(status__in=statuses)
        .annotate(killed=Subquery(killed))
        .order_by("-occurred_from", "id")
        .values_list(
            "id", "title", "category_id", "category__group", "status", "occurred_from", "latitude", "longitude",
            "admin1_id", "admin2_id", "killed",
        )[:limit]
    )  # fmt: skip
    zone = counting_zone()
    points = []
    for pk, title, category, group, status, occurred_from, lat, lon, admin1, admin2, dead in rows:
        approximate = lat is None
        if approximate:
            area = names.get(admin2 or "") or names.get(admin1, {})
            lat, lon = area.get("lat"), area.get("lon")
        if lat is None or lon is None:
            continue
        points.append(
            {
                "id": str(pk),
                "lat": float(lat),
                "lon": float(lon),
                "approximate": approximate,
                "title": title,
                "category": category,
                "group": group,
                "verified": status == IncidentStatus.VERIFIED,
                "date": occurred_from.astimezone(zone).date().isoformat(),
                "killed": dead or 0,
            }
        )
    return points


def situation_figures(
    *,
    filters: SituationFilters,
    now: dt.datetime | None = None,
    points: bool = True,
    points_limit: int = MAX_POINTS,
    audience: str = INTERNAL,
) -> dict:
    """Everything the dashboard and a situation report show, as JSON-ready data.

    `audience` PARTNER: what a partner may read (docs/situation.md, invariant 6
    of the product design): verified incidents only in every figure, list and
    point, no "all reported" column, and the cumulative claims of verified
    reports only. The coordinators' copy (INTERNAL) has both states, marked.
    """
    now = now or timezone.now()
    partner = audience == PARTNER
    if partner:
        filters = replace(filters, state=State.VERIFIED)
    names = _area_names()
    outage_counts, outage_list = outages(filters, now=now, verified_only=partner)
    tile_figures = tiles(filters, outage_counts=outage_counts)
    if partner:
        tile_figures = {"verified": tile_figures["verified"]}
    figures = {
        "audience": audience,
        "period": {"start": filters.date_from.isoformat(), "end": filters.date_to.isoformat()},
        "areas": list(filters.areas),
        "categories": list(filters.categories),
        "state": filters.state,
        "as_of": now.isoformat(),
        "tiles": tile_figures,
        "days": daily_series(filters),
        **area_table(filters, names=names),
        # The listed outages follow the state chosen (the longest active, the latest restored); the counts
        # (per service, state, active or restored) count every outage of the period, in both states.
        "outages": outage_list,
        "outage_counts": outage_counts,
        "cumulative": cumulative_claims(filters, verified_only=partner),
    }
    if points:
        figures["map"] = {"points": map_points(filters, names=names, limit=points_limit)}
    return figures


def area_names() -> dict[str, dict]:
    """P-code → names and representative point, for rendering."""
    return _area_names()


def category_groups() -> list[tuple[str, StrOrPromise]]:
    return list(Category.Group.choices)
