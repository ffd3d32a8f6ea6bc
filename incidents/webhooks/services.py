"""Writes of webhooks: endpoints, the outbox, delivery attempts, redelivery. See docs/webhooks.md.

`webhook_events_record` is called inside the transaction of every
partner-visible change (`incidents/services/`): the event and its
deliveries commit with the change or not at all (the outbox), and a worker
sends them after commit. Delivery is at least once; the `webhook-id`
(the event's id) is the receiver's idempotency key.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Incident, IncidentStatus
from incidents.webhooks import signing, transport
from incidents.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    WebhookEventType,
)
from reports.history import update_from_values
from reports.models import Organisation, User

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 60
# Deliveries are retried for about a day, then given up.
GIVE_UP_AFTER = timedelta(hours=24)
MAX_BACKOFF_SECONDS = 3600
MAX_RETRY_AFTER_SECONDS = 6 * 3600


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- Endpoints ------------------------------------------------------------------------


def webhook_endpoint_create(
    *,
    organisation: Organisation,
    url: str,
    events: Iterable[str],
    contact_email: str = "",
    created_by: User | None = None,
) -> WebhookEndpoint:
    """Register an endpoint for a partner; the returned endpoint carries its secret (show it once)."""
    errors: dict[str, list[str]] = {}
    events = sorted(set(events))
    if organisation.kind != Organisation.Kind.PARTNER:
        errors["organisation"] = [_("%(o)s is not a partner organisation.") % {"o": organisation}]
    if not events:
        errors["events"] = [_("Choose at least one event.")]
    unknown = sorted(set(events) - set(WebhookEventType.values))
    if unknown:
        errors["events"] = [_("Unknown events: %(e)s.") % {"e": ", ".join(unknown)}]
    try:
        transport.check_url(url)
    except transport.UnsafeUrl as exc:
        errors["url"] = [exc.reason]
    if len(url) > 500:
        errors["url"] = [_("At most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=events,
        secret=signing.secret_new(),
        contact_email=contact_email,
        created_by=created_by,
    )


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, overlap: timedelta = timedelta(hours=24)) -> str:
    """A new secret; the old one also signs for `overlap`, so the partner can switch without losing events."""
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret, locked.previous_secret_until = locked.secret, timezone.now() + overlap
        locked.secret = signing.secret_new()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return locked.secret


def webhook_endpoint_revoke(*, endpoint: WebhookEndpoint) -> None:
    """Stop sending to it at once: it gets nothing more, pending deliveries included."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), is_active=False
        )
        WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.CANCELLED
        )


def _disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    updated = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_reason=reason[:500]
    )
    WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED
    )
    if updated and endpoint.contact_email:
        # The owner is told; the message names only the endpoint and why.
        try:
            send_mail(
                subject=_("Sijil: your webhook endpoint was disabled"),
                message=_("Sijil stopped sending events to %(url)s: %(reason)s. Register it again when it is fixed.")
                % {"url": endpoint.url, "reason": reason},
                from_email=None,
                recipient_list=[endpoint.contact_email],
            )
        except Exception as exc:  # the endpoint is disabled whether or not the mail went out
            logger.warning("Could not tell the owner of webhook endpoint %s (%s)", endpoint.pk, type(exc).__name__)
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)


# --- The outbox -----------------------------------------------------------------------


