"""API keys for partners and users."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiKeyScope(models.TextChoices):
    REPORTS_WRITE = "reports:write", _("Submit reports")
    REPORTS_READ = "reports:read", _("Read reports")
    INCIDENTS_READ = "incidents:read", _("Read incidents")
    AGGREGATES_READ = "aggregates:read", _("Read daily aggregates")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Manage the organisation's webhooks")


class ApiKey(models.Model):
    """A bearer key issued to a user or to a partner organisation.

    Only a SHA-256 of the key is stored (the key is 256 random bits, so a slow
    password hash adds nothing but latency); the key itself is shown once.
    `prefix` identifies a key in lists and logs without revealing it.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    hashed_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="api_keys"
    )
    organisation = models.ForeignKey(
        "reports.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="api_keys"
    )
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.CheckConstraint(
                name="api_key_user_xor_organisation",
                condition=Q(user__isnull=False, organisation__isnull=True)
                | Q(user__isnull=True, organisation__isnull=False),
            ),
            models.CheckConstraint(name="api_key_hash_sha256", condition=Q(hashed_key__regex=r"^[0-9a-f]{64}$")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
