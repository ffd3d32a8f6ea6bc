"""Writes on reports: submission and amendment.

Every way in (the API, the monitor's web form, a partner's push) calls these;
none holds business rules of its own. Serializers and forms parse types; the
rules of the domain (a district lies in its governorate, outage fields only
for outages, one row per casualty kind × group × scope …) are checked here
and raised as a `django.core.exceptions.ValidationError` keyed by field name.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ForeignKey
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from reports import pipeline
from reports.alerts.services import alert_may_fire
from reports.alerts.tasks import alerts_enqueue, alerts_enqueue_many
from reports.choices import CasualtyScope, GeoPrecision, HandBack, ReportStatus, ReviewDecisionKind
from reports.history import copy_many_recorded_values, copy_rows, save_recorded
from reports.models import Area, Category, Report, ReportCasualty, ReviewDecision, User
from reports.selectors import place_index
from reports.submission_input import SIX_PLACES

# The fields of a submission (docs/contract.md, "Field names"), as the service receives them.
SUBMISSION_FIELDS = (
    "category",
    "occurred_at",
    "occurred_until",
    "time_precision",
    "admin1",
    "admin2",
    "place_name",
    "latitude",
    "longitude",
    "geo_precision",
    "title",
    "narrative",
    "language",
    "casualties",
    "perpetrator",
    "source_type",
    "source_reliability",
    "info_credibility",
    "source_notes",
    "service",
    "outage_restored_at",
)
DEFAULTS: dict[str, Any] = {
    "occurred_until": None,
    "time_precision": 1,
    "admin2": None,
    "place_name": "",
    "latitude": None,
    "longitude": None,
    "geo_precision": None,
    "narrative": "",
    "language": "",
    "casualties": [],
    "perpetrator": "",
    "source_reliability": "F",
    "info_credibility": 6,
    "source_notes": "",
    "service": "",
    "outage_restored_at": None,
}


class ReportConflict(Exception):
    """The client's report id is already taken by a different submission (HTTP 409)."""


@dataclass(frozen=True)
class SubmitResult:
    report: Report
    created: bool  # False for an identical replay of an earlier submission


def submission_hash(*, report_id, data: dict[str, Any]) -> str:
    """SHA-256 of a submission in canonical form, so a replay is recognised however it is spelled.

    Times are compared in UTC, coordinates at six decimals, empty text as null
    and casualty rows in a fixed order. The form is JSON with sorted keys
    (`json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)` of
    every field, its default where left out): the body is built with its keys
    already in that order, so the encoder need not sort them — the same bytes,
    the same digests as every stored one (tests/reports/test_submission_hash.py).
    """
    body = _CANONICAL_DEFAULTS.copy()  # every key, in sorted order; assigning keeps a key's place
    encoder = _ENCODER
    for name, value in data.items():
        if name in _HASHED_FIELDS:
            value = _canonical(value)
            if type(value) in (dict, list) and name != "casualties":
                encoder = _SORTING_ENCODER  # a nested object (not from the parser): let the encoder sort it
            body[name] = value
    incident = CasualtyScope.INCIDENT
    body["casualties"] = sorted(
        (
            {  # keys in sorted order, as above
                "group": row["group"],
                "high": int(row["high"]),
                "kind": row["kind"],
                "low": int(row["low"]),
                "scope": row.get("scope") or incident,
            }
            for row in data.get("casualties") or []
        ),
        key=lambda row: (row["kind"], row["group"], row["scope"]),
    )
    body["id"] = str(report_id)
    return hashlib.sha256(encoder.encode(body).encode()).hexdigest()


def _canonical(value: Any) -> Any:
    kind = type(value)
    if kind is str:  # the common cases first, with the same answers as below
        return value or None
    if value is None or kind is int or kind is bool:
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)).quantize(SIX_PLACES)}"
    if value == "":
        return None
    return value


