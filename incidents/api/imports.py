"""`/api/v1/imports/`: bulk import of reports by a user's key with `reports:write` (docs/imports.md).

Thin: the upload, the confirmation and the error file are `reports.imports.services`'.
A job belongs to the user who uploaded it; another caller's job is a 404.
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.api.parsers import BoundedJSONParser
from incidents.api.permissions import Viewer
from incidents.api.views import ERRORS, ApiViewSet
from incidents.models import ApiKeyScope
from reports.imports.models import ImportJob, IssueSeverity
from reports.imports.services import import_confirm, import_error_file, import_upload
from reports.models import User


def _person(request: Request) -> User:
    """The caller: imports are open to monitors and reviewers (action_roles), people with a user row."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 — RoleAndScope let in no one else
    return user


# Errors listed in the JSON answer; the error file has every one.
MAX_LISTED_ERRORS = 1000


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8 or Windows-1256), XLSX or JSONL, in the report field names.")
    encoding = serializers.ChoiceField(
        choices=["utf-8", "windows-1256"], required=False, help_text="Only to override the detected encoding."
    )


class ImportJobSerializer(serializers.ModelSerializer):
    # A declared field, which the serializer's metaclass takes out of the class: `serializer.errors` stays the
    # validation errors, which the stubs cannot see.
    errors = serializers.SerializerMethodField()  # type: ignore[assignment]
    warnings = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "url",
            "rows",
            "valid",
            "imported",
            "unchanged",
            "conflicts",
            "errors",
            "errors_url",
            "warnings",
            "format",
            "encoding",
            "checked",
            "processed",
            "failure",
        ]
        read_only_fields = fields

    def _issues(self, job: ImportJob, severity: str) -> list[dict]:
        issues = job.issues.filter(severity=severity).values("row", "field", "reason")[:MAX_LISTED_ERRORS]
        return [dict(issue) for issue in issues]

    def get_errors(self, job: ImportJob) -> list[dict]:
        return self._issues(job, IssueSeverity.ERROR)

    def get_warnings(self, job: ImportJob) -> list[dict]:
        return self._issues(job, IssueSeverity.WARNING)

    def get_url(self, job: ImportJob) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:import-detail", kwargs={"pk": job.pk}))

    def get_errors_url(self, job: ImportJob) -> str | None:
        if job.status in ("validating",) or not job.issues.filter(severity=IssueSeverity.ERROR).exists():
            return None
        return self.context["request"].build_absolute_uri(reverse("api:import-errors", kwargs={"pk": job.pk}))


ACCEPTED = inline_serializer(
    "ImportAccepted", {"id": serializers.UUIDField(), "status": serializers.CharField(), "url": serializers.URLField()}
)


@extend_schema_view(
    retrieve=extend_schema(
        summary="An import: its status, counts and the rows' errors (row, field, reason)",
        description=f"At most {MAX_LISTED_ERRORS} errors are listed; `errors_url` gives every failed row.",
    )
)
class ImportViewSet(mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ImportJobSerializer
    action_roles = {
        "create": frozenset({Viewer.MONITOR, Viewer.REVIEWER}),
        "retrieve": frozenset({Viewer.MONITOR, Viewer.REVIEWER}),
        "confirm": frozenset({Viewer.MONITOR, Viewer.REVIEWER}),
        "errors": frozenset({Viewer.MONITOR, Viewer.REVIEWER}),
    }
    action_scopes = dict.fromkeys(action_roles, ApiKeyScope.REPORTS_WRITE)
    parser_classes = [MultiPartParser, BoundedJSONParser]

    def get_queryset(self):
        return ImportJob.objects.filter(owner=_person(self.request))

    @extend_schema(
        summary="Upload a file of reports (multipart, the file in `file`); it is checked in the background",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ACCEPTED, 400: ERRORS, 413: ERRORS, 415: ERRORS},
    )
    def create(self, request, *args, **kwargs):
        incoming = ImportUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        job = import_upload(
            owner=_person(request),
            file=incoming.validated_data["file"],
            encoding=incoming.validated_data.get("encoding", ""),
            via_api=True,
        )
        job.refresh_from_db(fields=["status"])
        url = request.build_absolute_uri(reverse("api:import-detail", kwargs={"pk": job.pk}))
        body = {"id": str(job.pk), "status": job.status, "url": url}
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": url})

    @extend_schema(
        summary="Import the rows of a checked (`ready`) job, in the background",
        request=None,
        responses={202: ImportJobSerializer, 404: ERRORS, 409: ERRORS},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = import_confirm(job=self.get_object())
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The rows that failed, as uploaded, with their row number and reasons (fix and import again)",
        responses={(200, "text/csv"): OpenApiResponse(description="CSV, or JSONL for a JSONL upload")},
    )
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        filename, content_type, chunks = import_error_file(job=self.get_object())
        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
