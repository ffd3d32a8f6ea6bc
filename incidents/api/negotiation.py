"""Content negotiation where the URL's `?format=` wins over the `Accept` header.

DRF's default narrows the renderers to the URL's format and then still asks
the `Accept` header to agree, so a client whose session always sends
`Accept: application/json` is refused `?format=hxl` with a 406. A format the
URL names explicitly is what the caller wants: it is served as asked. An
unknown format is still refused (`views.ApiViewSet` turns DRF's 404 into a
400 naming `format`); without `?format=` the `Accept` header decides as before.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation


class UrlFormatFirstNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        fmt = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if not fmt:
            return super().select_renderer(request, renderers, format_suffix)
        for renderer in renderers:
            if renderer.format == fmt:
                return renderer, renderer.media_type
        raise Http404
