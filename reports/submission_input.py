"""The types of a submitted report, parsed: UUIDs, date-times with offset, decimals, choices, lengths.

One parser for every way a report comes in as data — the API's `POST
/api/v1/reports/` (`incidents/api/serializers.py` re-exports these) and bulk
imports (`reports/imports/rows.py`) — so a row of a spreadsheet is held to
exactly what a request is. The rules of the domain are `reports.services`'.
"""

from __future__ import annotations

import re
from datetime import UTC
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.choices import (
    CasualtyGroup,
    CasualtyKind,
    CasualtyScope,
    GeoPrecision,
    InfoCredibility,
    Service,
    SourceReliability,
    SourceType,
    TimePrecision,
)

MAX_COUNT = 10_000_000  # far above any real toll, far below the database's integer limit
BCP47 = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


@extend_schema_field(OpenApiTypes.DATETIME)
class OffsetDateTimeField(serializers.Field):
    """An ISO 8601 date-time that must carry its offset: a monitor's clock zone is not guessed."""

    default_error_messages = {
        "invalid": _("Give an ISO 8601 date-time, e.g. 2025-03-07T09:30:00+03:00."),
        "naive": _("Give the offset too, e.g. 2025-03-07T09:30:00+03:00 or …Z."),
        "range": _("Give a date between 1900 and 2100."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        try:
            value = parse_datetime(data.strip())
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        if value.tzinfo is None:
            self.fail("naive")
        if not 1900 <= value.year <= 2100:
            self.fail("range")
        # In UTC: the database accepts offsets only up to ±15:59, Python up to ±23:59.
        return value.astimezone(UTC)

    def to_representation(self, value):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class UtcDateTimeField(serializers.DateTimeField):
    """Times read back in UTC, whoever asks: partners compare them across syncs."""

    def to_representation(self, value):
        if value is None:
            return None
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@extend_schema_field({"type": "number", "format": "double"})
class CoordinateField(serializers.Field):
    """A WGS84 latitude or longitude, kept to six decimals (about 0.1 m)."""

    default_error_messages = {
        "invalid": _("Give a number."),
        "range": _("Must be between %(low)s and %(high)s."),
    }

    def __init__(self, *, limit: int, **kwargs):
        self.limit = limit
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str) or len(str(data)) > 40:
            self.fail("invalid")
        try:
            value = Decimal(str(data))
        except InvalidOperation:
            self.fail("invalid")
        if not value.is_finite():
            self.fail("invalid")
        if not -self.limit <= value <= self.limit:
            self.fail("range", low=-self.limit, high=self.limit)
        return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)

    def to_representation(self, value):
        return None if value is None else float(value)


class CasualtyInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CasualtyKind.choices)
    group = serializers.ChoiceField(choices=CasualtyGroup.choices)
    low = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    high = serializers.IntegerField(min_value=0, max_value=MAX_COUNT)
    scope = serializers.ChoiceField(choices=CasualtyScope.choices, default=CasualtyScope.INCIDENT)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know: a misspelt field name is an error, not silently dropped."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class ReportInputSerializer(StrictSerializer):
    """A report as submitted (docs/contract.md, "Field names")."""

    id = serializers.UUIDField(help_text="Made by the client; the idempotency key.")
    category = serializers.SlugField(max_length=40, help_text="A category slug (/api/v1/categories/).")
    occurred_at = OffsetDateTimeField()
    occurred_until = OffsetDateTimeField(required=False, allow_null=True)
    time_precision = serializers.ChoiceField(choices=TimePrecision.choices, required=False)
    admin1 = serializers.CharField(max_length=12, help_text="Governorate p-code, e.g. SY06.")
    admin2 = serializers.CharField(max_length=12, required=False, allow_null=True, allow_blank=True)
    place_name = serializers.CharField(max_length=200, required=False, allow_null=True, allow_blank=True)
    latitude = CoordinateField(limit=90, required=False, allow_null=True)
    longitude = CoordinateField(limit=180, required=False, allow_null=True)
    geo_precision = serializers.ChoiceField(choices=GeoPrecision.choices, required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    narrative = serializers.CharField(max_length=20000, required=False, allow_blank=True, allow_null=True)
    language = serializers.RegexField(BCP47, max_length=35, required=False, allow_null=True, allow_blank=True)
    # With many=True DRF hands max_length to the ListSerializer; the stubs type only the child's arguments.
    casualties = CasualtyInputSerializer(many=True, required=False, max_length=60)  # type: ignore[call-arg]
    perpetrator = serializers.CharField(max_length=300, required=False, allow_null=True, allow_blank=True)
    source_type = serializers.ChoiceField(choices=SourceType.choices)
    source_reliability = serializers.ChoiceField(choices=SourceReliability.choices, required=False)
    info_credibility = serializers.ChoiceField(choices=InfoCredibility.choices, required=False)
    source_notes = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        allow_null=True,
        write_only=True,
        help_text="Confidential notes on the source: stored for reviewers, never returned by the API.",
    )
    service = serializers.ChoiceField(choices=Service.choices, required=False, allow_null=True, allow_blank=True)
    outage_restored_at = OffsetDateTimeField(required=False, allow_null=True)
