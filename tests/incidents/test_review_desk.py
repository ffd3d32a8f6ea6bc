"""Issue 15, the incidents' side: duplicate candidates a reviewer can read (5), merging and moving (6).

Each test fails on the code before the change; the Chromium walk is tests/browser/test_review_desk_walk.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from incidents.models import DuplicateCandidate, Incident, IncidentStatus
from incidents.reasons import plain_reasons, time_reason
from incidents.services import incident_merge
from reports.models import Report
from tests.factories import (
    IncidentCasualtyFactory,
    IncidentFactory,
    ReportCasualtyFactory,
    ReportFactory,
    ReviewerFactory,
    area,
    category,
)

pytestmark = pytest.mark.django_db
AT = datetime(2025, 3, 8, 9, 0, tzinfo=UTC)

# What the matcher stored for a looting in al-Qardaha (the demo's first candidate), internals included.
MATCHER_REASONS = {
    "time_gap_hours": 2.0,
    "distance_km": None,
    "place_agreement": "same_town",
    "place_detail": "SY0604",
    "text_similarity": 0.0,
    "figures_agreement": "equal",
    "figures_detail": {"killed/civilian": "overlap"},
    "family": "different",
    "family_names": "srk",
    "levels": {
        "category": "same",
        "time": "close",
        "location": "same_town/unknown",
        "text": "unknown",
        "figures": "agree",
        "perpetrator": "unknown",
        "family": "different",
        "landmark": "unknown",
    },
    "weights": {"category": 0.63, "time": 3.082},
    "prior_weight": -2.1,
    "total_weight": 1.3,
    "competing_odds": 0.12,
    "pairwise_probability": 0.91,
    "competitors": 0,
}
INTERNALS = ("same_hour", "same_town", "same_low", "competing", "pairwise", "SY0604", "0.786359", "weight", "srk")


def candidate_for(report, incident, score=0.786359, reasons=MATCHER_REASONS):
    return DuplicateCandidate.objects.create(report=report, incident=incident, score=score, reasons=reasons)


# --- 5. candidates a reviewer reads ---------------------------------------------------------------------


def test_the_reasons_are_plain_sentences_in_both_languages():
    report = ReportFactory(category=category("killing"), place_name="القرداحة", admin2=area("SY0604"))
    ReportCasualtyFactory(report=report, low=120, high=125)
    incident = IncidentFactory(place_name="Qardaha")
    IncidentCasualtyFactory(incident=incident, low=125, best=125, high=125)
    args = {
        "report": report,
        "incident": incident,
        "report_figures": list(report.casualties.all()),
        "incident_figures": list(incident.casualties.all()),
    }
    with translation.override("en"):
        texts = [r.text for r in plain_reasons(MATCHER_REASONS, **args)]
    assert "2 hours apart" in texts
    assert "Same town: Al-Qardaha / القرداحة" in texts
    assert "Figures agree: 120–125 Killed and 125 Killed" in texts
    assert "They name different families" in texts
    with translation.override("ar"):
        texts_ar = [r.text for r in plain_reasons(MATCHER_REASONS, **args)]
    assert "بينهما ساعتان" in texts_ar and "البلدة نفسها: Al-Qardaha / القرداحة" in texts_ar
    for text in texts + texts_ar:
        assert not any(word in text for word in INTERNALS), text


def test_time_gaps_are_said_as_a_person_says_them():
    with translation.override("en"):
        assert time_reason("same_hour", 0.5).text == "30 minutes apart"
        assert time_reason("same_hour", 0.0).text == "At the same time (the times overlap)"
        assert time_reason("far", 72.0).tone == "differ"
        assert time_reason("unknown", None) is None


def test_the_report_page_shows_candidates_first_with_one_score_and_the_decision_beside_them(admin_login):
    client = admin_login(ReviewerFactory())
    report = ReportFactory(title="Homes looted in al-Qardaha", occurred_at=AT)
    incident = IncidentFactory(title="Looting in Qardaha", occurred_from=AT)
    ReportFactory(incident=incident, occurred_at=AT)
    candidate_for(report, incident)
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    section = page[page.index('id="duplicate-candidates"') :]
    assert page.index('id="duplicate-candidates"') < page.index('<fieldset class="module aligned')
    assert "79% likely the same event" in section
    card = section[: section.index("</article>")]
    assert card.count("%") == 1  # one score, not a probability beside a percentage
    assert "candidate-accept" in card and "candidate-reject" in card  # the decision inside the card
    for word in INTERNALS:
        assert word not in card, word


def test_the_candidates_list_shows_a_percentage_not_a_raw_probability(admin_login):
    client = admin_login(ReviewerFactory())
    candidate_for(ReportFactory(), IncidentFactory())
    page = client.get("/admin/incidents/duplicatecandidate/").content.decode()
    assert "79%" in page and "0.786359" not in page


# --- 6. merging and moving ---------------------------------------------------------------------------------


def test_merging_with_nothing_chosen_says_so_plainly(admin_login):
    client = admin_login(ReviewerFactory())
    incident = IncidentFactory()
    ReportFactory(incident=incident)
    response = client.post(
        reverse("admin:incidents_incident_decide", args=[incident.pk]), {"step": "merge", "into": ""}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Choose the other incident first."]


def test_after_a_merge_the_survivor_keeps_its_title_and_the_tombstone_names_it(admin_login):
    """A's report came first: the recomputed survivor B used to take A's title ("Merged into: <its own title>")."""
    reviewer = ReviewerFactory()
    client = admin_login(reviewer)
    absorbed = IncidentFactory(title="Bodies in al-Qusour street", occurred_from=AT)
    early = ReportFactory(title="Bodies in al-Qusour street", incident=absorbed, occurred_at=AT)
    Report.objects.filter(pk=early.pk).update(received_at=timezone.now() - timedelta(days=2))
    survivor = IncidentFactory(title="Killings in al-Qusour, Baniyas", occurred_from=AT)
    ReportFactory(title="Killings in al-Qusour, Baniyas", incident=survivor, occurred_at=AT)
    client.post(
        reverse("admin:incidents_incident_decide", args=[absorbed.pk]), {"step": "merge", "into": str(survivor.pk)}
    )
    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    assert absorbed.status == IncidentStatus.MERGED and absorbed.merged_into_id == survivor.pk
    assert survivor.title == "Killings in al-Qusour, Baniyas"
    tombstone = client.get(reverse("admin:incidents_incident_change", args=[absorbed.pk])).content.decode()
    assert "this incident is part of “<bdi" in tombstone and "Killings in al-Qusour, Baniyas" in tombstone


def test_a_reviewer_may_give_the_survivor_a_new_title_in_the_merge():
    reviewer = ReviewerFactory()
    absorbed, survivor = IncidentFactory(), IncidentFactory()
    ReportFactory(incident=absorbed), ReportFactory(incident=survivor)
    merged = incident_merge(target=survivor, absorbed=absorbed, by=reviewer, title="  Killings in Baniyas, 7 March ")
    assert (merged.title, merged.title_by_reviewer) == ("Killings in Baniyas, 7 March", True)


def test_the_merge_offers_a_search_and_names_the_survivor(admin_login):
    client = admin_login(ReviewerFactory())
    incident = IncidentFactory(title="Looting in Jableh")
    ReportFactory(incident=incident)
    far_away = IncidentFactory(title="Shelling in Tartous", admin1=area("SY10"), admin2=area("SY1000"))
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert "Shelling in Tartous" not in page.content.decode()  # not nearby
    found = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]) + "?find=Tartous")
    text = found.content.decode()
    assert f'name="into" value="{far_away.pk}"' in text
    assert "<strong>survives</strong>" in text


def test_moving_a_report_chooses_among_its_candidates_or_a_search_never_an_id_to_type(admin_login):
    client = admin_login(ReviewerFactory())
    home = IncidentFactory(title="Home incident")
    report = ReportFactory(incident=home, title="Moved report")
    ReportFactory(incident=home)
    suggested = IncidentFactory(title="Suggested incident")
    candidate_for(report, suggested)
    elsewhere = IncidentFactory(title="Found by searching")
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert f'type="radio" name="incident" value="{suggested.pk}"' in page
    assert 'placeholder="incident id' not in page
    searched = client.get(reverse("admin:reports_report_change", args=[report.pk]) + "?find=searching").content
    assert f'value="{elsewhere.pk}"'.encode() in searched
    client.post(reverse("admin:reports_report_move", args=[report.pk]), {"incident": str(elsewhere.pk)})
    report.refresh_from_db()
    assert report.incident_id == elsewhere.pk


def test_tombstones_are_hidden_from_the_incident_list_by_default_and_it_has_a_state_column(admin_login):
    client = admin_login(ReviewerFactory())
    IncidentFactory(title="Live one")
    IncidentFactory(title="Merged one", status=IncidentStatus.MERGED, merged_into=IncidentFactory(title="Target"))
    response = client.get("/admin/incidents/incident/")
    titles = {i.title for i in response.context["cl"].result_list}
    assert "Merged one" not in titles and {"Live one", "Target"} <= titles
    assert re.search(r"<th[^>]*column-status", response.content.decode())
    everything = client.get("/admin/incidents/incident/?state=all").context["cl"].result_list
    assert "Merged one" in {i.title for i in everything}
    assert Incident.objects.count() == 3
