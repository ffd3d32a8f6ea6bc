"""`/api/v1/situation-reports/`: the published, frozen situation reports (scope `incidents:read`).

A contract addition of v1 (docs/api.md): `id`, `period_start`, `period_end`,
`cut_off`, `areas`, `language`, `published_at`, `html_url`, `pdf_url`. Only
published reports exist here, for every caller; the HTML and the PDF are the
frozen partners' copy: verified incidents and verified reports' claims only
(invariant 6: a partner never sees anything unverified), naming no monitor and
no source.
"""

from __future__ import annotations

from django.urls import include, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.routers import SimpleRouter

from incidents.api.permissions import ALL_VIEWERS
from incidents.api.serializers import UtcDateTimeField
from incidents.api.views import ApiViewSet
from incidents.models import ApiKeyScope
from incidents.situation.models import SituationReport, SituationReportStatus
from incidents.situation.views import frozen_html_response, frozen_pdf_response


class SituationReportSerializer(serializers.ModelSerializer):
    cut_off = UtcDateTimeField(read_only=True)
    published_at = UtcDateTimeField(read_only=True)
    areas = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="P-codes; empty: all.")
    html_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = SituationReport
        fields = [
            "id",
            "period_start",
            "period_end",
            "cut_off",
            "areas",
            "language",
            "published_at",
            "html_url",
            "pdf_url",
        ]
        read_only_fields = fields

    def _url(self, name: str, report: SituationReport) -> str:
        url = reverse(name, args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_html_url(self, report: SituationReport) -> str:
        return self._url("situation-api:situation-report-html", report)

    def get_pdf_url(self, report: SituationReport) -> str:
        return self._url("situation-api:situation-report-pdf", report)


@extend_schema_view(
    list=extend_schema(summary="Published situation reports, each frozen as of its cut-off"),
    retrieve=extend_schema(summary="One published situation report"),
)
class SituationReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = SituationReportSerializer
    keyset_ordering = ("published_at", "id")
    action_roles = {"list": ALL_VIEWERS, "retrieve": ALL_VIEWERS, "html": ALL_VIEWERS, "pdf": ALL_VIEWERS}
    action_scopes = {
        "list": ApiKeyScope.INCIDENTS_READ,
        "retrieve": ApiKeyScope.INCIDENTS_READ,
        "html": ApiKeyScope.INCIDENTS_READ,
        "pdf": ApiKeyScope.INCIDENTS_READ,
    }

    def get_queryset(self):
        return SituationReport.objects.filter(status=SituationReportStatus.DONE, published_at__isnull=False).exclude(
            partner_html=""
        )

    @extend_schema(
        summary="The report as HTML (verified figures only)", responses={(200, "text/html"): OpenApiTypes.STR}
    )
    @action(detail=True, methods=["get"])
    def html(self, request, pk=None):
        return frozen_html_response(self.get_object(), partner=True)

    @extend_schema(
        summary="The report as PDF (verified figures only)", responses={(200, "application/pdf"): OpenApiTypes.BINARY}
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return frozen_pdf_response(self.get_object(), partner=True)


router = SimpleRouter()
router.register("situation-reports", SituationReportViewSet, basename="situation-report")

app_name = "situation-api"
urlpatterns = [path("", include(router.urls))]