_HASHED_FIELDS = frozenset(SUBMISSION_FIELDS)
_CANONICAL_DEFAULTS: dict[str, Any] = {
    name: None if name in ("id", "casualties") else _canonical(DEFAULTS.get(name))
    for name in sorted((*SUBMISSION_FIELDS, "id"))
}
# One encoder each, made once (`json.dumps` with options builds one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
_SORTING_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True)


def report_submit(*, monitor: User, report_id, data: dict[str, Any]) -> SubmitResult:
    """Store a report exactly once per client id, whatever the number of concurrent attempts.

    The report is committed before this returns (invariant 1). A replay with
    the same body returns the stored report with `created=False`; the same id
    with another body raises `ReportConflict` (invariant 2). Processing is
    enqueued only after commit.
    """
    digest = submission_hash(report_id=report_id, data=data)
    try:
        values = _clean(data)
    except ValidationError:
        # A replay answers as the first even if the rules changed since (a category retired):
        # the device must be able to clear it from its outbox.
        existing = Report.objects.filter(pk=report_id).first()
        if existing is None:
            raise
        return _replay(existing, monitor=monitor, digest=digest)
    # No existence check first: a new id (the common case) is inserted straight away, a taken one
    # fails the primary key and is then read as a replay or a conflict.
    try:
        with transaction.atomic():
            casualties = values.pop("casualties")
            report = Report.objects.create(
                id=report_id,
                monitor=monitor,
                organisation=monitor.organisation,
                submission_hash=digest,
                processing_reason=HandBack.SUBMITTED,
                **values,
            )
            rows = ReportCasualty.objects.bulk_create(ReportCasualty(report=report, **row) for row in casualties)
            _keep_as_read(report, rows)
            pipeline.hand_back(report_id=report.pk, reason=HandBack.SUBMITTED)
            if alert_may_fire(report=report, casualties=rows):  # alerts (reports/alerts/)
                transaction.on_commit(lambda: alerts_enqueue(report_id=report.pk))
    except IntegrityError:
        # Another request with the same id committed first: it is a replay or a conflict.
        existing = Report.objects.filter(pk=report_id).first()
        if existing is None:
            raise
        return _replay(existing, monitor=monitor, digest=digest)
    return SubmitResult(report=report, created=True)


def report_amend(*, report: Report, monitor: User, data: dict[str, Any], note: str = "") -> Report:
    """The monitor answers a reviewer's request for information: new content, back to review.

    Allowed only on the monitor's own report while it needs information; the
    change is in the report's history and in its review decisions.
    """
    if report.monitor_id != monitor.pk:
        raise Report.DoesNotExist  # another's report is indistinguishable from a missing one
    values = _clean(data)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != ReportStatus.NEEDS_INFO:
            raise ValidationError({"status": [_("Only a report sent back for more information can be amended.")]})
        casualties = values.pop("casualties")
        for field, value in values.items():
            setattr(locked, field, value)
        locked.status = ReportStatus.IN_REVIEW
        save_recorded(locked, by=monitor, reason="amended by the monitor")
        locked.casualties.all().delete()
        ReportCasualty.objects.bulk_create(ReportCasualty(report=locked, **row) for row in casualties)
        ReviewDecision.objects.create(
            report=locked,
            actor=monitor,
            decision=ReviewDecisionKind.AMEND,
            from_status=ReportStatus.NEEDS_INFO,
            to_status=ReportStatus.IN_REVIEW,
            note=note,
        )
        # Back to the pipeline, to be matched again: the new content may describe another incident.
        pipeline.hand_back(report_id=locked.pk, reason=HandBack.AMENDED)
    return locked


def _keep_as_read(report: Report, rows: list[ReportCasualty]) -> None:
    """Hold the stored casualty rows on the report as a read would give them (the model's order).

    The answer to a submission is then built from what was written, with nothing to read again after
    the commit: a database lost at that moment cannot turn a stored report into an error.
    """
    kept = report.casualties.all()
    kept._result_cache = sorted(rows, key=lambda row: (row.kind, row.group, row.scope))
    # Django's private prefetch state, which the stubs do not declare.
    kept._prefetch_done = True  # type: ignore[attr-defined]
    report._prefetched_objects_cache = {"casualties": kept}  # type: ignore[attr-defined]


