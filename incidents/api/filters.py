"""FilterSets of the API. They narrow the caller's scoped queryset, never widen it.

An invalid value is a 400 naming the parameter. `*_after` and `*_before` are
inclusive. Times are ISO 8601; a date alone means its first (for `_after`)
or last (for `_before`) instant in Asia/Damascus, the day the register counts by.
"""

from __future__ import annotations

import re
import time as time_module
from datetime import UTC, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from incidents.models import DailyAggregate, Incident, IncidentStatus
from reports.choices import ReportStatus
from reports.days import counting_zone
from reports.models import Area, Category, Report

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACED_OFFSET = re.compile(r"^(.*\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


class InstantField(forms.Field):
    """An ISO 8601 date-time (with offset, or read in the register's zone, `reports/days.py`) or a date."""

    default_error_messages = {"invalid": _("Give an ISO 8601 date-time or date, e.g. 2025-03-07T09:30:00+03:00.")}

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        # A "+" of an offset left unescaped in a query string arrives as a space.
        value = _SPACED_OFFSET.sub(r"\1+\2", value.strip())
        try:
            # A date alone first: parse_datetime would read it as midnight.
            day = parse_date(value) if _DATE_ONLY.match(value) else None
            moment = None if day is not None else parse_datetime(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if moment is None and day is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            if moment is not None:
                moment = moment if moment.tzinfo else moment.replace(tzinfo=counting_zone())
            else:
                assert day is not None  # noqa: S101 — one of the two parsed
                if self.end_of_day:
                    moment = datetime.combine(day + timedelta(days=1), time.min, tzinfo=counting_zone()) - timedelta(
                        microseconds=1
                    )
                else:
                    moment = datetime.combine(day, time.min, tzinfo=counting_zone())
            # In UTC: the database accepts offsets only up to ±15:59, Python up to ±23:59.
            return moment.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantFilter(django_filters.Filter):
    field_class = InstantField


class BoundingBoxField(forms.Field):
    default_error_messages = {
        "invalid": _("Give min_lon,min_lat,max_lon,max_lat as four numbers, e.g. 35.7,35.0,36.3,35.8."),
        "range": _("Longitudes run from -180 to 180, latitudes from -90 to 90, each minimum below its maximum."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parts = value.split(",")
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(numbers) != 4 or not all(abs(n) != float("inf") and n == n for n in numbers):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise forms.ValidationError(self.error_messages["range"], code="range")
        return numbers


@extend_schema_field({"type": "string", "pattern": r"^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"})
class BoundingBoxFilter(django_filters.Filter):
    field_class = BoundingBoxField

    def filter(self, qs: QuerySet, value):
        if not value:
            return qs
        min_lon, min_lat, max_lon, max_lat = value
        return qs.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon)


# Categories and areas a filter names, known to exist: kept per process so that a filter costs no query.
# Only keys found are kept (a new category is looked up, never refused); a key deleted since is at worst
# accepted for `KNOWN_KEYS_SECONDS` and matches nothing.
KNOWN_KEYS_SECONDS = 60.0
_known_keys: dict[tuple, tuple[float, frozenset[str]]] = {}


def _unknown(queryset: QuerySet, field: str, keys: list[str]) -> str | None:
    """The first key naming no row of the queryset (by `field`); the database is read only for a key not known."""
    cache_key = (queryset.model._meta.label, field, repr(queryset.query.where))
    now = time_module.monotonic()
    kept = _known_keys.get(cache_key)
    if kept is not None and now - kept[0] < KNOWN_KEYS_SECONDS and all(key in kept[1] for key in keys):
        return None
    found = frozenset(str(key) for key in queryset.values_list(field, flat=True))
    _known_keys[cache_key] = (now, found)
    return next((key for key in keys if key not in found), None)


def known_keys_forget() -> None:
    """Empty this process's copy of the keys filters have found (between tests)."""
    _known_keys.clear()


class KnownModelChoiceField(django_filters.fields.ModelChoiceField):
    """A model's key (its `to_field_name`, else its primary key) checked against the known keys."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = str(value)
        if _unknown(self.queryset, self.to_field_name or "pk", [key]) is not None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return key


class KnownModelMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    def clean(self, value):
        if not value:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if not isinstance(value, list | tuple):
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        keys = [str(key) for key in value]
        unknown = _unknown(self.queryset, self.to_field_name or "pk", keys)
        if unknown is not None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": unknown}
            )
        return keys


class KnownModelChoiceFilter(django_filters.ModelChoiceFilter):
    """`ModelChoiceFilter` whose value is the key itself, checked without a query (the row's own foreign key)."""

    field_class = KnownModelChoiceField


class KnownModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = KnownModelMultipleChoiceField


def _governorates(request=None):
    return Area.objects.filter(level=Area.Level.ADMIN1)


def _districts(request=None):
    return Area.objects.filter(level=Area.Level.ADMIN2)


class ApiFilterSet(django_filters.FilterSet):
    """A parameter given empty (`?category=`) is a parameter not given."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name in list(data.keys()):
                if all(value == "" for value in data.getlist(name)):
                    del data[name]
        super().__init__(data, *args, **kwargs)


class ReportFilterSet(ApiFilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Review state"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", label=_("Category slug")
    )
    admin1 = django_filters.ModelChoiceFilter(queryset=_governorates, label=_("Governorate p-code"))
    incident = django_filters.UUIDFilter(field_name="incident_id", label=_("Incident id"))
    submitted_after = InstantFilter(field_name="received_at", lookup_expr="gte", label=_("Received at or after"))

    class Meta:
        model = Report
        fields = ["status", "category", "admin1", "incident", "submitted_after"]


class IncidentFilterSet(ApiFilterSet):
    category = KnownModelMultipleChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        distinct=False,  # a foreign key of the row itself: no duplicates, and DISTINCT would sort every match
        label=_("Category slug; repeat the parameter for several"),
    )
    admin1 = KnownModelChoiceFilter(queryset=_governorates, label=_("Governorate p-code"))
    admin2 = KnownModelChoiceFilter(queryset=_districts, label=_("District p-code"))
    occurred_after = InstantFilter(field_name="occurred_from", lookup_expr="gte", label=_("Started at or after"))
    occurred_before = InstantFilter(
        field_name="occurred_from",
        lookup_expr="lte",
        label=_("Started at or before"),
        end_of_day=True,
    )
    updated_after = InstantFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Changed at or after (incremental sync)")
    )
    bbox = BoundingBoxFilter(label=_("Within min_lon,min_lat,max_lon,max_lat (incidents with coordinates)"))
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices, label=_("State"))

    class Meta:
        model = Incident
        fields = [
            "category",
            "admin1",
            "admin2",
            "occurred_after",
            "occurred_before",
            "updated_after",
            "bbox",
            "status",
        ]


class DailyAggregateFilterSet(ApiFilterSet):
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("On or after (date)"))
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("On or before (date)"))
    admin1 = django_filters.ModelChoiceFilter(queryset=_governorates, label=_("Governorate p-code"))
    admin2 = django_filters.ModelChoiceFilter(queryset=_districts, label=_("District p-code"))
    category = django_filters.ModelMultipleChoiceFilter(
        queryset=Category.objects.all(),
        to_field_name="slug",
        distinct=False,  # a foreign key of the row itself: no duplicates, and DISTINCT would sort every match
        label=_("Category slug; repeat the parameter for several"),
    )

    class Meta:
        model = DailyAggregate
        fields = ["date_after", "date_before", "admin1", "admin2", "category"]
