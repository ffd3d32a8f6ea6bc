"""Reconciling the conflicting figures of one incident's reports into low, best and high.

Pure Python (no Django), so the rule of docs/pipeline.md can be read and tested on
its own. For each kind × group:

- Only figures of incident scope enter: a cumulative claim ("1,225 killed in
  Latakia and Tartous since Thursday") describes an area and a period, not
  this event.
- When the incident has any verified report, only verified reports' figures
  enter: a reviewer has judged those accounts; the others may be wrong.
- *Credible* figures are those of sources graded A–C for reliability and
  1–3 for credibility. Low is the lowest credible figure (the lowest `low`),
  high the highest (the highest `high`). When no source is graded credible,
  low and high come from all the figures, and the method says so.
- Best is the median of the independent credible sources: each source
  counts once (its latest report's figure, the middle of its low–high range),
  and with an even number of sources the lower middle value is taken (the
  conservative one). Without any credible source, best is low.
- The reports of one incident are never summed: three reports of one
  massacre are three estimates of one number.
- A reviewer's override of best wins over the rule and survives every
  recomputation; the range is widened to include it (low ≤ best ≤ high
  always holds), and the method says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import median_low

CREDIBLE_RELIABILITY = frozenset("ABC")
CREDIBLE_CREDIBILITY = frozenset({1, 2, 3})
METHOD_MAX_LENGTH = 300


@dataclass(frozen=True)
class SourceFigure:
    """One figure of one report, with what reconciliation needs to know of its source.

    `source` is the independence key: two reports with the same key are one
    source (see `incidents.services.processing.source_key`). `order` ranks a
    source's reports in time; the latest one speaks for the source.
    """

    report_id: str
    source: str
    kind: str
    group: str
    low: int
    high: int
    reliability: str
    credibility: int
    verified: bool
    order: int = 0
    scope: str = "incident"

    @property
    def credible(self) -> bool:
        return self.reliability in CREDIBLE_RELIABILITY and self.credibility in CREDIBLE_CREDIBILITY


@dataclass(frozen=True)
class Estimate:
    kind: str
    group: str
    low: int
    best: int
    high: int
    method: str
    # The figures' ranges do not all overlap: the sources disagree.
    disagree: bool = False


def reconcile(
    figures: Iterable[SourceFigure],
    *,
    any_verified: bool,
    overrides: Mapping[tuple[str, str], int] | None = None,
) -> dict[tuple[str, str], Estimate]:
    """Low, best and high per (kind, group) from the figures of an incident's reports.

    `any_verified` says whether the incident has a verified report (with or
    without figures); `overrides` maps (kind, group) to a reviewer's best.
    A kind × group with an override but no figure left keeps the override
    as low = best = high.
    """
    overrides = dict(overrides or {})
    pool = [f for f in figures if f.scope == "incident" and (f.verified or not any_verified)]
    by_key: dict[tuple[str, str], list[SourceFigure]] = {}
    for figure in pool:
        by_key.setdefault((figure.kind, figure.group), []).append(figure)

    estimates = {}
    for key in sorted(set(by_key) | set(overrides)):
        rows = by_key.get(key, [])
        override = overrides.get(key)
        if not rows:
            if override is None:
                continue
            estimates[key] = Estimate(
                kind=key[0],
                group=key[1],
                low=override,
                best=override,
                high=override,
                method=_clip("No figure of incident scope is left; best, low and high are the reviewer's override."),
            )
            continue
        estimates[key] = _estimate(key, rows, any_verified=any_verified, override=override)
    return estimates


def _estimate(key: tuple[str, str], rows: list[SourceFigure], *, any_verified: bool, override: int | None) -> Estimate:
    credible = [f for f in rows if f.credible]
    basis = credible or rows
    low = min(f.low for f in basis)
    high = max(f.high for f in basis)
    latest_by_source: dict[str, SourceFigure] = {}
    for figure in sorted(credible, key=lambda f: (f.order, f.report_id)):
        latest_by_source[figure.source] = figure
    points = [(f.low + f.high) // 2 for f in latest_by_source.values()]
    best = median_low(points) if points else low
    disagree = max(f.low for f in basis) > min(f.high for f in basis)

    origin = "verified reports" if any_verified else "all reports"
    if credible:
        method = (
            f"low/high: lowest/highest of {len(credible)} credible figure(s) (A–C, 1–3) from {origin}; "
            f"best: median of {len(points)} independent credible source(s)"
        )
    else:
        method = (
            f"no source graded credible (A–C, 1–3): low/high from all {len(rows)} figure(s) of {origin}; best = low"
        )
    if override is not None:
        if override < low or override > high:
            method += f"; best overridden by a reviewer ({override}), range widened to include it"
        else:
            method += f"; best overridden by a reviewer ({override})"
        best, low, high = override, min(low, override), max(high, override)
    return Estimate(kind=key[0], group=key[1], low=low, best=best, high=high, method=_clip(method), disagree=disagree)


def _clip(text: str) -> str:
    return text if len(text) <= METHOD_MAX_LENGTH else text[: METHOD_MAX_LENGTH - 1] + "…"
