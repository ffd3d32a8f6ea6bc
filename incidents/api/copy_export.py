"""CSV, HXL and GeoJSON exports formatted by PostgreSQL: `COPY (SELECT …) TO STDOUT`, streamed.

The same columns, tombstones, redaction and spreadsheet safety as the Python writer of
`incidents.api.exports` (which the embedded SQLite demo still uses), with every value formatted in SQL:
times as UTC ISO 8601 (`…Z`, microseconds only when there are some, as Python's `isoformat`), the
local date in Asia/Damascus, booleans as `true`/`false`, a text beginning with a formula trigger
prefixed with `'`, a merged or withdrawn incident emptied to its tombstone. The caller's scoped and
filtered queryset gives the rows (Django compiles its joins and filters); the figures are summed per
incident by a LATERAL join on the casualty rows' index; psycopg's copy API hands the output over
chunk by chunk as the index scan produces rows (sorting is disabled for the statement, so the plan walks
the `(updated_at, id)` index rather than sorting everything first), so the first byte leaves at once and
memory stays flat.
Lines end with LF (COPY's own), the header's too.

GeoJSON: each Feature is written as JSON text in the same SELECT (`sql_json.py`; the properties of the
Python writer's `geojson_chunks`, with the same values: empty text as null, coordinates as
double precision, tombstones emptied and without geometry) and leaves COPY as one line of JSON. COPY's
text format would escape the JSON's backslashes, so it runs in CSV format with a quote and a
delimiter (0x01, 0x02) that JSON text never holds unescaped (it writes control characters as
`\\u00XX`): COPY then has nothing to quote and its lines are the JSON byte for byte. Each line begins
with the comma that separates it from the one before; Python takes the first one's off and puts the
FeatureCollection around them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.http import StreamingHttpResponse

from incidents.api import sql_json
from incidents.api.exports import AGGREGATE_COLUMNS, FORMULA_TRIGGERS, HXL_INCIDENT_ORDER, INCIDENT_COLUMNS
from reports.days import counting_zone

CHUNK_BYTES = 64 * 1024
TOMBSTONE_KEEPS = {"id", "status", "merged_into", "updated_at"}


def _text(sql: str) -> str:
    """Text as a spreadsheet shows it: empty as empty, a formula trigger first neutralised with `'`."""
    triggers = ", ".join("E'\\t'" if c == "\t" else "E'\\r'" if c == "\r" else f"'{c}'" for c in FORMULA_TRIGGERS)
    return f"(CASE WHEN left({sql}, 1) IN ({triggers}) THEN '''' || {sql} ELSE NULLIF({sql}, '') END)"


def _utc(sql: str) -> str:
    """As Python's `isoformat()` in UTC with `Z`: the fraction only when the time has microseconds."""
    at = f"({sql} AT TIME ZONE 'UTC')"
    return (
        f"(CASE WHEN date_trunc('second', {sql}) = {sql} "
        f"""THEN to_char({at}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') """
        f"""ELSE to_char({at}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END)"""
    )


def _local_date(sql: str) -> str:
    """The register's counting day (`reports/days.py`), as the aggregates count it."""
    zone = counting_zone().key.replace("'", "")
    return f"(({sql} AT TIME ZONE '{zone}')::date)"


def _bool(sql: str) -> str:
    return f"(CASE WHEN {sql} THEN 'true' WHEN NOT {sql} THEN 'false' END)"


