"""Alert rules, who is on duty, and every alert sent (to whom, when, delivered or not)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AlertRule(models.Model):
    """Which new reports must reach the reviewers on duty at once.

    A report matches when every condition set matches: one of `categories`
    (empty: any), in one of `areas` (governorate or district p-codes; empty:
    anywhere), with a killed figure (the highest, any group) of at least
    `killed_at_least` (empty: any).
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    categories = models.JSONField(_("categories"), default=list, blank=True, help_text=_("Slugs; empty: any."))
    areas = models.JSONField(_("areas"), default=list, blank=True, help_text=_("P-codes; empty: anywhere."))
    killed_at_least = models.PositiveIntegerField(_("killed at least"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert rule")

    def __str__(self) -> str:
        return self.name


class ReviewerDuty(models.Model):
    """A reviewer taken off duty gets no alerts; every active reviewer is on duty unless marked here."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_duty")
    on_duty = models.BooleanField(_("on duty"), default=True)

    class Meta:
        verbose_name = _("reviewer on duty")
        verbose_name_plural = _("reviewers on duty")

    def __str__(self) -> str:
        return f"{self.user} ({'on' if self.on_duty else 'off'})"


class AlertKind(models.TextChoices):
    REPORT = "report", _("A report matched a rule")
    DIGEST = "digest", _("Reports waiting too long")


class Alert(models.Model):
    """One alert to one reviewer: shown in the admin at once, and e-mailed (`delivered`, or the error)."""

    kind = models.CharField(max_length=10, choices=AlertKind.choices, default=AlertKind.REPORT)
    rule = models.ForeignKey(AlertRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    email_delivered = models.BooleanField(_("e-mail delivered"), default=False)
    email_error = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        constraints = [
            # A report alerts each reviewer once, whichever rules it matches and however often it is evaluated.
            models.UniqueConstraint(
                fields=["report", "recipient"], condition=Q(kind="report"), name="alert_report_once_per_reviewer"
            ),
            models.CheckConstraint(name="alert_kind_valid", condition=Q(kind__in=["report", "digest"])),
        ]

    def __str__(self) -> str:
        return self.subject
