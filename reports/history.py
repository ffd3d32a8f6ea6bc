"""Who and why, in the history: the one place a service saves or deletes a recorded row.

django-simple-history reads the user and the reason from attributes set on
the instance before it is saved; every service of both apps goes through
these two functions instead of setting them by hand, so no path forgets the
user or cuts the reason differently. `by=None` is the pipeline (a worker):
recorded without a user. The reason is kept whole where the history's column
is a text field, else cut to its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models


def history_reason(instance: models.Model, reason: str) -> str:
    history = getattr(type(instance), "history", None)
    if history is None:
        return reason
    limit = history.model._meta.get_field("history_change_reason").max_length
    return reason if limit is None else reason[:limit]


def save_recorded(instance: Any, *, by: Any, reason: str, fields: Iterable[str] | None = None) -> None:
    """Save with `by` as the history's user and `reason` as its change reason (only `fields`, if given)."""
    instance._history_user = by
    instance._change_reason = history_reason(instance, reason)
    if fields is None:
        instance.save()
        return
    names = list(fields)
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields) and "updated_at" not in names:
        names.append("updated_at")
    instance.save(update_fields=names)


def delete_recorded(instance: Any, *, by: Any, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = history_reason(instance, reason)
    instance.delete()
