"""The closed vocabularies of docs/contract.md. Their values are part of the API contract."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MONITOR = "monitor", _("Field monitor")
    REVIEWER = "reviewer", _("Reviewer")
    COORDINATOR = "coordinator", _("Coordinator")


class CasualtyKind(models.TextChoices):
    KILLED = "killed", _("Killed")
    INJURED = "injured", _("Injured")
    MISSING = "missing", _("Missing")
    DETAINED = "detained", _("Detained")
    ABDUCTED = "abducted", _("Abducted")


class CasualtyGroup(models.TextChoices):
    CIVILIAN = "civilian", _("Civilians")
    SECURITY_FORCES = "security_forces", _("Security forces")
    ARMED_GROUP = "armed_group", _("Armed group members")
    UNKNOWN = "unknown", _("Unknown")


class CasualtyScope(models.TextChoices):
    INCIDENT = "incident", _("This incident")
    CUMULATIVE = "cumulative", _("A running total for the area and period")


class SourceType(models.TextChoices):
    EYEWITNESS = "eyewitness", _("Eyewitness")
    VICTIM = "victim", _("Victim")
    RELATIVE = "relative", _("Relative of a victim")
    MEDICAL = "medical", _("Medical staff")
    LOCAL_OFFICIAL = "local_official", _("Local official")
    MEDIA = "media", _("Media")
    SOCIAL_MEDIA = "social_media", _("Social media")
    OTHER = "other", _("Other")


class SourceReliability(models.TextChoices):
    """Admiralty grading of the source."""

    A = "A", _("A – completely reliable")
    B = "B", _("B – usually reliable")
    C = "C", _("C – fairly reliable")
    D = "D", _("D – not usually reliable")
    E = "E", _("E – unreliable")
    F = "F", _("F – reliability cannot be judged")


class InfoCredibility(models.IntegerChoices):
    """Admiralty grading of the information itself."""

    CONFIRMED = 1, _("1 – confirmed by other sources")
    PROBABLY_TRUE = 2, _("2 – probably true")
    POSSIBLY_TRUE = 3, _("3 – possibly true")
    DOUBTFUL = 4, _("4 – doubtful")
    IMPROBABLE = 5, _("5 – improbable")
    UNKNOWN = 6, _("6 – truth cannot be judged")


class TimePrecision(models.IntegerChoices):
    """ACLED's time precision."""

    DAY = 1, _("The exact day")
    WEEK = 2, _("Within a week")
    MONTH = 3, _("Within the month")


class GeoPrecision(models.IntegerChoices):
    """ACLED's geo precision."""

    TOWN = 1, _("The named town or exact spot")
    NEAR = 2, _("Near a town, or part of a district")
    REGION = 3, _("Only the region")


class Service(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity")
    WATER = "water", _("Water")
    TELECOM = "telecom", _("Telecommunications")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFO = "needs_info", _("Needs information")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class ProcessingState(models.TextChoices):
    """Where a report stands in the background pipeline. PostgreSQL, not the broker, is the record."""

    PENDING = "pending", _("Waiting to be processed")
    CLAIMED = "claimed", _("Being processed")
    DONE = "done", _("Processed")
    FAILED = "failed", _("Failed after retries")


class HandBack(models.TextChoices):
    """Why a report is (again) waiting for the pipeline; said by whoever hands it back (`reports/pipeline.py`).

    `amended` asks the pipeline to match the report again (its content
    changed); `reviewed` only to recompute what the review changed (a rejected
    report leaves its incident). An amendment not yet processed is not
    forgotten when a review hands the report back too.
    """

    NONE = "", _("Nothing asked")
    SUBMITTED = "submitted", _("Submitted")
    AMENDED = "amended", _("Amended by its monitor")
    REVIEWED = "reviewed", _("Reviewed")


class ReviewDecisionKind(models.TextChoices):
    TAKE = "take", _("Taken for review")
    VERIFY = "verify", _("Verified")
    REJECT = "reject", _("Rejected")
    NEEDS_INFO = "needs_info", _("More information requested")
    AMEND = "amend", _("Amended by the monitor")


def values_sql(choices: type[models.Choices]) -> list:
    """The values of a choices class, for a CheckConstraint."""
    return [value for value, _label in choices.choices]
