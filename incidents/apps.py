from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from config import pgarrays
        from incidents.pipeline import IncidentPipeline
        from reports import pipeline

        # Arrays (bulk inserts on PostgreSQL) escaped without a regular expression per element (config/pgarrays.py).
        connection_created.connect(pgarrays.register, dispatch_uid="sijil-pgarrays")

        # reports reaches the pipeline through this one registration (reports/pipeline.py), never by import.
        pipeline.register(IncidentPipeline())
