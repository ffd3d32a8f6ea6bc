from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path

from incidents.api.health import healthz


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico whatever the page says: the site's icon, not a 404 in every log."""
    response = HttpResponseRedirect(static("sijil/favicon.svg"))
    response["Cache-Control"] = "max-age=86400"
    return response


# The database gone is a 503 to try again (the API's format under /api/, a page for people), never a bare 500.
handler500 = "config.errors.server_error"

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # The coordinators' situation room: dashboard, map, situation reports (incidents/situation/), inside the
    # admin's space (its sign-in and one-time code, its language fallback); before the admin's catch-all.
    path("admin/situation/", include("incidents.situation.urls")),
    path("admin/", admin.site.urls),
    # Contract addition of v1: the published situation reports (incidents/situation/api.py).
    path("api/v1/", include("incidents.situation.api")),
    path("api/v1/", include("incidents.api.urls")),
    path("healthz", healthz, name="healthz"),
    # The field monitors' web: sign-in, report form, own reports, attachments (reports/web/).
    path("", include("reports.web.urls")),
]
