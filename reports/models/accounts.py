"""People and the organisations they belong to."""

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.choices import Role
from reports.days import counting_zone, default_time_zone


class Organisation(models.Model):
    """A monitoring network, or a partner NGO that pulls verified data through the API."""

    class Kind(models.TextChoices):
        MONITORING = "monitoring", _("Monitoring organisation")
        PARTNER = "partner", _("Partner organisation")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MONITORING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="organisation_kind_valid", condition=models.Q(kind__in=["monitoring", "partner"])
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: a field monitor, a reviewer or a coordinator.

    The role is membership of the Django group of the same name, which carries
    the permissions (see `reports.roles`). Partners are organisations with API
    keys, not users.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone)
    preferred_language = models.CharField(
        _("language"), max_length=8, blank=True, default="", help_text=_("Empty: the browser's.")
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        # The stubs type AbstractUser.Meta's names as str; Django takes lazy strings here.
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    def has_role(self, role: Role | str) -> bool:
        return self.is_active and role in self.roles

    def roles_read(self, group_names) -> None:
        """The user's group names, read with the user (an API key's look-up): `roles` then reads nothing."""
        self._roles_cache = frozenset(set(group_names or ()) & set(Role.values))

    @property
    def roles(self) -> frozenset[str]:
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            names = {g.name for g in self.groups.all()} if self.pk else set()
            cached = frozenset(names & set(Role.values))
            self._roles_cache = cached
        return cached

    @property
    def is_monitor(self) -> bool:
        return self.has_role(Role.MONITOR)

    @property
    def is_reviewer(self) -> bool:
        return self.has_role(Role.REVIEWER) or self.has_role(Role.COORDINATOR)

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(Role.COORDINATOR)

    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return counting_zone()