# The incident columns, by header (`exports.INCIDENT_COLUMNS`), as SQL over `q` (the caller's rows) and `f`
# (their killed and injured totals over groups).
INCIDENT_SQL = {
    "id": "q.e_id",
    "status": _text("q.e_status"),
    "merged_into": "q.e_merged_into",
    "category": _text("q.e_category"),
    "event_type": _text("coalesce(NULLIF(q.e_acled_type, ''), q.e_category_name)"),
    "sub_event_type": _text("q.e_acled_sub_type"),
    "date_start": _local_date("q.e_occurred_from"),
    "date_end": _local_date("q.e_occurred_to"),
    "occurred_from": _utc("q.e_occurred_from"),
    "occurred_to": _utc("q.e_occurred_to"),
    "time_precision": "q.e_time_precision",
    "admin1": _text("q.e_admin1"),
    "admin1_name": _text("q.e_admin1_name"),
    "admin2": _text("q.e_admin2"),
    "admin2_name": _text("q.e_admin2_name"),
    "place_name": _text("q.e_place_name"),
    "latitude": "q.e_latitude",
    "longitude": "q.e_longitude",
    "geo_precision": "q.e_geo_precision",
    "title": _text("q.e_title"),
    "summary": _text("q.e_summary"),
    **{
        f"{kind}_{measure}": f"coalesce(f.{kind}_{measure}, 0)"
        for kind in ("killed", "injured")
        for measure in ("low", "best", "high")
    },
    "report_count": "q.e_report_count",
    "source_count": "q.e_source_count",
    "sources_disagree": _bool("q.e_sources_disagree"),
    "first_reported_at": _utc("q.e_first_reported_at"),
    "updated_at": _utc("q.e_updated_at"),
}
INCIDENT_FIELDS = {
    "e_id": F("id"),
    "e_status": F("status"),
    "e_merged_into": F("merged_into_id"),
    "e_category": F("category_id"),
    "e_category_name": F("category__name_en"),
    "e_acled_type": F("category__acled_event_type"),
    "e_acled_sub_type": F("category__acled_sub_event_type"),
    "e_occurred_from": F("occurred_from"),
    "e_occurred_to": F("occurred_to"),
    "e_time_precision": F("time_precision"),
    "e_admin1": F("admin1_id"),
    "e_admin1_name": F("admin1__name_en"),
    "e_admin2": F("admin2_id"),
    "e_admin2_name": F("admin2__name_en"),
    "e_place_name": F("place_name"),
    "e_latitude": F("latitude"),
    "e_longitude": F("longitude"),
    "e_geo_precision": F("geo_precision"),
    "e_title": F("title"),
    "e_summary": F("summary"),
    "e_report_count": F("report_count"),
    "e_source_count": F("source_count"),
    "e_sources_disagree": F("sources_disagree"),
    "e_first_reported_at": F("first_reported_at"),
    "e_updated_at": F("updated_at"),
}
FIGURES_SQL = """LEFT JOIN LATERAL (
    SELECT {sums} FROM incidents_incidentcasualty c WHERE c.incident_id = q.e_id AND c.kind IN ('killed', 'injured')
) f ON true"""
FIGURE_SUMS = ", ".join(
    f"sum(c.{measure}) FILTER (WHERE c.kind = '{kind}') AS {kind}_{measure}"
    for kind in ("killed", "injured")
    for measure in ("low", "best", "high")
)

AGGREGATE_SQL = {
    "date": "q.e_date",
    "admin1": _text("q.e_admin1"),
    "admin1_name": _text("q.e_admin1_name"),
    "admin2": _text("q.e_admin2"),
    "admin2_name": _text("q.e_admin2_name"),
    "category": _text("q.e_category"),
    **{
        name: f"q.e_{name}"
        for name in (
            "incidents",
            "killed_low",
            "killed_best",
            "killed_high",
            "injured_low",
            "injured_best",
            "injured_high",
        )
    },
    "verified": _bool("q.e_verified"),
}
AGGREGATE_FIELDS = {
    "e_date": F("date"),
    "e_admin1": F("admin1_id"),
    "e_admin1_name": F("admin1__name_en"),
    "e_admin2": F("admin2_id"),
    "e_admin2_name": F("admin2__name_en"),
    "e_category": F("category_id"),
    **{
        f"e_{name}": F(name)
        for name in (
            "incidents",
            "killed_low",
            "killed_best",
            "killed_high",
            "injured_low",
            "injured_best",
            "injured_high",
            "verified",
        )
    },
}


def _headers(columns, *, hxl: bool) -> tuple[list, bytes]:
    """The columns in their export order and the header line(s): HXL puts the hashtag row under the header."""
    if hxl:
        by_tag = {column.hxl: column for column in columns if column.hxl}
        order = HXL_INCIDENT_ORDER if columns is INCIDENT_COLUMNS else [c.hxl for c in columns if c.hxl]
        columns = [by_tag[tag] for tag in order]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column.header for column in columns])
    if hxl:
        writer.writerow([column.hxl for column in columns])
    return columns, out.getvalue().encode("utf-8")


AGGREGATE_ORDER = ("date", "admin1_id", "admin2_id", "category_id", "id")


def _compiled(rows: QuerySet, fields: dict, order: tuple[str, ...]) -> tuple[str, tuple]:
    """Django's SQL (and parameters) of the rows' export fields in export order, without joins to load."""
    query = rows.select_related(None).prefetch_related(None).annotate(**fields).order_by(*order).values(*fields)
    return query.query.sql_with_params()


def incident_copy_statement(incidents: QuerySet, *, hxl: bool) -> tuple[str, tuple, bytes]:
    """The COPY statement, its parameters and the header of the incidents' CSV (or HXL) export."""
    columns, header = _headers(INCIDENT_COLUMNS, hxl=hxl)
    inner, params = _compiled(incidents, INCIDENT_FIELDS, ("updated_at", "id"))
    select = ", ".join(
        INCIDENT_SQL[c.header]
        if c.header in TOMBSTONE_KEEPS
        else f"(CASE WHEN q.e_status IN ('merged', 'withdrawn') THEN NULL ELSE {INCIDENT_SQL[c.header]} END)"
        for c in columns
    )
    # Only constant SQL of this module around Django's compiled query; every value is a bound parameter.
    statement = (
        f"COPY (SELECT {select} FROM ({inner}) q {FIGURES_SQL.format(sums=FIGURE_SUMS)} "  # noqa: S608
        "ORDER BY q.e_updated_at, q.e_id) TO STDOUT (FORMAT csv)"
    )
    return statement, params, header