def _replay(existing: Report, *, monitor: User, digest: str) -> SubmitResult:
    if not _is_replay(existing.monitor_id, existing.submission_hash, monitor=monitor, digest=digest):
        raise ReportConflict
    return SubmitResult(report=existing, created=False)


def _is_replay(monitor_id: object, stored_digest: str, *, monitor: User, digest: str) -> bool:
    """The same monitor sending the same body again (else the id is taken: a conflict)."""
    return monitor_id == monitor.pk and stored_digest == digest


_REFERENCE_CACHE: ContextVar[dict | None] = ContextVar("sijil_reference_cache", default=None)
# Outside an import batch, categories and areas found are kept per process for this long: they change
# rarely (an administrator's edit, a migration), and a submission then reads neither. A save or a delete
# through the ORM empties this process's copy at once (`reference_lookups_forget`); other processes see the
# change within this many seconds. What was not found is never kept: a new category counts at once.
REFERENCE_TTL_SECONDS = 60.0
_PROCESS_REFERENCES: dict[tuple, tuple[float, Any]] = {}


@contextmanager
def reference_lookups_cached() -> Iterator[None]:
    """Within the block, each category and area is read once (a bulk import's batch, reports/imports/).

    They change rarely and a block is short; outside one, a submission uses the process's copy of
    those found in the last `REFERENCE_TTL_SECONDS`.
    """
    token = _REFERENCE_CACHE.set({})
    try:
        yield
    finally:
        _REFERENCE_CACHE.reset(token)


def _cached(key: tuple, query, *, found=bool):
    cache = _REFERENCE_CACHE.get()
    if cache is not None:
        if key not in cache:
            cache[key] = query()
        return cache[key]
    now = time.monotonic()
    kept = _PROCESS_REFERENCES.get(key)
    if kept is not None and now - kept[0] < REFERENCE_TTL_SECONDS:
        return kept[1]
    value = query()
    if found(value):
        _PROCESS_REFERENCES[key] = (now, value)
    return value


def reference_lookups_forget(**kwargs) -> None:
    """Empty this process's copy of the categories and areas (on their save or delete; between tests)."""
    _PROCESS_REFERENCES.clear()


