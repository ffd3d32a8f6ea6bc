"""The types of a submitted report, parsed: UUIDs, date-times with offset, decimals, choices, lengths.

One parser for every way a report comes in as data — the API's `POST
/api/v1/reports/` (`ReportInputSerializer`, whose `to_internal_value` is
`parse_submission`; `incidents/api/serializers.py` re-exports these) and bulk
imports (`reports/imports/rows.py` calls `parse_submission` for each row) — so
a row of a spreadsheet is held to exactly what a request is. The rules of the
domain are `reports.services`'.
"""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, NoReturn

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

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


# --- The parser itself: plain functions, for the API's serializer and for bulk imports --------------------
#
# `parse_submission` is what `ReportInputSerializer` validates (its `to_internal_value` delegates here): each
# field's checks in the order DRF's fields of the same declaration run them, with DRF's messages (the same
# message ids, so the same translations) and error codes, and errors nested as DRF nests them
# (`{"casualties": {0: {"low": [...]}}}`). Written as plain Python because a bulk import parses every row of
# a file with it: DRF's field machinery costs several times the checks themselves. The fields declared on
# the serializer remain its schema (OpenAPI); tests/reports/test_submission_input.py holds the two to the
# same answers.

MISSING: Any = serializers.empty  # a field left out of the body
_SKIP = object()  # left out, without a default: not in the parsed submission

REQUIRED = _("This field is required.")
NULL = _("This field may not be null.")
BLANK = _("This field may not be blank.")
NOT_A_STRING = _("Not a valid string.")
TOO_LONG = _("Ensure this field has no more than {max_length} characters.")
NULL_CHARACTERS = _("Null characters are not allowed.")
SURROGATES = _("Surrogate characters are not allowed: U+{code_point:X}.")
NOT_A_SLUG = _('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.')
NO_MATCH = _("This value does not match the required pattern.")
NOT_A_UUID = _("Must be a valid UUID.")
NOT_AN_INTEGER = _("A valid integer is required.")
TOO_LARGE = _("Ensure this value is less than or equal to {max_value}.")
TOO_SMALL = _("Ensure this value is greater than or equal to {min_value}.")
STRING_TOO_LARGE = _("String value too large.")
NOT_A_CHOICE = _('"{input}" is not a valid choice.')
NOT_A_DICT = _("Invalid data. Expected a dictionary, but got {datatype}.")
NOT_A_LIST = _('Expected a list of items but got type "{input_type}".')
TOO_MANY = _("Ensure this field has no more than {max_length} elements.")
UNKNOWN_FIELD = _("Unknown field.")
DATETIME_INVALID = _("Give an ISO 8601 date-time, e.g. 2025-03-07T09:30:00+03:00.")
DATETIME_NAIVE = _("Give the offset too, e.g. 2025-03-07T09:30:00+03:00 or …Z.")
DATETIME_RANGE = _("Give a date between 1900 and 2100.")
NOT_A_NUMBER = _("Give a number.")
# Sic: DRF's `fail` formats with str.format, so the %-placeholders are shown as written (as they always were).
COORDINATE_RANGE = _("Must be between {low} and {high}.")  # DRF fills messages with str.format

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
SURROGATE = re.compile("[\ud800-\udfff]")
DECIMAL_ZEROS = re.compile(r"\.0*\s*$")  # DRF's IntegerField: '1.0' is 1, '1.2' is not an integer
MAX_INTEGER_STRING = 1000
SIX_PLACES = Decimal("0.000001")


class Invalid(Exception):
    """One field's errors: a list of `ErrorDetail`, or a dict of them for a nested value."""

    def __init__(self, detail: list | dict) -> None:
        super().__init__(detail)
        self.detail = detail


def _fail(message: Any, code: str, **params: Any) -> NoReturn:
    text = str(message)
    raise Invalid([ErrorDetail(text.format(**params) if params else text, code=code)])


