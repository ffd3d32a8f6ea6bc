"""The peer: splink (unsupervised Fellegi–Sunter with EM, on DuckDB) on the same reports and the same blocks.

An afternoon's setup, as the issue describes it: one row per report with the
fields a data scientist would prepare (the category and its compatible
group, the time, the place name's consonant key — our transliteration, so
that splink is not penalised for scripts —, coordinates, the killed count,
family names, landmarks and content-word skeletons, the perpetrator's
party), splink's own comparison library, u from random sampling, m by EM
on two blocking rules, λ from a deterministic rule, then predictions on
exactly the pairs our blocking makes (`register_blocked_pairs_for_predict`)
and splink's connected components at a threshold. No labels.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC

import duckdb
import pyarrow as pa
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.backends.duckdb import DuckDBAPI

from incidents.dedup.blocking import compatible_categories
from incidents.dedup.em import blocked_pairs
from incidents.dedup.features import specific_place
from incidents.dedup.geo import place_key
from incidents.dedup.records import ReportRecord
from incidents.dedup.text import family_names, landmarks, perpetrator_party, skeletons

logging.getLogger("splink").setLevel(logging.ERROR)


def _rows(records: Sequence[ReportRecord]) -> pa.Table:
    rows = []
    for r in records:
        text = f"{r.title}. {r.narrative}"
        killed = [f.high for f in r.figures if f.kind == "killed"]
        rows.append(
            {
                "unique_id": r.id,
                "category": r.category,
                "category_group": "/".join(sorted(compatible_categories(r.category))),
                "occurred_at": r.occurred_from.astimezone(UTC).replace(tzinfo=None),
                "day": r.occurred_from.date().isoformat(),
                "admin1": r.admin1,
                "admin2": r.admin2,
                "place_key": specific_place(r.place_name) or place_key(r.place_name) or None,
                "lat": r.latitude,
                "lon": r.longitude,
                "killed": max(killed) if killed else None,
                "family": sorted(family_names(text)) or None,
                "landmark": sorted(landmarks(text)) or None,
                "words": sorted(k for k in skeletons(text) if not k.startswith("~")) or None,
                "party": perpetrator_party(r.perpetrator),
            }
        )
    return pa.Table.from_pylist(rows)


class SplinkRun:
    """splink trained on a set of reports, its predictions on our blocked pairs, and its clusters."""

    def __init__(self, records: Sequence[ReportRecord]) -> None:
        self.ids = [r.id for r in records]
        self.con = con = duckdb.connect(":memory:")
        db_api = DuckDBAPI(con)
        con.register("reports_arrow", _rows(records))
        con.execute("CREATE TABLE reports AS SELECT * FROM reports_arrow")
        self.linker = linker = Linker(db_api.register("reports"), _settings(), log_level=logging.ERROR)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("place_key", "day", "category_group")], recall=0.6
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=3e5, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("place_key", "category_group"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("day", "admin1", "category_group"))
        pairs = sorted({tuple(sorted((a.id, b.id))) for a, b in blocked_pairs(records)})
        con.register(
            "our_pairs_arrow",
            pa.Table.from_pylist([{"match_key": "0", "join_key_l": a, "join_key_r": b} for a, b in pairs]),
        )
        con.execute("CREATE TABLE our_pairs AS SELECT * FROM our_pairs_arrow")
        linker.table_management.register_blocked_pairs_for_predict(db_api.register("our_pairs"))
        self.predictions = linker.inference.predict()
        rows = con.execute(
            f"SELECT unique_id_l, unique_id_r, match_probability FROM {self.predictions.physical_name}"  # noqa: S608
        ).fetchall()
        self.probabilities = {(min(a, b), max(a, b)): float(p) for a, b, p in rows}

    def clusters(self, threshold: float) -> dict[str, str]:
        """splink's connected components of the pairs at or above `threshold`: report id -> cluster id."""
        clustered = self.linker.clustering.cluster_pairwise_predictions_at_threshold(
            self.predictions, threshold_match_probability=threshold
        )
        table = clustered.physical_name  # a name splink made, not input
        rows = self.con.execute(f"SELECT unique_id, cluster_id FROM {table}").fetchall()  # noqa: S608
        found = {str(a): str(c) for a, c in rows}
        return {i: found.get(i, i) for i in self.ids}


def _settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("category"),
            cl.AbsoluteTimeDifferenceAtThresholds(
                "occurred_at", input_is_string=False, metrics=["hour", "hour", "day"], thresholds=[2, 12, 2]
            ),
            cl.JaroWinklerAtThresholds("place_key", [0.95, 0.85]),
            cl.DistanceInKMAtThresholds("lat", "lon", [1, 5, 20]),
            cl.CustomComparison(
                output_column_name="killed",
                comparison_levels=[
                    {"sql_condition": '"killed_l" IS NULL OR "killed_r" IS NULL', "is_null_level": True},
                    {"sql_condition": '"killed_l" = "killed_r"', "label_for_charts": "equal"},
                    {
                        "sql_condition": 'greatest("killed_l", "killed_r") <= 1.5 * least("killed_l", "killed_r") + 1',
                        "label_for_charts": "close",
                    },
                    {"sql_condition": "ELSE", "label_for_charts": "apart"},
                ],
            ),
            cl.ArrayIntersectAtSizes("family", [1]),
            cl.ArrayIntersectAtSizes("landmark", [1]),
            cl.ArrayIntersectAtSizes("words", [3, 1]),
            cl.ExactMatch("party"),
        ],
        blocking_rules_to_generate_predictions=[block_on("admin1", "category_group")],
        retain_intermediate_calculation_columns=False,
    )
