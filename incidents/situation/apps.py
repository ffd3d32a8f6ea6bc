from django.apps import AppConfig


class SituationConfig(AppConfig):
    """The coordinators' situation room: the dashboard, the map and the frozen situation reports."""

    name = "incidents.situation"
    label = "situation"
    verbose_name = "Situation"
    default_auto_field = "django.db.models.BigAutoField"
