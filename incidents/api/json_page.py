"""A page of the incident list as JSON written by PostgreSQL: one query, no serializer.

The JSON list (`GET /api/v1/incidents/`, JSON asked for, on PostgreSQL) is the hot read of partners'
syncs. Each incident of the page is written as JSON text in the page's own query (`sql_json.py`), its
figures gathered by a LATERAL `string_agg` over the casualty rows' index, so the page is one round
trip and Python only puts the rendered incidents side by side. The values are those of
`IncidentSerializer` (UTC times with `Z`, microseconds only when there are some; coordinates as
double precision; an empty place as null; tombstones emptied), which the browsable API and the
SQLite demo still use; a test compares the two on every kind of incident.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.db.models import Field, QuerySet

from incidents.api import sql_json
from incidents.api.copy_export import _utc
from incidents.models import Incident

# The serializer's fields (docs/contract.md, "Field names"), in its order, as SQL giving their JSON text
# over `i` (the page's incidents), `a1` and `a2` (their areas) and `cs` (their casualty rows as a JSON
# array, ordered by kind and group as the serializer's prefetch is).
INCIDENT_JSON = {
    "id": sql_json.plain("i.id"),
    "status": sql_json.string("i.status"),
    "merged_into": sql_json.plain("i.merged_into_id"),
    "category": sql_json.string("i.category_id"),
    "occurred_from": sql_json.plain(_utc("i.occurred_from")),
    "occurred_to": sql_json.plain(_utc("i.occurred_to")),
    "time_precision": sql_json.number("i.time_precision"),
    "admin1": sql_json.string("i.admin1_id"),
    "admin1_name": sql_json.string("a1.name_en"),
    "admin2": sql_json.string("i.admin2_id"),
    "admin2_name": sql_json.string("(CASE WHEN i.admin2_id IS NOT NULL THEN a2.name_en END)"),
    "place_name": sql_json.string("NULLIF(i.place_name, '')"),
    "latitude": sql_json.number("i.latitude::float8"),
    "longitude": sql_json.number("i.longitude::float8"),
    "geo_precision": sql_json.number("i.geo_precision"),
    "title": sql_json.string("i.title"),
    "summary": sql_json.string("i.summary"),
    "casualties": "coalesce(cs.casualties, '[]')",
    "report_count": sql_json.number("i.report_count"),
    "source_count": sql_json.number("i.source_count"),
    "sources_disagree": sql_json.boolean("i.sources_disagree"),
    "first_reported_at": sql_json.plain(_utc("i.first_reported_at")),
    "updated_at": sql_json.plain(_utc("i.updated_at")),
}
TOMBSTONE_KEEPS = {"id", "status", "merged_into", "updated_at"}
CASUALTY_JSON = sql_json.json_object(
    [
        ("kind", sql_json.string("c.kind")),
        ("group", sql_json.string('c."group"')),
        ("low", sql_json.number("c.low")),
        ("best", sql_json.number("c.best")),
        ("high", sql_json.number("c.high")),
    ]
)
# Only constants of this module.
CASUALTIES_SQL = (
    "LEFT JOIN LATERAL (SELECT '[' || string_agg("  # noqa: S608
    + CASUALTY_JSON
    + """, ',' ORDER BY c.kind, c."group") || ']' AS casualties"""
    + " FROM incidents_incidentcasualty c WHERE c.incident_id = i.id) cs ON true"
)
# A tombstone: its id, status, merged_into and updated_at; every other value null, its casualties [].
SELECT_JSON = (
    "(CASE WHEN i.status IN ('merged', 'withdrawn') THEN "
    + sql_json.json_object(
        (name, sql if name in TOMBSTONE_KEEPS else ("'[]'" if name == "casualties" else "'null'"))
        for name, sql in INCIDENT_JSON.items()
    )
    + f" ELSE {sql_json.json_object(INCIDENT_JSON.items())} END)"
)


def _column(name: str) -> str:
    field = Incident._meta.get_field(name)
    assert isinstance(field, Field) and field.column  # noqa: S101 — keyset columns are concrete fields
    return field.column


def incident_json_rows(
    incidents: QuerySet, *, ordering: tuple[str, ...], limit: int
) -> list[tuple[dict[str, Any], str]]:
    """The first `limit` incidents of an ordered queryset as (their keyset values, their JSON text).

    Django compiles only the ids of the page (the caller's scope and filters, the keyset order and
    the limit); the incidents' columns, their areas' names and their figures are joined to those ids.
    """
    ids = incidents.select_related(None).prefetch_related(None).values("id")[:limit]
    inner, params = ids.query.sql_with_params()
    order = ", ".join(f"i.{_column(name)}" for name in ordering)
    # Only constant SQL of this module around Django's compiled query; every value is a bound parameter.
    sql = (
        f"SELECT {order}, {SELECT_JSON} FROM ({inner}) page "  # noqa: S608
        "JOIN incidents_incident i ON i.id = page.id JOIN reports_area a1 ON a1.pcode = i.admin1_id "
        f"LEFT JOIN reports_area a2 ON a2.pcode = i.admin2_id {CASUALTIES_SQL} ORDER BY {order}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(dict(zip(ordering, row[:-1], strict=True)), row[-1]) for row in cursor.fetchall()]


def page_json(*, next_link: str | None, rendered: list[str]) -> bytes:
    """The page as the JSON renderer writes a paginated answer: `{"next": …, "results": […]}`."""
    return f'{{"next":{json.dumps(next_link)},"results":[{",".join(rendered)}]}}'.encode()
