"""Incidents: what the workers make of reports."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reports.choices import CasualtyGroup, CasualtyKind, GeoPrecision, Service, TimePrecision, values_sql


class IncidentStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Unverified")
    VERIFIED = "verified", _("Verified")
    MERGED = "merged", _("Merged into another")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Incidents that count (in aggregates, in partners' lists) and that may still change; the others are tombstones.
LIVE_STATUSES: frozenset[str] = frozenset({IncidentStatus.UNVERIFIED, IncidentStatus.VERIFIED})
TOMBSTONE_STATUSES: frozenset[str] = frozenset({IncidentStatus.MERGED, IncidentStatus.WITHDRAWN})


class Incident(models.Model):
    """One real-world event, the result of deduplicating reports.

    Its figures are reconciled from its reports (`IncidentCasualty`), never
    summed. A merged incident stays as a tombstone pointing at the one that
    absorbed it, so that partners syncing incrementally learn of the merge.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(
        _("state"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.UNVERIFIED
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="absorbed",
        verbose_name=_("merged into"),
    )
    category = models.ForeignKey(
        "reports.Category", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("category")
    )

    occurred_from = models.DateTimeField(_("from"))
    occurred_to = models.DateTimeField(_("to"), null=True, blank=True)
    time_precision = models.PositiveSmallIntegerField(
        _("time precision"), choices=TimePrecision.choices, default=TimePrecision.DAY
    )

    admin1 = models.ForeignKey(
        "reports.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("governorate")
    )
    admin2 = models.ForeignKey(
        "reports.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    place_name = models.CharField(_("place"), max_length=200, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    geo_precision = models.PositiveSmallIntegerField(
        _("place precision"), choices=GeoPrecision.choices, default=GeoPrecision.NEAR
    )

    title = models.CharField(_("title"), max_length=200)
    # Written for partners: no names of sources or witnesses.
    summary = models.TextField(_("summary"), blank=True, default="")
    perpetrator = models.CharField(_("alleged perpetrator"), max_length=300, blank=True, default="")
    # A reviewer wrote the title / the perpetrator (`incident_edit_public_text`): the pipeline never
    # recomputes that field again, so a redaction (a witness's name taken out) stays redacted. Per
    # field: a reviewer who only wrote the summary has not vouched for the title of the moment.
    title_by_reviewer = models.BooleanField(_("title written by a reviewer"), default=False)
    perpetrator_by_reviewer = models.BooleanField(_("perpetrator written by a reviewer"), default=False)

    service = models.CharField(_("service"), max_length=20, choices=Service.choices, blank=True, default="")
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)

    report_count = models.PositiveIntegerField(_("reports"), default=0)
    source_count = models.PositiveIntegerField(_("independent sources"), default=0)
    sources_disagree = models.BooleanField(_("sources disagree"), default=False)
    first_reported_at = models.DateTimeField(_("first reported at"), null=True, blank=True)

    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Every change partners should learn of bumps this (incremental sync orders by it). On PostgreSQL the
    # database stamps it again at commit (migrations/0005_change_cursor.py): its order is the commit order.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_from"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="incident_sync_cursor"),
            models.Index(fields=["admin1", "occurred_from"], name="incident_admin1_time"),
            models.Index(fields=["admin2", "occurred_from"], name="incident_admin2_time"),
            models.Index(fields=["status", "occurred_from"], name="incident_status_time"),
            # The pipeline's blocking query (incidents.selectors.candidate_incidents): live incidents only.
            models.Index(
                fields=["admin1", "category", "occurred_from"],
                name="incident_block",
                condition=Q(status__in=["unverified", "verified"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(name="incident_status_valid", condition=Q(status__in=values_sql(IncidentStatus))),
            models.CheckConstraint(
                name="incident_merged_iff_merged_into",
                condition=(Q(status="merged") & Q(merged_into__isnull=False))
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
            ),
            models.CheckConstraint(name="incident_not_merged_into_itself", condition=~Q(merged_into=F("id"))),
            models.CheckConstraint(
                name="incident_occurred_to_after_from",
                condition=Q(occurred_to__isnull=True) | Q(occurred_to__gte=F("occurred_from")),
            ),
            models.CheckConstraint(
                name="incident_coordinates_both_or_neither",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
            ),
            models.CheckConstraint(
                name="incident_time_precision_acled", condition=Q(time_precision__in=values_sql(TimePrecision))
            ),
            models.CheckConstraint(
                name="incident_geo_precision_acled", condition=Q(geo_precision__in=values_sql(GeoPrecision))
            ),
            models.CheckConstraint(
                name="incident_sources_le_reports", condition=Q(source_count__lte=F("report_count"))
            ),
        ]

    def __str__(self) -> str:
        return self.title


class IncidentCasualty(models.Model):
    """An incident's reconciled figure for one kind × group: low ≤ best ≤ high.

    Low is the lowest credible figure, high the highest, best the median of the
    independent credible sources (falling back to low). `method` says how the
    numbers were reached. A reviewer's override of best is kept in
    `best_override` and survives every recomputation.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="casualties")
    kind = models.CharField(_("kind"), max_length=20, choices=CasualtyKind.choices)
    group = models.CharField(_("group"), max_length=20, choices=CasualtyGroup.choices)
    low = models.PositiveIntegerField(_("low"))
    best = models.PositiveIntegerField(_("best"))
    high = models.PositiveIntegerField(_("high"))
    method = models.CharField(_("method"), max_length=300)
    best_override = models.PositiveIntegerField(_("best (reviewer's override)"), null=True, blank=True)
    override_note = models.TextField(_("override note"), blank=True, default="")
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("overridden by"),
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "kind", "group"]
        verbose_name = _("incident casualty")
        verbose_name_plural = _("incident casualties")
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "group"], name="incident_casualty_unique_row"),
            models.CheckConstraint(
                name="incident_casualty_low_le_best_le_high", condition=Q(low__lte=F("best"), best__lte=F("high"))
            ),
            models.CheckConstraint(name="incident_casualty_kind_valid", condition=Q(kind__in=values_sql(CasualtyKind))),
            models.CheckConstraint(
                name="incident_casualty_group_valid", condition=Q(group__in=values_sql(CasualtyGroup))
            ),
            models.CheckConstraint(
                name="incident_casualty_override_has_note",
                condition=Q(best_override__isnull=True) | ~Q(override_note=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.group} {self.low}/{self.best}/{self.high}"


class DuplicateCandidate(models.Model):
    """A report that may describe an existing incident, for a reviewer to decide.

    `score` is the matcher's probability that they are the same event (0–1);
    `reasons` its features (time gap, distance, place, text, figures). A
    rejected candidate is never suggested again.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="duplicate_candidates", verbose_name=_("report")
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="duplicate_candidates", verbose_name=_("incident")
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=dict)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-score"]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        constraints = [
            models.UniqueConstraint(fields=["report", "incident"], name="duplicate_candidate_unique_pair"),
            models.CheckConstraint(name="duplicate_candidate_score_0_1", condition=Q(score__gte=0, score__lte=1)),
            models.CheckConstraint(
                name="duplicate_candidate_decision_valid",
                condition=Q(decision__in=["pending", "accepted", "rejected"]),
            ),
            models.CheckConstraint(
                name="duplicate_candidate_decided_has_who",
                condition=Q(decision="pending") | Q(decided_by__isnull=False, decided_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} ~ {self.incident_id} ({self.score:.2f})"


class DailyAggregate(models.Model):
    """Per day × admin1 × admin2 × category × verification: incidents and their figures.

    The date is the day the incident started in Asia/Damascus. Each incident
    counts once, in the row of its own verification state: partners get the
    `verified=True` rows; coordinators may add the unverified ones, marked.
    Figures are the incidents' estimates (incident scope only), never reports'.
    """

    date = models.DateField()
    admin1 = models.ForeignKey("reports.Area", on_delete=models.PROTECT, related_name="+")
    admin2 = models.ForeignKey("reports.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("reports.Category", on_delete=models.PROTECT, related_name="+")
    verified = models.BooleanField()
    incidents = models.PositiveIntegerField(default=0)
    killed_low = models.PositiveIntegerField(default=0)
    killed_best = models.PositiveIntegerField(default=0)
    killed_high = models.PositiveIntegerField(default=0)
    injured_low = models.PositiveIntegerField(default=0)
    injured_best = models.PositiveIntegerField(default=0)
    injured_high = models.PositiveIntegerField(default=0)
    # Outage incidents of this key that had started and were not restored at the end of the day.
    outages_active = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "admin1", "admin2", "category"]
        indexes = [models.Index(fields=["verified", "date"], name="aggregate_verified_date")]
        constraints = [
            # Two partial constraints rather than NULLS NOT DISTINCT, so SQLite enforces them too.
            models.UniqueConstraint(
                fields=["date", "admin1", "admin2", "category", "verified"],
                condition=Q(admin2__isnull=False),
                name="daily_aggregate_unique_key_district",
            ),
            models.UniqueConstraint(
                fields=["date", "admin1", "category", "verified"],
                condition=Q(admin2__isnull=True),
                name="daily_aggregate_unique_key_governorate",
            ),
            models.CheckConstraint(
                name="daily_aggregate_killed_ordered",
                condition=Q(killed_low__lte=F("killed_best"), killed_best__lte=F("killed_high")),
            ),
            models.CheckConstraint(
                name="daily_aggregate_injured_ordered",
                condition=Q(injured_low__lte=F("injured_best"), injured_best__lte=F("injured_high")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.admin1_id}/{self.admin2_id} {self.category_id}"
