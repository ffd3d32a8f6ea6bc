from django.contrib import admin
from django.urls import include, path

from incidents.api.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("incidents.api.urls")),
    path("healthz", healthz, name="healthz"),
    # The field monitors' web: sign-in, report form, own reports, attachments (reports/web/).
    path("", include("reports.web.urls")),
]
