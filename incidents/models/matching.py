"""The pipeline's record of how it placed each report."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MatchDecision(models.Model):
    """What the matcher decided for a report, with its score and reasons (one row per decision).

    `join`: the report joined `incident` automatically (score at or above the
    join threshold). `candidate`: it started `incident`, and duplicate
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

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="match_decisions")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="match_decisions")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=dict)
    join_threshold = models.FloatField()
    candidate_threshold = models.FloatField()
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["report", "-decided_at"], name="match_decision_report_recent")]
        constraints = [
            models.CheckConstraint(
                name="match_decision_outcome_valid", condition=Q(outcome__in=["join", "candidate", "new"])
            ),
            models.CheckConstraint(
                name="match_decision_score_0_1", condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.incident_id} ({self.outcome})"
