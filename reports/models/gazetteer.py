"""The category taxonomy and the gazetteer of areas: reference data, editable by coordinators."""

from django.db import models
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _

from reports.choices import Service


class Category(models.Model):
    """What happened. The slug is part of the API contract; names and descriptions may be edited."""

    class Group(models.TextChoices):
        VIOLENCE = "violence", _("Violence against people")
        DETENTION = "detention", _("Abduction and detention")
        PROPERTY = "property", _("Property")
        FIGHTING = "fighting", _("Fighting")
        DISPLACEMENT = "displacement", _("Displacement")
        SERVICES = "services", _("Services cut")

    slug = models.SlugField(_("slug"), max_length=40, primary_key=True)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    acled_event_type = models.CharField(_("ACLED event type"), max_length=100, blank=True)
    acled_sub_event_type = models.CharField(_("ACLED sub-event type"), max_length=100, blank=True)
    is_outage = models.BooleanField(_("is an outage"), default=False)
    service = models.CharField(_("service"), max_length=20, choices=Service.choices, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered in forms"), default=True)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.CheckConstraint(
                name="category_outage_has_service",
                condition=(models.Q(is_outage=True) & ~models.Q(service=""))
                | (models.Q(is_outage=False) & models.Q(service="")),
            ),
            models.CheckConstraint(
                name="category_acled_subtype_needs_type",
                condition=models.Q(acled_sub_event_type="") | ~models.Q(acled_event_type=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name_ar if get_language_bidi() else self.name_en


class Area(models.Model):
    """A governorate (admin1) or district (admin2), keyed by its OCHA p-code.

    P-codes are strings with irregular numbering (SY0600, SY0602 … there is no
    SY0601) and are never mixed with GeoNames or ISO codes.
    """

    class Level(models.IntegerChoices):
        ADMIN1 = 1, _("Governorate")
        ADMIN2 = 2, _("District")

    pcode = models.CharField(_("p-code"), max_length=12, primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("governorate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    class Meta:
        ordering = ["pcode"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(name="area_level_valid", condition=models.Q(level__in=[1, 2])),
            models.CheckConstraint(
                name="area_pcode_format",
                condition=(models.Q(level=1) & models.Q(pcode__regex=r"^SY[0-9]{2}$"))
                | (models.Q(level=2) & models.Q(pcode__regex=r"^SY[0-9]{4}$")),
            ),
            models.CheckConstraint(
                name="area_parent_matches_level",
                condition=(models.Q(level=1) & models.Q(parent__isnull=True))
                | (models.Q(level=2) & models.Q(parent__isnull=False)),
            ),
            models.CheckConstraint(
                name="area_point_in_range",
                condition=models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
            ),
        ]

    def __str__(self) -> str:
        return self.name_ar if get_language_bidi() else self.name_en


class AreaAlias(models.Model):
    """A name a place is written with: either script, any common transliteration."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        ordering = ["area", "name"]
        verbose_name = _("area alias")
        verbose_name_plural = _("area aliases")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="area_alias_unique_per_area"),
        ]

    def __str__(self) -> str:
        return self.name
