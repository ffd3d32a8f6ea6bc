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

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

_limits: dict[type, int | None] = {}


def history_reason(instance: models.Model, reason: str) -> str:
    return _history_reason_of(type(instance), reason)


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
    if _copy_history_possible(model):
        with transaction.atomic(savepoint=False):
            model._default_manager.bulk_create(instances, batch_size=1000)
            _copy_history(instances, by=by, history_type="+", default_reason=None)
        return
    bulk_create_with_history(instances, model, batch_size=1000, default_user=by)


def _copy_history_possible(model: type[models.Model]) -> bool:
    """Whether `_copy_history` writes the history rows `bulk_history_create` would (PostgreSQL, plain history)."""
    if connection.vendor != "postgresql" or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return False
    return not hasattr(get_history_manager_for_model(model).model, "history_relation")


def _copy_history(instances: list[Any], *, by: Any, history_type: str, default_reason: str | None) -> None:
    """The history rows of saved instances by `COPY`: what simple-history's `bulk_history_create` inserts.

    Every tracked field as the instance holds it, the time (once per row, as
    there), the change reason `_stamp` set (else `default_reason`, as there),
    the type ("+" created, "~" changed) and the user — without a historical
    model instance per row, nor an `INSERT … UNNEST` of escaped text arrays.
    """
    history, _, columns = _history_columns(type(instances[0]))
    attnames = [f.attname for f in history.tracked_fields]
    rows = []
    for instance in instances:
        who = getattr(instance, "_history_user", by)
        rows.append(
            [getattr(instance, name) for name in attnames]
            + [
                timezone.now(),
                getattr(instance, "_change_reason", None) or default_reason,
                history_type,
                getattr(who, "pk", who),
            ]
        )
    copy_rows(history, columns, rows)


def _history_columns(model: type[models.Model]) -> tuple[Any, list[Any], list[Any]]:
    """The history model of `model`, its copies of the tracked fields, and the columns a history row is copied to:
    those copies, then `history_date`, `history_change_reason`, `history_type` and `history_user`."""
    history = get_history_manager_for_model(model).model
    tracked = [history._meta.get_field(f.name) for f in history.tracked_fields]
    extra = [history._meta.get_field(name) for name in ("history_date", "history_change_reason", "history_type")]
    return history, tracked, [*tracked, *extra, history._meta.get_field("history_user")]


def copy_many_recorded_values(model: type[models.Model], rows: list[dict[str, Any]], *, by: Any, reason: str) -> None:
    """`create_many_recorded` by PostgreSQL `COPY`, from plain values by column (`category_id`), for new rows.

    For rows whose primary key the caller sets (a bulk import's). Each row
    holds what the caller sets; every other field gets its default, and
    `auto_now`/`auto_now_add` times are stamped as a save would (once per row);
    the rows are completed in place. The same rows and the same history rows
    (`+`, the user, the reason, every tracked field) as `create_many_recorded`,
    several times faster than an `INSERT` of hundreds of rows as Django builds
    it, and without a model instance per row. Elsewhere than on PostgreSQL,
    instances and `create_many_recorded`.
    """
    if not rows:
        return
    fields = _copy_fields(model)
    stamped, defaults, made = [], [], []
    for field in fields:
        if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
            stamped.append(field.attname)
        elif type(field).pre_save is not models.Field.pre_save and not isinstance(field, models.DateField):
            raise TypeError(f"{model.__name__}.{field.name}: a field prepared on save cannot be copied from values")
        elif field.has_default() and callable(field.default):
            made.append(field)
        else:
            defaults.append((field.attname, field.get_default()))
    for row in rows:
        for attname, value in defaults:
            if attname not in row:
                row[attname] = value
        for field in made:
            if field.attname not in row:
                row[field.attname] = field.get_default()
        if stamped:
            now = timezone.now()
            for attname in stamped:
                row[attname] = now
    if connection.vendor != "postgresql":
        create_many_recorded([model(**row) for row in rows], by=by, reasons=reason)
        return
    copy_rows(model, fields, [[row[field.attname] for field in fields] for row in rows])
    if not hasattr(model._meta, "simple_history_manager_attribute"):
        return
    history, tracked, columns = _history_columns(model)
    attnames = [field.attname for field in tracked]
    tail = [timezone.now(), _history_reason_of(model, reason), "+", getattr(by, "pk", None)]
    copy_rows(history, columns, [[row[name] for name in attnames] + tail for row in rows])


