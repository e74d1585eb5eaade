"""The chooser's engine: for one need, which is right — training, mentoring, coaching or a counselling referral?

Pure Python (no Django): a :class:`NeedProfile` in, a :class:`Recommendation` out, deterministic.

How a score is made (docs/chooser.md has the tables):

1. Every answer has an *effect* on every modality, written in :data:`EFFECTS` from the reference text
   (training is one-to-many and teaches standard skills; mentoring shares an experienced person's know-how,
   advice and network; coaching is a confidential thinking partnership about one's own thinking and
   behaviour; coaching is not psychotherapy). An organization tunes how much each answer counts with a
   multiplier (:attr:`ChooserSettings.weights`, 1 = as designed) and the per-person cost of each modality.
2. A modality's score is ``0.5 + starting point + Σ contributions`` where each contribution is
   ``weight × effect / (2 × SPAN)`` and SPAN is the largest total effect any profile could give any modality
   under these settings. So every score lies in [0, 1] without clipping and is exactly the sum the "explain"
   view shows.
3. Safety comes last and is not tunable: signs of distress or a wellbeing need lift the counselling referral
   to 1.0 and hold every other modality at 0.9 at most (coaching is never first); the adjustment is booked to
   the answer that caused it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, get_args

Modality = Literal["training", "mentoring", "coaching", "counselling_referral"]
NeedKind = Literal["skill", "know_how", "self_leadership", "wellbeing"]
Confidentiality = Literal["low", "medium", "high"]
Fit = Literal["strong", "possible", "poor"]
Effect = Literal["for", "against"]

MODALITIES: tuple[Modality, ...] = get_args(Modality)
NEED_KINDS: tuple[NeedKind, ...] = get_args(NeedKind)
CONFIDENTIALITY: tuple[Confidentiality, ...] = get_args(Confidentiality)
T, M, C, R = MODALITIES
LABELS: Mapping[Modality, str] = MappingProxyType(
    {T: "Training", M: "Mentoring", C: "Coaching", R: "Counselling referral"}
)
# On an exact tie, the safer and then the cheaper option is listed first.
TIE_ORDER: Mapping[Modality, int] = MappingProxyType({R: 0, T: 1, M: 2, C: 3})

# The answers, in questionnaire order. Every reason and every contribution names one of them.
ANSWERS: tuple[str, ...] = (
    "people_with_need",
    "need_kind",
    "content_is_standard",
    "wants_advice",
    "goals_are_clear",
    "confidentiality",
    "includes_personal_goals",
    "expert_available",
    "wants_introductions",
    "months_available",
    "budget_per_person",
    "distress_signals",
)
START = "start"  # the starting point of a modality (not an answer): only the referral starts low

COACHING_MONTHS = 6.0  # a coaching engagement typically runs about six months
MENTORING_MONTHS = 3.0  # a mentoring relationship needs a few months to build
STRONG, POSSIBLE = 0.65, 0.45  # fit thresholds on the score
SAFETY_TOP, SAFETY_CAP = 1.0, 0.9  # with distress or a wellbeing need: referral 1.0, every other at most 0.9
CLOSE_CALL = 0.04  # top two closer than this: say it is a close call


@dataclass(frozen=True)
class NeedProfile:
    """One need of one leader (or of a group sharing it). The API schema mirrors these fields exactly."""

    people_with_need: int
    need_kind: NeedKind
    content_is_standard: bool
    wants_advice: int
    goals_are_clear: bool
    confidentiality: Confidentiality
    includes_personal_goals: bool
    expert_available: bool
    wants_introductions: bool
    months_available: float
    distress_signals: bool
    budget_per_person: float | None = None

    def __post_init__(self) -> None:
        problems = profile_problems(self)
        if problems:
            field_name, message = next(iter(problems.items()))
            raise ValueError(f"{field_name}: {message}")


def profile_problems(p: NeedProfile) -> dict[str, str]:
    """What is wrong with a profile, per answer (empty when it is valid)."""
    problems: dict[str, str] = {}
    if isinstance(p.people_with_need, bool) or not isinstance(p.people_with_need, int) or p.people_with_need < 1:
        problems["people_with_need"] = "must be a whole number of at least 1"
    if p.need_kind not in NEED_KINDS:
        problems["need_kind"] = f"must be one of {', '.join(NEED_KINDS)}"
    if isinstance(p.wants_advice, bool) or not isinstance(p.wants_advice, int) or not 1 <= p.wants_advice <= 5:
        problems["wants_advice"] = "must be a whole number from 1 to 5"
    if p.confidentiality not in CONFIDENTIALITY:
        problems["confidentiality"] = f"must be one of {', '.join(CONFIDENTIALITY)}"
    if not _finite(p.months_available) or p.months_available <= 0:
        problems["months_available"] = "must be a number greater than 0"
    if p.budget_per_person is not None and (not _finite(p.budget_per_person) or p.budget_per_person < 0):
        problems["budget_per_person"] = "must be a number of at least 0, or empty"
    for name in (
        "content_is_standard",
        "goals_are_clear",
        "includes_personal_goals",
        "expert_available",
        "wants_introductions",
        "distress_signals",
    ):
        if not isinstance(getattr(p, name), bool):
            problems[name] = "must be true or false"
    return problems


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- Settings ------------------------------------------------------------------------------------------------
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(dict.fromkeys(ANSWERS, 1.0))
# Per-person cost in the organization's currency (defaults: a typical European price level, in euros).
DEFAULT_COSTS: Mapping[Modality, float] = MappingProxyType(
    {
        T: 800.0,  # a one- or two-day course with its reinforcement, per participant
        M: 1500.0,  # a mentoring programme: matching, the mentor's time, a year of meetings
        C: 6000.0,  # about six months with a credentialed coach, 6–10 sessions
        R: 0.0,  # usually covered by an employee assistance programme or health insurance
    }
)
MAX_WEIGHT = 3.0
MAX_COST = 1_000_000.0


@dataclass(frozen=True)
class ChooserSettings:
    """What an organization may tune: how much each answer counts (0–3, 1 = as designed) and the cost per
    person of each modality. The direction of each effect and the safety rules are not tunable."""

    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    costs: Mapping[Modality, float] = field(default_factory=lambda: DEFAULT_COSTS)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(ANSWERS)
        if unknown:
            raise ValueError(f"unknown answer in weights: {', '.join(sorted(unknown))}")
        for name, value in self.weights.items():
            if not _finite(value) or not 0 <= value <= MAX_WEIGHT:
                raise ValueError(f"weight of {name} must be between 0 and {MAX_WEIGHT:g}")
        if set(self.costs) - set(MODALITIES):
            raise ValueError("costs may only name the four modalities")
        for modality, cost in self.costs.items():
            if not _finite(cost) or not 0 <= cost <= MAX_COST:
                raise ValueError(f"cost of {modality} must be between 0 and {MAX_COST:g}")

    def weight(self, answer: str) -> float:
        return float(self.weights.get(answer, 1.0))

    def cost(self, modality: Modality) -> float:
        return float(self.costs.get(modality, DEFAULT_COSTS[modality]))

    @classmethod
    def build(
        cls, weights: Mapping[str, float] | None = None, costs: Mapping[str, float] | None = None
    ) -> ChooserSettings:
        """Settings from (partial) plain mappings, e.g. stored JSON; missing entries take the defaults."""
        return cls(
            weights=MappingProxyType({**DEFAULT_WEIGHTS, **{k: float(v) for k, v in (weights or {}).items()}}),
            costs=MappingProxyType({**DEFAULT_COSTS, **{k: float(v) for k, v in (costs or {}).items()}}),  # type: ignore[dict-item,misc]
        )


DEFAULT = ChooserSettings()


# --- Effects: the domain knowledge -----------------------------------------------------------------------------
# Each entry: answer → value → {modality: effect}. A value that is absent has no effect (e.g. medium
# confidentiality). Continuous answers scale their entry (see _effects). Effects are in "score points before
# scaling"; docs/chooser.md prints this table.
def _row(t: float = 0.0, m: float = 0.0, c: float = 0.0, r: float = 0.0) -> Mapping[Modality, float]:
    return MappingProxyType({T: t, M: m, C: c, R: r})


EFFECTS: Mapping[str, Mapping[object, Mapping[Modality, float]]] = MappingProxyType(
    {
        # the kind of need is the strongest single answer
        "need_kind": {
            "skill": _row(t=0.45, m=0.10, c=-0.10, r=-0.30),
            "know_how": _row(t=-0.10, m=0.45, c=0.05, r=-0.30),
            "self_leadership": _row(t=-0.20, m=-0.05, c=0.50, r=-0.25),
            "wellbeing": _row(t=-0.40, m=-0.30, c=-0.15, r=0.90),
        },
        # one-to-many is what makes training cost-effective: per step of the log₂ scale from 1 to 16+ people
        "people_with_need": {"many": _row(t=0.30, m=-0.15, c=-0.20)},  # × -1 (one person) … +1 (16 or more)
        "content_is_standard": {
            True: _row(t=0.30, m=-0.15, c=-0.15),
            False: _row(t=-0.15, m=0.05, c=0.05),
        },
        # 1 = find my own answers … 5 = give me an experienced person's answers
        "wants_advice": {"advice": _row(t=0.05, m=0.25, c=-0.30)},  # × (wants_advice − 3) / 2
        "goals_are_clear": {
            True: _row(t=0.05, m=0.10),
            False: _row(t=-0.05, m=-0.15, c=0.05),
        },
        "confidentiality": {
            "low": _row(t=0.10, m=0.05, c=-0.10),
            "high": _row(t=-0.15, m=-0.05, c=0.20, r=0.05),
        },
        "includes_personal_goals": {True: _row(t=-0.10, m=-0.05, c=0.20)},
        "expert_available": {True: _row(m=0.10), False: _row(m=-0.15)},
        "wants_introductions": {True: _row(t=-0.05, m=0.25, c=-0.05)},
        # × how far short of six months (coaching) or three months (mentoring) the horizon is, 0 … 1
        "months_available": {"short": _row(t=0.05, m=-0.10, c=-0.25)},
        # × the shortfall of the budget against the modality's cost, 0 … 1
        "budget_per_person": {"short": _row(t=-0.25, m=-0.25, c=-0.25, r=-0.25)},
        "distress_signals": {True: _row(t=-0.10, m=-0.10, c=-0.25, r=0.90)},
    }
)
STARTING_POINT: Mapping[Modality, float] = MappingProxyType({T: 0.0, M: 0.0, C: 0.0, R: -0.40})


def _group_size(people: int) -> float:
    """-1 for one person, 0 for four, +1 for sixteen or more (log₂ scale)."""
    return max(-1.0, min(1.0, math.log2(people) / 2 - 1))


def _shortfall(have: float, need: float) -> float:
    return 0.0 if need <= 0 else max(0.0, min(1.0, (need - have) / need))


def _effects(p: NeedProfile, s: ChooserSettings) -> dict[str, dict[Modality, float]]:
    """answer → modality → effect (before the weight and scaling). Zero effects are left out."""
    e: dict[str, dict[Modality, float]] = {}

    def put(answer: str, key: object, factor: float = 1.0, only: Modality | None = None) -> None:
        row = EFFECTS[answer].get(key)
        if row is None or factor == 0:
            return
        for modality, value in row.items():
            if value and (only is None or modality == only):
                e.setdefault(answer, {})[modality] = value * factor

    put("need_kind", p.need_kind)
    put("people_with_need", "many", _group_size(p.people_with_need))
    put("content_is_standard", p.content_is_standard)
    put("wants_advice", "advice", (p.wants_advice - 3) / 2)
    put("goals_are_clear", p.goals_are_clear)
    put("confidentiality", p.confidentiality)
    put("includes_personal_goals", p.includes_personal_goals)
    put("expert_available", p.expert_available)
    put("wants_introductions", p.wants_introductions)
    for modality, need in ((C, COACHING_MONTHS), (M, MENTORING_MONTHS), (T, COACHING_MONTHS)):
        put("months_available", "short", _shortfall(p.months_available, need), only=modality)
    if p.budget_per_person is not None:
        for modality in MODALITIES:
            put("budget_per_person", "short", _shortfall(p.budget_per_person, s.cost(modality)), only=modality)
    put("distress_signals", p.distress_signals)
    return e


def span(s: ChooserSettings) -> float:
    """The largest total effect any profile could give one modality: scores are scaled by it into [0, 1]."""
    best = 0.0
    for modality in MODALITIES:
        total = abs(STARTING_POINT[modality])
        for answer, values in EFFECTS.items():
            total += s.weight(answer) * max(abs(row[modality]) for row in values.values())
        best = max(best, total)
    return best or 1.0


# --- The recommendation -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reason:
    answer: str
    effect: Effect
    text: str


@dataclass(frozen=True)
class Caution:
    code: str
    text: str


@dataclass(frozen=True)
class PlanStep:
    step: str
    detail: str
    within_weeks: int


@dataclass(frozen=True)
class Contribution:
    """How far one answer (or the starting point) moved one modality's score; they sum to ``score − 0.5``."""

    answer: str
    value: float


