"""The matcher learns from the register it serves: EM over its own comparisons, calibrated on reviewers' decisions.

`matcher_train` is run by a periodic worker task (`incidents.tasks.train_matcher`,
daily by default: `SIJIL_MATCHER_TRAIN_EVERY_SECONDS`) and by
`manage.py train_matcher`. It

1. reads the register's most recent reports that belong to an incident (at
   most `SIJIL_MATCHER_TRAIN_REPORTS`), as the matcher sees them
   (`refresh.report_record`: incident-scope figures, no source, no notes);
2. builds every pair the online matcher's blocking would compare
   (`incidents.dedup.em.blocked_comparisons`) and estimates the m/u
   probabilities by expectation–maximisation, unsupervised, starting from
   the model in use (`incidents.dedup.em.train_em`);
3. when reviewers have decided enough duplicate candidates (accepted: one
   event; rejected: two), calibrates the probabilities and the merge
   threshold on them as labelled pairs (`incidents.dedup.calibration.calibrate`);
4. takes the candidate threshold (when a reviewer is asked) from the shipped
   model, as policy rather than something learned, so that a register trained
   before a change of it follows;
5. stores the result as a new `MatcherModel` version and makes it the active
   one. Workers pick it up within `selectors.MODEL_RECHECK_SECONDS`; every
   decision row records the version that made it.

A register too small to learn from (fewer than `min_comparisons` pairs) keeps
the model it has; a new register starts from the shipped default
(incidents/dedup/default_model.json). See docs/matching.md.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incidents.dedup.calibration import LabelledPair, calibrate
from incidents.dedup.em import blocked_comparisons, train_em
from incidents.dedup.model import default_model
from incidents.models import DuplicateCandidate, MatcherModel
from incidents.selectors import matcher_model, matcher_model_forget, training_reports
from incidents.services.refresh import report_record

logger = logging.getLogger(__name__)


def matcher_train(
    *, max_reports: int | None = None, min_comparisons: int = 200, min_labels: int = 20, version: str | None = None
) -> MatcherModel | None:
    """Learn a new model version from the register and make it the active one; None if there is too little to learn."""
    max_reports = max_reports or settings.SIJIL_MATCHER_TRAIN_REPORTS
    records = [report_record(report) for report in training_reports(limit=max_reports)]
    comparisons = blocked_comparisons(records)
    if len(comparisons) < min_comparisons:
        logger.info("Matcher training skipped: %d comparisons (at least %d needed)", len(comparisons), min_comparisons)
        return None
    start = matcher_model()
    version = version or f"register-{timezone.now():%Y%m%dT%H%M%S}"
    model = train_em(comparisons, start=start, version=version)
    labels = [
        LabelledPair.from_reasons(reasons, same=decision == DuplicateCandidate.Decision.ACCEPTED)
        for reasons, decision in DuplicateCandidate.objects.exclude(decision=DuplicateCandidate.Decision.PENDING)
        .order_by("-decided_at")
        .values_list("reasons", "decision")[:5000]
        if isinstance(reasons, dict) and "levels" in reasons and "prior_weight" in reasons
    ]
    calibrated = len(labels) >= min_labels and any(p.same for p in labels) and not all(p.same for p in labels)
    if calibrated:
        model = calibrate(model, labels, version=version)
    # When to ask a reviewer is the register's policy, not something the comparisons teach: it follows the
    # shipped model (docs/matching.md, "Thresholds"), never above the join threshold the labels set.
    model = model.evolve(candidate_threshold=min(default_model().candidate_threshold, model.join_threshold))
    with transaction.atomic():
        MatcherModel.objects.filter(active=True).update(active=False)
        row = MatcherModel.objects.create(
            version=version,
            model=model.to_dict(),
            active=True,
            comparisons=len(comparisons),
            labels=len(labels),
            calibrated=calibrated,
        )
    matcher_model_forget()  # this process reads it again now (in its transaction), and after the commit
    transaction.on_commit(matcher_model_forget)
    logger.info(
        "Matcher model %s trained on %d comparisons%s",
        version,
        len(comparisons),
        f", calibrated on {len(labels)} reviewer decisions" if calibrated else "",
    )
    return row
