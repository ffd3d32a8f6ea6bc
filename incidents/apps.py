from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from incidents.pipeline import IncidentPipeline
        from reports import pipeline

        # reports reaches the pipeline through this one registration (reports/pipeline.py), never by import.
        pipeline.register(IncidentPipeline())