@dataclass(frozen=True)
class Ranked:
    modality: Modality
    score: float
    fit: Fit
    reasons: tuple[Reason, ...]
    contributions: tuple[Contribution, ...]

    @property
    def label(self) -> str:
        return LABELS[self.modality]


@dataclass(frozen=True)
class Recommendation:
    top: Modality
    ranking: tuple[Ranked, ...]
    cautions: tuple[Caution, ...]
    plan: tuple[PlanStep, ...]

    def as_dict(self) -> dict[str, object]:
        """The API's `Recommendation` shape (scores rounded to 4 places)."""
        return {
            "top": self.top,
            "ranking": [
                {
                    "modality": r.modality,
                    "score": round(r.score, 4),
                    "fit": r.fit,
                    "reasons": [{"answer": x.answer, "effect": x.effect, "text": x.text} for x in r.reasons],
                }
                for r in self.ranking
            ],
            "cautions": [{"code": c.code, "text": c.text} for c in self.cautions],
            "plan": [{"step": s.step, "detail": s.detail, "within_weeks": s.within_weeks} for s in self.plan],
        }


def needs_referral(p: NeedProfile) -> bool:
    return p.distress_signals or p.need_kind == "wellbeing"


def recommend(profile: NeedProfile, *, settings: ChooserSettings = DEFAULT) -> Recommendation:
    effects = _effects(profile, settings)
    scale = 1 / (2 * span(settings))
    parts: dict[Modality, dict[str, float]] = {}
    for modality in MODALITIES:
        row: dict[str, float] = {}
        if STARTING_POINT[modality]:
            row[START] = STARTING_POINT[modality] * scale
        for answer in ANSWERS:
            value = effects.get(answer, {}).get(modality, 0.0) * settings.weight(answer) * scale
            if value:
                row[answer] = value
        parts[modality] = row
    scores = {m: 0.5 + sum(parts[m].values()) for m in MODALITIES}
    if needs_referral(profile):  # safety first, whatever the weights say
        cause = "distress_signals" if profile.distress_signals else "need_kind"
        for modality in MODALITIES:
            target = SAFETY_TOP if modality == R else min(scores[modality], SAFETY_CAP)
            if target != scores[modality]:
                parts[modality][cause] = parts[modality].get(cause, 0.0) + target - scores[modality]
                scores[modality] = target
    order = sorted(MODALITIES, key=lambda m: (-scores[m], TIE_ORDER[m]))
    ranking = tuple(
        Ranked(
            modality=m,
            score=min(1.0, max(0.0, scores[m])),
            fit=_fit(scores[m]),
            reasons=_reasons(m, parts[m], profile, settings),
            contributions=tuple(Contribution(a, v) for a, v in parts[m].items()),
        )
        for m in order
    )
    cautions = _cautions(profile, settings, ranking)
    return Recommendation(top=order[0], ranking=ranking, cautions=cautions, plan=plan_for(order[0], profile))


