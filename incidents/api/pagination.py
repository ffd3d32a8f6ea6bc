"""Keyset ("cursor") pagination in a stable total order.

The cursor is the sort key of the last row served, e.g. `(updated_at, id)` for
incidents, and the next page is the rows strictly after it. Unlike offsets
or DRF's position+offset cursor, this neither skips nor repeats a row when
rows are inserted, updated or deleted during a sync: a row changed meanwhile
gets a later `updated_at` and is served again, in its new version, at the end.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Field, Model, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

_M = TypeVar("_M", bound=Model)
_R = TypeVar("_R")


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = 100
    max_page_size = 1000

    def paginate_queryset(
        self, queryset: QuerySet[_M, _R] | Sequence[_R], request: Request, view: Any = None
    ) -> list[_R]:
        """`view` is a list view with a `keyset_ordering`."""
        assert isinstance(queryset, QuerySet)  # noqa: S101 — the API's list views paginate querysets
        rows = list(self.page_queryset(queryset, request, view)[: self.page_size_value + 1])
        self.has_next = len(rows) > self.page_size_value
        rows = rows[: self.page_size_value]
        self.last_key = [self._key_value(rows[-1], name) for name in self.ordering] if rows else None
        return rows

    def paginate_rendered(
        self, queryset: QuerySet, request: Request, view: Any, render: Callable[..., list[tuple[dict, str]]]
    ) -> list[str]:
        """The page's rows already rendered: `render(queryset, ordering=, limit=)` gives (keyset values, text)."""
        ordered = self.page_queryset(queryset, request, view)
        page = render(ordered, ordering=self.ordering, limit=self.page_size_value + 1)
        self.has_next = len(page) > self.page_size_value
        page = page[: self.page_size_value]
        self.last_key = [self._json_key(page[-1][0][name]) for name in self.ordering] if page else None
        return [text for _, text in page]

    def page_queryset(self, queryset: QuerySet, request: Request, view: Any) -> QuerySet:
        """The queryset in keyset order, after the cursor: the page is its first rows."""
        self.request = request
        self.ordering: tuple[str, ...] = view.keyset_ordering
        self.page_size_value = self.get_page_size(request)
        model = queryset.model
        self.fields: list[Field[Any, Any]] = []
        for name in self.ordering:
            field = model._meta.get_field(name)
            assert isinstance(field, Field)  # noqa: S101 — keyset columns are concrete fields
            self.fields.append(field)
        queryset = queryset.order_by(*self.ordering)
        cursor = self.decode_cursor(request)
        if cursor is not None:
            queryset = queryset.filter(self._after(cursor))
        return queryset

    def _key_value(self, row, name: str):
        return self._json_key(getattr(row, self.fields[self.ordering.index(name)].attname))

    @staticmethod
    def _json_key(value):
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, uuid.UUID | Decimal):
            return str(value)
        return value

    def _after(self, cursor: list) -> Q:
        """Rows whose key is strictly greater than the cursor's, compared column by column."""
        # `first >= x` as well lets the database range-scan the index on the leading column.
        return Q(**{f"{self.ordering[0]}__gte": cursor[0]}) & self._chain(cursor)

    def _chain(self, cursor: list) -> Q:
        condition = Q(**{f"{self.ordering[-1]}__gt": cursor[-1]})
        for position in reversed(range(len(self.ordering) - 1)):
            name = self.ordering[position]
            condition = Q(**{f"{name}__gt": cursor[position]}) | (Q(**{name: cursor[position]}) & condition)
        return condition

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Give a whole number from 1 to %(n)d.") % {"n": self.max_page_size}]}
            )
        return int(raw)

    def decode_cursor(self, request) -> list | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            values = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"==").decode("utf-8"))
            if not isinstance(values, list) or len(values) != len(self.ordering):
                raise ValueError
            return [self._parse(field, value) for field, value in zip(self.fields, values, strict=True)]
        except (ValueError, TypeError, UnicodeError, binascii.Error):
            raise exceptions.ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from None

    @staticmethod
    def _parse(field: Field[Any, Any], value: Any) -> date | uuid.UUID | int | str:
        internal = field.get_internal_type()
        parsed: date | uuid.UUID | int | str | None
        if value is None:
            raise ValueError
        if internal == "DateTimeField":
            parsed = parse_datetime(value)
        elif internal == "DateField":
            parsed = parse_date(value)
        elif internal == "UUIDField":
            parsed = uuid.UUID(value)
        elif internal in ("BigAutoField", "AutoField", "IntegerField", "PositiveSmallIntegerField"):
            parsed = int(value)
        else:
            parsed = str(value)
        if parsed is None:
            raise ValueError
        return parsed

    def encode_cursor(self, key: list) -> str:
        return base64.urlsafe_b64encode(json.dumps(key).encode()).decode("ascii").rstrip("=")

    def get_next_link(self) -> str | None:
        if not self.has_next or self.last_key is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.encode_cursor(self.last_key))

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page; null at the end. Follow it until null.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