for _model in (Category, Area):
    post_save.connect(reference_lookups_forget, sender=_model, dispatch_uid=f"sijil-forget-{_model.__name__}")
    post_delete.connect(reference_lookups_forget, sender=_model, dispatch_uid=f"sijil-forget-{_model.__name__}-deleted")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Check the rules of the domain and return model field values. Raises ValidationError by field."""
    values: dict[str, Any] = {name: data.get(name, DEFAULTS.get(name)) for name in SUBMISSION_FIELDS}
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for required in ("category", "occurred_at", "admin1", "title", "source_type"):
        if values[required] in (None, ""):
            error(required, _("This field is required."))

    category = (
        _cached(
            ("category", values["category"]),
            lambda: Category.objects.filter(slug=values["category"], is_active=True).first(),
        )
        if values["category"]
        else None
    )
    if values["category"] and category is None:
        error("category", _("Unknown category “%(slug)s”.") % {"slug": values["category"]})
    # The governorate and the district in one look-up (cached for the length of an import batch).
    pcodes = [str(pcode) for pcode in (values["admin1"], values["admin2"]) if pcode]
    areas = (
        _cached(
            ("areas", *pcodes),
            lambda: {(area.pcode, area.level): area for area in Area.objects.filter(pcode__in=pcodes)},
            found=lambda areas: len(areas) == len(set(pcodes)),
        )
        if pcodes
        else {}
    )
    admin1 = areas.get((str(values["admin1"]), 1)) if values["admin1"] else None
    if values["admin1"] and admin1 is None:
        error("admin1", _("Unknown governorate p-code “%(pcode)s”.") % {"pcode": values["admin1"]})
    admin2 = None
    if values["admin2"]:
        admin2 = areas.get((str(values["admin2"]), 2))
        if admin2 is None:
            error("admin2", _("Unknown district p-code “%(pcode)s”.") % {"pcode": values["admin2"]})
        elif admin1 is not None and admin2.parent_id != admin1.pcode:
            error("admin2", _("District %(d)s is not in governorate %(g)s.") % {"d": admin2.pcode, "g": admin1.pcode})
    elif admin1 is not None and values["place_name"]:
        # A named place fills in the district the monitor left empty.
        match = place_index().resolve(values["place_name"], within=admin1.pcode)
        if match is not None and match.level == 2:
            district = match.pcode
            admin2 = _cached(("area", district), lambda: Area.objects.get(pcode=district))

    occurred_at, until = values["occurred_at"], values["occurred_until"]
    if occurred_at and until and until < occurred_at:
        error("occurred_until", _("The end is before the start."))
    if (values["latitude"] is None) != (values["longitude"] is None):
        error("latitude" if values["latitude"] is None else "longitude", _("Give both coordinates or neither."))
    if values["geo_precision"] is None:
        values["geo_precision"] = GeoPrecision.TOWN if values["latitude"] is not None else GeoPrecision.NEAR
    if not (values["title"] or "").strip() and "title" not in errors:
        error("title", _("This field is required."))

    if category is not None:
        if category.is_outage:
            if not values["service"]:
                values["service"] = category.service
            elif values["service"] != category.service:
                error(
                    "service",
                    _("A %(category)s cuts %(service)s.") % {"category": category.name_en, "service": category.service},
                )
            restored = values["outage_restored_at"]
            if restored and occurred_at and restored < occurred_at:
                error("outage_restored_at", _("Restored before it started."))
        else:
            if values["service"]:
                error("service", _("Only outage categories have a service."))
            if values["outage_restored_at"]:
                error("outage_restored_at", _("Only outage categories have a restoration time."))

    seen: set[tuple[str, str, str]] = set()
    casualties = []
    for position, row in enumerate(values["casualties"] or []):
        scope = row.get("scope") or CasualtyScope.INCIDENT
        key = (row["kind"], row["group"], scope)
        if key in seen:
            error(
                "casualties",
                _("Row %(n)d repeats %(kind)s / %(group)s / %(scope)s.")
                % {"n": position + 1, "kind": key[0], "group": key[1], "scope": key[2]},
            )
        seen.add(key)
        if int(row["low"]) < 0 or int(row["high"]) < int(row["low"]):
            error("casualties", _("Row %(n)d: 0 ≤ low ≤ high.") % {"n": position + 1})
        casualties.append(
            {
                "kind": row["kind"],
                "group": row["group"],
                "low": int(row["low"]),
                "high": int(row["high"]),
                "scope": scope,
            }
        )

    if errors:
        raise ValidationError(errors)
    values.update(
        category=category,
        admin1=admin1,
        admin2=admin2,
        casualties=casualties,
        title=values["title"].strip(),
    )
    for text_field in ("place_name", "narrative", "language", "perpetrator", "source_notes", "service"):
        values[text_field] = values[text_field] or ""
    return values


def report_check(*, monitor: User, report_id, data: dict[str, Any]) -> bool:
    """What `report_submit` would do with this submission, without storing anything.

    True: it would store a new report; False: an identical replay of a stored
    one. Raises `ReportConflict` or a `ValidationError` by field exactly as
    `report_submit` would (a batch of one of `report_check_many`).
    """
    (outcome,) = report_check_many(monitor=monitor, submissions=[(report_id, data)])
    if outcome.conflict:
        raise ReportConflict
    if outcome.error is not None:
        raise outcome.error
    return outcome.created


# --- Batches (bulk imports, reports/imports/) -------------------------------------------


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one submission of a batch, as `report_submit` would have answered it.

    `created`: stored now (or, from `report_check_many`, would be); neither
    `created`, `conflict` nor `error`: an identical replay of a stored report
    (unchanged); `conflict`: the id is taken by another submission (409);
    `error`: the rules refused it, by field.
    """

    report_id: Any
    created: bool = False
    conflict: bool = False
    error: ValidationError | None = None