def webhook_events_record(
    *, event: str, incident_ids: Iterable = (), aggregate_keys: Iterable = ()
) -> list[WebhookEvent]:
    """Write the outbox rows of a partner-visible change, in the caller's transaction.

    Incident events are recorded only for incidents partners see (verified,
    or the tombstone of a once-verified one); `incident.updated` only for a
    verified one. `aggregates.updated` names the days and areas of the
    verified rows that changed. One change is one event, however many times
    it is reported within its transaction.
    """
    kept = _listeners.get()
    endpoints = [e for e in (kept if kept is not None else _active_endpoints()) if event in e.events]
    if not endpoints:
        return []  # nobody listens: no outbox row to write on every change of the pipeline
    now = timezone.now()
    bodies: list[tuple[str, dict]] = []
    if event == WebhookEventType.AGGREGATES_UPDATED:
        keys = [key for key in aggregate_keys if getattr(key, "verified", True)]
        if keys:
            bodies.append(("aggregates", _aggregates_data(keys)))
    else:
        from incidents.api.selectors import PUBLISHED_INCIDENTS  # what the API shows partners, exactly

        incidents = Incident.objects.filter(pk__in=list(incident_ids)).filter(PUBLISHED_INCIDENTS)
        if event == WebhookEventType.INCIDENT_UPDATED:
            incidents = incidents.filter(status=IncidentStatus.VERIFIED)
        for incident in incidents:
            bodies.append((str(incident.pk), _incident_data(incident)))
    if not bodies:
        return []
    txid = _txid()
    events = [
        WebhookEvent(
            id=uuid.uuid4(),
            type=event,
            subject=subject,
            txid=txid,
            body={"type": event, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data},
        )
        for subject, data in bodies
    ]
    WebhookEvent.objects.bulk_create(events, ignore_conflicts=True)
    stored = list(WebhookEvent.objects.filter(pk__in=[e.pk for e in events]))
    if not stored:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=e, next_attempt_at=now) for e in stored for endpoint in endpoints]
    )
    ids = [delivery.pk for delivery in deliveries]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return stored


_listeners: contextvars.ContextVar[list[WebhookEndpoint] | None] = contextvars.ContextVar(
    "webhook_listeners", default=None
)


def _active_endpoints() -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(is_active=True))


@contextlib.contextmanager
def webhook_listeners_kept() -> Iterator[None]:
    """Read the active endpoints once for a unit of work (a pipeline batch) instead of at every change in it.

    Inside, `webhook_events_record` uses the endpoints as they were when the
    unit began: one registered meanwhile receives the changes made after the
    unit, as if it had been registered a moment later.
    """
    token = _listeners.set(_active_endpoints())
    try:
        yield
    finally:
        _listeners.reset(token)


def webhook_incident_refreshed(*, incident: Incident, status_before: str) -> None:
    """An incident recomputed with a change: verified by it (its first verified report), or updated."""
    verified_now = status_before != IncidentStatus.VERIFIED and incident.status == IncidentStatus.VERIFIED
    event = WebhookEventType.INCIDENT_VERIFIED if verified_now else WebhookEventType.INCIDENT_UPDATED
    webhook_events_record(event=event, incident_ids=[incident.pk])


def _txid() -> int:
    if connection.vendor != "postgresql":
        # The embedded demo (SQLite): no transaction id; each report of a change is its own event.
        return -random.randint(1, 2**62)  # noqa: S311 — a unique key, not a secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        return int(cursor.fetchone()[0])


def _incident_data(incident: Incident) -> dict:
    return {
        "id": str(incident.pk),
        "status": incident.status,
        "merged_into": str(incident.merged_into_id) if incident.merged_into_id else None,
        "updated_at": incident.updated_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "url": reverse("api:incident-detail", kwargs={"pk": incident.pk}),
    }


def _aggregates_data(keys: list) -> dict:
    dates = sorted({key.date for key in keys})
    return {
        "date_after": dates[0].isoformat(),
        "date_before": dates[-1].isoformat(),
        "admin1": sorted({key.admin1 for key in keys}),
        "categories": sorted({key.category for key in keys}),
        "url": reverse("api:aggregate-list"),
    }


def _enqueue(delivery_ids: list[int]) -> None:
    """One message per batch of deliveries: each claims its batch (and whatever else is due, up to a batch)."""
    from incidents.webhooks.tasks import enqueue_deliveries

    for start in range(0, len(delivery_ids), BATCH):
        enqueue_deliveries(delivery_ids[start : start + BATCH])


