"""A monitor's report, its casualty figures, attachments and review decisions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reports.choices import (
    CasualtyGroup,
    CasualtyKind,
    CasualtyScope,
    GeoPrecision,
    HandBack,
    InfoCredibility,
    ProcessingState,
    ReportStatus,
    ReviewDecisionKind,
    Service,
    SourceReliability,
    SourceType,
    TimePrecision,
    values_sql,
)


class Report(models.Model):
    """One monitor's account of something that happened.

    The id is made by the client and is the idempotency key: however often a
    report is sent, it is stored once. Reports describing the same event are
    grouped by the workers into one `incidents.Incident`; they are never summed.
    """

    id = models.UUIDField(primary_key=True, editable=False)
    # Indexes: only those a query reads (reports/migrations/0006_indexes_a_query_reads.py says which reads which).
    # The monitor's reports are read through `report_monitor_recent` (monitor first), the incident's through
    # `report_incident`; the category, governorate and district by a plain index each, without the
    # `varchar_pattern_ops` copy Django adds to an indexed text foreign key for LIKE, which nothing runs.
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("monitor"),
        db_index=False,
    )
    organisation = models.ForeignKey(
        "reports.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("organisation"),
    )
    category = models.ForeignKey(
        "reports.Category",
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("category"),
        db_index=False,
    )

    occurred_at = models.DateTimeField(_("when it happened"))
    occurred_until = models.DateTimeField(_("until"), null=True, blank=True)
    time_precision = models.PositiveSmallIntegerField(
        _("time precision"), choices=TimePrecision.choices, default=TimePrecision.DAY
    )

    admin1 = models.ForeignKey(
        "reports.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("governorate"), db_index=False
    )
    admin2 = models.ForeignKey(
        "reports.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        db_index=False,
    )
    place_name = models.CharField(_("place name"), max_length=200, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    geo_precision = models.PositiveSmallIntegerField(
        _("place precision"), choices=GeoPrecision.choices, default=GeoPrecision.NEAR
    )

    title = models.CharField(_("title"), max_length=200)
    narrative = models.TextField(_("what happened"), max_length=20000, blank=True, default="")
    language = models.CharField(_("language"), max_length=35, blank=True, default="")
    perpetrator = models.CharField(_("alleged perpetrator"), max_length=300, blank=True, default="")

    source_type = models.CharField(_("source"), max_length=20, choices=SourceType.choices)
    source_reliability = models.CharField(
        _("source reliability"), max_length=1, choices=SourceReliability.choices, default=SourceReliability.F
    )
    info_credibility = models.PositiveSmallIntegerField(
        _("credibility"), choices=InfoCredibility.choices, default=InfoCredibility.UNKNOWN
    )
    # Sensitive: who the source is or how to reach them. Seen by the monitor and
    # reviewers only; never logged, never in an export or a partner's response.
    source_notes = models.TextField(_("notes on the source (confidential)"), blank=True, default="")

    service = models.CharField(_("service cut"), max_length=20, choices=Service.choices, blank=True, default="")
    outage_restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)

    status = models.CharField(
        _("review state"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    review_note = models.TextField(_("reviewer's note"), blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # A reviewer "takes" a report so that two do not work the same one; the lock expires.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("taken by"),
    )
    assigned_until = models.DateTimeField(_("taken until"), null=True, blank=True)

    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="reports", db_index=False
    )
    # Set when a reviewer placed the report in its incident: the pipeline never moves it back.
    incident_pinned = models.BooleanField(_("placed by a reviewer"), default=False)

    processing_state = models.CharField(
        _("processing state"), max_length=10, choices=ProcessingState.choices, default=ProcessingState.PENDING
    )
    processing_attempts = models.PositiveSmallIntegerField(_("processing attempts"), default=0)
    processing_claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    processing_error = models.CharField(_("processing error"), max_length=500, blank=True, default="")
    # What the last hand-back asked of the pipeline (`HandBack`); cleared once processed.
    processing_reason = models.CharField(max_length=10, choices=HandBack.choices, blank=True, default="")

    # SHA-256 of the submission as first received: a replay must match it (else 409).
    submission_hash = models.CharField(_("submission hash"), max_length=64)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # The history is read by report (`id`) in time order (`history_date`), and one version by `history_id`:
    # simple-history's indexes on the history's copies of the foreign keys serve no query.
    history = HistoricalRecords(
        excluded_fields=["processing_claimed_at", "assigned_until", "updated_at"],
        no_db_index=[
            "monitor",
            "organisation",
            "category",
            "admin1",
            "admin2",
            "reviewed_by",
            "assigned_to",
            "incident",
        ],
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["monitor", "-received_at"], name="report_monitor_recent"),
            models.Index(fields=["status", "received_at"], name="report_status_received"),
            models.Index(fields=["processing_state", "received_at"], name="report_processing_queue"),
            models.Index(fields=["incident"], name="report_incident"),
            models.Index(fields=["category"], name="report_category"),
            models.Index(fields=["admin1"], name="report_admin1"),
            models.Index(fields=["admin2"], name="report_admin2"),
        ]
        constraints = [
            models.CheckConstraint(
                name="report_coordinates_both_or_neither",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
            ),
            models.CheckConstraint(
                name="report_coordinates_in_range",
                condition=Q(latitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
            ),
            models.CheckConstraint(
                name="report_occurred_until_after_start",
                condition=Q(occurred_until__isnull=True) | Q(occurred_until__gte=F("occurred_at")),
            ),
            models.CheckConstraint(
                name="report_restored_after_start",
                condition=Q(outage_restored_at__isnull=True) | Q(outage_restored_at__gte=F("occurred_at")),
            ),
            models.CheckConstraint(
                name="report_time_precision_acled", condition=Q(time_precision__in=values_sql(TimePrecision))
            ),
            models.CheckConstraint(
                name="report_geo_precision_acled", condition=Q(geo_precision__in=values_sql(GeoPrecision))
            ),
            models.CheckConstraint(
                name="report_source_type_valid", condition=Q(source_type__in=values_sql(SourceType))
            ),
            models.CheckConstraint(
                name="report_reliability_admiralty",
                condition=Q(source_reliability__in=values_sql(SourceReliability)),
            ),
            models.CheckConstraint(
                name="report_credibility_admiralty",
                condition=Q(info_credibility__in=values_sql(InfoCredibility)),
            ),
            models.CheckConstraint(
                name="report_service_valid", condition=Q(service="") | Q(service__in=values_sql(Service))
            ),
            models.CheckConstraint(name="report_status_valid", condition=Q(status__in=values_sql(ReportStatus))),
            models.CheckConstraint(
                name="report_processing_state_valid",
                condition=Q(processing_state__in=values_sql(ProcessingState)),
            ),
            models.CheckConstraint(
                name="report_processing_reason_valid",
                condition=Q(processing_reason__in=values_sql(HandBack)),
            ),
            models.CheckConstraint(name="report_title_not_blank", condition=~Q(title="")),
            models.CheckConstraint(
                name="report_submission_hash_sha256", condition=Q(submission_hash__regex=r"^[0-9a-f]{64}$")
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_outage(self) -> bool:
        return self.category.is_outage


class ReportCasualty(models.Model):
    """A figure a report gives: kind × group, a low and a high count, and its scope.

    `cumulative` figures (a running total for an area and period) are kept and
    shown, but never added into incident estimates or aggregates.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="casualties")
    kind = models.CharField(_("kind"), max_length=20, choices=CasualtyKind.choices)
    group = models.CharField(_("group"), max_length=20, choices=CasualtyGroup.choices)
    low = models.PositiveIntegerField(_("at least"))
    high = models.PositiveIntegerField(_("at most"))
    scope = models.CharField(_("scope"), max_length=12, choices=CasualtyScope.choices, default=CasualtyScope.INCIDENT)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "kind", "group", "scope"]
        verbose_name = _("casualty figure")
        verbose_name_plural = _("casualty figures")
        constraints = [
            models.UniqueConstraint(fields=["report", "kind", "group", "scope"], name="report_casualty_unique_row"),
            models.CheckConstraint(name="report_casualty_low_le_high", condition=Q(low__lte=F("high"))),
            models.CheckConstraint(name="report_casualty_low_non_negative", condition=Q(low__gte=0)),
            models.CheckConstraint(name="report_casualty_kind_valid", condition=Q(kind__in=values_sql(CasualtyKind))),
            models.CheckConstraint(
                name="report_casualty_group_valid", condition=Q(group__in=values_sql(CasualtyGroup))
            ),
            models.CheckConstraint(
                name="report_casualty_scope_valid", condition=Q(scope__in=values_sql(CasualtyScope))
            ),
        ]

    def __str__(self) -> str:
        # Shown as the row's title on the report page, in the reviewer's language.
        return gettext("%(kind)s, %(group)s: %(low)s–%(high)s (%(scope)s)") % {
            "kind": self.get_kind_display(),
            "group": self.get_group_display(),
            "low": self.low,
            "high": self.high,
            "scope": self.get_scope_display(),
        }


