"""The batch pipeline's cheaper reads and writes give exactly what the ordinary ones give.

- `selectors.report_incident_figures` (plain rows, one query) gives each
  report the incident-scope figures, in the order, that `report_record` reads
  from `report.casualties`;
- `config.pgarrays.FastListDumper` dumps and quotes lists byte for byte as
  psycopg's `ListDumper`, and is what a connection uses;
- the history rows `reports.history` writes by COPY hold what
  simple-history's `bulk_history_create` writes.
"""

import random

import pytest
from django.db import connection
from psycopg.adapt import PyFormat, Transformer
from psycopg.types.array import ListDumper
from psycopg.types.json import Jsonb
from simple_history.utils import get_history_manager_for_model

from config.pgarrays import FastListDumper
from incidents.models import DuplicateCandidate
from incidents.selectors import report_incident_figures
from incidents.services.refresh import report_record
from reports.history import _stamp, create_many_recorded, save_many_recorded
from reports.models import Report
from tests.factories import IncidentFactory, ReportCasualtyFactory, ReviewerFactory
from tests.incidents.conftest import banyas_outage, jableh_report


@pytest.mark.django_db
def test_figures_read_as_rows_give_the_same_records_as_the_prefetch():
    reports = [jableh_report(minutes=m) for m in (0, 30)] + [jableh_report(killed=None), banyas_outage()]
    extra = reports[0]
    ReportCasualtyFactory(report=extra, kind="injured", group="civilian", low=3, high=4)
    ReportCasualtyFactory(report=extra, kind="injured", group="armed_group", low=1, high=1)
    ReportCasualtyFactory(report=extra, kind="killed", group="unknown", low=2, high=2, scope="cumulative")
    ReportCasualtyFactory(report=reports[1], kind="injured", group="civilian", low=0, high=5)
    rows = report_incident_figures(report_ids=[r.pk for r in reports])
    for report in reports:
        [prefetched] = Report.objects.filter(pk=report.pk).prefetch_related("casualties")
        assert report_record(report, figure_rows=rows.get(report.pk, ())) == report_record(prefetched)
    assert len(report_record(extra, figure_rows=rows[extra.pk]).figures) == 3  # the cumulative figure left out


def test_fast_list_dumper_gives_the_same_bytes():
    rnd = random.Random(7)
    alphabet = "ab \"\\{},\n\t'é"
    tx = Transformer()
    for _ in range(2000):
        values: list = [
            "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12))) for _ in range(rnd.randint(0, 5))
        ]
        if rnd.random() < 0.2:
            values.append(None)
        if rnd.random() < 0.2:
            values = [list(values), list(values)]
        elif rnd.random() < 0.2:
            values = [Jsonb({"reasons": v, "n": [1, 2]}) for v in values]
        plain = ListDumper(list, tx).upgrade(values, PyFormat.TEXT)
        fast = FastListDumper(list, tx).upgrade(values, PyFormat.TEXT)
        assert type(fast) is FastListDumper
        assert fast.dump(values) == plain.dump(values)


@pytest.mark.django_db
def test_connections_dump_lists_with_the_fast_dumper():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    connection.ensure_connection()
    assert connection.connection.adapters.get_dumper(list, PyFormat.TEXT) is FastListDumper
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [['say "no"', "back\\slash", None, "", "NULL", "{x,y}"]])
        assert cursor.fetchone()[0] == ['say "no"', "back\\slash", None, "", "NULL", "{x,y}"]


@pytest.mark.django_db
def test_history_by_copy_holds_what_simple_history_writes():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    reviewer = ReviewerFactory()
    reports = [jableh_report(minutes=m, title=f'Title "{m}" with a \\ and, a comma') for m in (0, 10, 20)]
    for report in reports:
        report.place_name = "Jableh \\ {x}"
    save_many_recorded(reports, by=reviewer, reasons=["one", "", "three"], fields=["place_name"])
    copied = {r.pk: r.history.order_by("-history_id").first() for r in reports}
    _stamp(reports, by=reviewer, reasons=["one", "", "three"])
    get_history_manager_for_model(Report).bulk_history_create(reports, update=True, default_user=reviewer)
    written = {r.pk: r.history.order_by("-history_id").first() for r in reports}
    names = [f.attname for f in type(copied[reports[0].pk])._meta.concrete_fields]
    for report in reports:
        a, b = copied[report.pk], written[report.pk]
        assert a.history_id != b.history_id
        assert {n: getattr(a, n) for n in names if n not in ("history_id", "history_date")} == {
            n: getattr(b, n) for n in names if n not in ("history_id", "history_date")
        }
    assert copied[reports[1].pk].history_change_reason == ""  # simple-history's default for an update
    [figure] = reports[0].casualties.all()
    candidates = [
        DuplicateCandidate(report=r, incident=IncidentFactory(), score=0.5, reasons={"q": 'a "b"'}) for r in reports
    ]
    create_many_recorded(candidates, by=None, reasons="new")
    for candidate in candidates:
        row = candidate.history.get()
        assert (row.id, row.history_type, row.history_user_id, row.history_change_reason) == (
            candidate.pk,
            "+",
            None,
            "new",
        )
        assert row.reasons == {"q": 'a "b"'} and row.report_id == candidate.report_id
    assert figure.pk
