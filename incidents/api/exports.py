"""CSV, HXL and GeoJSON exports of incidents and daily aggregates, streamed.

Rows come from a server-side cursor (`QuerySet.iterator(chunk_size=…)`) as
plain tuples, and go out as they are written: memory stays flat however many
rows there are, and there is no row limit. The queryset handed in is the
caller's scoped and filtered one, so an export shows exactly what the JSON
list would.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import StreamingHttpResponse

from incidents.api.serializers import tombstone
from incidents.models import TOMBSTONE_STATUSES, IncidentCasualty
from reports.days import counting_day

CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Column:
    header: str
    hxl: str | None  # the HXL hashtag; None: not in the HXL export
    value: Callable[[dict], Any]


def _utc(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _local_date(moment: datetime | None) -> str:
    """The day the register (and its aggregates) count an incident by (`reports/days.py`)."""
    return "" if moment is None else counting_day(moment).isoformat()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# A spreadsheet reads a cell that begins with one of these as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: written text beginning with a formula trigger gets a `'` in front.

    Only text is touched: numbers (a negative longitude, a count) stay numbers. Every CSV-shaped output
    (the CSV and HXL exports) writes its cells through this; docs/api.md ("Exports") says so to partners.
    """
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    return _text(value)


def _event_type(row: dict) -> str:
    # Outages have no ACLED type: the category's name says what was cut.
    return row["category__acled_event_type"] or row["category__name_en"]


# The HXL columns are exactly, and in the order of, docs/contract.md's list.
INCIDENT_COLUMNS: list[Column] = [
    Column("id", "#event+id", lambda r: r["id"]),
    Column("status", "#status", lambda r: r["status"]),
    Column("merged_into", None, lambda r: r["merged_into_id"]),
    Column("category", None, lambda r: r["category_id"]),
    Column("event_type", "#event+type", _event_type),
    Column("sub_event_type", "#event+type+sub", lambda r: r["category__acled_sub_event_type"]),
    Column("date_start", "#date+start", lambda r: _local_date(r["occurred_from"])),
    Column("date_end", "#date+end", lambda r: _local_date(r["occurred_to"])),
    Column("occurred_from", None, lambda r: _utc(r["occurred_from"])),
    Column("occurred_to", None, lambda r: _utc(r["occurred_to"])),
    Column("time_precision", None, lambda r: r["time_precision"]),
    Column("admin1", "#adm1+code", lambda r: r["admin1_id"]),
    Column("admin1_name", "#adm1+name", lambda r: r["admin1__name_en"]),
    Column("admin2", "#adm2+code", lambda r: r["admin2_id"]),
    Column("admin2_name", "#adm2+name", lambda r: r["admin2__name_en"]),
    Column("place_name", "#loc+name", lambda r: r["place_name"]),
    Column("latitude", "#geo+lat", lambda r: r["latitude"]),
    Column("longitude", "#geo+lon", lambda r: r["longitude"]),
    Column("geo_precision", None, lambda r: r["geo_precision"]),
    Column("title", None, lambda r: r["title"]),
    Column("summary", None, lambda r: r["summary"]),
    Column("killed_low", "#affected+killed+min", lambda r: r["killed_low"]),
    Column("killed_best", "#affected+killed", lambda r: r["killed_best"]),
    Column("killed_high", "#affected+killed+max", lambda r: r["killed_high"]),
    Column("injured_low", None, lambda r: r["injured_low"]),
    Column("injured_best", "#affected+injured", lambda r: r["injured_best"]),
    Column("injured_high", None, lambda r: r["injured_high"]),
    Column("report_count", None, lambda r: r["report_count"]),
    Column("source_count", "#meta+source+num", lambda r: r["source_count"]),
    Column("sources_disagree", None, lambda r: r["sources_disagree"]),
    Column("first_reported_at", None, lambda r: _utc(r["first_reported_at"])),
    Column("updated_at", "#date+updated", lambda r: _utc(r["updated_at"])),
]
HXL_INCIDENT_ORDER = [
    "#event+id",
    "#date+start",
    "#date+end",
    "#adm1+code",
    "#adm1+name",
    "#adm2+code",
    "#adm2+name",
    "#loc+name",
    "#geo+lat",
    "#geo+lon",
    "#event+type",
    "#event+type+sub",
    "#affected+killed+min",
    "#affected+killed",
    "#affected+killed+max",
    "#affected+injured",
    "#meta+source+num",
    "#status",
    "#date+updated",
]

AGGREGATE_COLUMNS: list[Column] = [
    Column("date", "#date", lambda r: r["date"].isoformat()),
    Column("admin1", "#adm1+code", lambda r: r["admin1_id"]),
    Column("admin1_name", "#adm1+name", lambda r: r["admin1__name_en"]),
    Column("admin2", "#adm2+code", lambda r: r["admin2_id"]),
    Column("admin2_name", "#adm2+name", lambda r: r["admin2__name_en"]),
    Column("category", "#event+type+code", lambda r: r["category_id"]),
    Column("incidents", "#event+num", lambda r: r["incidents"]),
    Column("killed_low", "#affected+killed+min", lambda r: r["killed_low"]),
    Column("killed_best", "#affected+killed", lambda r: r["killed_best"]),
    Column("killed_high", "#affected+killed+max", lambda r: r["killed_high"]),
    Column("injured_low", "#affected+injured+min", lambda r: r["injured_low"]),
    Column("injured_best", "#affected+injured", lambda r: r["injured_best"]),
    Column("injured_high", "#affected+injured+max", lambda r: r["injured_high"]),
    Column("verified", "#status+verified", lambda r: r["verified"]),
]


FIGURE_MEASURES = [f"{kind}_{measure}" for kind in ("killed", "injured") for measure in ("low", "best", "high")]