class Spec(ABC):
    """One field: left out (`required`, `default`), null (`allow_null`), then `convert` (the type's own checks)."""

    __slots__ = ("allow_null", "default", "optional", "required")

    def __init__(self, *, required: bool = True, allow_null: bool = False, default: Any = MISSING) -> None:
        self.required = required and default is MISSING
        self.allow_null = allow_null
        self.default = default
        # Left out, it is simply not in the submission (`parse` would give `_SKIP`): most fields of most rows.
        self.optional = not self.required and default is MISSING

    def parse(self, value: Any) -> Any:
        if value is MISSING:
            if self.required:
                _fail(REQUIRED, "required")
            return _SKIP if self.default is MISSING else self.default
        if value is None:
            if not self.allow_null:
                _fail(NULL, "null")
            return None
        return self.convert(value)

    @abstractmethod
    def convert(self, value: Any) -> Any:
        """The value (neither left out nor null) as the field's type, or `Invalid`: each kind of field's own."""


class Text(Spec):
    """DRF's CharField (and its RegexField, SlugField): trimmed, blank only if allowed, then its validators."""

    __slots__ = ("allow_blank", "max_length", "pattern", "pattern_message")

    def __init__(
        self,
        max_length: int,
        *,
        allow_blank: bool = False,
        pattern: re.Pattern[str] | None = None,
        pattern_message: Any = NO_MATCH,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.allow_blank = allow_blank
        self.pattern = pattern
        self.pattern_message = pattern_message

    def parse(self, value: Any) -> Any:
        # Blank before null, as CharField.run_validation tests it.
        if value is not MISSING and (value.strip() == "" if type(value) is str else str(value).strip() == ""):
            if not self.allow_blank:
                _fail(BLANK, "blank")
            return ""
        return super().parse(value)

    def convert(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            _fail(NOT_A_STRING, "invalid")
        text = str(value).strip()
        errors: list[ErrorDetail] = []
        if len(text) > self.max_length:
            errors.append(ErrorDetail(str(TOO_LONG).format(max_length=self.max_length), code="max_length"))
        if "\x00" in text:
            errors.append(ErrorDetail(str(NULL_CHARACTERS), code="null_characters_not_allowed"))
        if not text.isascii() and (surrogate := SURROGATE.search(text)) is not None:
            message = str(SURROGATES).format(code_point=ord(surrogate.group()))
            errors.append(ErrorDetail(message, code="surrogate_characters_not_allowed"))
        if self.pattern is not None and not self.pattern.search(text):
            errors.append(ErrorDetail(str(self.pattern_message), code="invalid"))
        if errors:
            raise Invalid(errors)
        return text


class Choice(Spec):
    """DRF's ChoiceField: the value's text must be one of the choices' (so "2" is the integer choice 2)."""

    __slots__ = ("allow_blank", "values")

    def __init__(self, choices: Iterable[tuple[Any, Any]], *, allow_blank: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.values = {str(value): value for value, _label in choices}
        self.allow_blank = allow_blank

    def convert(self, value: Any) -> Any:
        if value == "" and self.allow_blank:
            return ""
        try:
            return self.values[str(value)]
        except KeyError:
            _fail(NOT_A_CHOICE, "invalid_choice", input=value)


class Integer(Spec):
    """DRF's IntegerField with its bounds."""

    __slots__ = ("max_value", "min_value")

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.min_value = min_value
        self.max_value = max_value

    def convert(self, value: Any) -> int:
        if type(value) is int:
            number = value
        else:
            if isinstance(value, str) and len(value) > MAX_INTEGER_STRING:
                _fail(STRING_TOO_LARGE, "max_string_length")
            try:
                number = int(DECIMAL_ZEROS.sub("", str(value)))
            except (ValueError, TypeError):
                _fail(NOT_AN_INTEGER, "invalid")
        errors: list[ErrorDetail] = []
        if number > self.max_value:
            errors.append(ErrorDetail(str(TOO_LARGE).format(max_value=self.max_value), code="max_value"))
        if number < self.min_value:
            errors.append(ErrorDetail(str(TOO_SMALL).format(min_value=self.min_value), code="min_value"))
        if errors:
            raise Invalid(errors)
        return number


class Uuid(Spec):
    """DRF's UUIDField: a UUID in any of Python's spellings, or its integer."""

    __slots__ = ()

    def convert(self, value: Any) -> uuid.UUID:
        if isinstance(value, uuid.UUID):
            return value
        try:
            if isinstance(value, int):
                return uuid.UUID(int=value)
            if isinstance(value, str):
                return uuid.UUID(hex=value)
        except ValueError:
            pass
        _fail(NOT_A_UUID, "invalid")


class OffsetDateTime(Spec):
    """An ISO 8601 date-time that must carry its offset: a monitor's clock zone is not guessed. In UTC."""

    __slots__ = ()

    def convert(self, value: Any) -> datetime:
        if not isinstance(value, str) or len(value) > 40:
            _fail(DATETIME_INVALID, "invalid")
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            _fail(DATETIME_INVALID, "invalid")
        if parsed.tzinfo is None:
            _fail(DATETIME_NAIVE, "naive")
        if not 1900 <= parsed.year <= 2100:
            _fail(DATETIME_RANGE, "range")
        # In UTC: the database accepts offsets only up to ±15:59, Python up to ±23:59.
        return parsed.astimezone(UTC)


class Coordinate(Spec):
    """A WGS84 latitude or longitude, kept to six decimals (about 0.1 m)."""

    __slots__ = ("limit",)

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit

    def convert(self, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str) or len(str(value)) > 40:
            _fail(NOT_A_NUMBER, "invalid")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            _fail(NOT_A_NUMBER, "invalid")
        if not number.is_finite():
            _fail(NOT_A_NUMBER, "invalid")
        if not -self.limit <= number <= self.limit:
            _fail(COORDINATE_RANGE, "range", low=-self.limit, high=self.limit)
        return number.quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN)


def _parse_fields(specs: dict[str, Spec], data: Mapping) -> dict[str, Any]:
    """DRF's Serializer.to_internal_value over plain specs: every field's errors, or the values."""
    if not isinstance(data, Mapping):
        message = str(NOT_A_DICT).format(datatype=type(data).__name__)
        raise Invalid({api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(message, code="invalid")]})
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, spec in specs.items():
        value = data.get(name, MISSING)
        if value is MISSING and spec.optional:
            continue  # what `parse` answers, without the call
        try:
            value = spec.parse(value)
        except Invalid as invalid:
            errors[name] = invalid.detail
        else:
            if value is not _SKIP:
                values[name] = value
    if errors:
        raise Invalid(errors)
    return values


CASUALTY_SPECS: dict[str, Spec] = {
    "kind": Choice(CasualtyKind.choices),
    "group": Choice(CasualtyGroup.choices),
    "low": Integer(min_value=0, max_value=MAX_COUNT),
    "high": Integer(min_value=0, max_value=MAX_COUNT),
    "scope": Choice(CasualtyScope.choices, default=CasualtyScope.INCIDENT),
}
MAX_CASUALTY_ROWS = 60


class Casualties(Spec):
    """A list of casualty rows (DRF's ListSerializer of CasualtyInputSerializer): errors by position."""

    __slots__ = ()

    def convert(self, value: Any) -> list[dict[str, Any]]:
        detail = api_settings.NON_FIELD_ERRORS_KEY
        if not isinstance(value, list):
            message = str(NOT_A_LIST).format(input_type=type(value).__name__)
            raise Invalid({detail: [ErrorDetail(message, code="not_a_list")]})
        if len(value) > MAX_CASUALTY_ROWS:
            message = str(TOO_MANY).format(max_length=MAX_CASUALTY_ROWS)
            raise Invalid({detail: [ErrorDetail(message, code="max_length")]})
        rows: list[dict[str, Any]] = []
        errors: dict[int, Any] = {}
        for index, item in enumerate(value):
            try:
                if item is None:
                    _fail(NULL, "null")
                rows.append(_parse_fields(CASUALTY_SPECS, item))
            except Invalid as invalid:
                errors[index] = invalid.detail
        if errors:
            raise Invalid(errors)
        return rows


SUBMISSION_SPECS: dict[str, Spec] = {
    "id": Uuid(),
    "category": Text(40, pattern=SLUG, pattern_message=NOT_A_SLUG),
    "occurred_at": OffsetDateTime(),
    "occurred_until": OffsetDateTime(required=False, allow_null=True),
    "time_precision": Choice(TimePrecision.choices, required=False),
    "admin1": Text(12),
    "admin2": Text(12, required=False, allow_null=True, allow_blank=True),
    "place_name": Text(200, required=False, allow_null=True, allow_blank=True),
    "latitude": Coordinate(limit=90, required=False, allow_null=True),
    "longitude": Coordinate(limit=180, required=False, allow_null=True),
    "geo_precision": Choice(GeoPrecision.choices, required=False, allow_null=True),
    "title": Text(200),
    "narrative": Text(20000, required=False, allow_blank=True, allow_null=True),
    "language": Text(35, pattern=BCP47, required=False, allow_null=True, allow_blank=True),
    "casualties": Casualties(required=False),
    "perpetrator": Text(300, required=False, allow_null=True, allow_blank=True),
    "source_type": Choice(SourceType.choices),
    "source_reliability": Choice(SourceReliability.choices, required=False),
    "info_credibility": Choice(InfoCredibility.choices, required=False),
    "source_notes": Text(5000, required=False, allow_blank=True, allow_null=True),
    "service": Choice(Service.choices, required=False, allow_null=True, allow_blank=True),
    "outage_restored_at": OffsetDateTime(required=False, allow_null=True),
}


def parse_submission(data: Any) -> dict[str, Any]:
    """A report body as `POST /api/v1/reports/` takes it, parsed: `{"id": UUID, "category": …}` of the fields given.

    Raises DRF's `ValidationError` with the errors by field, nested as the
    serializer nests them; an unknown field is refused before anything else.
    """
    try:
        if isinstance(data, dict):
            unknown = sorted(set(data) - SUBMISSION_SPECS.keys())
            if unknown:
                raise Invalid({name: [ErrorDetail(str(UNKNOWN_FIELD), code="invalid")] for name in unknown})
        return _parse_fields(SUBMISSION_SPECS, data)
    except Invalid as invalid:
        raise serializers.ValidationError(invalid.detail) from None


# --- The serializer fields: the API's schema, their parsing delegated to the specs above --------------------


@extend_schema_field(OpenApiTypes.DATETIME)
class OffsetDateTimeField(serializers.Field):
    """An ISO 8601 date-time that must carry its offset (`OffsetDateTime`)."""

    def to_internal_value(self, data):
        try:
            return OffsetDateTime().convert(data)
        except Invalid as invalid:
            raise serializers.ValidationError(invalid.detail) from None

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
    """A WGS84 latitude or longitude, kept to six decimals (`Coordinate`)."""

    def __init__(self, *, limit: int, **kwargs):
        self.limit = limit
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return Coordinate(limit=self.limit).convert(data)
        except Invalid as invalid:
            raise serializers.ValidationError(invalid.detail) from None

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
    """A report as submitted (docs/contract.md, "Field names").

    Parsed by `parse_submission` (`SUBMISSION_SPECS`), the one parser the bulk
    import uses too; the fields below are its schema for OpenAPI and are held
    to the same answers by tests/reports/test_submission_input.py.
    """

    def to_internal_value(self, data):
        return parse_submission(data)

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
    casualties = CasualtyInputSerializer(many=True, required=False, max_length=MAX_CASUALTY_ROWS)  # type: ignore[call-arg]
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
