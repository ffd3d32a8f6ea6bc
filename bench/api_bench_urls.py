"""URLs for bench_api_export.py's gunicorn: the real site plus one baseline view.

The baseline is the plain Django view anyone would write first for the same
export: load the incidents with their figures, build the whole CSV in memory,
return it. It shows what streaming saves.
"""

import csv
import io

from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import include, path


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


urlpatterns = [
    path("bench/naive.csv", naive_csv),
    path("", include("config.urls")),
]
