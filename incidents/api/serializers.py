"""Serializers of the partner API v1. The field names are the contract of docs/contract.md ("Field names").

Input serializers parse types only (UUIDs, date-times with offset, decimals,
choices); the rules of the domain are `reports.services`'. Output
serializers are separate and never carry `source_notes`, a monitor or a
source's identity.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from incidents.models import TOMBSTONE_STATUSES, DailyAggregate, Incident, IncidentStatus
from reports.choices import ReportStatus
from reports.models import Area, Attachment, Category, Report
from reports.review import NOTE_MAX_LENGTH
from reports.services import SUBMISSION_FIELDS
from reports.submission_input import (  # noqa: F401 — the API's input types live with the submission
    BCP47,
    MAX_COUNT,
    CasualtyInputSerializer,
    CoordinateField,
    OffsetDateTimeField,
    ReportInputSerializer,
    StrictSerializer,
    UtcDateTimeField,
)


class CasualtyReportSerializer(serializers.Serializer):
    kind = serializers.CharField()
    group = serializers.CharField()
    low = serializers.IntegerField()
    high = serializers.IntegerField()
    scope = serializers.CharField()


class NullIfBlankCharField(serializers.CharField):
    """Stored empty text reads back as null, as the contract says ("text or null")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None


# Stored for the monitor and reviewers, never returned by the API.
CONFIDENTIAL_FIELDS = frozenset({"source_notes"})


class ReportSerializer(serializers.ModelSerializer):
    """A report read back: as submitted, plus its review state, the reviewer's note and its incident."""

    category = serializers.CharField(source="category_id", read_only=True)
    occurred_at = UtcDateTimeField(read_only=True)
    occurred_until = UtcDateTimeField(read_only=True, allow_null=True)
    admin1 = serializers.CharField(source="admin1_id", read_only=True)
    admin2 = serializers.CharField(source="admin2_id", read_only=True, allow_null=True)
    place_name = NullIfBlankCharField()
    latitude = CoordinateField(limit=90, read_only=True, allow_null=True)
    longitude = CoordinateField(limit=180, read_only=True, allow_null=True)
    language = NullIfBlankCharField()
    perpetrator = NullIfBlankCharField()
    casualties = CasualtyReportSerializer(many=True, read_only=True)
    service = NullIfBlankCharField()
    outage_restored_at = UtcDateTimeField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    review_note = NullIfBlankCharField(help_text="The reviewer's latest question or reason; null if none.")
    incident = serializers.UUIDField(source="incident_id", read_only=True, allow_null=True)
    received_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Report
        # As submitted (the service's own list), never the confidential source notes; then the review's fields.
        fields = [
            "id",
            *(name for name in SUBMISSION_FIELDS if name not in CONFIDENTIAL_FIELDS),
            "status",
            "review_note",
            "incident",
            "received_at",
        ]
        read_only_fields = fields


class ReviewInputSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=["verify", "reject", "needs_info"])
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to reject (the reason) and for needs_info (the question the monitor sees).",
    )


class IncidentCasualtySerializer(serializers.Serializer):
    kind = serializers.CharField()
    group = serializers.CharField()
    low = serializers.IntegerField()
    best = serializers.IntegerField(help_text="A reviewer's override when there is one (the services keep it in best).")
    high = serializers.IntegerField()


