"""A partner's webhook endpoint, the outbox of events, and each event's delivery to each endpoint."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class WebhookEventType(models.TextChoices):
    INCIDENT_VERIFIED = "incident.verified", _("An incident was verified")
    INCIDENT_UPDATED = "incident.updated", _("A verified incident changed")
    INCIDENT_MERGED = "incident.merged", _("An incident was merged into another")
    INCIDENT_WITHDRAWN = "incident.withdrawn", _("An incident was withdrawn")
    AGGREGATES_UPDATED = "aggregates.updated", _("Daily aggregates changed")


class WebhookEndpoint(models.Model):
    """Where a partner organisation wants events sent, and the secret they are signed with.

    The secret is kept (signing needs it) and shown once, when it is made.
    During a rotation the previous secret signs too, until `previous_secret_until`.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "reports.Organisation", on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("partner")
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=80, editable=False)
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Told when the endpoint is disabled.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.TextField(_("why it was disabled"), blank=True)
    failing_since = models.DateTimeField(null=True, blank=True, help_text="First failure since the last success.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook endpoint")
        constraints = [
            models.CheckConstraint(name="webhook_endpoint_secret_whsec", condition=Q(secret__startswith="whsec_")),  # noqa: S106
            models.CheckConstraint(
                name="webhook_endpoint_revoked_inactive", condition=Q(revoked_at__isnull=True) | Q(is_active=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.url}"


class WebhookEvent(models.Model):
    """One partner-visible change, frozen when it happened: the outbox row, written in the change's transaction.

    The body is built once, from what partners may see then; a retry sends the
    same bytes. `txid` (PostgreSQL's transaction id) makes one change one
    event, however many services in that transaction report it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    subject = models.CharField(max_length=64, help_text="The incident's id, or the aggregates' areas.")
    txid = models.BigIntegerField(default=0)
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("webhook event")
        constraints = [
            models.UniqueConstraint(fields=["txid", "type", "subject"], name="webhook_event_once_per_change"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject}"

    @property
    def webhook_id(self) -> str:
        """The Standard Webhooks message id: the receiver's idempotency key."""
        return f"msg_{self.pk.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Gave up")
    CANCELLED = "cancelled", _("Cancelled (endpoint disabled or revoked)")


class WebhookDelivery(models.Model):
    """One event to one endpoint: at least once, retried with backoff until it is answered 2xx or given up."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once_per_endpoint"),
            models.CheckConstraint(
                name="webhook_delivery_status_valid",
                condition=Q(status__in=["pending", "delivered", "failed", "cancelled"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: when, the answer's status, how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("webhook attempt")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
