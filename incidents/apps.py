from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from incidents.pipeline import IncidentPipeline
        from reports import pipeline

        # reports reaches the pipeline through this one registration (reports/pipeline.py), never by import.
        pipeline.register(IncidentPipeline())
