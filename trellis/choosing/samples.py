"""Built-in sample needs, each with the top choice an experienced L&D advisor would make (pure Python).

They are the golden tests of the engine and the what-if preview an org admin sees when tuning the weights.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from trellis.choosing.recommender import Modality, NeedProfile

_BASE = NeedProfile(
    people_with_need=1,
    need_kind="skill",
    content_is_standard=True,
    wants_advice=3,
    goals_are_clear=True,
    confidentiality="medium",
    includes_personal_goals=False,
    expert_available=True,
    wants_introductions=False,
    months_available=6,
    distress_signals=False,
)


@dataclass(frozen=True)
class Sample:
    key: str
    story: str
    advisor: Modality
    profile: NeedProfile


def _s(key: str, story: str, advisor: Modality, **answers: object) -> Sample:
    return Sample(key, story, advisor, replace(_BASE, **answers))  # type: ignore[arg-type]


SAMPLES: tuple[Sample, ...] = (
    _s(
        "feedback-for-40",
        "40 team leads must learn the company's feedback model within a quarter.",
        "training",
        people_with_need=40,
        wants_advice=4,
        confidentiality="low",
        months_available=3,
        budget_per_person=500,
    ),
    _s(
        "new-manager-network",
        "A new manager wants advice from someone who has done it, and introductions; a senior is available.",
        "mentoring",
        need_kind="know_how",
        content_is_standard=False,
        wants_advice=5,
        wants_introductions=True,
        months_available=12,
    ),
    _s(
        "senior-leader-self",
        "A senior leader wants to rethink how they lead and decide, find their own answers, in strict privacy.",
        "coaching",
        need_kind="self_leadership",
        content_is_standard=False,
        wants_advice=1,
        confidentiality="high",
        includes_personal_goals=True,
        months_available=9,
        budget_per_person=10000,
    ),
    _s(
        "burnout",
        "A manager shows persistent exhaustion and cynicism: burnout symptoms.",
        "counselling_referral",
        need_kind="wellbeing",
        content_is_standard=False,
        wants_advice=2,
        confidentiality="high",
        includes_personal_goals=True,
    ),
    _s(
        "self-leadership-with-distress",
        "A director asks for coaching on confidence, but shows signs of persistent anxiety.",
        "counselling_referral",
        need_kind="self_leadership",
        content_is_standard=False,
        wants_advice=1,
        confidentiality="high",
        distress_signals=True,
    ),
    _s(
        "one-analyst-spreadsheets",
        "One analyst needs financial modelling in spreadsheets within two months.",
        "training",
        wants_advice=4,
        confidentiality="low",
        months_available=2,
    ),
    _s(
        "eight-managers-reviews",
        "Eight new managers must run the performance-review process next quarter.",
        "training",
        people_with_need=8,
        wants_advice=4,
        months_available=3,
    ),
    _s(
        "politics-no-mentor-inside",
        "A new director wants advice on navigating a matrix organization; nobody suitable is inside.",
        "mentoring",
        need_kind="know_how",
        content_is_standard=False,
        wants_advice=4,
        expert_available=False,
        months_available=12,
    ),
    _s(
        "career-crossroads",
        "A leader at a career crossroads, unsure what they want, wants to work it out themselves, privately.",
        "coaching",
        need_kind="know_how",
        content_is_standard=False,
        wants_advice=1,
        goals_are_clear=False,
        confidentiality="high",
    ),
    _s(
        "delegation-habit",
        "A manager cannot let go of work; wants to understand why, in private, and find their own way.",
        "coaching",
        content_is_standard=False,
        wants_advice=2,
        confidentiality="high",
    ),
    _s(
        "resilience-workshop-20",
        "Twenty supervisors would all benefit from the same stress-management techniques.",
        "training",
        people_with_need=20,
        need_kind="self_leadership",
        months_available=3,
    ),
    _s(
        "onboarding-30",
        "Thirty new hires need the same know-how of how the company works.",
        "training",
        people_with_need=30,
        need_kind="know_how",
        wants_advice=4,
        confidentiality="low",
        months_available=3,
    ),
    _s(
        "mentoring-programme-30",
        "Thirty high-potentials each want experienced guidance and contacts for their next career step.",
        "mentoring",
        people_with_need=30,
        need_kind="know_how",
        content_is_standard=False,
        wants_advice=4,
        wants_introductions=True,
        months_available=12,
    ),
    _s(
        "coaching-short-horizon",
        "A leader wants coaching on their leadership presence before a reorganization in three months.",
        "coaching",
        need_kind="self_leadership",
        content_is_standard=False,
        wants_advice=2,
        confidentiality="high",
        includes_personal_goals=True,
        months_available=3,
    ),
    _s(
        "executive-presence-from-senior",
        "A manager wants a senior's advice and introductions to build executive presence.",
        "mentoring",
        need_kind="self_leadership",
        content_is_standard=False,
        wants_advice=5,
        wants_introductions=True,
        months_available=12,
    ),
    _s(
        "grief",
        "A team lead recently lost a parent and struggles to cope at work.",
        "counselling_referral",
        need_kind="wellbeing",
        confidentiality="high",
        distress_signals=True,
        months_available=3,
    ),
    _s(
        "finance-for-non-finance",
        "Twelve managers need finance basics for budgeting season.",
        "training",
        people_with_need=12,
        wants_advice=4,
        months_available=4,
        budget_per_person=1000,
    ),
    _s(
        "five-vps",
        "Five new vice-presidents, each with their own leadership challenges, in strict confidence.",
        "coaching",
        people_with_need=5,
        need_kind="self_leadership",
        content_is_standard=False,
        wants_advice=2,
        confidentiality="high",
        months_available=9,
        budget_per_person=8000,
    ),
)