class IncidentSerializer(serializers.ModelSerializer):
    """An incident (docs/contract.md, "Field names"): nothing in it names a monitor or a source."""

    status = serializers.ChoiceField(choices=IncidentStatus.choices, read_only=True)
    merged_into = serializers.UUIDField(source="merged_into_id", read_only=True, allow_null=True)
    category = serializers.CharField(source="category_id", read_only=True)
    occurred_from = UtcDateTimeField(read_only=True)
    occurred_to = UtcDateTimeField(read_only=True, allow_null=True)
    admin1 = serializers.CharField(source="admin1_id", read_only=True)
    admin1_name = serializers.CharField(source="admin1.name_en", read_only=True)
    admin2 = serializers.CharField(source="admin2_id", read_only=True, allow_null=True)
    admin2_name = serializers.SerializerMethodField()
    place_name = NullIfBlankCharField()
    latitude = CoordinateField(limit=90, read_only=True, allow_null=True)
    longitude = CoordinateField(limit=180, read_only=True, allow_null=True)
    casualties = IncidentCasualtySerializer(many=True, read_only=True)
    first_reported_at = UtcDateTimeField(read_only=True, allow_null=True)
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "status",
            "merged_into",
            "category",
            "occurred_from",
            "occurred_to",
            "time_precision",
            "admin1",
            "admin1_name",
            "admin2",
            "admin2_name",
            "place_name",
            "latitude",
            "longitude",
            "geo_precision",
            "title",
            "summary",
            "casualties",
            "report_count",
            "source_count",
            "sources_disagree",
            "first_reported_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_admin2_name(self, incident: Incident) -> str | None:
        admin2 = incident.admin2
        return admin2.name_en if admin2 is not None else None

    def to_representation(self, incident: Incident) -> dict:
        data = super().to_representation(incident)
        if incident.status in TOMBSTONE_STATUSES:
            return tombstone(data)
        return data


# A merged or withdrawn incident is served as a bare tombstone: enough for an
# incremental sync to drop or replace it, nothing of what it said. An incident
# is often withdrawn *because* of what it said (a witness named, a false place).
TOMBSTONE_KEEPS = frozenset({"id", "status", "merged_into", "merged_into_id", "updated_at"})


def tombstone(data: dict) -> dict:
    """The fields of a tombstone kept; every other value emptied (null, or [] for lists)."""
    return {
        name: value if name in TOMBSTONE_KEEPS else ([] if isinstance(value, list) else None)
        for name, value in data.items()
    }


class DailyAggregateSerializer(serializers.ModelSerializer):
    admin1 = serializers.CharField(source="admin1_id", read_only=True)
    admin2 = serializers.CharField(source="admin2_id", read_only=True, allow_null=True)
    category = serializers.CharField(source="category_id", read_only=True)
    verified = serializers.BooleanField(
        read_only=True, help_text="Partners get verified rows only; reviewers also the unverified ones."
    )

    class Meta:
        model = DailyAggregate
        fields = [
            "date",
            "admin1",
            "admin2",
            "category",
            "incidents",
            "killed_low",
            "killed_best",
            "killed_high",
            "injured_low",
            "injured_best",
            "injured_high",
            "verified",
        ]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    service = NullIfBlankCharField(help_text="For outages: electricity, water or telecom; null otherwise.")

    class Meta:
        model = Category
        fields = [
            "slug",
            "group",
            "name_en",
            "name_ar",
            "description_en",
            "description_ar",
            "acled_event_type",
            "acled_sub_event_type",
            "is_outage",
            "service",
            "is_active",
        ]
        read_only_fields = fields


class AreaSerializer(serializers.ModelSerializer):
    # A declared field, which the serializer's metaclass takes out of the class: the stubs see it replace
    # Field.parent (the serializer a field is bound to), which it does not.
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)  # type: ignore[assignment]
    latitude = CoordinateField(limit=90, read_only=True)
    longitude = CoordinateField(limit=180, read_only=True)

    class Meta:
        model = Area
        fields = ["pcode", "level", "parent", "name_en", "name_ar", "latitude", "longitude"]
        read_only_fields = fields


class AttachmentUploadSerializer(StrictSerializer):
    file = serializers.FileField(allow_empty_file=False, help_text="A photo (JPEG, PNG, WebP) or a PDF.")


class AttachmentSerializer(serializers.ModelSerializer):
    """What an upload answers: nothing of the original's metadata, its file name least of all."""

    url = serializers.SerializerMethodField(help_text="The copy without metadata.")

    class Meta:
        model = Attachment
        fields = ["id", "content_type", "size", "sha256", "url"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("api:attachment-detail", kwargs={"pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class MergeInputSerializer(StrictSerializer):
    into = serializers.UUIDField(help_text="The incident that absorbs this one; this one becomes a tombstone.")
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class SplitInputSerializer(StrictSerializer):
    report_ids = serializers.ListField(
        child=serializers.UUIDField(),
        allow_empty=False,
        max_length=500,
        help_text="The reports of this incident that describe another event; at least one must stay.",
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