# The GeoJSON properties, by header, as SQL giving the JSON text of the Python writer's value
# (`exports.geojson_chunks`): empty text is null (no spreadsheet neutralising in JSON), coordinates
# are double precision as its float() (35.9256, not numeric's 35.925600).
INCIDENT_JSON_SQL = {
    "id": sql_json.plain("q.e_id"),
    "status": sql_json.string("q.e_status"),
    "merged_into": sql_json.plain("q.e_merged_into"),
    "category": sql_json.string("NULLIF(q.e_category, '')"),
    "event_type": sql_json.string("NULLIF(coalesce(NULLIF(q.e_acled_type, ''), q.e_category_name), '')"),
    "sub_event_type": sql_json.string("NULLIF(q.e_acled_sub_type, '')"),
    "date_start": sql_json.plain(_local_date("q.e_occurred_from")),
    "date_end": sql_json.plain(_local_date("q.e_occurred_to")),
    "occurred_from": sql_json.plain(_utc("q.e_occurred_from")),
    "occurred_to": sql_json.plain(_utc("q.e_occurred_to")),
    "time_precision": sql_json.number("q.e_time_precision"),
    "admin1": sql_json.string("NULLIF(q.e_admin1, '')"),
    "admin1_name": sql_json.string("NULLIF(q.e_admin1_name, '')"),
    "admin2": sql_json.string("NULLIF(q.e_admin2, '')"),
    "admin2_name": sql_json.string("NULLIF(q.e_admin2_name, '')"),
    "place_name": sql_json.string("NULLIF(q.e_place_name, '')"),
    "latitude": sql_json.number("q.e_latitude::float8"),
    "longitude": sql_json.number("q.e_longitude::float8"),
    "geo_precision": sql_json.number("q.e_geo_precision"),
    "title": sql_json.string("NULLIF(q.e_title, '')"),
    "summary": sql_json.string("NULLIF(q.e_summary, '')"),
    **{
        f"{kind}_{measure}": sql_json.number(f"coalesce(f.{kind}_{measure}, 0)")
        for kind in ("killed", "injured")
        for measure in ("low", "best", "high")
    },
    "report_count": sql_json.number("q.e_report_count"),
    "source_count": sql_json.number("q.e_source_count"),
    "sources_disagree": sql_json.boolean("q.e_sources_disagree"),
    "first_reported_at": sql_json.plain(_utc("q.e_first_reported_at")),
    "updated_at": sql_json.plain(_utc("q.e_updated_at")),
}
TOMBSTONE_SQL = "q.e_status IN ('merged', 'withdrawn')"
NULL_JSON = "'null'"
# CSV with a quote and a delimiter JSON never holds raw: each one-column line is the JSON as it is.
JSON_LINES = "(FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
GEOJSON_HEAD = b'{"type":"FeatureCollection","features":[\n'
GEOJSON_TAIL = b"]}\n"


def _point(lon: str, lat: str) -> str:
    return sql_json.json_object(
        [("type", "'\"Point\"'"), ("coordinates", f"'[' || {lon}::float8::text || ',' || {lat}::float8::text || ']'")]
    )


def _feature_line(geometry: str, properties: str) -> str:
    """A Feature, with the comma that separates it from the one before (the first one's is taken off)."""
    feature = sql_json.json_object([("type", "'\"Feature\"'"), ("geometry", geometry), ("properties", properties)])
    return f"',' || {feature}"


def incident_geojson_statement(incidents: QuerySet) -> tuple[str, tuple]:
    """The COPY statement (and its parameters) writing one GeoJSON Feature per line, in sync order."""
    inner, params = _compiled(incidents, INCIDENT_FIELDS, ("updated_at", "id"))
    properties = sql_json.json_object((c.header, INCIDENT_JSON_SQL[c.header]) for c in INCIDENT_COLUMNS)
    # A tombstone keeps its id, status, merged_into and updated_at; everything else is null, its geometry too.
    tombstone = sql_json.json_object(
        (c.header, INCIDENT_JSON_SQL[c.header] if c.header in TOMBSTONE_KEEPS else NULL_JSON) for c in INCIDENT_COLUMNS
    )
    point = f"(CASE WHEN q.e_longitude IS NULL THEN {NULL_JSON} ELSE {_point('q.e_longitude', 'q.e_latitude')} END)"
    feature = (
        f"(CASE WHEN {TOMBSTONE_SQL} THEN {_feature_line(NULL_JSON, tombstone)} "
        f"ELSE {_feature_line(point, properties)} END)"
    )
    # Only constant SQL of this module around Django's compiled query; every value is a bound parameter.
    statement = (
        f"COPY (SELECT {feature} FROM ({inner}) q {FIGURES_SQL.format(sums=FIGURE_SUMS)} "  # noqa: S608
        f"ORDER BY q.e_updated_at, q.e_id) TO STDOUT {JSON_LINES}"
    )
    return statement, params


