"""URLs for bench_api_export.py's gunicorn: the real site plus one baseline view.

The baseline is the plain Django view anyone would write first for the same
export: load the incidents with their figures, build the whole CSV in memory,
return it. It shows what streaming saves.
"""

import csv
import hashlib
import io
import json
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


def naive_csv(request):
    from incidents.models import Incident, IncidentCasualty

    incidents = (
        Incident.objects.filter(status="verified")
        .select_related("category", "admin1", "admin2")
        .prefetch_related(Prefetch("casualties", queryset=IncidentCasualty.objects.all()))
        .order_by("updated_at", "id")
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "status", "category", "occurred_from", "admin1", "admin2", "title", "killed_best"])
    for incident in incidents:
        killed = sum(
            (c.best_override if c.best_override is not None else c.best)
            for c in incident.casualties.all()
            if c.kind == "killed"
        )
        writer.writerow(
            [
                incident.pk,
                incident.status,
                incident.category.slug,
                incident.occurred_from.isoformat(),
                incident.admin1.pcode,
                incident.admin2.pcode if incident.admin2 else "",
                incident.title,
                killed,
            ]
        )
    return HttpResponse(buffer.getvalue(), content_type="text/csv")


@csrf_exempt
def plain_submit(request, *, enqueue: bool = False):
    """The same insert as a submission, through the ORM, without key, serializer or domain checks.

    `enqueue`: and after the commit the two wake-ups a submission sends (the pipeline's, the alert check's).
    """
    from incidents.tasks import enqueue_report
    from reports.alerts.tasks import alerts_enqueue
    from reports.models import Report, ReportCasualty, User

    data = json.loads(request.body)
    monitor = User.objects.filter(groups__name="monitor").first()
    with transaction.atomic():
        report = Report.objects.create(
            id=data["id"],
            monitor=monitor,
            category_id=data["category"],
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            admin1_id=data["admin1"],
            place_name=data["place_name"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            title=data["title"],
            narrative=data["narrative"],
            source_type=data["source_type"],
            source_reliability=data["source_reliability"],
            info_credibility=data["info_credibility"],
            submission_hash=hashlib.sha256(request.body).hexdigest(),
        )
        ReportCasualty.objects.bulk_create(ReportCasualty(report=report, **row) for row in data["casualties"])
        if enqueue:
            transaction.on_commit(lambda: enqueue_report(report.pk))
            transaction.on_commit(lambda: alerts_enqueue(report_id=report.pk))
    return JsonResponse({"id": str(report.pk)}, status=201)


@csrf_exempt
def plain_submit_enqueued(request):
    return plain_submit(request, enqueue=True)


def _before_views():
    """The incident list through the serializer and the GeoJSON through the Python writer: the paths before."""
    from incidents.api.exports import INCIDENT_COLUMNS, export_response, incident_export_rows, incident_point
    from incidents.api.views import IncidentViewSet

    class SerializedIncidents(IncidentViewSet):
        def list(self, request, *args, **kwargs):
            return super(IncidentViewSet, self).list(request, *args, **kwargs)

        def export(self, *, fmt, queryset):
            return export_response(
                fmt=fmt, name="incidents", rows=incident_export_rows(queryset), columns=INCIDENT_COLUMNS,
                point=incident_point,
            )  # fmt: skip

    serialized = SerializedIncidents.as_view({"get": "list"})

    def python_geojson(request):
        request.GET = request.GET.copy()
        request.GET["format"] = "geojson"
        return serialized(request)

    return serialized, python_geojson


serialized_incidents, python_geojson = _before_views()

urlpatterns = [
    path("bench/serialized-incidents/", serialized_incidents),
    path("bench/python-geojson/", python_geojson),
    path("bench/naive.csv", naive_csv),
    path("bench/plain-submit", plain_submit),
    path("bench/plain-submit-enqueued", plain_submit_enqueued),
    path("", include("config.urls")),
]