@dataclass
class _Judged:
    outcomes: list[BatchOutcome]
    new: list[tuple[Any, str, dict[str, Any]]]  # (report id, digest, model values) to insert


def report_check_many(
    *, monitor: User, submissions: Sequence[tuple[Any, dict[str, Any]]], digests: Sequence[str] | None = None
) -> list[BatchOutcome]:
    """`report_check` of each (report id, data), in order, with a few queries for the whole batch; stores nothing.

    `digests`: the submissions' `submission_hash`, if the caller has them already (the import's preview).
    """
    return _judge_many(monitor=monitor, submissions=submissions, digests=digests).outcomes


def report_submit_many(
    *, monitor: User, submissions: Sequence[tuple[Any, dict[str, Any]]], by: User | None = None, reason: str = ""
) -> list[BatchOutcome]:
    """The batch form of `report_submit`: each (report id, data) held to the same rules, stored in a few statements.

    Row by row the answer is what `report_submit` would give for the
    submissions one after another: the same checks (`_clean`), the same
    idempotency by id (a stored id with the same body is unchanged, with
    another body a conflict; a later row of the batch with an earlier row's id
    likewise). The ids are looked up in one query and the categories and areas
    once for the batch; the new reports (with their history, `by` and `reason`
    as its user and reason) and their casualty rows are inserted with one
    statement each, and handed to the pipeline and to the alerts after commit.

    One transaction: the caller's, if it holds one (a bulk import commits its
    checkpoint with the batch), else its own. If another request stores one of
    the ids between the look-up and the insert, the batch is judged again.
    """
    attempts = 3
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                judged = _judge_many(monitor=monitor, submissions=submissions)
                _store_many(monitor=monitor, new=judged.new, by=by, reason=reason)
            return judged.outcomes
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _judge_many(
    *, monitor: User, submissions: Sequence[tuple[Any, dict[str, Any]]], digests: Sequence[str] | None = None
) -> _Judged:
    stored: dict[str, tuple[object, str]] = {
        str(pk): (monitor_id, digest) for pk, monitor_id, digest in _stored_of([i for i, _data in submissions])
    }
    judged = _Judged(outcomes=[], new=[])
    with reference_lookups_cached():
        _prefetch_references([data for _id, data in submissions])
        if digests is None:
            digests = [submission_hash(report_id=report_id, data=data) for report_id, data in submissions]
        for (report_id, data), digest in zip(submissions, digests, strict=True):
            key = str(report_id)
            if key in stored:
                # A replay answers as the first even if the rules changed since (see report_submit).
                monitor_id, first = stored[key]
                replay = _is_replay(monitor_id, first, monitor=monitor, digest=digest)
                judged.outcomes.append(BatchOutcome(report_id=report_id, conflict=not replay))
                continue
            try:
                values = _clean(data)
            except ValidationError as exc:
                judged.outcomes.append(BatchOutcome(report_id=report_id, error=exc))
                continue
            stored[key] = (monitor.pk, digest)  # a later row with this id is a replay of this one, or a conflict
            judged.new.append((report_id, digest, values))
            judged.outcomes.append(BatchOutcome(report_id=report_id, created=True))
    return judged


