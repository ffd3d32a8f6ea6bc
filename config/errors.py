"""The site's handler500: the database gone is a 503 to try again later, never Django's "Server Error (500)".

A view of the API maps a lost database connection itself (`incidents/api/errors.py`);
this catches what fails outside a view — the session or the signed-in user read by a
middleware, a monitor's page, the admin. The API's paths get the API's error format
with `Retry-After`; every other page the monitors' page "try again in a few minutes"
(`reports/web/unavailable.py`), which also keeps sending the reports waiting on the
phone. Any other error is Django's own 500.
"""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse
from django.views.defaults import server_error as django_server_error

from incidents.api.errors import DATABASE_UNAVAILABLE, database_unavailable_response
from reports.web.unavailable import database_unavailable_page


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        if request.path.startswith("/api/"):
            return database_unavailable_response()
        return database_unavailable_page(request)
    return django_server_error(request)
