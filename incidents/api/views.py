"""Viewsets of the partner API v1: declarative, thin; writes go through the services.

Each viewset names, per action, the roles it is open to and the scope a key
needs (`incidents.api.permissions`), its scoped queryset (applied before any
filter), its FilterSet and its keyset order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from django.db import connection
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from incidents.api.auth import ApiKeyAuthentication
from incidents.api.copy_export import (
    aggregate_copy_statement,
    aggregate_geojson_statement,
    copy_export_response,
    geojson_response,
    incident_copy_statement,
    incident_geojson_statement,
)
from incidents.api.exports import (
    AGGREGATE_COLUMNS,
    EXPORT_FORMATS,
    INCIDENT_COLUMNS,
    Column,
    aggregate_export_rows,
    aggregate_point,
    export_response,
    incident_export_rows,
    incident_point,
)
from incidents.api.filters import DailyAggregateFilterSet, IncidentFilterSet, ReportFilterSet
from incidents.api.json_page import incident_json_rows, page_json
from incidents.api.negotiation import UrlFormatFirstNegotiation
from incidents.api.pagination import KeysetPagination
from incidents.api.parsers import BoundedJSONParser
from incidents.api.permissions import ALL_VIEWERS, ANY_SCOPE, RoleAndScope, Viewer, viewer_of
from incidents.api.renderers import EXPORT_RENDERERS
from incidents.api.selectors import aggregates_visible, incidents_visible, reports_visible
from incidents.api.serializers import (
    AreaSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CategorySerializer,
    DailyAggregateSerializer,
    IncidentSerializer,
    MergeInputSerializer,
    ReportInputSerializer,
    ReportSerializer,
    ReviewInputSerializer,
    SplitInputSerializer,
)
from incidents.api.throttling import ApiKeyRateThrottle
from incidents.models import ApiKey, ApiKeyScope
from incidents.services import incident_merge, incident_split
from reports.attachments import (
    AttachmentTooLarge,
    attachment_inspect,
    attachment_visible,
    attachments_add_missing,
    max_bytes,
)
from reports.models import Area, AttachmentType, Category
from reports.review import report_review
from reports.services import report_submit

ERRORS = OpenApiResponse(
    description='`{"errors": {"<field or parameter>": ["<reason>"]}}`; errors not about one field are under `detail`.'
)
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "hxl", "geojson"],
    description="json (paginated) or a streamed export of every matching row: csv, hxl (CSV with the HXL "
    "hashtag row under the header), geojson (a FeatureCollection).",
)


class ApiViewSet(viewsets.GenericViewSet):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [RoleAndScope]
    throttle_classes = [ApiKeyRateThrottle]
    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    content_negotiation_class = UrlFormatFirstNegotiation
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]
    action_roles: dict[str, frozenset[Viewer]] = {}
    action_scopes: dict[str, str] = {}
    keyset_ordering: tuple[str, ...] = ("id",)
    lookup_value_regex = "[^/]+"  # anything reaches the view, so a malformed id is a JSON 404

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            # DRF answers an unknown ?format= with a 404; it is a bad parameter.
            raise exceptions.ValidationError({"format": [_("Not a format of this endpoint.")]}) from None

    @property
    def viewer(self) -> Viewer | None:
        return viewer_of(self.request)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON, even when the request asked for an export format.
        if response.status_code >= 400 and getattr(getattr(request, "accepted_renderer", None), "format", "") in (
            EXPORT_FORMATS
        ):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


@dataclass(frozen=True)
class ExportSpec:
    """What a list exports: its file name, and how its rows are written by PostgreSQL or, elsewhere, by Python."""

    name: str
    copy_statement: Callable[..., tuple[str, tuple, bytes]]  # CSV / HXL: `COPY (SELECT …) TO STDOUT`
    geojson_statement: Callable[[QuerySet], tuple[str, tuple]]
    rows: Callable[[QuerySet], Iterable[dict]]  # the Python writer's rows (SQLite: the demo)
    columns: list[Column]
    point: Callable[[dict], tuple]


class ExportingListMixin(ApiViewSet):
    """`list` in JSON pages, or every matching row streamed as CSV, HXL or GeoJSON (as `exports` says)."""

    exports: ClassVar[ExportSpec]

    def export(self, *, fmt: str, queryset: QuerySet) -> HttpResponseBase:
        spec = self.exports
        if connection.vendor == "postgresql":
            if fmt in ("csv", "hxl"):
                statement = spec.copy_statement(queryset, hxl=fmt == "hxl")
                return copy_export_response(name=spec.name, hxl=fmt == "hxl", statement=statement)
            if fmt == "geojson":
                return geojson_response(name=spec.name, statement=spec.geojson_statement(queryset))
        return export_response(
            fmt=fmt, name=spec.name, rows=spec.rows(queryset), columns=spec.columns, point=spec.point
        )

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "list":
            renderers += [renderer() for renderer in EXPORT_RENDERERS]
        return renderers

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        fmt = request.accepted_renderer.format
        if fmt in EXPORT_FORMATS:
            return self.export(fmt=fmt, queryset=queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


READERS = frozenset({Viewer.MONITOR, Viewer.REVIEWER})
# One instance of each, for every submission: DRF builds (deep-copies) a serializer's fields for each new
# instance, most of its cost for one report, while validating and representing only read them.
REPORT_INPUT = ReportInputSerializer()
REPORT_OUTPUT = ReportSerializer()
# Room for the multipart envelope around a file of the largest size allowed.
MULTIPART_OVERHEAD = 64 * 1024


@extend_schema_view(
    list=extend_schema(
        summary="Reports: a monitor's own, every report for reviewers",
        description="Ordered by (received_at, id); follow `next` to the end.",
    ),
    retrieve=extend_schema(summary="One report, with its review state, the reviewer's note and its incident"),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    keyset_ordering = ("received_at", "id")
    action_roles = {
        "create": frozenset({Viewer.MONITOR}),
        "list": READERS,
        "retrieve": READERS,
        "review": frozenset({Viewer.REVIEWER}),
        "attachments": READERS,
    }
    action_scopes = {
        "create": ApiKeyScope.REPORTS_WRITE,
        "list": ApiKeyScope.REPORTS_READ,
        "retrieve": ApiKeyScope.REPORTS_READ,
        "review": ApiKeyScope.REPORTS_WRITE,
        "attachments": ApiKeyScope.REPORTS_WRITE,
    }

    def get_queryset(self):
        return reports_visible(viewer=self.viewer, user=self.request.user)

    @extend_schema(
        summary="Submit a report (idempotent on its client-made id)",
        request=ReportInputSerializer,
        responses={
            201: ReportSerializer,
            200: OpenApiResponse(ReportSerializer, description="An identical replay: the report as stored."),
            400: ERRORS,
            409: OpenApiResponse(description="The id is taken by a different submission; nothing was changed."),
            413: ERRORS,
        },
    )
    def create(self, request, *args, **kwargs):
        try:
            data = dict(REPORT_INPUT.run_validation(request.data))
        except exceptions.ValidationError:
            # The errors as the serializer words them (its `errors`): validated again the ordinary way.
            ReportInputSerializer(data=request.data).is_valid(raise_exception=True)
            raise
        report_id = data.pop("id")
        data["casualties"] = [dict(row) for row in data.get("casualties", [])]
        result = report_submit(monitor=request.user, report_id=report_id, data=data)
        # The report as written (report_submit holds its casualty rows): nothing is read after the commit,
        # so a database lost at that moment cannot answer a stored report with an error.
        report = result.report
        return Response(
            REPORT_OUTPUT.to_representation(report),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            headers={"Location": reverse("api:report-detail", kwargs={"pk": report.pk})},
        )

    @extend_schema(
        summary="Review a report: verify, reject (with the reason) or ask the monitor (needs_info)",
        request=ReviewInputSerializer,
        responses={
            200: ReportSerializer,
            400: ERRORS,
            403: ERRORS,
            404: ERRORS,
            409: OpenApiResponse(description="The report's state, or another reviewer's hold on it, forbids this."),
        },
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        report = self.get_object()
        incoming = ReviewInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        report_review(report=report, reviewer=request.user, **incoming.validated_data)
        return Response(ReportSerializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(
        summary="Attach a photo or a PDF to a report (multipart, the file in the field `file`)",
        description="The type is detected from the content; the original is kept as received (its SHA-256 "
        "returned), and `url` serves the copy without metadata. Sending the same file again answers 200 "
        "with the attachment already stored.",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer,
            200: OpenApiResponse(AttachmentSerializer, description="The same file was already attached."),
            400: ERRORS,
            413: ERRORS,
            415: ERRORS,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        report = self.get_object()
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > max_bytes() + MULTIPART_OVERHEAD:
            raise AttachmentTooLarge(_("The file is larger than %(n)d MB.") % {"n": max_bytes() // 2**20})
        incoming = AttachmentUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        inspected = attachment_inspect(file=incoming.validated_data["file"])
        added = attachments_add_missing(report=report, uploaded_by=request.user, inspected=[inspected])
        attachment = added[0] if added else report.attachments.get(sha256=inspected.sha256)
        return Response(
            AttachmentSerializer(attachment, context={"request": request}).data,
            status=status.HTTP_201_CREATED if added else status.HTTP_200_OK,
        )


@extend_schema_view(
    list=extend_schema(
        summary="Incidents: verified ones (and tombstones) for partners, every state for reviewers",
        description="Ordered by (updated_at, id). To sync, ask `updated_after` your last sync's latest "
        "`updated_at` and follow `next` to the end; merged and withdrawn incidents come as tombstones.",
        parameters=[FORMAT_PARAMETER],
    ),
    retrieve=extend_schema(summary="One incident"),
)
class IncidentViewSet(ExportingListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    keyset_ordering = ("updated_at", "id")
    exports = ExportSpec(
        name="incidents",
        copy_statement=incident_copy_statement,
        geojson_statement=incident_geojson_statement,
        rows=incident_export_rows,
        columns=INCIDENT_COLUMNS,
        point=incident_point,
    )
    action_roles = {
        "list": ALL_VIEWERS,
        "retrieve": ALL_VIEWERS,
        "merge": frozenset({Viewer.REVIEWER}),
        "split": frozenset({Viewer.REVIEWER}),
    }
    action_scopes = {
        "list": ApiKeyScope.INCIDENTS_READ,
        "retrieve": ApiKeyScope.INCIDENTS_READ,
        # Reviewers' decisions, like the review of a report, need a key that may write.
        "merge": ApiKeyScope.REPORTS_WRITE,
        "split": ApiKeyScope.REPORTS_WRITE,
    }

    def get_queryset(self):
        return incidents_visible(viewer=self.viewer)

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json" or connection.vendor != "postgresql":
            return super().list(request, *args, **kwargs)
        # The page written by PostgreSQL in one query (incidents/api/json_page.py): what the serializer
        # writes, without building 100 model instances and serializing them field by field.
        queryset = self.filter_queryset(self.get_queryset())
        paginator = self.paginator
        assert isinstance(paginator, KeysetPagination)  # noqa: S101 — the API's pagination
        rendered = paginator.paginate_rendered(queryset, request, self, incident_json_rows)
        body = page_json(next_link=paginator.get_next_link(), rendered=rendered)
        return HttpResponse(body, content_type="application/json")

    @extend_schema(
        summary="Reviewers: merge this incident into another (one event reported twice)",
        description="This incident becomes a tombstone (`merged`, `merged_into`); its reports move to the other, "
        "which is answered, recomputed.",
        request=MergeInputSerializer,
        responses={200: IncidentSerializer, 400: ERRORS, 409: ERRORS},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        absorbed = self.get_object()
        incoming = MergeInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        target = self.get_queryset().filter(pk=incoming.validated_data["into"]).first()
        if target is None:
            raise exceptions.ValidationError({"into": [_("No such incident.")]})
        merged = incident_merge(target=target, absorbed=absorbed, by=request.user, note=incoming.validated_data["note"])
        return Response(IncidentSerializer(self.get_queryset().get(pk=merged.pk)).data)

    @extend_schema(
        summary="Reviewers: split reports off this incident into a new one (they describe another event)",
        request=SplitInputSerializer,
        responses={201: IncidentSerializer, 400: ERRORS, 409: ERRORS},
    )
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        incident = self.get_object()
        incoming = SplitInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        new = incident_split(
            incident=incident,
            report_ids=incoming.validated_data["report_ids"],
            by=request.user,
            note=incoming.validated_data["note"],
        )
        return Response(IncidentSerializer(self.get_queryset().get(pk=new.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Daily aggregates per date × governorate × district × category",
        description="Partners' rows count verified incidents only, each once, with the incidents' estimates: "
        "they add up to what the partner's incident list adds up to.",
        parameters=[FORMAT_PARAMETER],
    )
)
class DailyAggregateViewSet(ExportingListMixin, mixins.ListModelMixin, ApiViewSet):
    serializer_class = DailyAggregateSerializer
    filterset_class = DailyAggregateFilterSet
    keyset_ordering = ("date", "id")
    exports = ExportSpec(
        name="daily-aggregates",
        copy_statement=aggregate_copy_statement,
        geojson_statement=aggregate_geojson_statement,
        rows=aggregate_export_rows,
        columns=AGGREGATE_COLUMNS,
        point=aggregate_point,
    )
    action_roles = {"list": ALL_VIEWERS}
    action_scopes = {"list": ApiKeyScope.AGGREGATES_READ}

    def get_queryset(self):
        return aggregates_visible(viewer=self.viewer)


@extend_schema_view(list=extend_schema(summary="The category taxonomy (slugs are part of the contract)"))
class CategoryViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.all()
    keyset_ordering = ("sort_order", "slug")
    action_roles = {"list": ALL_VIEWERS}
    action_scopes = {"list": ANY_SCOPE}


@extend_schema_view(list=extend_schema(summary="The gazetteer: governorates (admin1) and districts (admin2)"))
class AreaViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = AreaSerializer
    queryset = Area.objects.all()
    keyset_ordering = ("pcode",)
    action_roles = {"list": ALL_VIEWERS}
    action_scopes = {"list": ANY_SCOPE}


@extend_schema_view(
    retrieve=extend_schema(
        summary="An attachment's copy without metadata (EXIF, GPS…), for the report's monitor and reviewers",
        description="Served with the type detected from its content at upload: JPEG, PNG, WebP or PDF.",
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in AttachmentType.values},
    )
)
class AttachmentViewSet(ApiViewSet):
    """The stripped copy only: originals are for reviewers in the admin, each opening recorded."""

    action_roles = {"retrieve": READERS}
    action_scopes = {"retrieve": ApiKeyScope.REPORTS_READ}
    renderer_classes = [JSONRenderer]

    def retrieve(self, request, pk=None):
        attachment = attachment_visible(
            user=request.user, attachment_id=_uuid_or_404(pk), via_key=isinstance(request.auth, ApiKey)
        )
        if attachment is None:
            raise Http404
        response = FileResponse(
            attachment.stripped.open("rb"),
            content_type=attachment.content_type,
            filename=f"{attachment.pk}{attachment.extension}",
        )
        response["Cache-Control"] = "private, no-store"
        return response


def _uuid_or_404(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None
