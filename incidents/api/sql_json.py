"""JSON text written by PostgreSQL, as compact as `json.dumps(..., separators=(",", ":"))`.

An object is one concatenation of its keys (constants of this module) and its values, each of which
is SQL giving JSON text and never NULL: `string` escapes through `to_json`, `plain` quotes text that
needs no escaping (UUIDs, p-codes of the caller's own formatting such as `to_char` dates), `number`
and `boolean` print as JSON does, and NULL is `null` everywhere. This is cheaper per row than
`json_build_object`, which looks up the output function of each of its arguments on every call: the
GeoJSON export builds a million of these objects (incidents/api/copy_export.py), the JSON list 100 a
page (incidents/api/json_page.py).
"""

from __future__ import annotations

from collections.abc import Iterable


def string(sql: str) -> str:
    """Any text, escaped as JSON: `to_json` writes quotes, backslashes and control characters as JSON does."""
    return f"coalesce(to_json({sql})::text, 'null')"


def plain(sql: str) -> str:
    """Text known to hold nothing JSON escapes (a UUID, a date formatted here), in quotes."""
    return f"""coalesce('"' || ({sql})::text || '"', 'null')"""


def number(sql: str) -> str:
    """An integer or a double precision (its shortest exact form, as JSON and Python's `repr` print it)."""
    return f"coalesce(({sql})::text, 'null')"


def boolean(sql: str) -> str:
    return f"(CASE WHEN {sql} THEN 'true' WHEN NOT {sql} THEN 'false' ELSE 'null' END)"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def json_object(members: Iterable[tuple[str, str]]) -> str:
    """`{"key":value,…}` as one SQL text expression; keys are this module's callers' constants."""
    pieces = []
    for position, (key, value) in enumerate(members):
        pieces.append(literal(("{" if position == 0 else ",") + f'"{key}":'))
        pieces.append(value)
    if not pieces:
        return literal("{}")
    pieces.append(literal("}"))
    return "(" + " || ".join(pieces) + ")"
