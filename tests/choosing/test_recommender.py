"""The engine: golden sample needs (an advisor's choice), the rules from the reference text, and properties."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.choosing.recommender import (
    ANSWERS,
    DEFAULT_COSTS,
    MODALITIES,
    START,
    ChooserSettings,
    NeedProfile,
    recommend,
)
from trellis.choosing.samples import SAMPLES

# --- Golden: the built-in samples are the advisor's choices -----------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_golden_samples_match_the_advisor(sample) -> None:  # type: ignore[no-untyped-def]
    result = recommend(sample.profile)
    assert result.top == sample.advisor, [(r.modality, round(r.score, 3)) for r in result.ranking]


def test_there_are_enough_samples_across_the_space() -> None:
    assert len(SAMPLES) >= 12
    assert {s.advisor for s in SAMPLES} == set(MODALITIES)
    assert {s.profile.need_kind for s in SAMPLES} == {"skill", "know_how", "self_leadership", "wellbeing"}


def sample(key: str) -> NeedProfile:
    return next(s.profile for s in SAMPLES if s.key == key)


def test_forty_people_with_a_standard_skill_get_training_with_reinforcement() -> None:
    result = recommend(sample("feedback-for-40"))
    assert result.top == "training"
    assert result.ranking[0].fit == "strong"
    steps = [s.step for s in result.plan]
    assert [s for s in steps if s.startswith("Reinforce")] == [
        "Reinforce: reminders",
        "Reinforce: practice and feedback",
        "Reinforce: review",
    ]
    weeks = [s.within_weeks for s in result.plan]
    assert weeks == sorted(weeks) and weeks[-1] <= 13  # fits the three months
    reasons = {r.answer: r for r in result.ranking[0].reasons}
    assert reasons["people_with_need"].effect == "for" and "40 people" in reasons["people_with_need"].text
    assert reasons["content_is_standard"].effect == "for"


def test_training_always_reinforces_even_in_a_short_horizon() -> None:
    result = recommend(replace(sample("one-analyst-spreadsheets"), months_available=0.5))
    assert result.top == "training"
    assert sum(s.step.startswith("Reinforce") for s in result.plan) == 3
    assert all(s.within_weeks >= 1 for s in result.plan)


def test_new_manager_wanting_advice_and_introductions_gets_mentoring() -> None:
    result = recommend(sample("new-manager-network"))
    assert result.top == "mentoring"
    answers = {r.answer for r in result.ranking[0].reasons if r.effect == "for"}
    assert {"wants_advice", "wants_introductions", "need_kind", "expert_available"} <= answers
    assert [s.step for s in result.plan][:2] == ["Find a mentor", "First meeting"]
    assert "Introductions" in [s.step for s in result.plan]


def test_mentoring_with_unclear_goals_starts_by_clarifying_them() -> None:
    result = recommend(replace(sample("new-manager-network"), goals_are_clear=False))
    assert result.top == "mentoring"
    assert result.plan[0].step == "Clarify goals"
    assert "goals_unclear" in {c.code for c in result.cautions}


def test_no_mentor_inside_suggests_an_external_one() -> None:
    result = recommend(sample("politics-no-mentor-inside"))
    assert result.top == "mentoring"
    assert "Find an external mentor" in [s.step for s in result.plan]
    assert "no_internal_mentor" in {c.code for c in result.cautions}
    against = [r for r in result.ranking[0].reasons if r.answer == "expert_available"]
    assert against and against[0].effect == "against" and "external mentor" in against[0].text


def test_senior_leader_self_leadership_in_confidence_gets_coaching() -> None:
    result = recommend(sample("senior-leader-self"))
    assert result.top == "coaching" and result.ranking[0].fit == "strong"
    for_coaching = {r.answer for r in result.ranking[0].reasons if r.effect == "for"}
    assert {"need_kind", "wants_advice", "confidentiality", "includes_personal_goals"} <= for_coaching
    assert result.cautions == ()


def test_coaching_with_a_short_horizon_is_a_caution() -> None:
    result = recommend(sample("coaching-short-horizon"))
    assert result.top == "coaching"
    assert "short_horizon_for_coaching" in {c.code for c in result.cautions}
    coaching = result.ranking[0]
    assert any(r.answer == "months_available" and r.effect == "against" for r in coaching.reasons)


def test_budget_below_cost_is_a_caution_and_lowers_the_score() -> None:
    rich = recommend(replace(sample("senior-leader-self"), budget_per_person=10_000))
    poor = recommend(replace(sample("senior-leader-self"), budget_per_person=1_000))
    score = {r.modality: r.score for r in rich.ranking}
    lower = {r.modality: r.score for r in poor.ranking}
    assert lower["coaching"] < score["coaching"]
    assert "budget_below_cost.coaching" in {c.code for c in poor.cautions}
    assert "budget_below_cost.coaching" not in {c.code for c in rich.cautions}
    budget = next(r for r in poor.ranking if r.modality == "coaching").reasons
    assert any(r.answer == "budget_per_person" and r.effect == "against" and "6,000" in r.text for r in budget)


@pytest.mark.parametrize("key", ["burnout", "self-leadership-with-distress", "grief"])
def test_distress_or_wellbeing_refers_first_and_explains_kindly(key: str) -> None:
    result = recommend(sample(key))
    assert result.top == "counselling_referral"
    assert result.ranking[0].score == 1.0
    codes = {c.code for c in result.cautions}
    assert "coaching_is_not_therapy" in codes
    assert "not psychotherapy" in " ".join(c.text for c in result.cautions)
    assert result.plan[0].step == "Talk privately and kindly"


def test_every_reason_names_an_answer_and_scores_are_sums_of_contributions() -> None:
    for s in SAMPLES:
        result = recommend(s.profile)
        for ranked in result.ranking:
            assert all(r.answer in ANSWERS for r in ranked.reasons)
            assert all(r.text for r in ranked.reasons)
            assert all(c.answer in (*ANSWERS, START) for c in ranked.contributions)
            assert math.isclose(0.5 + sum(c.value for c in ranked.contributions), ranked.score, abs_tol=1e-9)


def test_as_dict_has_exactly_the_api_shape() -> None:
    data = recommend(sample("feedback-for-40")).as_dict()
    assert set(data) == {"top", "ranking", "cautions", "plan"}
    assert [set(r) for r in data["ranking"]] == [{"modality", "score", "fit", "reasons"}] * 4  # type: ignore[union-attr]
    assert set(data["plan"][0]) == {"step", "detail", "within_weeks"}  # type: ignore[index]


def test_settings_tune_the_answer_and_are_validated() -> None:
    profile = sample("onboarding-30")  # a close call between training and mentoring
    assert recommend(profile).top == "training"
    tuned = ChooserSettings.build({"content_is_standard": 0.0, "people_with_need": 0.0})
    assert recommend(profile, settings=tuned).top == "mentoring"
    with pytest.raises(ValueError, match="weight of wants_advice"):
        ChooserSettings.build({"wants_advice": 5})
    with pytest.raises(ValueError, match="unknown answer"):
        ChooserSettings.build({"shoe_size": 1})
    with pytest.raises(ValueError, match="cost of coaching"):
        ChooserSettings.build(costs={"coaching": -1})
    assert ChooserSettings.build().costs == DEFAULT_COSTS


def test_a_bad_profile_is_refused_naming_the_answer() -> None:
    with pytest.raises(ValueError, match="wants_advice"):
        replace(sample("burnout"), wants_advice=7)
    with pytest.raises(ValueError, match="months_available"):
        replace(sample("burnout"), months_available=0)
    with pytest.raises(ValueError, match="need_kind"):
        replace(sample("burnout"), need_kind="hobby")  # type: ignore[arg-type]


# --- Properties -----------------------------------------------------------------------------------------------
profiles = st.builds(
    NeedProfile,
    people_with_need=st.integers(1, 5000),
    need_kind=st.sampled_from(["skill", "know_how", "self_leadership", "wellbeing"]),
    content_is_standard=st.booleans(),
    wants_advice=st.integers(1, 5),
    goals_are_clear=st.booleans(),
    confidentiality=st.sampled_from(["low", "medium", "high"]),
    includes_personal_goals=st.booleans(),
    expert_available=st.booleans(),
    wants_introductions=st.booleans(),
    months_available=st.floats(0.1, 120, allow_nan=False),
    distress_signals=st.booleans(),
    budget_per_person=st.none() | st.floats(0, 100_000, allow_nan=False),
)
tunings = st.builds(
    ChooserSettings.build,
    st.dictionaries(st.sampled_from(ANSWERS), st.floats(0, 3, allow_nan=False)),
    st.dictionaries(st.sampled_from(MODALITIES), st.floats(0, 50_000, allow_nan=False)),
)
PROPS = settings(max_examples=300, deadline=None, derandomize=True)


def _scores(profile: NeedProfile, tuning: ChooserSettings) -> dict[str, float]:
    return {r.modality: r.score for r in recommend(profile, settings=tuning).ranking}


@PROPS
@given(profiles, tunings)
def test_always_four_sorted_scores_in_range_and_deterministic(profile: NeedProfile, tuning: ChooserSettings) -> None:
    result = recommend(profile, settings=tuning)
    assert sorted(r.modality for r in result.ranking) == sorted(MODALITIES)
    scores = [r.score for r in result.ranking]
    assert all(0 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert result.top == result.ranking[0].modality
    assert recommend(profile, settings=tuning) == result


@PROPS
@given(profiles, tunings, st.integers(1, 4))
def test_more_wish_for_advice_never_lowers_mentoring_against_coaching(
    profile: NeedProfile, tuning: ChooserSettings, advice: int
) -> None:
    low = _scores(replace(profile, wants_advice=advice), tuning)
    high = _scores(replace(profile, wants_advice=advice + 1), tuning)
    assert high["mentoring"] - high["coaching"] >= low["mentoring"] - low["coaching"] - 1e-12


@PROPS
@given(profiles, tunings)
def test_higher_confidentiality_never_lowers_coaching(profile: NeedProfile, tuning: ChooserSettings) -> None:
    levels = [_scores(replace(profile, confidentiality=c), tuning)["coaching"] for c in ("low", "medium", "high")]
    assert levels == sorted(levels)


@PROPS
@given(profiles, tunings)
def test_distress_always_puts_the_referral_first(profile: NeedProfile, tuning: ChooserSettings) -> None:
    result = recommend(replace(profile, distress_signals=True), settings=tuning)
    assert result.top == "counselling_referral"
    assert result.ranking[1].score < result.ranking[0].score
    assert "distress_first" in {c.code for c in result.cautions}


@PROPS
@given(profiles, tunings)
def test_a_wellbeing_need_never_gets_coaching_first(profile: NeedProfile, tuning: ChooserSettings) -> None:
    result = recommend(replace(profile, need_kind="wellbeing"), settings=tuning)
    assert result.top == "counselling_referral"
    assert result.ranking[0].modality != "coaching"
