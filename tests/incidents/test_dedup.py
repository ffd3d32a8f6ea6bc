"""The matcher, pure: features, thresholds, hard negatives, blocking. No database."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from incidents.dedup import (
    CANDIDATE_THRESHOLD,
    JOIN_THRESHOLD,
    Figure,
    IncidentRecord,
    ReportRecord,
    block_contains,
    block_for,
    neighbouring_districts,
    score_candidates,
)
from incidents.dedup.features import (
    Profile,
    distance,
    distinct_events,
    family_agreement,
    figures_agreement,
    landmark_agreement,
    location,
    perpetrator_agreement,
    place_agreement,
    text_match,
    time_gap,
)
from incidents.dedup.text import perpetrator_party, text_similarity, word_skeleton

DAMASCUS = timezone(timedelta(hours=3))
T0 = datetime(2025, 3, 7, 10, 0, tzinfo=DAMASCUS)


def report(**overrides) -> ReportRecord:
    values = {
        "id": "r-1",
        "category": "killing",
        "occurred_from": T0,
        "occurred_to": None,
        "time_precision": 1,
        "admin1": "SY06",
        "admin2": "SY0602",
        "place_name": "Beit Yashout",
        "latitude": 35.3350,
        "longitude": 36.0980,
        "geo_precision": 1,
        "title": "Seven civilians killed in Beit Yashout",
        "narrative": "Gunmen entered the village at dawn and shot seven men of the Haddad family near the bakery.",
        "figures": (Figure("killed", "civilian", 7, 7),),
        "perpetrator": "pro-Assad gunmen",
        "language": "en",
    }
    values.update(overrides)
    return ReportRecord(**values)


def incident_of(*reports: ReportRecord, id: str = "i-1") -> IncidentRecord:
    return IncidentRecord.from_reports(id, reports)


ARABIC_ACCOUNT = {
    "place_name": "بيت ياشوط",
    "title": "مقتل سبعة مدنيين في بيت ياشوط",
    "narrative": "دخل مسلحون القرية فجراً وأطلقوا النار على سبعة رجال من عائلة حداد قرب الفرن.",
    "perpetrator": "فلول النظام",
    "language": "ar",
}


# Features, one by one


def test_time_gap_is_zero_for_overlapping_spans_and_counts_hours_otherwise():
    incident = incident_of(report(occurred_to=T0 + timedelta(hours=3)))
    assert time_gap(report(occurred_from=T0 + timedelta(hours=1)), incident) == ("same_hour", 0.0)
    assert time_gap(report(occurred_from=T0 + timedelta(hours=5)), incident) == ("close", 2.0)
    assert time_gap(report(occurred_from=T0 + timedelta(hours=10)), incident) == ("hours_apart", 7.0)
    level, hours = time_gap(report(id="r-2", occurred_from=T0 + timedelta(hours=16)), incident)
    assert hours == 13.0
    assert level == "half_day"
    assert time_gap(report(id="r-3", occurred_from=T0 + timedelta(hours=22)), incident) == ("within_tolerance", 19.0)


def test_two_accounts_each_hours_off_are_half_a_day_apart_not_beyond_tolerance():
    # One witness gives UTC for local time (two hours early), another "last night" (eight hours late): one
    # event, 12 to 18 hours apart on paper. A level of its own, so that EM can weigh it apart from a day.
    incident = incident_of(report(occurred_from=T0 - timedelta(hours=6)))
    assert time_gap(report(id="r-2", occurred_from=T0 + timedelta(hours=8)), incident)[0] == "half_day"
    assert time_gap(report(id="r-3", occurred_from=T0 + timedelta(hours=13)), incident)[0] == "within_tolerance"


def test_a_report_giving_only_the_day_agrees_with_the_day_but_not_to_the_hour():
    incident = incident_of(report())
    whole_day = report(occurred_from=T0.replace(hour=0), occurred_to=T0.replace(hour=23, minute=59))
    assert time_gap(whole_day, incident) == ("same_day", 0.0)


def test_the_next_day_is_not_the_same_day():
    day = T0.replace(hour=0, minute=0)
    incident = incident_of(report(occurred_from=day, occurred_to=day + timedelta(hours=23, minutes=59)))
    next_day = day + timedelta(days=1)
    # "The 7th" (00:00–23:59) and "the 8th" are a minute apart: two dates, not one.
    level, hours = time_gap(
        report(id="r-2", occurred_from=next_day, occurred_to=next_day + timedelta(hours=23, minutes=59)), incident
    )
    assert level == "next_day"
    assert hours < 0.1
    # An hour two hours into the next day, and one fourteen hours into it.
    assert time_gap(report(id="r-3", occurred_from=next_day + timedelta(hours=2)), incident)[0] == "next_day"
    assert time_gap(report(id="r-4", occurred_from=next_day + timedelta(hours=14)), incident)[0] == "within_tolerance"
    assert time_gap(report(id="r-5", occurred_from=day + timedelta(hours=20)), incident)[0] == "same_day"


def test_time_gap_is_judged_against_the_coarser_precision():
    incident = incident_of(report())
    four_days_later = T0 + timedelta(days=4)
    assert time_gap(report(occurred_from=four_days_later), incident)[0] == "far"
    assert time_gap(report(occurred_from=four_days_later, time_precision=2), incident)[0] == "vague"
    assert time_gap(report(occurred_from=T0 + timedelta(days=9), time_precision=2), incident)[0] == "far"


def test_distance_is_unknown_without_coordinates_and_in_kilometres_otherwise():
    incident = incident_of(report())
    assert distance(report(latitude=None, longitude=None), incident) == ("unknown", None)
    level, km = distance(report(latitude=35.3440), incident)  # 0.01° of latitude north
    assert km == pytest.approx(1.0, abs=0.01)
    assert level == "near"
    assert distance(report(latitude=35.3621, longitude=35.9276), incident)[0] == "far"  # Jableh town, 16 km


@pytest.mark.parametrize(
    "spelling", ["Beit Yashout", "Bayt Yashut", "بيت ياشوط", "قرية بيت ياشوط", "Beit Yashout, Jableh"]
)
def test_place_agreement_sees_through_spellings_and_scripts(spelling):
    assert place_agreement(report(place_name=spelling), incident_of(report()))[0] == "same"


@pytest.mark.parametrize(
    ("a", "b"),
    [("Al-Qardaha", "القرداحة"), ("Kardaha", "Qardaha"), ("Jableh", "جبلة"), ("Baniyas", "Banyas")],
)
def test_a_district_name_agrees_with_its_own_spelling_variants(a, b):
    mine = report(place_name=a, admin2=None)
    theirs = incident_of(report(place_name=b, admin2=None))
    assert place_agreement(mine, theirs)[0] == "same_town"


def test_place_agreement_tells_two_villages_apart_and_a_district_name_is_only_compatible():
    incident = incident_of(report())
    assert place_agreement(report(place_name="Hmeimim"), incident)[0] == "different"
    assert place_agreement(report(place_name="near Jableh"), incident)[0] == "compatible"
    assert place_agreement(report(place_name="Banyas", admin2="SY1002"), incident)[0] == "different"
    assert place_agreement(report(place_name=""), incident)[0] == "unknown"


def test_text_similarity_matches_arabic_with_arabic_and_names_across_scripts():
    english = report().title + ". " + report().narrative
    arabic = ARABIC_ACCOUNT["title"] + ". " + ARABIC_ACCOUNT["narrative"]
    other_arabic = "مقتل سبعة مدنيين في بيت ياشوط. أطلق مسلحون النار على رجال من عائلة حداد قرب فرن القرية"
    assert text_similarity(arabic, other_arabic) > 0.6
    assert word_skeleton("haddad") == word_skeleton("حداد")
    assert text_similarity(english, arabic) > 0.3
    assert text_similarity(english, "Water cut in Arwad since the morning after the pumping station was hit.") < 0.55


def test_text_match_levels_say_whether_the_scripts_differ():
    incident = incident_of(report())
    assert text_match(report(id="r-2"), incident)[0] == "same_high"
    assert text_match(report(**ARABIC_ACCOUNT), incident)[0].startswith("cross_")
    assert text_match(report(title="Killed", narrative=""), incident)[0] == "unknown"  # nothing but common words


def test_figures_agree_when_ranges_overlap_or_are_close_and_conflict_when_far_apart():
    incident = incident_of(report(figures=(Figure("killed", "civilian", 7, 9),)))
    assert figures_agreement(report(figures=(Figure("killed", "civilian", 7, 9),)), incident)[0] == "equal"
    assert figures_agreement(report(figures=(Figure("killed", "civilian", 8, 8),)), incident)[0] == "agree"
    assert figures_agreement(report(figures=(Figure("killed", "civilian", 12, 12),)), incident)[0] == "close"
    assert figures_agreement(report(figures=(Figure("killed", "civilian", 20, 20),)), incident)[0] == "apart"
    assert figures_agreement(report(figures=(Figure("killed", "civilian", 40, 45),)), incident)[0] == "conflict"
    assert figures_agreement(report(figures=(Figure("injured", "civilian", 40, 45),)), incident)[0] == "unknown"
    assert figures_agreement(report(figures=()), incident)[0] == "unknown"


def test_family_names_agree_across_scripts_and_tell_two_families_apart():
    incident = incident_of(report())
    assert family_agreement(report(**ARABIC_ACCOUNT), incident) == ("same", "hdd")
    deeb = report(narrative="Gunmen shot men of the Deeb family near the bakery.")
    assert family_agreement(deeb, incident)[0] == "different"
    assert family_agreement(report(narrative="Gunmen shot men near the bakery."), incident)[0] == "unknown"


def test_landmarks_agree_across_languages():
    incident = incident_of(report())  # "near the bakery"
    assert landmark_agreement(report(narrative="قتل سبعة رجال قرب الفرن"), incident) == ("same", "~bakery")
    assert landmark_agreement(report(narrative="Shot near the school."), incident)[0] == "different"
    assert landmark_agreement(report(narrative="Seven men shot."), incident)[0] == "unknown"


def test_place_and_coordinates_are_weighed_as_one_feature():
    incident = incident_of(report())
    level, where = location(report(id="r-2"), incident)
    assert level == "same/same_spot"
    assert where["distance_km"] == 0.0
    assert location(report(latitude=None, longitude=None), incident)[0] == "same/unknown"


def test_incidents_that_disagree_on_a_detail_are_distinct_events():
    a = Profile.of(look_alike("Haddad", "i-1"))
    assert not distinct_events(a, Profile.of(look_alike("Haddad", "i-2")))
    assert distinct_events(a, Profile.of(look_alike("Deeb", "i-2")))
    far = incident_of(report(latitude=35.3621, longitude=35.9276), id="i-3")
    assert distinct_events(Profile.of(incident_of(report())), Profile.of(far))
    later = incident_of(report(occurred_from=T0 + timedelta(hours=20)), id="i-4")
    assert distinct_events(Profile.of(incident_of(report())), Profile.of(later))
    # Two accounts of one event can lie 12–18 hours apart (each hours off): no proof of two events.
    half_a_day = incident_of(report(occurred_from=T0 + timedelta(hours=15)), id="i-5")
    assert not distinct_events(Profile.of(incident_of(report())), Profile.of(half_a_day))


def test_perpetrators_are_compared_by_the_party_they_name_in_either_language():
    assert perpetrator_party("remnants of the former regime") == perpetrator_party("فلول النظام") == "loyalist"
    assert perpetrator_party("General Security") == perpetrator_party("عناصر الأمن العام") == "government"
    assert perpetrator_party("unknown gunmen") is None
    incident = incident_of(report())
    assert perpetrator_agreement(report(perpetrator="فلول النظام"), incident)[0] == "agree"
    assert perpetrator_agreement(report(perpetrator="General Security"), incident)[0] == "disagree"
    assert perpetrator_agreement(report(perpetrator="مسلحون مجهولون"), incident)[0] == "unknown"


# Decisions


def test_the_same_event_told_twice_joins_automatically():
    first = report()
    second = report(
        id="r-2",
        occurred_from=T0 + timedelta(hours=1),
        latitude=35.3362,
        longitude=36.0991,
        title="Massacre of the Haddad family in Bayt Yashut",
        narrative="Seven men of the Haddad family were shot near the village bakery by pro-Assad gunmen.",
        place_name="Bayt Yashut",
        figures=(Figure("killed", "civilian", 7, 8),),
    )
    [match] = score_candidates(second, [incident_of(first)])
    assert match.score >= JOIN_THRESHOLD
    assert match.decision == "join"


def test_an_arabic_account_of_an_english_report_joins_or_goes_to_a_reviewer():
    [match] = score_candidates(report(id="r-2", **ARABIC_ACCOUNT), [incident_of(report())])
    assert match.score >= CANDIDATE_THRESHOLD
    assert match.decision in {"join", "candidate"}


def test_a_different_village_on_another_day_is_a_new_incident():
    other = report(
        id="r-2",
        occurred_from=T0 + timedelta(hours=20),
        admin2="SY1002",
        admin1="SY10",
        place_name="Al-Bayda",
        latitude=35.160,
        longitude=35.977,
        title="Three killed in al-Bayda",
        narrative="Three young men of the Saqr family were shot at a checkpoint on the coastal road.",
        figures=(Figure("killed", "civilian", 3, 3),),
        perpetrator="General Security",
    )
    [match] = score_candidates(other, [incident_of(report())])
    assert match.score < CANDIDATE_THRESHOLD
    assert match.decision == "new"


def test_two_arson_attacks_in_one_town_on_one_day_stay_apart():
    morning = report(
        category="arson",
        title="Houses of the Deeb family burned in Beit Yashout",
        narrative="Armed men set fire to three houses of the Deeb family near the school in the morning.",
        figures=(),
    )
    evening = report(
        id="r-2",
        category="arson",
        occurred_from=T0 + timedelta(hours=7),
        latitude=35.3420,
        longitude=36.1060,
        title="Shop burned in Beit Yashout",
        narrative="In the evening the olive press of Khalil Murad was torched and his car burned.",
        figures=(),
    )
    [match] = score_candidates(evening, [incident_of(morning)])
    assert match.decision != "join"
    assert match.score < JOIN_THRESHOLD


def test_an_outage_never_matches_a_killing_in_the_same_street():
    killing = report()
    outage = report(
        id="r-2",
        category="electricity_outage",
        title="Electricity cut in Beit Yashout",
        narrative="Power has been cut in Beit Yashout since the morning, the Haddad family's street is dark.",
        figures=(),
    )
    assert score_candidates(outage, [incident_of(killing)]) == []
    assert "electricity_outage" not in block_for(killing).categories
    assert not block_contains(block_for(outage), incident_of(killing))


def test_rejected_incidents_are_never_returned():
    twin = report(id="r-2")
    incidents = [incident_of(report(), id="i-1"), incident_of(report(), id="i-2")]
    matches = score_candidates(twin, incidents, rejected=frozenset({"i-1"}))
    assert [m.incident_id for m in matches] == ["i-2"]
    assert score_candidates(twin, incidents, rejected=frozenset({"i-1", "i-2"})) == []


def look_alike(family: str, id: str) -> IncidentRecord:
    return incident_of(report(narrative=f"Gunmen shot seven men of the {family} family near the bakery."), id=id)


def test_two_look_alike_events_share_the_probability_and_neither_is_joined():
    vague = report(id="r-2", narrative="Gunmen shot seven men near the bakery.")
    [alone] = score_candidates(vague, [look_alike("Haddad", "i-1")])
    assert alone.decision == "join"
    matches = score_candidates(vague, [look_alike("Haddad", "i-1"), look_alike("Deeb", "i-2")])
    assert [m.decision for m in matches] != ["join", "candidate"]
    assert all(m.score < JOIN_THRESHOLD for m in matches)
    assert sum(m.score for m in matches) <= 1.0


def test_a_detail_decides_between_look_alikes():
    haddad = report(id="r-2", narrative="Men of the Haddad family were shot near the bakery.")
    matches = score_candidates(haddad, [look_alike("Deeb", "i-2"), look_alike("Haddad", "i-1")])
    assert (matches[0].incident_id, matches[0].decision) == ("i-1", "join")


def test_two_fragments_of_one_event_do_not_compete():
    twin = report(id="r-2")
    matches = score_candidates(twin, [incident_of(report(), id="i-2"), incident_of(report(), id="i-1")])
    assert [m.incident_id for m in matches] == ["i-1", "i-2"]  # ties in id order, the same on every run
    assert [m.decision for m in matches] == ["join", "candidate"]  # the second hints at a merge
    earlier = incident_of(report(occurred_from=T0 - timedelta(minutes=5)), id="i-9")
    assert score_candidates(twin, [incident_of(report(), id="i-1"), earlier])[0].incident_id == "i-9"


def test_a_lone_incident_in_the_block_starts_with_better_odds_than_one_among_many():
    vague = report(id="r-2", narrative="", title="Killings in Beit Yashout", latitude=None, longitude=None)
    [alone] = score_candidates(vague, [incident_of(report())])
    crowd = [incident_of(report(place_name="Hmeimim"), id=f"i-{n}") for n in range(2, 30)]
    crowded = next(m for m in score_candidates(vague, [incident_of(report()), *crowd]) if m.incident_id == "i-1")
    assert crowded.reasons["prior_weight"] < alone.reasons["prior_weight"]
    assert crowded.score < alone.score


def test_reasons_are_json_serialisable_and_explain_every_feature():
    import json

    [match] = score_candidates(report(id="r-2", **ARABIC_ACCOUNT), [incident_of(report())])
    reasons = json.loads(json.dumps(match.reasons))
    for key in (
        "time_gap_hours",
        "distance_km",
        "place_agreement",
        "text_similarity",
        "figures_agreement",
        "perpetrator",
        "category",
        "weights",
    ):
        assert key in reasons
    assert set(reasons["weights"]) == {
        "category",
        "time",
        "location",
        "distance",
        "text",
        "figures",
        "perpetrator",
        "family",
        "landmark",
    }
    assert 0.0 <= match.score <= 1.0


# Blocking


def test_block_windows_widen_with_time_precision():
    day, week, month = (block_for(report(time_precision=p)) for p in (1, 2, 3))
    assert day.window_start == T0 - timedelta(days=1)
    assert day.window_end == T0 + timedelta(days=1)
    assert week.window_end - week.window_start == timedelta(days=14)
    assert month.window_end - month.window_start == timedelta(days=62)


def test_block_covers_the_neighbouring_districts_across_the_governorate_border():
    block = block_for(report(admin2="SY0602"))  # Jablah borders Banyas, in Tartous
    assert block.admin2 == frozenset({"SY0602", "SY0600", "SY0604", "SY1002"})
    assert block.admin1 == frozenset({"SY06", "SY10"})
    assert block_for(report(admin2=None)).admin2 is None
    assert block_for(report(admin2=None)).admin1 == frozenset({"SY06"})


def test_neighbouring_districts_are_symmetric_and_include_themselves():
    neighbours = neighbouring_districts()
    for district, near in neighbours.items():
        assert district in near
        for other in near:
            assert district in neighbours[other]
    assert "SY0603" not in neighbours["SY0602"]  # Jablah and Al-Haffa do not touch


def test_block_contains_follows_the_window_and_districts():
    block = block_for(report())
    assert block_contains(block, incident_of(report(occurred_from=T0 + timedelta(hours=23))))
    assert not block_contains(block, incident_of(report(occurred_from=T0 + timedelta(hours=25))))
    assert not block_contains(block, incident_of(report(admin1="SY10", admin2="SY1003")))
    assert block_contains(block, incident_of(report(admin2=None)))  # no district: any district of the governorate
    assert block_contains(block, incident_of(replace(report(), category="execution")))


def test_incident_summary_takes_time_and_place_from_the_most_precise_reports():
    precise = report(latitude=35.0, longitude=36.0, geo_precision=1)
    vague = report(
        id="r-2", occurred_from=T0 - timedelta(days=5), time_precision=2, latitude=35.5, longitude=36.5, geo_precision=2
    )
    incident = incident_of(precise, vague)
    assert incident.occurred_from == T0
    assert incident.time_precision == 1
    assert (incident.latitude, incident.longitude, incident.geo_precision) == (35.0, 36.0, 1)
    with pytest.raises(ValueError):
        IncidentRecord.from_reports("i-empty", [])


def test_arabic_family_names_follow_a_whole_word_and_never_name_a_place():
    from incidents.dedup.text import family_names

    # "رجال وأطلقوا": the end of رجال is no آل; "عائلات من الحفة" are families from a place.
    assert family_names("جمعوا الرجال وأطلقوا النار عليهم. خسرت عائلة عثمان منزلها.") == {"thmn"}
    assert family_names("إعدام 21 رجال في المرقب") == frozenset()
    assert family_names("نزحت عائلات من الحفة نحو الجبال") == frozenset()
    assert family_names("قتل ثلاثة من آل صقر") == {"skr"}


def test_a_victim_named_in_full_gives_the_family_in_either_script():
    from incidents.dedup.text import family_names

    english = family_names("Sources in Beit Yashout report the attack. Among the dead: Nizar Haddad.")
    arabic = family_names("أفادت مصادر من بيت ياشوط بالهجوم. من بين القتلى نزار حداد.")
    assert english == arabic == {"hdd"}
    # Romanised afresh ("Hadad", "Haded") the skeleton is the same; a second given name leads to the family.
    assert family_names("Among the dead: Samir Hadad.") == {"hdd"}
    assert family_names("Mohammad Ali Haddad was shot at the bakery.") == {"hdd"}
    assert family_names("من بين القتلى محمد علي حداد") == {"hdd"}
    # A given name that is an everyday word too (علي is على once folded, حسن is "good") is read as a name
    # only after a word that introduces a victim.
    assert family_names("أطلقوا النار على حداد الشارع") == frozenset()
    assert family_names("قتل الشاب علي حداد قرب الفرن") == {"hdd"}
    # A given name that is the family itself is not a first name; a name before common words is no family.
    assert family_names("Victims include members of the Ibrahim family.") == {"brhm"}
    assert family_names("من بين القتلى أحمد محمود. قرب الجسر.") == {"mhmd"}
    assert family_names("Ali and his brother were shot.") == frozenset()


def test_an_apostrophe_inside_a_romanised_family_name_does_not_split_it():
    from incidents.dedup.text import family_names

    # An ʿayn or a hamza written as an apostrophe: Kana'an is Kanaan (كنعان), Sha'ban is Shaaban (شعبان).
    assert family_names("Victims include members of the Kana'an family.") == family_names("عائلة كنعان") == {"knn"}
    assert family_names("the Sha'iben family") == family_names("the Shaaban family")