def _history_reason_of(model: type[models.Model], reason: str) -> str:
    if model not in _limits:
        # Reading `Model.history` builds a manager class each time: read the column's length once per model.
        history = getattr(model, "history", None)
        _limits[model] = None if history is None else history.model._meta.get_field("history_change_reason").max_length
    limit = _limits[model]
    return reason if limit is None else reason[:limit]


def _copy_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Every concrete field but an automatic primary key (left to its sequence)."""
    return [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField))
    ]


def copy_rows(model: type[models.Model], fields: list[models.Field[Any, Any]], rows: list[list[Any]]) -> None:
    """`COPY table (columns) FROM STDIN` of raw values, each prepared by its field as an INSERT prepares it."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)  # type: ignore[arg-type]
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    prepare = [field.get_db_prep_save for field in fields]

    def cell(step, value):
        # An aware time goes as it is; a naive one, JSON and the rest through the field.
        if type(value) is datetime and value.tzinfo is not None:
            return value
        if isinstance(value, Enum) and type(value.value) in _AS_THEY_ARE:
            return value.value  # a choice (`HandBack.SUBMITTED`): its value, as the field would give it
        return step(value, connection)

    # Django's error classes (a taken key is an IntegrityError), as for any statement it runs.
    with connection.wrap_database_errors, connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            # Values psycopg sends as they are (what the field would hand on unchanged) skip the field's
            # preparation, most of the cost of a row.
            copy.write_row(
                [
                    value if value is None or type(value) in _AS_THEY_ARE else cell(step, value)
                    for step, value in zip(prepare, row, strict=True)
                ]
            )


_AS_THEY_ARE = frozenset({str, int, bool, uuid.UUID, Decimal})


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
    with transaction.atomic(savepoint=False):
        update_from_values(model, instances, names)
        if _copy_history_possible(model):
            _copy_history(instances, by=by, history_type="~", default_reason="")
        else:
            get_history_manager_for_model(model).bulk_history_create(
                instances, batch_size=1000, update=True, default_user=by
            )


def update_from_values(
    model: type[models.Model], instances: list[Any], names: list[str], *, where: dict[str, Any] | None = None
) -> None:
    """`UPDATE … SET f = v.f FROM (VALUES …) v WHERE id = v.id`: one statement, as `bulk_update` without its CASEs.

    On PostgreSQL; elsewhere `bulk_update`. Each value is prepared by its
    field, as a save prepares it, and cast to the column's type. `where`
    (field name → value): only rows that still hold those values are updated.
    """
    where = where or {}
    if connection.vendor != "postgresql":
        model._default_manager.filter(**where).bulk_update(instances, names, batch_size=1000)
        return
    fields: list[models.Field[Any, Any]] = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)  # noqa: S101 — names are concrete fields, as for bulk_update
        fields.append(field)
    pk = model._meta.pk
    assert pk is not None  # noqa: S101
    columns = [pk, *fields]
    table = connection.ops.quote_name(model._meta.db_table)
    quote = connection.ops.quote_name

    def column(f: models.Field[Any, Any]) -> str:
        assert f.column is not None  # noqa: S101 — concrete fields have a column
        return quote(f.column)

    sets = ", ".join(f"{column(f)} = v.{column(f)}" for f in fields)
    aliases = ", ".join(column(f) for f in columns)
    for start in range(0, len(instances), 1000):
        chunk = instances[start : start + 1000]
        rows, params = [], []
        for position, instance in enumerate(chunk):
            cells = []
            for field in columns:
                value = field.get_db_prep_save(getattr(instance, field.attname), connection)
                # The first row names the types; the others follow them.
                cells.append(f"%s::{field.db_type(connection)}" if position == 0 else "%s")
                params.append(value)
            rows.append(f"({', '.join(cells)})")
        conditions = ""
        for name, expected in where.items():
            field = model._meta.get_field(name)
            assert isinstance(field, models.Field)  # noqa: S101
            conditions += f" AND {table}.{column(field)} = %s"
            params.append(field.get_db_prep_save(expected, connection))
        sql = (
            f"UPDATE {table} SET {sets} FROM (VALUES {', '.join(rows)}) AS v({aliases}) "  # noqa: S608 — names
            f"WHERE {table}.{column(pk)} = v.{column(pk)}{conditions}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
