"""Renderers that make `?format=csv|hxl|geojson` (or an Accept header) select an export.

The list views stream the export themselves (`incidents.api.exports`); these
classes exist for content negotiation and the schema. Should one ever be
asked to render a body (an error), it writes JSON: errors are never CSV.
"""

from rest_framework.renderers import JSONRenderer


class _ExportRenderer(JSONRenderer):
    charset = "utf-8"


class CSVRenderer(_ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class HXLRenderer(_ExportRenderer):
    media_type = "text/csv"
    format = "hxl"


class GeoJSONRenderer(_ExportRenderer):
    media_type = "application/geo+json"
    format = "geojson"


EXPORT_RENDERERS = (CSVRenderer, HXLRenderer, GeoJSONRenderer)
