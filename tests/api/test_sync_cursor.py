"""A sync cannot miss a row: `updated_at` is ordered by commit, not by the moment Django saved the row.

The stamp is taken at commit (incidents/migrations/0005_change_cursor.py), so a transaction that was
saved early and committed late still sorts after everything a partner had already been served.
These tests commit for real (a transactional database) and hold a slow transaction open on a
connection of its own, as a pipeline worker or a reviewer's merge would.
"""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from incidents.models import Incident
from tests.factories import VerifiedIncidentFactory

pytestmark = pytest.mark.django_db(transaction=True)


class SlowTransaction(threading.Thread):
    """Changes one incident inside a transaction that stays open until `finish()`."""

    def __init__(self, incident_id) -> None:
        super().__init__(daemon=True)
        self.incident_id = incident_id
        self.saved = threading.Event()
        self.release = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with transaction.atomic():
                incident = Incident.objects.get(pk=self.incident_id)
                incident.summary = "Revised: the hospital's list has eleven names."
                incident.save()
                self.saved.set()
                self.release.wait(timeout=60)
        except BaseException as error:  # reported by finish()
            self.error = error
            self.saved.set()
        finally:
            connection.close()

    def finish(self) -> None:
        self.release.set()
        self.join(timeout=60)
        assert self.error is None, self.error


def escaped(moment: str) -> str:
    return moment.replace("+", "%2B")


def test_a_change_committed_late_comes_after_what_the_partner_was_already_served(partner):
    slow_one, quick_one, another = (VerifiedIncidentFactory() for _ in range(3))
    since = timezone.now().isoformat()  # the partner's last sync ended here
    slow = SlowTransaction(slow_one.pk)
    slow.start()
    slow.saved.wait(timeout=30)
    try:
        # While it is open, two other changes commit, and the partner syncs past them, one page at a time.
        for incident in (quick_one, another):
            incident.refresh_from_db()
            incident.summary = "Revised."
            incident.save()
        page = partner.get(f"/api/v1/incidents/?page_size=1&updated_after={escaped(since)}").json()
        served = [row["id"] for row in page["results"]]
        assert served == [str(quick_one.pk)] and page["next"]
    finally:
        slow.finish()
    # The slow change is committed now; following `next` to the end, the partner gets it.
    url = page["next"]
    while url:
        page = partner.get(url).json()
        served += [row["id"] for row in page["results"]]
        url = page["next"]
    assert served == [str(quick_one.pk), str(another.pk), str(slow_one.pk)]
    revised = Incident.objects.get(pk=slow_one.pk)
    assert revised.summary.startswith("Revised: the hospital's list")
    assert revised.updated_at > Incident.objects.get(pk=another.pk).updated_at


def test_a_partner_syncing_from_the_last_updated_at_gets_a_change_that_committed_late(partner):
    slow_one, quick_one = VerifiedIncidentFactory(), VerifiedIncidentFactory()
    slow = SlowTransaction(slow_one.pk)
    slow.start()
    slow.saved.wait(timeout=30)
    try:
        quick_one.summary = "Revised."
        quick_one.save()
        first = partner.get("/api/v1/incidents/").json()["results"]
        assert [row["id"] for row in first][-1] == str(quick_one.pk)
        greatest = max(row["updated_at"] for row in first)
    finally:
        slow.finish()
    again = partner.get(f"/api/v1/incidents/?updated_after={escaped(greatest)}").json()["results"]
    assert str(slow_one.pk) in {row["id"] for row in again}
    [row] = [row for row in again if row["id"] == str(slow_one.pk)]
    assert row["summary"].startswith("Revised: the hospital's list")


def test_every_incident_committed_in_one_transaction_gets_its_own_later_stamp():
    made = [VerifiedIncidentFactory() for _ in range(3)]
    before = max(Incident.objects.values_list("updated_at", flat=True))
    with transaction.atomic():
        for incident in made:
            incident.title += " (revised)"
            incident.save()
        # Inside the transaction the rows hold Django's time of saving; the stamps come at commit.
        committing = timezone.now()
    stamps = list(Incident.objects.filter(pk__in=[i.pk for i in made]).values_list("updated_at", flat=True))
    assert len(set(stamps)) == 3 and min(stamps) > committing > before
