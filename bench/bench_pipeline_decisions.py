"""The pipeline's decisions on the bench's sets, made deterministic, to compare two versions of the code.

    BENCH_DATABASE_URL=postgres://…/sijil_pipe_d python bench/bench_pipeline_decisions.py --incidents 1500 --out d.json

The reports of `bench_pipeline_speed.py`'s throughput set (seed 11, a fixed
start) are stored `pending` and drained in-process by one process
(`reports_process`, batch after batch), with every UUID made by a seeded
`uuid4`, so that incident ids, which break ties, are the same on every run.
Written out: each report's incident, each decision (outcome, score, reasons)
and each duplicate candidate (score, reasons, decision), as sorted JSON, with
its SHA-256 and the CPU seconds of the drain. Two versions of the code decide
identically when the files are byte-identical.
"""

import random
import sys
import uuid

_seeded = random.Random(20261202)
uuid.uuid4 = lambda: uuid.UUID(int=_seeded.getrandbits(128), version=4)  # before any model is imported

import argparse
import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_pipeline_speed as speed  # sets the database up and calls django.setup()
from django.core.management import call_command
from django.db import connection, transaction

from incidents.models import DuplicateCandidate, MatchDecision
from incidents.services import reports_process
from reports.choices import ProcessingState
from reports.models import Report, ReportCasualty
from synthetic import generate


def drain(incidents: int) -> tuple[dict, float]:
    speed.empty_register()
    people = speed.monitors()
    days = max(5.0, incidents / 60)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    generated = generate(seed=11, incidents=incidents, start=start, days=days)
    reports, figures = [], []
    for item in generated.reports:
        reports.append(speed._report_row(item, people, processing_state=ProcessingState.PENDING))
        figures.extend(speed._figure_rows(item))
    with transaction.atomic():
        Report.objects.bulk_create(reports, batch_size=5000)
        ReportCasualty.objects.bulk_create(figures, batch_size=5000)
    arrival = start + timedelta(days=days + 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_report r SET received_at = %s + (o.n * interval '1 microsecond') FROM "
            "(SELECT id, row_number() OVER () AS n FROM unnest(%s::uuid[]) AS id) o WHERE o.id = r.id",
            [arrival, [r.id for r in reports]],
        )
    speed.analyze()
    cpu = time.process_time()
    while reports_process().outcomes:
        pass
    cpu = time.process_time() - cpu
    out = {
        "placed": sorted([str(pk), str(incident)] for pk, incident in Report.objects.values_list("pk", "incident_id")),
        "decisions": sorted(
            json.dumps([str(d.report_id), str(d.incident_id), d.outcome, d.score, d.reasons], sort_keys=True)
            for d in MatchDecision.objects.all()
        ),
        "candidates": sorted(
            json.dumps([str(c.report_id), str(c.incident_id), c.score, c.decision, c.reasons], sort_keys=True)
            for c in DuplicateCandidate.objects.all()
        ),
        "not_done": Report.objects.exclude(processing_state=ProcessingState.DONE).count(),
    }
    return out, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=1500)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    out, cpu = drain(args.incidents)
    text = json.dumps(out, sort_keys=True, indent=0)
    Path(args.out).write_text(text)
    incidents = len({incident for _, incident in out["placed"]})
    merged = sum('"merged"' in d for d in out["decisions"])
    print(
        f"{args.incidents} incidents set: {len(out['placed'])} reports, {incidents} incidents, {merged} merged "
        f"decisions, {len(out['candidates'])} candidates, {out['not_done']} not done; drain {cpu:.1f} CPU s; "
        f"sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}",
        flush=True,
    )
    speed.empty_register()


if __name__ == "__main__":
    main()
