"""Template filters of the situation room: digits and area names in the page's language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from incidents.situation.numbers import localise_digits
from incidents.situation.selectors import area_names

register = template.Library()


@register.filter
def digits(value) -> str:
    """A date or a figure already written out, with the page language's digits (Arabic-Indic in Arabic)."""
    return localise_digits(str(value), get_language() or "en")


@register.filter
def areas(pcodes) -> str:
    """P-codes as the areas' names in the page's language, or "" for none (every area)."""
    if not pcodes:
        return ""
    language = get_language() or "en"
    names = area_names()
    key = "name_ar" if language == "ar" else "name_en"
    return ("، " if language == "ar" else ", ").join(names.get(p, {}).get(key) or p for p in pcodes)
