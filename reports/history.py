"""Who and why, in the history: the one place a service saves or deletes a recorded row.

django-simple-history reads the user and the reason from attributes set on
the instance before it is saved; every service of both apps goes through
these functions (or their bulk forms, for the pipeline's batches) instead
of setting them by hand, so no path forgets the user or cuts the reason
differently. `by=None` is the pipeline (a worker):
recorded without a user. The reason is kept whole where the history's column
is a text field, else cut to its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

_limits: dict[type, int | None] = {}


def history_reason(instance: models.Model, reason: str) -> str:
    model = type(instance)
    if model not in _limits:
        # Reading `Model.history` builds a manager class each time: read the column's length once per model.
        history = getattr(model, "history", None)
        _limits[model] = None if history is None else history.model._meta.get_field("history_change_reason").max_length
    limit = _limits[model]
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


def _stamp(instances: list[Any], *, by: Any, reasons: Iterable[str] | str) -> None:
    texts = [reasons] * len(instances) if isinstance(reasons, str) else list(reasons)
    for instance, reason in zip(instances, texts, strict=True):
        instance._history_user = by
        instance._change_reason = history_reason(instance, reason)


def create_many_recorded(instances: list[Any], *, by: Any, reasons: Iterable[str] | str) -> None:
    """Insert new rows and their history in one statement each (`reasons`: one text, or one per row)."""
    if not instances:
        return
    _stamp(instances, by=by, reasons=reasons)
    model = type(instances[0])
    if not hasattr(model._meta, "simple_history_manager_attribute"):
        model.objects.bulk_create(instances)
        return
    bulk_create_with_history(instances, model, batch_size=1000, default_user=by)


def save_many_recorded(instances: list[Any], *, by: Any, reasons: Iterable[str] | str, fields: Iterable[str]) -> None:
    """Update `fields` of existing rows, and write their history, in one statement each.

    The same record as `save_recorded` per row (the user, the reason, every
    tracked field as it now is); `updated_at` is stamped and written when the
    model has one, as a save would.
    """
    if not instances:
        return
    _stamp(instances, by=by, reasons=reasons)
    model = type(instances[0])
    names = list(fields)
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        now = timezone.now()
        for instance in instances:
            instance.updated_at = now
        if "updated_at" not in names:
            names.append("updated_at")
    bulk_update_with_history(instances, model, names, batch_size=1000, default_user=by)
