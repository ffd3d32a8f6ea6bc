"""Reads for the monitors' pages. A monitor's queryset holds their own reports only."""

from django.db.models import QuerySet

from reports.models import Area, Report, User


def reports_of_monitor(*, monitor: User) -> QuerySet[Report]:
    """The monitor's own reports, newest first. Anything else is, to them, a 404 like a missing report."""
    return (
        Report.objects.filter(monitor=monitor).select_related("category", "admin1", "admin2").order_by("-received_at")
    )


def report_of_monitor(*, monitor: User, report_id) -> Report | None:
    return (
        reports_of_monitor(monitor=monitor)
        .prefetch_related("casualties", "attachments", "decisions")
        .filter(pk=report_id)
        .first()
    )


def place_suggestions() -> list[str]:
    """Every name of the gazetteer, in both scripts, for the place-name field's suggestions."""
    names: set[str] = set()
    for area in Area.objects.prefetch_related("aliases"):
        names.update((area.name_en, area.name_ar, *(alias.name for alias in area.aliases.all())))
    return sorted(names)