AGGREGATE_JSON_SQL = {
    "date": sql_json.plain("to_char(q.e_date, 'YYYY-MM-DD')"),
    **{
        name: sql_json.string(f"NULLIF(q.e_{name}, '')")
        for name in ("admin1", "admin1_name", "admin2", "admin2_name", "category")
    },
    **{
        name: sql_json.number(f"q.e_{name}")
        for name in (
            "incidents",
            "killed_low",
            "killed_best",
            "killed_high",
            "injured_low",
            "injured_best",
            "injured_high",
        )
    },
    "verified": sql_json.boolean("q.e_verified"),
}
AGGREGATE_POINT_FIELDS = {
    "e_admin1_latitude": F("admin1__latitude"),
    "e_admin1_longitude": F("admin1__longitude"),
    "e_admin2_latitude": F("admin2__latitude"),
    "e_admin2_longitude": F("admin2__longitude"),
}


def aggregate_geojson_statement(aggregates: QuerySet) -> tuple[str, tuple]:
    """One Feature a line, placed at the district's representative point, else the governorate's."""
    fields = {**AGGREGATE_FIELDS, **AGGREGATE_POINT_FIELDS}
    inner, params = _compiled(aggregates, fields, AGGREGATE_ORDER)
    properties = sql_json.json_object((c.header, AGGREGATE_JSON_SQL[c.header]) for c in AGGREGATE_COLUMNS)
    district = "NULLIF(q.e_admin2, '') IS NOT NULL"
    lon = f"(CASE WHEN {district} THEN q.e_admin2_longitude ELSE q.e_admin1_longitude END)"
    lat = f"(CASE WHEN {district} THEN q.e_admin2_latitude ELSE q.e_admin1_latitude END)"
    point = f"(CASE WHEN {lon} IS NULL THEN {NULL_JSON} ELSE {_point(lon, lat)} END)"
    statement = f"COPY (SELECT {_feature_line(point, properties)} FROM ({inner}) q) TO STDOUT {JSON_LINES}"  # noqa: S608
    return statement, params


def aggregate_copy_statement(aggregates: QuerySet, *, hxl: bool) -> tuple[str, tuple, bytes]:
    columns, header = _headers(AGGREGATE_COLUMNS, hxl=hxl)
    inner, params = _compiled(aggregates, AGGREGATE_FIELDS, AGGREGATE_ORDER)
    select = ", ".join(AGGREGATE_SQL[c.header] for c in columns)
    return f"COPY (SELECT {select} FROM ({inner}) q) TO STDOUT (FORMAT csv)", params, header  # noqa: S608


def copy_chunks(statement: str, params: tuple, header: bytes) -> Iterator[bytes]:
    """The header, then COPY's output gathered into chunks of about 64 KiB as PostgreSQL sends it."""
    yield header
    # In a transaction of its own, so that the plan's settings stay in it: no sort of the whole result
    # before the first row (the planner would rather sort a million rows than walk the sync index,
    # which is cheaper in total but sends nothing for seconds), and no JIT compilation up front.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL jit = off")
        # psycopg's own cursor: Django's debug wrapper (DEBUG=1) takes no parameters for copy().
        yield from _copied(cursor.cursor, statement, params)


def _copied(cursor, statement: str, params: tuple) -> Iterator[bytes]:
    with cursor.copy(statement, params) as copy:
        buffer = bytearray()
        for data in copy:
            buffer += data
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
        if buffer:
            yield bytes(buffer)


def geojson_chunks(statement: str, params: tuple) -> Iterator[bytes]:
    """The FeatureCollection around COPY's one Feature a line, each after a comma but the first."""
    yield GEOJSON_HEAD
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL jit = off")
        first = True
        for chunk in _copied(cursor.cursor, statement, params):
            yield chunk[1:] if first else chunk  # the first feature's comma off
            first = False
    yield GEOJSON_TAIL


def geojson_response(*, name: str, statement: tuple[str, tuple]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(geojson_chunks(*statement), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="{name}.geojson"'
    response["Cache-Control"] = "no-store"
    return response


def copy_export_response(*, name: str, hxl: bool, statement: tuple[str, tuple, bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(copy_chunks(*statement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}{"-hxl" if hxl else ""}.csv"'
    response["Cache-Control"] = "no-store"
    return response
