"""report_submit_many: the batch form of report_submit answers and stores exactly what report_submit would."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.forms.models import model_to_dict

from reports import services
from reports.models import Category, Report
from reports.services import ReportConflict, report_check_many, report_submit, report_submit_many
from tests.factories import MonitorFactory
from tests.reports.test_submission import submission

# Compared between the two paths: everything but the clocks.
CLOCKS = ("received_at", "updated_at")


def mixed_batch(monitor, stored_same, stored_other):
    """A batch with each case report_submit distinguishes, in an order that makes later rows depend on earlier ones."""
    twin, rival, fixed_later = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    return [
        (uuid.uuid4(), submission()),  # new, district from the place name
        (uuid.uuid4(), submission(category="weather")),  # unknown category
        (
            uuid.uuid4(),
            submission(casualties=[{"kind": "killed", "group": "civilian", "low": 5, "high": 2}]),
        ),  # low > high
        (uuid.uuid4(), submission(admin1="SY99")),  # unknown governorate
        (twin, submission(title="Twice in one file")),
        (twin, submission(title="Twice in one file")),  # the same again: unchanged
        (rival, submission(title="First account")),
        (rival, submission(title="Another account")),  # the same id, another body: conflict
        (fixed_later, submission(admin2="SY1002")),  # refused (district not in governorate) …
        (fixed_later, submission()),  # … so this one is new
        (stored_same, submission(title="Stored before")),  # replay of a stored report
        (stored_other, submission(title="Not what was stored")),  # conflict with a stored report
        (uuid.uuid4(), submission(category="water_outage", casualties=[])),  # service from the category
    ]


def one_by_one(monitor, batch):
    outcomes = []
    for report_id, data in batch:
        try:
            outcomes.append(
                "created" if report_submit(monitor=monitor, report_id=report_id, data=data).created else "unchanged"
            )
        except ReportConflict:
            outcomes.append("conflict")
        except Exception as exc:  # ValidationError
            outcomes.append(("error", tuple(sorted(exc.message_dict))))
    return outcomes


def as_words(outcomes):
    words = []
    for outcome in outcomes:
        if outcome.error is not None:
            words.append(("error", tuple(sorted(outcome.error.message_dict))))
        else:
            words.append("conflict" if outcome.conflict else "created" if outcome.created else "unchanged")
    return words


def stored(ids):
    reports = {}
    for report in Report.objects.filter(pk__in=ids).prefetch_related("casualties"):
        row = {k: v for k, v in model_to_dict(report).items() if k not in CLOCKS}
        row["casualties"] = [(c.kind, c.group, c.low, c.high, c.scope) for c in report.casualties.all()]
        reports[report.pk] = row
    return reports


@pytest.mark.django_db
def test_a_batch_answers_and_stores_what_report_submit_does_one_by_one():
    monitor, other = MonitorFactory(), MonitorFactory()
    stored_same, stored_other = uuid.uuid4(), uuid.uuid4()
    report_submit(monitor=monitor, report_id=stored_same, data=submission(title="Stored before"))
    report_submit(monitor=other, report_id=stored_other, data=submission())
    batch = mixed_batch(monitor, stored_same, stored_other)
    ids = {report_id for report_id, _data in batch}

    with transaction.atomic():
        expected = one_by_one(monitor, batch)
        expected_rows = stored(ids)
        transaction.set_rollback(True)
    assert stored(ids).keys() == {stored_same, stored_other}

    assert as_words(report_check_many(monitor=monitor, submissions=batch)) == expected
    assert stored(ids).keys() == {stored_same, stored_other}  # the check stores nothing
    outcomes = report_submit_many(monitor=monitor, submissions=batch)
    assert as_words(outcomes) == expected
    assert [o.report_id for o in outcomes] == [report_id for report_id, _data in batch]
    assert stored(ids) == expected_rows
    assert expected == [
        "created",
        ("error", ("category",)),
        ("error", ("casualties",)),
        ("error", ("admin1",)),
        "created",
        "unchanged",
        "created",
        "conflict",
        ("error", ("admin2",)),
        "created",
        "unchanged",
        "conflict",
        "created",
    ]


@pytest.mark.django_db
def test_a_replay_in_a_batch_answers_as_the_first_even_after_its_category_was_retired():
    monitor = MonitorFactory()
    report_id = uuid.uuid4()
    report_submit(monitor=monitor, report_id=report_id, data=submission())
    Category.objects.filter(slug="execution").update(is_active=False)
    (outcome,) = report_submit_many(monitor=monitor, submissions=[(report_id, submission())])
    assert (outcome.created, outcome.conflict, outcome.error) == (False, False, None)


@pytest.mark.django_db
def test_each_new_report_has_its_history_row_with_the_user_and_the_reason():
    monitor, importer = MonitorFactory(), MonitorFactory()
    batch = [(uuid.uuid4(), submission(title=f"Report {n}")) for n in range(3)]
    report_submit_many(monitor=monitor, submissions=batch, by=importer, reason="bulk import")
    history = Report.history.filter(id__in=[report_id for report_id, _data in batch])
    assert sorted(history.values_list("history_type", "history_user_id", "history_change_reason", "title")) == [
        ("+", importer.pk, "bulk import", f"Report {n}") for n in range(3)
    ]


@pytest.mark.django_db
def test_each_history_row_holds_every_tracked_field_as_the_report_stored_it():
    monitor, importer = MonitorFactory(), MonitorFactory()
    batch = [
        (uuid.uuid4(), submission(title=f"Report {n}", latitude="35.1", longitude="36.2", narrative="نص"))
        for n in range(3)
    ]
    batch.append((uuid.uuid4(), submission(category="water_outage", casualties=[])))
    report_submit_many(monitor=monitor, submissions=batch, by=importer, reason="bulk import")
    tracked = [field.attname for field in Report.history.model.tracked_fields]
    assert "title" in tracked and "submission_hash" in tracked and "received_at" in tracked
    for report_id, _data in batch:
        stored = Report.objects.filter(pk=report_id).values(*tracked).get()
        (recorded,) = Report.history.filter(id=report_id).values(*tracked, "history_date")
        assert {name: recorded[name] for name in tracked} == stored
        assert recorded["history_date"] >= stored["received_at"]


@pytest.mark.django_db
def test_a_batch_wakes_the_pipeline_once_per_pipeline_batch_and_the_alerts_once(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    from incidents.services import processing

    settings.SIJIL_PROCESSING_BATCH_SIZE = 4
    woken, alerted = [], []
    monkeypatch.setattr(processing, "enqueue_report", lambda report_id, **kw: woken.append(report_id))
    monkeypatch.setattr(services, "alerts_enqueue_many", lambda report_ids: alerted.append(list(report_ids)))
    batch = [(uuid.uuid4(), submission(title=f"Report {n}")) for n in range(10)]
    with django_capture_on_commit_callbacks(execute=True):
        report_submit_many(monitor=MonitorFactory(), submissions=batch)
    ids = [report_id for report_id, _data in batch]
    assert woken == [ids[0], ids[4], ids[8]]
    assert alerted == [ids]
    assert set(Report.objects.values_list("processing_state", "processing_reason")) == {("pending", "submitted")}


@pytest.mark.django_db(transaction=True)
def test_an_id_stored_by_another_request_during_the_batch_is_judged_again(monkeypatch):
    monitor, other = MonitorFactory(), MonitorFactory()
    batch = [(uuid.uuid4(), submission(title=f"Report {n}")) for n in range(3)]
    taken = batch[1][0]
    real_store = services._store_many
    calls = []

    def store_after_another_request(**kwargs):
        if not calls:
            # Between the look-up and the insert, another request commits a report under one of the ids.
            def elsewhere():
                try:
                    report_submit(monitor=other, report_id=taken, data=submission())
                finally:
                    connection.close()

            thread = threading.Thread(target=elsewhere)
            thread.start()
            thread.join()
        calls.append(1)
        return real_store(**kwargs)

    monkeypatch.setattr(services, "_store_many", store_after_another_request)
    outcomes = report_submit_many(monitor=monitor, submissions=batch)
    assert len(calls) == 2
    assert as_words(outcomes) == ["created", "conflict", "created"]
    assert Report.objects.get(pk=taken).monitor_id == other.pk
    assert Report.objects.count() == 3
