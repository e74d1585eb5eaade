"""The pure matching engine: each rule, the score parts, chains and cycles, reasons, shortlist, weights, and
hypothesis property tests against an itertools brute force for both objectives."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.mentoring.matching import (
    CycleError,
    Mentee,
    Mentor,
    ScoreParts,
    Weights,
    build_arcs,
    check_managers,
    management_chain,
    score,
    shortlist,
    solve,
    why_not,
)


def mentee(id: str = "e", **kw: object) -> Mentee:
    base: dict[str, object] = {
        "level": 2.0,
        "department": "Eng",
        "languages": frozenset({"en"}),
        "timezone": 0.0,
        "goals": frozenset(),
    }
    base.update(kw)
    return Mentee(id=id, **base)  # type: ignore[arg-type]


def mentor(id: str = "o", **kw: object) -> Mentor:
    base: dict[str, object] = {
        "level": 5.0,
        "department": "Eng",
        "languages": frozenset({"en"}),
        "timezone": 0.0,
        "expertise": frozenset(),
        "capacity": 1,
    }
    base.update(kw)
    return Mentor(id=id, **base)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------- rules


def test_each_rule_has_its_reason() -> None:
    assert why_not(mentee(), mentor(), ()) is None
    assert why_not(mentee("x"), mentor("x"), ()) == "same_person"
    assert why_not(mentee(level=5), mentor(level=5), ()) == "level"
    assert why_not(mentee(level=6), mentor(level=5), ()) == "level"
    assert why_not(mentee(), mentor("boss"), ("boss",)) == "management_chain"
    assert why_not(mentee(languages=frozenset({"fr"})), mentor(), ()) == "no_shared_language"
    assert why_not(mentee(exclude=frozenset({"o"})), mentor(), ()) == "excluded"


def test_languages_compare_after_strip_and_casefold() -> None:
    assert why_not(mentee(languages=frozenset({" EN "})), mentor(languages=frozenset({"en"})), ()) is None
    assert why_not(mentee(languages=frozenset({"Straße"})), mentor(languages=frozenset({"STRASSE"})), ()) is None


def test_management_chain_walks_up_to_the_top() -> None:
    managers = {"a": "b", "b": "c", "c": None, "d": ""}
    assert management_chain("a", managers) == ("b", "c")
    assert management_chain("c", managers) == ()
    assert management_chain("d", managers) == ()
    assert management_chain("stranger", managers) == ()
    assert management_chain("x", {"x": "outside"}) == ("outside",)  # a manager absent from the map is the top


def test_cycles_are_named() -> None:
    managers = {"a": "b", "b": "c", "c": "d", "d": "b"}
    with pytest.raises(CycleError) as info:
        management_chain("a", managers)
    assert set(info.value.cycle) == {"b", "c", "d"}
    assert "b" in str(info.value) and isinstance(info.value, ValueError)
    with pytest.raises(CycleError) as info:
        check_managers({"ok": None, "x": "x"})
    assert info.value.cycle == ("x",)
    check_managers({"a": "b", "b": None, "c": "b"})


def test_solve_refuses_the_chain_and_excluded_and_respects_capacity() -> None:
    managers = {"e1": "boss", "boss": "bigboss"}
    mentees = [mentee("e1"), mentee("e2", exclude=frozenset({"free"})), mentee("e3")]
    mentors = [mentor("boss", capacity=3), mentor("bigboss", capacity=3), mentor("free", capacity=1)]
    result = solve(mentees, mentors, managers)
    by = {p.mentee_id: p.mentor_id for p in result.pairs}
    assert by["e1"] == "free"
    assert by["e2"] in {"boss", "bigboss"}
    assert by["e3"] in {"boss", "bigboss"}
    assert result.matched == 3 and result.unmatched == []


# ------------------------------------------------------------------------------------------------ scores


def test_score_parts_with_default_weights() -> None:
    e = mentee(
        goals=frozenset({"Leadership", " python ", "go", "sql"}),
        timezone=5.5,
        preferences=("x", "o", "y", "z"),
        department="eng ",
    )
    o = mentor(expertise=frozenset({"leadership", "PYTHON", "rust"}), timezone=-0.5, department="Sales")
    parts = score(e, o)
    assert parts.goal == pytest.approx(0.5 * 2 / 4)
    assert parts.timezone == pytest.approx(0.2 * 0.5)
    assert parts.department == pytest.approx(0.1)
    assert parts.preference == pytest.approx(0.2 * 0.66)
    assert parts.total == pytest.approx(0.25 + 0.1 + 0.1 + 0.132)


def test_score_edges() -> None:
    assert score(mentee(), mentor()).goal == 0.0  # no goals
    assert score(mentee(timezone=-12), mentor(timezone=12)).timezone == 0.0
    assert score(mentee(department=" ENG"), mentor(department="eng")).department == 0.0
    assert score(mentee(preferences=("a", "b", "c", "o")), mentor()).preference == 0.0  # 4th choice counts 0
    assert score(mentee(preferences=("o",)), mentor()).preference == pytest.approx(0.2)
    assert score(mentee(preferences=("a", "b", "o")), mentor()).preference == pytest.approx(0.2 * 0.33)
    best = score(
        mentee(goals=frozenset({"a"}), preferences=("o",), department="x"),
        mentor(expertise=frozenset({"a"}), department="y"),
    )
    assert best.total == pytest.approx(1.0)
    assert ScoreParts(0.1, 0.2, 0.3, 0.4).total == pytest.approx(1.0)


def test_weights_parse() -> None:
    assert Weights.parse("goal=0.5,timezone=0.2,department=0.1,preference=0.2") == Weights()
    assert Weights.parse(" goal = 1 , preference=0 ") == Weights(goal=1.0, preference=0.0)
    for bad, words in [
        ("", "empty"),
        ("goal", "name=value"),
        ("colour=1", "unknown weight"),
        ("goal=1,goal=2", "twice"),
        ("goal=abc", "not a number"),
        ("goal=-1", "≥ 0"),
        ("goal=nan", "≥ 0"),
        ("goal=inf", "≥ 0"),
    ]:
        with pytest.raises(ValueError, match=words):
            Weights.parse(bad)
    with pytest.raises(ValueError):
        Weights(goal=-0.1)


def test_weights_change_the_score_and_the_solution() -> None:
    e = mentee(goals=frozenset({"a"}), timezone=0.0)
    near = mentor("near", timezone=0.0)
    expert = mentor("expert", timezone=9.0, expertise=frozenset({"a"}))
    assert solve([e], [near, expert], {}).pairs[0].mentor_id == "expert"
    only_tz = Weights(goal=0, timezone=1, department=0, preference=0)
    result = solve([e], [near, expert], {}, weights=only_tz)
    assert result.pairs[0].mentor_id == "near"
    assert result.pairs[0].parts == ScoreParts(0.0, 1.0, 0.0, 0.0)


# ---------------------------------------------------------------------------------- reasons, objectives


def test_unmatched_reasons() -> None:
    mentees = [mentee("a"), mentee("b"), mentee("c", languages=frozenset({"ja"}))]
    result = solve(mentees, [mentor(capacity=1), mentor("zero", capacity=0)], {})
    assert result.matched == 1
    reasons = {u.mentee_id: u.reason for u in result.unmatched}
    assert reasons["c"] == "no_eligible_mentor"
    assert sorted(reasons.values()) == ["capacity_exhausted", "no_eligible_mentor"]
    # A mentor without places still makes the mentee eligible: the places ran out.
    alone = solve([mentee("d")], [mentor("zero", capacity=0)], {})
    assert alone.unmatched[0].reason == "capacity_exhausted"


def test_participation_beats_score_when_they_disagree() -> None:
    # e1 fits o1 very well; e2 can only take o1. Score alone gives o1 to e1; participation gives both a place.
    e1 = mentee("e1", goals=frozenset({"x"}), preferences=("o1",), languages=frozenset({"en", "fr"}))
    e2 = mentee("e2", languages=frozenset({"de"}))
    o1 = mentor("o1", expertise=frozenset({"x"}), languages=frozenset({"en", "de"}), department="Ops")
    o2 = mentor("o2", languages=frozenset({"fr"}), timezone=12)
    by_score = solve([e1, e2], [o1, o2], {}, objective="score")
    assert {(p.mentee_id, p.mentor_id) for p in by_score.pairs} == {("e1", "o1")}
    assert by_score.total_score == pytest.approx(1.0)
    both = solve([e1, e2], [o1, o2], {})
    assert {(p.mentee_id, p.mentor_id) for p in both.pairs} == {("e1", "o2"), ("e2", "o1")}
    assert both.matched == 2 and both.total_score < by_score.total_score


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="objective"):
        solve([], [], {}, objective="happiness")
    with pytest.raises(ValueError, match="twice"):
        solve([], [mentor("x"), mentor("x")], {})
    with pytest.raises(ValueError, match="negative"):
        solve([], [mentor("x", capacity=-1)], {})
    with pytest.raises(ValueError, match="finite"):
        solve([mentee(level=math.nan)], [mentor()], {})
    with pytest.raises(CycleError):
        solve([mentee("a")], [mentor()], {"a": "b", "b": "a"})
    assert solve([], [], {}).matched == 0


def test_progress_is_reported_up_to_one() -> None:
    seen: list[float] = []
    solve([mentee()], [mentor()], {}, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)


def test_max_candidates_keeps_each_mentees_best() -> None:
    mentees = [mentee("e", goals=frozenset({"a"}))]
    mentors = [mentor("plain"), mentor("good", expertise=frozenset({"a"}))]
    result = solve(mentees, mentors, {}, max_candidates=1)
    assert result.pairs[0].mentor_id == "good" and result.stats["arcs"] == 1


# ------------------------------------------------------------------------------------------------ shortlist


def test_shortlist() -> None:
    e = mentee("e", goals=frozenset({"a"}), preferences=("third",))
    mentors = [
        mentor("boss", expertise=frozenset({"a"})),
        mentor("full", expertise=frozenset({"a"}), capacity=0),
        mentor("best", expertise=frozenset({"a"}), department="Ops"),
        mentor("second", expertise=frozenset({"a"})),
        mentor("third"),
        mentor("junior", level=1),
    ]
    pairs = shortlist(e, mentors, {"e": "boss"})
    assert [p.mentor_id for p in pairs] == ["best", "second", "third"]
    assert pairs[0].parts.total == pytest.approx(0.8)
    assert [p.mentor_id for p in shortlist(e, mentors, {}, limit=1)] == ["best"]
    assert shortlist(e, mentors, {}, limit=0) == []


# --------------------------------------------------------------------------- properties vs brute force

LANGS = ("en", " EN", "fr", "De")
TAGS = ("a", "b", "c", "A ")


def _norm(s: str) -> str:
    return s.strip().casefold()


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Mentee], list[Mentor], dict[str, str | None]]:
    pool = [f"p{k}" for k in range(7)]
    mentor_ids = draw(st.lists(st.sampled_from(pool), min_size=0, max_size=3, unique=True))
    mentee_ids = draw(st.lists(st.sampled_from(pool), min_size=0, max_size=5, unique=True))
    order = draw(st.permutations(pool))
    managers: dict[str, str | None] = {}
    for k, person in enumerate(order):
        if k and draw(st.booleans()):
            managers[person] = order[draw(st.integers(0, k - 1))]
        elif draw(st.booleans()):
            managers[person] = None
    langs = st.frozensets(st.sampled_from(LANGS), max_size=2)
    tags = st.frozensets(st.sampled_from(TAGS), max_size=3)
    levels = st.integers(1, 4).map(float)
    zones = st.sampled_from([-8.0, 0.0, 1.0, 5.5, 9.0])
    depts = st.sampled_from(["Eng", "eng ", "Ops"])
    mentors = [
        Mentor(o, draw(levels), draw(depts), draw(langs), draw(zones), draw(tags), draw(st.integers(0, 2)))
        for o in mentor_ids
    ]
    mentees = [
        Mentee(
            e,
            draw(levels),
            draw(depts),
            draw(langs),
            draw(zones),
            draw(tags),
            tuple(draw(st.lists(st.sampled_from([*mentor_ids, "ghost"]), max_size=4))) if mentor_ids else (),
            draw(st.frozensets(st.sampled_from(mentor_ids), max_size=1)) if mentor_ids else frozenset(),
        )
        for e in mentee_ids
    ]
    return mentees, mentors, managers


def _allowed(e: Mentee, o: Mentor, managers: dict[str, str | None]) -> bool:
    """An independent statement of the hard rules."""
    chain, boss = set(), managers.get(e.id)
    while boss:
        chain.add(boss)
        boss = managers.get(boss)
    return (
        e.id != o.id
        and o.level > e.level
        and o.id not in chain
        and o.id not in e.exclude
        and bool({_norm(x) for x in e.languages} & {_norm(x) for x in o.languages})
    )


def _pair_score(e: Mentee, o: Mentor) -> float:
    goals = {_norm(g) for g in e.goals}
    goal = len(goals & {_norm(x) for x in o.expertise}) / len(goals) if goals else 0.0
    tz = max(0.0, 1 - abs(e.timezone - o.timezone) / 12)
    pref = next((value for c, value in zip(e.preferences, (1.0, 0.66, 0.33)) if c == o.id), 0.0)  # noqa: B905
    return 0.5 * goal + 0.2 * tz + 0.1 * (_norm(e.department) != _norm(o.department)) + 0.2 * pref


def _brute_force(mentees: list[Mentee], mentors: list[Mentor], managers: dict[str, str | None]) -> tuple:
    options = [[None, *[o for o in mentors if _allowed(e, o, managers)]] for e in mentees]
    best_participation, best_score = (-1, -1.0), -1.0
    for choice in itertools.product(*options):
        used: dict[str, int] = {}
        for o in choice:
            if o is not None:
                used[o.id] = used.get(o.id, 0) + 1
        if any(used.get(o.id, 0) > o.capacity for o in mentors):
            continue
        total = sum(_pair_score(e, o) for e, o in zip(mentees, choice, strict=True) if o is not None)
        count = sum(o is not None for o in choice)
        best_participation = max(best_participation, (count, total))
        best_score = max(best_score, total)
    eligible = {e.id for e, opts in zip(mentees, options, strict=True) if len(opts) > 1}
    return best_participation, best_score, eligible


@settings(max_examples=150, deadline=None)
@given(instances())
def test_solve_is_optimal_and_legal(instance: tuple[list[Mentee], list[Mentor], dict[str, str | None]]) -> None:
    mentees, mentors, managers = instance
    (max_count, max_total), max_score, eligible = _brute_force(mentees, mentors, managers)
    by_id = {o.id: o for o in mentors}
    for objective in ("participation", "score"):
        result = solve(mentees, mentors, managers, objective=objective)
        loads: dict[str, int] = {}
        for pair in result.pairs:
            e = next(x for x in mentees if x.id == pair.mentee_id)
            assert _allowed(e, by_id[pair.mentor_id], managers)
            assert why_not(e, by_id[pair.mentor_id], management_chain(e.id, managers)) is None
            assert pair.parts.total == pytest.approx(_pair_score(e, by_id[pair.mentor_id]), abs=1e-12)
            loads[pair.mentor_id] = loads.get(pair.mentor_id, 0) + 1
        assert all(loads[o] <= by_id[o].capacity for o in loads)
        assert len({p.mentee_id for p in result.pairs}) == result.matched
        assert {p.mentee_id for p in result.pairs} | {u.mentee_id for u in result.unmatched} == {e.id for e in mentees}
        for u in result.unmatched:
            assert u.reason == ("capacity_exhausted" if u.mentee_id in eligible else "no_eligible_mentor")
        if objective == "participation":
            assert result.matched == max_count
            assert result.total_score == pytest.approx(max_total, abs=1e-5)
        else:
            assert result.total_score == pytest.approx(max_score, abs=1e-5)


@settings(max_examples=60, deadline=None)
@given(instances(), st.sampled_from([Weights(), Weights(0.3, 0.3, 0.3, 0.1), Weights(1, 0, 0, 2)]))
def test_vectorized_arcs_equal_the_scalar_rules_and_scores(
    instance: tuple[list[Mentee], list[Mentor], dict[str, str | None]], weights: Weights
) -> None:
    mentees, mentors, managers = instance
    arcs = build_arcs(mentees, mentors, managers, weights=weights)
    got = {
        (mentees[i].id, mentors[j].id): s
        for i, j, s in zip(arcs.tails.tolist(), arcs.heads.tolist(), arcs.scores.tolist(), strict=True)
    }
    expected = {
        (e.id, o.id): score(e, o, weights).total
        for e in mentees
        for o in mentors
        if o.capacity > 0 and why_not(e, o, management_chain(e.id, managers)) is None
    }
    assert got == expected  # the same floats, bit for bit