def _attachment_path(prefix: str):
    def path(instance: "Attachment", filename: str) -> str:
        # Server-generated names: nothing of the uploader's file name is kept.
        return f"attachments/{prefix}/{instance.report_id}/{instance.id}{instance.extension}"

    return path


def original_upload_to(instance: "Attachment", filename: str) -> str:
    return _attachment_path("original")(instance, filename)


def stripped_upload_to(instance: "Attachment", filename: str) -> str:
    return _attachment_path("stripped")(instance, filename)


class AttachmentType(models.TextChoices):
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
    WEBP = "image/webp", "WebP"
    PDF = "application/pdf", "PDF"


class Attachment(models.Model):
    """A photo or document attached to a report.

    The original is kept exactly as received (its SHA-256 recorded at arrival,
    for chain of custody) and reachable by reviewers only, each access recorded.
    What anyone else sees is `stripped`: re-encoded, without EXIF, GPS or any
    other metadata.
    """

    EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_type = models.CharField(_("type"), max_length=40, choices=AttachmentType.choices)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original = models.FileField(upload_to=original_upload_to, max_length=200)
    stripped = models.FileField(upload_to=stripped_upload_to, max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                name="attachment_content_type_allowed", condition=Q(content_type__in=values_sql(AttachmentType))
            ),
            models.CheckConstraint(name="attachment_sha256_format", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")),
            models.CheckConstraint(name="attachment_size_positive", condition=Q(size__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.content_type} {self.sha256[:12]}"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "")


class AttachmentAccess(models.Model):
    """A record that someone opened an attachment's original (chain of custody)."""

    attachment = models.ForeignKey(
        Attachment, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("attachment")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    accessed_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("opening of an original")
        verbose_name_plural = _("openings of originals")

    def __str__(self) -> str:
        return f"{self.attachment_id} opened at {self.accessed_at:%Y-%m-%d %H:%M}"


class ReviewDecision(models.Model):
    """One step of a report's review: who, when, from which state to which, and the note."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    decision = models.CharField(_("step"), max_length=20, choices=ReviewDecisionKind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=ReportStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ReportStatus.choices)
    note = models.TextField(_("note"), blank=True, default="")
    decided_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        constraints = [
            models.CheckConstraint(
                name="review_decision_kind_valid", condition=Q(decision__in=values_sql(ReviewDecisionKind))
            ),
            models.CheckConstraint(
                name="review_decision_reject_needs_note", condition=~Q(decision="reject") | ~Q(note="")
            ),
            models.CheckConstraint(
                name="review_decision_needs_info_needs_note", condition=~Q(decision="needs_info") | ~Q(note="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.report_id}"