def _stored_of(report_ids: list[Any]) -> list[tuple[Any, Any, str]]:
    """(id, monitor id, submission hash) of those of the ids already stored: one query.

    On PostgreSQL, ids parsed as UUIDs (a bulk import's) are sent as one array (`id = ANY(%s)`): the same
    query as the ORM's `pk__in`, without a placeholder per id to build and to parse for each chunk.
    """
    ids = set(report_ids)
    if connection.vendor == "postgresql" and all(type(report_id) is uuid.UUID for report_id in ids):
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {quote('id')}, {quote('monitor_id')}, {quote('submission_hash')} "  # noqa: S608 — names
            f"FROM {quote(Report._meta.db_table)} WHERE {quote('id')} = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(ids)])
            return list(cursor.fetchall())
    return list(
        Report.objects.filter(pk__in={str(report_id) for report_id in ids}).values_list(
            "pk", "monitor_id", "submission_hash"
        )
    )


def _prefetch_references(batch: list[dict[str, Any]]) -> None:
    """Fill the block's cache (`reference_lookups_cached`) with the batch's categories and areas: two queries."""
    cache = _REFERENCE_CACHE.get()
    assert cache is not None  # noqa: S101 — called inside reference_lookups_cached
    slugs: set[str] = {data["category"] for data in batch if data.get("category")}
    categories = {c.slug: c for c in Category.objects.filter(slug__in=slugs, is_active=True)}
    for slug in slugs:
        cache[("category", slug)] = categories.get(slug)
    combinations = {
        tuple(str(pcode) for pcode in (data.get("admin1"), data.get("admin2")) if pcode) for data in batch
    } - {()}
    areas = {
        (area.pcode, area.level): area
        for area in Area.objects.filter(pcode__in={pcode for pcodes in combinations for pcode in pcodes})
    }
    for pcodes in combinations:
        cache[("areas", *pcodes)] = {key: area for key, area in areas.items() if key[0] in pcodes}


def _store_many(*, monitor: User, new: list[tuple[Any, str, dict[str, Any]]], by: User | None, reason: str) -> None:
    if not new:
        return
    columns = _report_columns()
    reports: list[dict[str, Any]] = []
    casualties: list[dict[str, Any]] = []
    for report_id, digest, values in new:
        casualties.extend({"report_id": report_id, **row} for row in values.pop("casualties"))
        row = {
            "id": report_id,
            "monitor_id": monitor.pk,
            "organisation_id": monitor.organisation_id,
            "submission_hash": digest,
            "processing_reason": HandBack.SUBMITTED,
        }
        for name, value in values.items():
            attname, target = columns[name]
            row[attname] = value if target is None or value is None else getattr(value, target)
        reports.append(row)
    # COPY rather than INSERT (several times faster for hundreds of rows), from the values without a model
    # instance per row; history for the reports, none for their casualty rows, as report_submit writes them.
    copy_many_recorded_values(Report, reports, by=by, reason=reason)
    if connection.vendor == "postgresql":
        fields = [f for f in ReportCasualty._meta.concrete_fields if not f.primary_key]  # the key is a sequence
        copy_rows(ReportCasualty, fields, [[row[f.attname] for f in fields] for row in casualties])
    else:
        ReportCasualty.objects.bulk_create((ReportCasualty(**row) for row in casualties), batch_size=1000)
    ids: list[object] = [row["id"] for row in reports]
    pipeline.hand_back_many(report_ids=ids, reason=HandBack.SUBMITTED)
    transaction.on_commit(lambda: alerts_enqueue_many(report_ids=ids))  # alerts (reports/alerts/)


_REPORT_COLUMNS: dict[str, tuple[str, str | None]] = {}


def _report_columns() -> dict[str, tuple[str, str | None]]:
    """Each field `_clean` returns, as its column and, for a relation, the attribute of the object it holds."""
    if not _REPORT_COLUMNS:
        for field in Report._meta.concrete_fields:
            target = field.target_field.attname if isinstance(field, ForeignKey) else None
            _REPORT_COLUMNS[field.name] = (field.attname, target)
    return _REPORT_COLUMNS
