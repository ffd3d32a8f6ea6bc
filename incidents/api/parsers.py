"""Request parsing with a bound on size and depth: bad input is a 4xx, never a 500 or a memory blow-up."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from incidents.api.errors import PayloadTooLarge


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class BoundedJSONParser(parsers.JSONParser):
    """JSON bodies up to `API_MAX_JSON_BYTES` (a report is at most some 100 KB), strict JSON only."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_JSON_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(_("The body is over %(n)d bytes.") % {"n": limit})
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(_("The body is over %(n)d bytes.") % {"n": limit})
        try:
            return json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError({"body": [_("Invalid JSON: %(e)s") % {"e": str(error)[:200]}]}) from None
