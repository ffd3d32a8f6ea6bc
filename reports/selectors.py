"""Reads of reference data and reports."""

from django.core.cache import cache

from reports.models import Area
from reports.places import Place, PlaceIndex

_PLACE_INDEX_CACHE_KEY = "sijil:place-index:v1"


def place_index() -> PlaceIndex:
    """The gazetteer as an in-memory index for place-name resolution (cached for five minutes)."""
    index = cache.get(_PLACE_INDEX_CACHE_KEY)
    if index is None:
        index = PlaceIndex.build(
            Place(
                pcode=area.pcode,
                level=area.level,
                parent=area.parent_id,
                names=(area.pcode, area.name_en, area.name_ar, *(alias.name for alias in area.aliases.all())),
            )
            for area in Area.objects.prefetch_related("aliases")
        )
        cache.set(_PLACE_INDEX_CACHE_KEY, index, 300)
    return index


def place_index_clear() -> None:
    cache.delete(_PLACE_INDEX_CACHE_KEY)


# The categories that head the review queue, whatever their figures.
MOST_SEVERE_CATEGORIES = ("killing", "execution")


def reports_for_review():
    """Reports with what the review queue sorts and shows, in one query (no query per row).

    Annotations: `severity_rank` (0 for killings and executions, else 1),
    `killed_high` and `casualties_high` (the highest figures the report gives
    for this incident, cumulative claims left out) and `cumulative_killed_high`
    (the largest running total it quotes, shown apart and never ranked).
    `QUEUE_ORDERING` puts the most severe first, then the oldest. The incidents
    app adds the duplicate candidates (`incidents.selectors.review_queue`).
    """
    from django.db.models import Case, IntegerField, Max, OuterRef, Subquery, Sum, Value, When
    from django.db.models.functions import Coalesce

    from reports.choices import CasualtyKind, CasualtyScope
    from reports.models import Report, ReportCasualty

    def figure(scope=CasualtyScope.INCIDENT, total=Sum, **filters):
        rows = (
            ReportCasualty.objects.filter(report=OuterRef("pk"), scope=scope, **filters)
            .order_by()
            .values("report")
            .annotate(total=total("high"))
            .values("total")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    return Report.objects.select_related("category", "admin1", "admin2", "organisation", "assigned_to").annotate(
        severity_rank=Case(
            When(category_id__in=MOST_SEVERE_CATEGORIES, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        killed_high=figure(kind=CasualtyKind.KILLED),
        casualties_high=figure(),
        cumulative_killed_high=figure(scope=CasualtyScope.CUMULATIVE, total=Max, kind=CasualtyKind.KILLED),
    )


QUEUE_ORDERING = ("severity_rank", "-killed_high", "-casualties_high", "received_at")
