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