def _streamed(rows: QuerySet) -> Iterator[dict]:
    """Rows as the database reads them, a chunk at a time.

    Inside a transaction the server-side cursor is an ordinary one; outside
    (autocommit) Django declares it WITH HOLD, and PostgreSQL then computes
    and stores the whole result before the first row: minutes of silence for
    a million rows. The transaction only reads; a client that goes away
    closes the generator, which ends it.
    """
    with transaction.atomic():
        yield from rows.iterator(chunk_size=CHUNK_ROWS)


def _figures(incident_ids: list) -> dict:
    """Killed and injured low/best/high of some incidents, summed over groups."""
    figures: dict = {}
    totals = (
        IncidentCasualty.objects.filter(incident_id__in=incident_ids, kind__in=["killed", "injured"])
        .values("incident_id", "kind")
        .annotate(low=Sum("low"), best=Sum("best"), high=Sum("high"))
        .order_by()
    )
    for total in totals:
        row = figures.setdefault(total["incident_id"], dict.fromkeys(FIGURE_MEASURES, 0))
        for measure in ("low", "best", "high"):
            row[f"{total['kind']}_{measure}"] = total[measure]
    return figures


def incident_export_rows(incidents: QuerySet) -> Iterator[dict]:
    """Incidents as flat dicts with their killed and injured totals (over groups), in sync order.

    The incidents stream in index order; their figures are read a chunk at a
    time (one grouped query per 2,000 incidents) rather than joined and
    grouped over the whole result, which the database would finish before
    sending the first row. `best` holds a reviewer's override when there is
    one (the incident services keep it so), the number the aggregates sum.
    """
    rows = (
        incidents.select_related(None)
        .prefetch_related(None)
        .order_by("updated_at", "id")
        .values(
            "id",
            "status",
            "merged_into_id",
            "category_id",
            "category__name_en",
            "category__acled_event_type",
            "category__acled_sub_event_type",
            "occurred_from",
            "occurred_to",
            "time_precision",
            "admin1_id",
            "admin1__name_en",
            "admin2_id",
            "admin2__name_en",
            "place_name",
            "latitude",
            "longitude",
            "geo_precision",
            "title",
            "summary",
            "report_count",
            "source_count",
            "sources_disagree",
            "first_reported_at",
            "updated_at",
        )
    )
    stream = _streamed(rows)
    none = dict.fromkeys(FIGURE_MEASURES, 0)
    while batch := list(islice(stream, CHUNK_ROWS)):
        figures = _figures([row["id"] for row in batch])
        for row in batch:
            row.update(figures.get(row["id"], none))
            yield tombstone(row) if row["status"] in TOMBSTONE_STATUSES else row


def aggregate_export_rows(aggregates: QuerySet) -> Iterator[dict]:
    rows = (
        aggregates.select_related(None)
        .prefetch_related(None)
        .order_by("date", "admin1_id", "admin2_id", "category_id", "id")
        .values(
            "date",
            "admin1_id",
            "admin1__name_en",
            "admin1__latitude",
            "admin1__longitude",
            "admin2_id",
            "admin2__name_en",
            "admin2__latitude",
            "admin2__longitude",
            "category_id",
            "incidents",
            "killed_low",
            "killed_best",
            "killed_high",
            "injured_low",
            "injured_best",
            "injured_high",
            "verified",
        )
    )
    return _streamed(rows)


class _Echo:
    """A file-like object whose `write` returns what it is given, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[dict], columns: list[Column], *, hxl: bool) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    if hxl:
        by_tag = {column.hxl: column for column in columns if column.hxl}
        order = HXL_INCIDENT_ORDER if columns is INCIDENT_COLUMNS else [c.hxl for c in columns if c.hxl]
        columns = [by_tag[tag] for tag in order]
    yield writer.writerow([column.header for column in columns])
    if hxl:
        yield writer.writerow([column.hxl for column in columns])
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow([spreadsheet_cell(column.value(row)) for column in columns]))
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def geojson_chunks(rows: Iterable[dict], columns: list[Column], *, point: Callable[[dict], tuple]) -> Iterator[str]:
    """A FeatureCollection written feature by feature; a row without coordinates has a null geometry."""
    yield '{"type":"FeatureCollection","features":['
    batch: list[str] = []
    first = True
    for row in rows:
        lon, lat = point(row)
        feature = {
            "type": "Feature",
            "geometry": None if lon is None else {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {column.header: _json_value(_text_or_value(column.value(row))) for column in columns},
        }
        batch.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False, default=str))
        first = False
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)
    yield "]}\n"


def _text_or_value(value):
    if value == "":
        return None
    return value


def incident_point(row: dict) -> tuple:
    return row["longitude"], row["latitude"]


def aggregate_point(row: dict) -> tuple:
    """An aggregate is placed at its district's representative point, else its governorate's."""
    if row["admin2_id"]:
        return row["admin2__longitude"], row["admin2__latitude"]
    return row["admin1__longitude"], row["admin1__latitude"]


def streamed(chunks: Iterator[str], *, content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse((chunk.encode("utf-8") for chunk in chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


EXPORT_FORMATS = ("csv", "hxl", "geojson")


def export_response(
    *, fmt: str, name: str, rows: Iterable[dict], columns: list[Column], point
) -> StreamingHttpResponse:
    if fmt == "geojson":
        return streamed(
            geojson_chunks(rows, columns, point=point), content_type="application/geo+json", filename=f"{name}.geojson"
        )
    return streamed(
        csv_lines(rows, columns, hxl=fmt == "hxl"),
        content_type="text/csv; charset=utf-8",
        filename=f"{name}{'-hxl' if fmt == 'hxl' else ''}.csv",
    )