def _fit(score: float) -> Fit:
    return "strong" if score >= STRONG else "possible" if score >= POSSIBLE else "poor"


# --- Reasons in plain language -------------------------------------------------------------------------------
def _reasons(modality: Modality, part: Mapping[str, float], p: NeedProfile, s: ChooserSettings) -> tuple[Reason, ...]:
    found = [(answer, value) for answer, value in part.items() if answer != START and abs(value) >= 0.002]
    found.sort(key=lambda av: (-abs(av[1]), ANSWERS.index(av[0])))
    return tuple(
        Reason(answer, "for" if value > 0 else "against", _text(answer, modality, value > 0, p, s))
        for answer, value in found
    )


def _n(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def _text(answer: str, m: Modality, positive: bool, p: NeedProfile, s: ChooserSettings) -> str:
    name = LABELS[m].lower()
    people = "one person" if p.people_with_need == 1 else f"{p.people_with_need} people"
    if answer == "need_kind":
        kind = p.need_kind
        if kind == "wellbeing":
            if m == R:
                return (
                    "Persistent distress, anxiety, grief or burnout call for professional support from a "
                    "counsellor, therapist or doctor."
                )
            if m == C:
                return "Coaching is not psychotherapy: it looks forward and is not the place to treat distress."
            return f"A wellbeing need is not a development need; {name} can wait until the person is supported."
        texts = {
            ("skill", T): "A defined, teachable skill is exactly what training is built to teach.",
            ("skill", M): "A skill can also be picked up from an experienced practitioner.",
            ("skill", C): "A teachable skill is better taught than coached: a coach rarely supplies content.",
            ("know_how", T): "Career and organizational know-how comes from experience more than from a syllabus.",
            ("know_how", M): "Experience-based know-how and a network are what a senior mentor shares.",
            ("know_how", C): "Coaching can help think career questions through.",
            ("self_leadership", T): "A course cannot change how one person thinks, decides and behaves.",
            ("self_leadership", M): "A mentor's own experience helps less with one's own beliefs and behaviour.",
            ("self_leadership", C): (
                "The need is about their own thinking, beliefs, values and decisions: the heart of coaching."
            ),
        }
        return texts.get((kind, m), "This is a development need, not a wellbeing one.")
    if answer == "people_with_need":
        if m == T:
            if positive:
                return f"{people.capitalize()} share this need: training teaches many at once, cost-effectively."
            return f"With {people}, a group course is less necessary; one-to-one support can be tailored."
        if positive:
            return f"With {people}, one-to-one attention can be tailored to each."
        return f"{people.capitalize()}: one-to-one {name} for each of them is costly and needs many people."
    if answer == "content_is_standard":
        if p.content_is_standard:
            if m == T:
                return "The same content would serve everyone: a standard skill is what training teaches best."
            return f"The content is standard: one-to-one {name} would spend costly time on what a course teaches."
        if m == T:
            return "The content is not the same for everyone: a classroom cannot personalise it to each context."
        return f"The need is specific to the person: {name} is tailored to them."
    if answer == "wants_advice":
        if p.wants_advice > 3:
            return {
                T: "They want answers from an expert: in training the instructor is the subject-matter expert.",
                M: "They want an experienced person's answers: a mentor shares know-how and gives advice.",
                C: "They want to be given answers, but a coach rarely advises: the leader finds their own.",
            }.get(m, "")
        return {
            T: "They want to find their own answers, while training passes on an expert's content.",
            M: "They want to find their own answers, while a mentor mostly advises from their own experience.",
            C: "They want to find their own answers: a coach is a thinking partner who asks, and the leader decides.",
        }.get(m, "")
    if answer == "goals_are_clear":
        if p.goals_are_clear:
            if m == M:
                return "They can state specific goals: a mentor needs that clarity to focus the conversations."
            return "Clear goals make it easy to choose what a course should teach."
        if m == M:
            return "Their goals are not clear yet, and a mentee must say what they want (the plan starts there)."
        if m == C:
            return "Their goals are not clear yet: coaching helps a leader explore what they want."
        return "Without clear goals it is hard to choose what a course should teach."
    if answer == "confidentiality":
        if p.confidentiality == "high":
            return {
                T: "The subject is highly private: a group classroom is no place for it.",
                M: "The subject is highly private, and mentoring is semi-confidential: a mentor may involve others.",
                C: "The subject is highly private: coaching conversations are confidential, nothing leaves them.",
                R: "The subject is highly private: counselling is confidential.",
            }[m]
        if m == C:
            return "The subject is not private, so coaching's strict confidentiality is not needed."
        return "The subject is not private: it can be discussed openly."
    if answer == "includes_personal_goals":
        if m == C:
            return "Personal life goals are part of it: coaching sees the whole person, personal and professional."
        if m == M:
            return "Personal life goals are part of it, while mentoring centres on career and organizational know-how."
        return "Personal life goals are part of it, which a course cannot address."
    if answer == "expert_available":
        if p.expert_available:
            return "A more senior person with the relevant experience is available as a mentor."
        return "No experienced person is available inside: an external mentor would have to be found."
    if answer == "wants_introductions":
        if m == M:
            return "They want introductions to people, networks and events: mentors open doors."
        return f"They want introductions, which {name} does not provide."
    if answer == "months_available":
        months = f"{_n(p.months_available)} month{'s' if p.months_available != 1 else ''}"
        if m == C:
            return f"Only {months} available: coaching engagements typically run about six months."
        if m == M:
            return f"Only {months} available: a mentoring relationship needs time to build."
        return f"Only {months} available: a course can be run quickly."
    if answer == "budget_per_person":
        budget = p.budget_per_person or 0.0
        return f"The budget of {_n(budget)} per person is below the usual cost of {name}, {_n(s.cost(m))}."
    if answer == "distress_signals":
        if m == R:
            return "There are signs of distress: professional mental-health support should come first."
        if m == C:
            return "Coaching is not psychotherapy: with signs of distress it must not come first."
        return f"With signs of distress, {name} can wait until the person is supported."
    return ""


# --- Cautions -----------------------------------------------------------------------------------------------
def _cautions(p: NeedProfile, s: ChooserSettings, ranking: tuple[Ranked, ...]) -> tuple[Caution, ...]:
    top = ranking[0].modality
    fits = {r.modality: r.fit for r in ranking}
    out: list[Caution] = []
    if p.distress_signals:
        out.append(
            Caution(
                "distress_first",
                "There are signs that this person may need professional mental-health support. Please talk with "
                "them kindly and privately, and point them to a counsellor, the employee assistance programme or "
                "a doctor. Development can resume when they feel ready.",
            )
        )
    if needs_referral(p):
        out.append(
            Caution(
                "coaching_is_not_therapy",
                "Coaching is not psychotherapy: it looks forward, while counselling helps with what affects "
                "someone's ability to cope now. Coaching can follow later, once the person is well supported.",
            )
        )
    if p.budget_per_person is not None:
        for r in ranking:
            cost = s.cost(r.modality)
            if (r.fit != "poor" or r.modality == top) and p.budget_per_person < cost:
                out.append(
                    Caution(
                        f"budget_below_cost.{r.modality}",
                        f"The budget of {_n(p.budget_per_person)} per person is below the usual cost of "
                        f"{r.label.lower()}, {_n(cost)}: plan the money before committing.",
                    )
                )
    if p.months_available < COACHING_MONTHS and (top == C or fits[C] != "poor") and not needs_referral(p):
        out.append(
            Caution(
                "short_horizon_for_coaching",
                f"Coaching typically runs about six months; {_n(p.months_available)} months is short. "
                "Agree fewer, focused sessions or extend the horizon.",
            )
        )
    if top == M and not p.expert_available:
        out.append(
            Caution(
                "no_internal_mentor",
                "No suitable mentor is available inside: look for an external mentor (professional bodies, "
                "mentoring networks, alumni) and budget for it.",
            )
        )
    if top == M and not p.goals_are_clear:
        out.append(
            Caution(
                "goals_unclear",
                "Mentoring works best when the mentee can say what they want from it: clarify the goals before "
                "the first meeting.",
            )
        )
    if top == C and p.people_with_need >= 10:
        out.append(
            Caution(
                "coaching_at_scale",
                f"One-to-one coaching for {p.people_with_need} people is costly; consider training first for "
                "what they share, and coaching for those who need it most.",
            )
        )
    if top == T and not p.content_is_standard:
        out.append(
            Caution(
                "tailor_the_course",
                "The content is not the same for everyone: tailor the course to their context, and add "
                "mentoring or coaching to help each person apply it.",
            )
        )
    if len(ranking) > 1 and not needs_referral(p) and ranking[0].score - ranking[1].score < CLOSE_CALL:
        out.append(
            Caution(
                "close_call",
                f"{ranking[0].label} and {ranking[1].label.lower()} are close: talk it through with the person "
                "before deciding.",
            )
        )
    return tuple(out)


# --- Plans --------------------------------------------------------------------------------------------------
def plan_for(top: Modality, p: NeedProfile) -> tuple[PlanStep, ...]:
    horizon = max(1, round(p.months_available * 52 / 12))
    steps: list[tuple[str, str, int]]
    if top == R:
        steps = [
            (
                "Talk privately and kindly",
                "Make time for a private conversation; listen, and say that support is available.",
                1,
            ),
            (
                "Refer to professional support",
                "Point to the employee assistance programme, occupational health or a doctor; a counsellor or "
                "therapist helps with distress, anxiety, grief or burnout.",
                1,
            ),
            ("Ease the load meanwhile", "Agree with their manager what can wait; keep it confidential.", 2),
            (
                "Revisit development later",
                "When the person feels ready, look at the development need again; coaching may then fit.",
                12,
            ),
        ]
        return tuple(PlanStep(s, d, w) for s, d, w in steps)
    if top == T:
        open_course = p.people_with_need < 5
        steps = [
            ("Agree the learning objectives", "Write down what participants should be able to do afterwards.", 2),
            (
                "Find the course" if open_course else "Set up a cohort",
                "Book places on an open course with a subject-matter expert."
                if open_course
                else f"Run one cohort for the {p.people_with_need} people with a subject-matter expert.",
                4,
            ),
            ("Hold the training", "Interactive sessions with practice, not just lectures.", 6),
            (
                "Reinforce: reminders",
                "Short reminders of the key points in the first weeks: knowledge fades fast after training.",
                7,
            ),
            ("Reinforce: practice and feedback", "Use the skill at work and get feedback from a manager or peer.", 9),
            ("Reinforce: review", "Check what is being applied; refresh what faded.", 12),
        ]
        if not p.content_is_standard:
            steps[1] = (steps[1][0], steps[1][1] + " Tailor the content to their context.", steps[1][2])
    elif top == M:
        steps = []
        if not p.goals_are_clear:
            steps.append(("Clarify goals", "Before looking for a mentor, write down what the mentee wants to gain.", 2))
        steps.append(
            (
                "Find a mentor",
                "Match with a more senior, experienced person inside the organization; check the chemistry.",
                4,
            )
            if p.expert_available
            else (
                "Find an external mentor",
                "No suitable mentor is available inside: look outside (professional bodies, mentoring networks).",
                6,
            )
        )
        steps.append(
            (
                "First meeting",
                "Agree goals, how often to meet, and what stays between the two of you.",
                steps[-1][2] + 2,
            )
        )
        start = steps[-1][2]
        steps.append(
            ("Meet regularly", "Every three to four weeks; try the mentor's suggestions in between.", start + 4)
        )
        if p.wants_introductions:
            steps.append(
                ("Introductions", "The mentor introduces the mentee to people, networks and events.", start + 8)
            )
        steps.append(("Review progress", "Look back at the goals together; decide whether to continue.", start + 24))
    else:
        steps = [
            (
                "Choose a coach",
                "Chemistry calls with two or three credentialed coaches (governed by a professional body such as "
                "ICF or EMCC); the leader chooses.",
                3,
            ),
            (
                "Agree the coaching",
                "Goals, rhythm and confidentiality: the sponsor sees logistics only, never what is discussed"
                + (", including personal goals." if p.includes_personal_goals else "."),
                4,
            ),
            (
                "Coaching sessions",
                "Every two to four weeks; the leader sets the agenda and decides their own actions.",
                6,
            ),
            ("Mid-point review", "The leader reviews progress with the coach.", 16),
            ("Close and look ahead", "Review the goals and how the leader will keep growing.", 26),
        ]
    last = steps[-1][2]
    factor = min(1.0, horizon / last) if last else 1.0
    out: list[PlanStep] = []
    previous = 0
    for step, detail, week in steps:
        when = max(previous, max(1, round(week * factor)))
        out.append(PlanStep(step, detail, when))
        previous = when
    return tuple(out)
