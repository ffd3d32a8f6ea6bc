"""The OpenAPI schema and its Swagger UI, served from the project's own static files (no CDN).

The site's CSP allows no inline script or style. drf-spectacular's "split"
view loads its start-up script from a URL rather than inline; our template
drops the inline <style> for a static file. Swagger UI itself sets styles
from JavaScript and shows SVG icons as data: images, which the site's
policy already allows, so the page needs no relaxation of the CSP.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SchemaView(SpectacularAPIView):
    """`GET /api/v1/schema/`: OpenAPI 3, YAML by default, JSON with `?format=json`."""


class DocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"
    title = "Sijil API v1"
