"""The history keeps a change reason whole, however long: a reviewer's note is never cut (invariant 8).

The change reason is a text column (`SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD`, migrations
incidents 0006 and reports 0005); before, 100 characters, of which "merged <uuid> into <uuid>: " took 87.
"""

import pytest

from incidents.services import incident_merge
from tests.factories import (
    IncidentCasualtyFactory,
    IncidentFactory,
    ReportCasualtyFactory,
    ReportFactory,
    VerifiedIncidentFactory,
)
from tests.incidents.test_incident_services import two_incidents

pytestmark = pytest.mark.django_db

NOTE = (
    "Same massacre as the one reported in Al-Mukhtariya: the two lists of names match, the time is the same "
    "evening, and the bakery named by both is the same building. " * 12
)


@pytest.mark.parametrize(
    "make", [IncidentFactory, IncidentCasualtyFactory, ReportFactory, ReportCasualtyFactory], ids=lambda f: f.__name__
)
def test_the_history_keeps_a_long_change_reason_whole(make):
    instance = make()
    reason = f"merged {VerifiedIncidentFactory().pk} into {VerifiedIncidentFactory().pk}: {NOTE}"
    assert len(reason) > 1500
    instance._change_reason = reason
    instance.save()
    assert instance.history.latest().history_change_reason == reason


def test_a_reviewers_whole_merge_note_is_in_the_history(reviewer):
    first, second = two_incidents()
    incident_merge(target=first.incident, absorbed=second.incident, by=reviewer, note=NOTE[:1000])
    assert NOTE[:1000] in second.incident.history.latest().history_change_reason
