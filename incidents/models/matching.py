"""The pipeline's record of how it placed each report."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MatchDecision(models.Model):
    """What the matcher decided for a report, with its score and reasons (one row per decision).

    `join`: the report joined `incident` automatically (score at or above the
    join threshold). `merged`: the incident the report was in was found, with
    the block's other incidents, to be one event with `incident` and was
    absorbed into it (collective resolution, incidents/services/healing.py;
    `reasons` holds the linkage, probability, threshold and strongest and
    weakest report pairs; a reviewer's split undoes it). `candidate`: it started `incident`, and duplicate
    candidates were created for a reviewer. `new`: it started `incident`, no
    existing incident came close. `score` is the best match's (null when no
    incident was in the report's block); `reasons` holds the matches scored,
    best first, with the matcher's explanation. Reviewers' decisions are not
    recorded here but on the incidents, reports and duplicate candidates they change.
    """

    class Outcome(models.TextChoices):
        JOIN = "join", _("Joined an incident")
        CANDIDATE = "candidate", _("New incident, duplicate candidates for review")
        NEW = "new", _("New incident")
        MERGED = "merged", _("Merged with another fragment of the same event")

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="match_decisions")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="match_decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=dict)
    join_threshold = models.FloatField()
    candidate_threshold = models.FloatField()
    # The `MatcherModel.version` (or the shipped default's) that made the decision.
    model_version = models.CharField(max_length=64, blank=True, default="")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["report", "-decided_at"], name="match_decision_report_recent")]
        constraints = [
            models.CheckConstraint(
                name="match_decision_outcome_valid", condition=Q(outcome__in=["join", "candidate", "new", "merged"])
            ),
            models.CheckConstraint(
                name="match_decision_score_0_1", condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.incident_id} ({self.outcome})"


class MatcherModel(models.Model):
    """A version of the matcher's model learned from the register (incidents/services/learning.py).

    `model` is `MatchModel.to_json()` (incidents/dedup/model.py): m/u
    probabilities estimated by EM over the register's own blocked
    comparisons, calibrated on reviewers' decisions when there are enough.
    The active row is the one the pipeline uses; with none, the shipped
    default model (incidents/dedup/default_model.json). Rows are kept so
    every decision's `model_version` can be read back.
    """

    version = models.CharField(max_length=64, unique=True)
    model = models.JSONField()
    active = models.BooleanField(default=False)
    trained_at = models.DateTimeField(auto_now_add=True)
    comparisons = models.PositiveIntegerField(default=0)
    labels = models.PositiveIntegerField(default=0)
    calibrated = models.BooleanField(default=False)

    class Meta:
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="matcher_model_one_active")
        ]

    def __str__(self) -> str:
        return f"{self.version}{' (active)' if self.active else ''}"
