"""The monitors' page while the database is unreachable (503, `Retry-After`), rendered without it.

The template reads nothing from the database — not the session, not the
signed-in user — so it renders whatever failed. It tells the monitor that a
report sent from the phone is kept there (the outbox of `static/sijil/sijil.js`
keeps anything not answered 201/200) and sent by itself when Sijil is back: the
page loads that script, which retries every 20 seconds.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 30


def database_unavailable_page(request: HttpRequest) -> HttpResponse:
    body = render_to_string("monitor/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