# --- Delivery ------------------------------------------------------------------------

# Deliveries one worker claims and sends together: their claim, their outcomes and their attempts are a few
# statements for the batch, and their POSTs reuse the worker's kept connections (`transport`).
BATCH = 50
# No new POST is started after this long into a batch, so that every POST ends (10 s at most) well within the
# claim; what is left is handed back unclaimed and sent again at once.
SEND_FOR_SECONDS = CLAIM_SECONDS - 3 * transport.TIMEOUT_SECONDS
# How often a batch checks that its endpoints are still active (a revocation stops what is left of it).
RECHECK_SECONDS = 1.0


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter: up to base × 2^(attempts-1), at most an hour."""
    base = float(_setting("SIJIL_WEBHOOK_RETRY_BASE_SECONDS", 30))
    ceiling = min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempts - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 — jitter, not a secret


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """One attempt at one delivery, if it is due and nobody else holds it (a batch of that one alone)."""
    sent = webhooks_deliver(delivery_ids=[delivery_id], only=True)
    return sent[0] if sent else None


def webhooks_deliver(
    *, delivery_ids: Iterable[int] = (), limit: int = BATCH, only: bool = False
) -> list[WebhookDelivery]:
    """Claim up to `limit` due deliveries (`delivery_ids` first, then the oldest due), send each, record them.

    The claim is one transaction (`FOR UPDATE SKIP LOCKED`: two workers never
    take the same delivery); then each is signed and POSTed, and the outcomes
    are written together: the attempts in one statement, the deliveries in
    one, the endpoints' failure clocks only when they change. Then, per
    delivery, as ever: 2xx delivered; 410 disables the endpoint (the partner
    said it is gone); 429 and 503 with `Retry-After` wait that long; anything
    else (or no answer within 10 s) is retried with backoff and jitter until a
    day has passed, then given up, and an endpoint failing that long is
    disabled and its owner told. At least once: a worker killed before the
    outcomes are written leaves the claims to expire, and the deliveries are
    sent again. `only`: those deliveries and no others. Returns the deliveries attempted.
    """
    wanted = [int(pk) for pk in delivery_ids]
    claimed = _claim(wanted=wanted, limit=len(wanted) if only else limit, only=only)
    if not claimed:
        return []
    by_id = {d.pk: d for d in WebhookDelivery.objects.filter(pk__in=claimed).select_related("endpoint", "event")}
    order = [pk for pk in claimed if pk in by_id]  # the ones asked for first, then the oldest due
    started = time.monotonic()
    checked: dict[str, transport.Checked] = {}
    active: set = {d.endpoint_id for d in by_id.values()}
    checked_at = started
    sent: list[tuple[WebhookDelivery, transport.Answer]] = []
    left: list[int] = []
    for pk in order:
        delivery = by_id[pk]
        now = time.monotonic()
        if now - started > SEND_FOR_SECONDS:
            left.append(pk)
            continue
        if now - checked_at > RECHECK_SECONDS:
            active = set(WebhookEndpoint.objects.filter(pk__in=active, is_active=True).values_list("pk", flat=True))
            checked_at = now
        if delivery.endpoint_id not in active:
            continue  # revoked or disabled meanwhile (its pending deliveries were cancelled): nothing more to it
        answer = _send(delivery, checked)
        sent.append((delivery, answer))
        if answer.status_code == 410:
            active.discard(delivery.endpoint_id)
    _record(sent)
    if left:
        WebhookDelivery.objects.filter(pk__in=left, status=DeliveryStatus.PENDING).update(
            claimed_until=None, attempts=F("attempts") - 1
        )
        _enqueue(left)
    return [delivery for delivery, _answer in sent]


def _claim(*, wanted: list[int], limit: int, only: bool = False) -> list[int]:
    now = timezone.now()
    due = (
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, endpoint__is_active=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )
    if only:
        due = due.filter(pk__in=wanted)
    with transaction.atomic():
        mine = list(
            due.order_by(Case(When(pk__in=wanted, then=Value(0)), default=Value(1)), "next_attempt_at", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if mine:
            WebhookDelivery.objects.filter(pk__in=mine).update(
                claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1
            )
    return mine


def _send(delivery: WebhookDelivery, checked: dict[str, transport.Checked]) -> transport.Answer:
    endpoint, event = delivery.endpoint, delivery.event
    body = json.dumps(event.body, ensure_ascii=False, separators=(",", ":")).encode()
    now = timezone.now()
    in_force = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        in_force.append(endpoint.previous_secret)
    headers = signing.headers(
        secrets_in_force=in_force, msg_id=event.webhook_id, timestamp=int(now.timestamp()), body=body
    )
    return transport.post(url=endpoint.url, body=body, headers=headers, checked=checked)


def _record(sent: list[tuple[WebhookDelivery, transport.Answer]]) -> None:
    """The outcomes of a batch: its attempts, its deliveries' next states, its endpoints' failure clocks."""
    if not sent:
        return
    now = timezone.now()
    give_up = timedelta(seconds=float(_setting("SIJIL_WEBHOOK_GIVE_UP_SECONDS", GIVE_UP_AFTER.total_seconds())))
    recovered: set = set()
    failing: set = set()
    to_disable: dict = {}
    for delivery, answer in sent:
        endpoint = delivery.endpoint
        delivery.status_code, delivery.last_error, delivery.claimed_until = answer.status_code, answer.error, None
        code = answer.status_code or 0
        if 200 <= code < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
            if endpoint.failing_since is not None:
                recovered.add(endpoint.pk)
            continue
        if code == 410:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.CANCELLED, None
            to_disable.setdefault(endpoint.pk, (endpoint, _("the receiver answered 410 Gone")))
            continue
        failing_since = endpoint.failing_since or now
        if endpoint.failing_since is None:
            failing.add(endpoint.pk)
        if code in (429, 503) and answer.retry_after is not None:
            wait = min(answer.retry_after, MAX_RETRY_AFTER_SECONDS)
        else:
            wait = backoff_seconds(delivery.attempts)
        if now + timedelta(seconds=wait) - delivery.created_at > give_up:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            if now - failing_since > give_up:
                to_disable.setdefault(endpoint.pk, (endpoint, _("every delivery failed for more than a day")))
            continue
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    with transaction.atomic():
        WebhookAttempt.objects.bulk_create(
            WebhookAttempt(delivery=d, status_code=a.status_code, latency_ms=a.latency_ms, error=a.error)
            for d, a in sent
        )
        # Only deliveries still pending: one cancelled meanwhile (its endpoint revoked) stays cancelled.
        update_from_values(
            WebhookDelivery,
            [d for d, _a in sent],
            ["status", "status_code", "last_error", "claimed_until", "delivered_at", "next_attempt_at"],
            where={"status": DeliveryStatus.PENDING},
        )
        if recovered - failing:
            WebhookEndpoint.objects.filter(pk__in=recovered - failing).update(failing_since=None)
        if failing - recovered:
            WebhookEndpoint.objects.filter(pk__in=failing - recovered, failing_since__isnull=True).update(
                failing_since=now
            )
    for endpoint, reason in to_disable.values():
        _disable(endpoint, reason=reason)


def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (the same event id and body): for a partner who lost one."""
    if not delivery.endpoint.is_active:
        raise ValidationError({"endpoint": [_("The endpoint is disabled or revoked.")]})
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), claimed_until=None
        )
        transaction.on_commit(lambda: _enqueue([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


def webhooks_dispatch(*, limit: int = 500) -> int:
    """Beat: send every delivery that is due (retries, and first attempts whose message was lost)."""
    now = timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    _enqueue(due)
    return len(due)
