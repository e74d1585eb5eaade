"""The mentoring matching engine (issue 5, item 3) — pure: dataclasses in, dataclasses out, no Django.

Hard rules for a pair (mentee, mentor): the mentor's level is higher; the mentor is not the mentee nor anyone in
the mentee's management chain (manager, manager's manager, …); they share a language; the mentor is not one the
mentee excluded (a rematch after the chemistry check); a mentor never gets more mentees than their capacity.

Score of an allowed pair, in [0, 1] with the default weights::

    goal·|goals ∩ expertise|/|goals| + timezone·max(0, 1 − |Δtz|/12) + department·[departments differ]
    + preference·(1.0 | 0.66 | 0.33 for the mentee's 1st | 2nd | 3rd choice, else 0)

Tags, languages and departments compare after ``strip()`` and ``casefold()``; ids compare exactly.

:func:`solve` is exact: one OR-Tools min-cost flow (source → mentee → mentor → sink, plus a zero-cost
source → sink bypass so that leaving a mentee unmatched is allowed). Each mentee → mentor arc earns
``BIG + round(score·SCALE)`` under the ``participation`` objective (``BIG`` larger than any matching's total
scaled score, so one more matched mentee always beats any score gain: lexicographic optimum) or
``round(score·SCALE)`` under ``score``. The allowed arcs are built with numpy a block of mentees at a time;
the management chains cost O(mentees × depth). See docs/matching.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
from numpy.typing import NDArray

REASON_NO_ELIGIBLE = "no_eligible_mentor"
REASON_CAPACITY = "capacity_exhausted"
OBJECTIVES = ("participation", "score")
PREFERENCE_VALUES = (1.0, 0.66, 0.33)
SCALE = 1_000_000  # scores become integers: round(score · SCALE)
BLOCK_PAIRS = 4_000_000  # mentee × mentor cells computed at once (memory: ~30 bytes per cell)


class CycleError(ValueError):
    """The reporting lines contain a cycle; ``cycle`` lists the ids on it."""

    def __init__(self, cycle: Sequence[str]) -> None:
        self.cycle = tuple(cycle)
        super().__init__("management cycle: " + " → ".join([*self.cycle, self.cycle[0]]))


@dataclass(frozen=True)
class Weights:
    goal: float = 0.5
    timezone: float = 0.2
    department: float = 0.1
    preference: float = 0.2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"weight {f.name} must be a finite number, not {value!r}")
            if value < 0:
                raise ValueError(f"weight {f.name} must not be negative, not {value!r}")

    @classmethod
    def parse(cls, text: str) -> Weights:
        """``"goal=0.5,timezone=0.2,department=0.1,preference=0.2"``; names left out keep their default."""
        names = [f.name for f in fields(cls)]
        values: dict[str, float] = {}
        items = [item.strip() for item in text.split(",")]
        if not text.strip():
            raise ValueError("weights are empty; expected e.g. goal=0.5,timezone=0.2,department=0.1,preference=0.2")
        for item in items:
            name, sep, raw = item.partition("=")
            name = name.strip().casefold()
            if not sep:
                raise ValueError(f"weight {item!r} is not name=value")
            if name not in names:
                raise ValueError(f"unknown weight {name!r}; known: {', '.join(names)}")
            if name in values:
                raise ValueError(f"weight {name!r} is given twice")
            try:
                value = float(raw.strip())
            except ValueError:
                raise ValueError(f"weight {name!r} is not a number: {raw.strip()!r}") from None
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"weight {name!r} must be a finite number ≥ 0, not {raw.strip()!r}")
            values[name] = value
        return cls(**values)

    @property
    def total(self) -> float:
        return self.goal + self.timezone + self.department + self.preference


@dataclass(frozen=True)
class Mentee:
    id: str
    level: float
    department: str
    languages: frozenset[str]
    timezone: float  # UTC offset in hours
    goals: frozenset[str]  # tags
    preferences: tuple[str, ...] = ()  # ranked mentor ids; only the first 3 count
    exclude: frozenset[str] = frozenset()  # mentor ids never to propose (rematch after the chemistry check)


@dataclass(frozen=True)
class Mentor:
    id: str
    level: float
    department: str
    languages: frozenset[str]
    timezone: float
    expertise: frozenset[str]
    capacity: int  # remaining places


@dataclass(frozen=True)
class ScoreParts:
    """Each part is already weighted; ``total`` is their sum."""

    goal: float
    timezone: float
    department: float
    preference: float

    @property
    def total(self) -> float:
        return self.goal + self.timezone + self.department + self.preference


@dataclass(frozen=True)
class Pair:
    mentee_id: str
    mentor_id: str
    parts: ScoreParts


@dataclass(frozen=True)
class Unmatched:
    mentee_id: str
    reason: str  # REASON_NO_ELIGIBLE | REASON_CAPACITY


@dataclass(frozen=True)
class Result:
    pairs: list[Pair]
    unmatched: list[Unmatched]
    stats: dict[str, float] = field(default_factory=dict, compare=False)  # arcs, seconds…, for benchmarks

    @property
    def matched(self) -> int:
        return len(self.pairs)

    @property
    def total_score(self) -> float:
        return math.fsum(pair.parts.total for pair in self.pairs)


# ---------------------------------------------------------------------------------------------------- rules


def _norm(text: str) -> str:
    return text.strip().casefold()


def _norm_set(items: Collection[str]) -> frozenset[str]:
    return frozenset(n for n in (_norm(item) for item in items) if n)


def management_chain(person_id: str, managers: Mapping[str, str | None]) -> tuple[str, ...]:
    """The person's manager, that manager's manager, … up to the top (an empty or missing manager).

    Raises :class:`CycleError` naming the ids on the cycle when the chain loops."""
    chain: list[str] = []
    position = {person_id: 0}
    current = managers.get(person_id)
    while current:
        if current in position:
            cycle = [person_id, *chain][position[current] :]
            raise CycleError(cycle)
        position[current] = len(chain) + 1
        chain.append(current)
        current = managers.get(current)
    return tuple(chain)


def check_managers(managers: Mapping[str, str | None]) -> None:
    """Raise :class:`CycleError` if any reporting line loops (linear time over the whole map)."""
    done: set[str] = set()
    for start in managers:
        path: list[str] = []
        on_path: dict[str, int] = {}
        current: str | None = start
        while current and current not in done:
            if current in on_path:
                raise CycleError(path[on_path[current] :])
            on_path[current] = len(path)
            path.append(current)
            current = managers.get(current)
        done.update(path)


def _preference(mentee: Mentee, mentor_id: str) -> float:
    for rank, choice in enumerate(mentee.preferences[: len(PREFERENCE_VALUES)]):
        if choice == mentor_id:
            return PREFERENCE_VALUES[rank]
    return 0.0


def why_not(mentee: Mentee, mentor: Mentor, chain: Collection[str]) -> str | None:
    """None when the pair is allowed, else the first broken rule: ``same_person``, ``level``,
    ``management_chain``, ``no_shared_language`` or ``excluded``. ``chain`` is the mentee's management chain.
    Capacity is not a rule of the pair (see :func:`solve` and :func:`shortlist`)."""
    if mentee.id == mentor.id:
        return "same_person"
    if not mentor.level > mentee.level:
        return "level"
    if mentor.id in chain:
        return "management_chain"
    if not _norm_set(mentee.languages) & _norm_set(mentor.languages):
        return "no_shared_language"
    if mentor.id in mentee.exclude:
        return "excluded"
    return None


def score(mentee: Mentee, mentor: Mentor, weights: Weights = Weights()) -> ScoreParts:
    goals = _norm_set(mentee.goals)
    goal = len(goals & _norm_set(mentor.expertise)) / len(goals) if goals else 0.0
    timezone = max(0.0, 1.0 - abs(mentee.timezone - mentor.timezone) / 12.0)
    department = 1.0 if _norm(mentee.department) != _norm(mentor.department) else 0.0
    return ScoreParts(
        goal=weights.goal * goal,
        timezone=weights.timezone * timezone,
        department=weights.department * department,
        preference=weights.preference * _preference(mentee, mentor.id),
    )


def shortlist(
    mentee: Mentee,
    mentors: Sequence[Mentor],
    managers: Mapping[str, str | None],
    *,
    weights: Weights = Weights(),
    limit: int = 5,
) -> list[Pair]:
    """The mentee's top allowed mentors with a free place, best score first (ties: input order)."""
    chain = frozenset(management_chain(mentee.id, managers))
    scored = [
        (index, Pair(mentee.id, mentor.id, score(mentee, mentor, weights)))
        for index, mentor in enumerate(mentors)
        if mentor.capacity > 0 and why_not(mentee, mentor, chain) is None
    ]
    scored.sort(key=lambda item: (-item[1].parts.total, item[0]))
    return [pair for _, pair in scored[: max(0, limit)]]


# ---------------------------------------------------------------------------------------- vectorized build


def _bits(sets: Sequence[frozenset[str]], vocabulary: Mapping[str, int]) -> NDArray[np.uint64]:
    """One row of 64-bit words per set: bit k set when the set holds the k-th word of the vocabulary."""
    words = max(1, -(-len(vocabulary) // 64))
    out = np.zeros((len(sets), words), dtype=np.uint64)
    for row, items in enumerate(sets):
        for item in items:
            k = vocabulary.get(item)
            if k is not None:
                out[row, k >> 6] |= np.uint64(1 << (k & 63))
    return out


def _codes(values: Sequence[str]) -> NDArray[np.int64]:
    table: dict[str, int] = {}
    return np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int64, count=len(values))


@dataclass
class _Problem:
    """The instance as columns, plus the sparse exceptions (forbidden pairs, preferences)."""

    m: int
    n: int
    ee_level: NDArray[np.float64]
    ee_tz: NDArray[np.float64]
    ee_dept: NDArray[np.int64]
    ee_lang: NDArray[np.uint64]
    ee_goals: NDArray[np.uint64]
    ee_ngoals: NDArray[np.float64]
    or_level: NDArray[np.float64]
    or_tz: NDArray[np.float64]
    or_dept: NDArray[np.int64]
    or_lang: NDArray[np.uint64]
    or_exp: NDArray[np.uint64]
    capacity: NDArray[np.int64]
    forbid: NDArray[np.int64]  # sorted keys mentee·n + mentor
    pref_key: NDArray[np.int64]  # sorted keys mentee·n + mentor
    pref_value: NDArray[np.float64]


def _prepare(mentees: Sequence[Mentee], mentors: Sequence[Mentor], managers: Mapping[str, str | None]) -> _Problem:
    m, n = len(mentees), len(mentors)
    mentor_index: dict[str, int] = {}
    for j, mentor in enumerate(mentors):
        if mentor.id in mentor_index:
            raise ValueError(f"mentor id {mentor.id!r} appears twice")
        if mentor.capacity < 0:
            raise ValueError(f"mentor {mentor.id!r} has a negative capacity")
        mentor_index[mentor.id] = j
    if len({mentee.id for mentee in mentees}) != m:
        raise ValueError("a mentee id appears twice")

    ee_langs = [_norm_set(x.languages) for x in mentees]
    or_langs = [_norm_set(x.languages) for x in mentors]
    ee_goal_sets = [_norm_set(x.goals) for x in mentees]
    or_exp_sets = [_norm_set(x.expertise) for x in mentors]
    # Only words present on both sides can ever meet: keep the bit vectors short.
    languages = sorted(set().union(*ee_langs) & set().union(*or_langs)) if m and n else []
    tags = sorted(set().union(*ee_goal_sets) & set().union(*or_exp_sets)) if m and n else []
    depts = _codes([_norm(x.department) for x in mentees] + [_norm(x.department) for x in mentors])

    forbid: list[int] = []
    pref_key: list[int] = []
    pref_value: list[float] = []
    for i, mentee in enumerate(mentees):
        base = i * n
        for other in (mentee.id, *management_chain(mentee.id, managers), *mentee.exclude):
            barred = mentor_index.get(other)
            if barred is not None:
                forbid.append(base + barred)
        seen: set[int] = set()
        for rank, choice in enumerate(mentee.preferences[: len(PREFERENCE_VALUES)]):
            chosen = mentor_index.get(choice)
            if chosen is not None and chosen not in seen:
                seen.add(chosen)
                pref_key.append(base + chosen)
                pref_value.append(PREFERENCE_VALUES[rank])
    order = np.argsort(np.asarray(pref_key, dtype=np.int64), kind="stable")

    def floats(values: list[float], what: str) -> NDArray[np.float64]:
        array = np.asarray(values, dtype=np.float64)
        if not np.isfinite(array).all():
            raise ValueError(f"a {what} is not a finite number")
        return array

    return _Problem(
        m=m,
        n=n,
        ee_level=floats([x.level for x in mentees], "mentee level"),
        ee_tz=floats([x.timezone for x in mentees], "mentee time zone"),
        ee_dept=depts[:m],
        ee_lang=_bits(ee_langs, {w: k for k, w in enumerate(languages)}),
        ee_goals=_bits(ee_goal_sets, {w: k for k, w in enumerate(tags)}),
        ee_ngoals=np.asarray([len(g) for g in ee_goal_sets], dtype=np.float64),
        or_level=floats([x.level for x in mentors], "mentor level"),
        or_tz=floats([x.timezone for x in mentors], "mentor time zone"),
        or_dept=depts[m:],
        or_lang=_bits(or_langs, {w: k for k, w in enumerate(languages)}),
        or_exp=_bits(or_exp_sets, {w: k for k, w in enumerate(tags)}),
        capacity=np.asarray([x.capacity for x in mentors], dtype=np.int64),
        forbid=np.unique(np.asarray(forbid, dtype=np.int64)),
        pref_key=np.asarray(pref_key, dtype=np.int64)[order],
        pref_value=np.asarray(pref_value, dtype=np.float64)[order],
    )


def _block(p: _Problem, lo: int, hi: int, weights: Weights) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Mentees lo..hi-1 × all mentors: (allowed by the rules, total score). Same arithmetic as :func:`score`."""
    n = p.n
    allowed = p.or_level[None, :] > p.ee_level[lo:hi, None]
    share = np.zeros_like(allowed)
    for w in range(p.ee_lang.shape[1]):
        share |= (p.ee_lang[lo:hi, w, None] & p.or_lang[None, :, w]) != 0
    allowed &= share
    a, b = np.searchsorted(p.forbid, [lo * n, hi * n])
    keys = p.forbid[a:b] - lo * n
    allowed[keys // n, keys % n] = False

    # Same operations, in the same order, as score(): the totals are bit-for-bit equal. In place to spare memory.
    shape = allowed.shape
    common = np.zeros(shape, dtype=np.uint16)
    for w in range(p.ee_goals.shape[1]):
        common += np.bitwise_count(p.ee_goals[lo:hi, w, None] & p.or_exp[None, :, w])
    ngoals = p.ee_ngoals[lo:hi, None]
    total = np.divide(common, ngoals, out=np.zeros(shape), where=ngoals > 0)  # |goals ∩ expertise| / |goals|
    total *= weights.goal
    part = np.subtract(p.ee_tz[lo:hi, None], p.or_tz[None, :])
    np.abs(part, out=part)
    part /= 12.0
    np.subtract(1.0, part, out=part)
    np.maximum(0.0, part, out=part)
    part *= weights.timezone
    total += part
    np.copyto(part, 0.0)
    np.copyto(part, weights.department * 1.0, where=p.ee_dept[lo:hi, None] != p.or_dept[None, :])
    total += part
    a, b = np.searchsorted(p.pref_key, [lo * n, hi * n])
    keys = p.pref_key[a:b] - lo * n
    total[keys // n, keys % n] += weights.preference * p.pref_value[a:b]  # keys are unique
    return allowed, total


@dataclass
class Arcs:
    """Allowed mentee → mentor arcs (mentee index, mentor index, score) and which mentees had any allowed
    mentor at all (capacity aside)."""

    tails: NDArray[np.int32]
    heads: NDArray[np.int32]
    scores: NDArray[np.float64]
    eligible: NDArray[np.bool_]
    capacity: NDArray[np.int64]


def blocks(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    managers: Mapping[str, str | None],
    *,
    weights: Weights = Weights(),
) -> Iterator[tuple[int, int, NDArray[np.bool_], NDArray[np.float64]]]:
    """``(lo, hi, allowed, total)`` for mentees lo..hi-1 × all mentors, about BLOCK_PAIRS cells at a time."""
    p = _prepare(mentees, mentors, managers)
    step = max(1, BLOCK_PAIRS // max(1, p.n))
    for lo in range(0, p.m, step):
        hi = min(p.m, lo + step)
        allowed, total = _block(p, lo, hi, weights)
        yield lo, hi, allowed, total


def build_arcs(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    managers: Mapping[str, str | None],
    *,
    weights: Weights = Weights(),
    max_candidates: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> Arcs:
    """Every allowed pair with a free place (or each mentee's ``max_candidates`` best), a block at a time."""
    m, n = len(mentees), len(mentors)
    capacity = np.asarray([x.capacity for x in mentors], dtype=np.int64)
    has_place = capacity > 0
    tails: list[NDArray[np.int32]] = []
    heads: list[NDArray[np.int32]] = []
    scores: list[NDArray[np.float64]] = []
    eligible = np.zeros(m, dtype=np.bool_)
    for lo, hi, allowed, total in blocks(mentees, mentors, managers, weights=weights):
        eligible[lo:hi] = allowed.any(axis=1)
        allowed &= has_place[None, :]
        if max_candidates is not None and max_candidates < n:
            k = max(1, max_candidates)
            masked = np.where(allowed, total, -np.inf)
            top = np.argpartition(masked, n - k, axis=1)[:, n - k :]  # each row's k largest, in no order
            rows = np.repeat(np.arange(hi - lo), k)
            cols = top.ravel()
            kept = allowed[rows, cols]
            rows, cols = rows[kept], cols[kept]
            block_scores = total[rows, cols]
        else:
            flat = np.flatnonzero(allowed)
            rows, cols = flat // n, flat % n
            block_scores = total.ravel()[flat]
        tails.append((rows + lo).astype(np.int32))
        heads.append(cols.astype(np.int32))
        scores.append(block_scores)
        if progress is not None:
            progress(0.5 * hi / max(1, m))
    empty_i = np.zeros(0, dtype=np.int32)
    return Arcs(
        tails=np.concatenate(tails) if tails else empty_i,
        heads=np.concatenate(heads) if heads else empty_i,
        scores=np.concatenate(scores) if scores else np.zeros(0),
        eligible=eligible,
        capacity=capacity,
    )


# -------------------------------------------------------------------------------------------------- solving


def profits(
    scores: NDArray[np.float64], *, objective: str, places: int, nodes: int, weights: Weights
) -> NDArray[np.int64]:
    """Integer profit per arc: ``round(score·SCALE)``, plus ``BIG`` for ``participation``.

    BIG exceeds the largest total scaled score any matching can reach (``places`` pairs at most, each at most
    ``round(weights.total·SCALE)``), so a matching with one more pair always has the larger profit. OR-Tools
    multiplies costs by the number of nodes internally: that product must fit in an int64."""
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}")
    scaled = np.rint(scores * SCALE).astype(np.int64)
    if objective == "score":
        return scaled
    big = max(1, places) * (math.ceil(weights.total * SCALE) + 1) + 1
    if (big + math.ceil(weights.total * SCALE) + 1) * (nodes + 1) >= 2**62:
        raise ValueError("instance too large for exact integer profits")
    return scaled + big


def flow_solve(
    tails: NDArray[np.int32],
    heads: NDArray[np.int32],
    profit: NDArray[np.int64],
    capacity: NDArray[np.int64],
    m: int,
    *,
    most_pairs_first: bool = False,
) -> NDArray[np.bool_]:
    """Max-profit b-matching with OR-Tools min-cost flow; returns which of the given arcs are used.

    Nodes: mentees 0..m-1, mentors m..m+n-1, source m+n, sink m+n+1. Source → mentee (1 place), mentee → mentor
    (cost −profit), mentor → sink (capacity), source → sink bypass (cost 0) for mentees left unmatched.

    ``most_pairs_first``: no bypass; OR-Tools' ``solve_max_flow_with_min_cost`` finds the largest flow (the most
    pairs) and, among those, the cheapest (the most profit) — the lexicographic optimum with the profits kept
    small, which the cost-scaling solver finishes in fewer phases than with a BIG term on every arc."""
    from ortools.graph.python import min_cost_flow

    n = len(capacity)
    source, sink = m + n, m + n + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    if len(tails):
        flow.add_arcs_with_capacity_and_unit_cost(
            tails, heads.astype(np.int32) + m, np.ones(len(tails), dtype=np.int64), -profit
        )
    active = np.unique(tails).astype(np.int32)
    supply = len(active)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(len(active), source, dtype=np.int32),
        active,
        np.ones(len(active), dtype=np.int64),
        np.zeros(len(active), dtype=np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(m, m + n, dtype=np.int32),
        np.full(n, sink, dtype=np.int32),
        capacity.astype(np.int64),
        np.zeros(n, dtype=np.int64),
    )
    if not most_pairs_first:
        flow.add_arc_with_capacity_and_unit_cost(source, sink, supply, 0)
    flow.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([supply, -supply], dtype=np.int64))
    status = flow.solve_max_flow_with_min_cost() if most_pairs_first else flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    if not len(tails):
        return np.zeros(0, dtype=np.bool_)
    return np.asarray(flow.flows(np.arange(len(tails), dtype=np.int32))) > 0


def solve(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    managers: Mapping[str, str | None],
    *,
    weights: Weights = Weights(),
    objective: str = "participation",
    progress: Callable[[float], None] | None = None,
    max_candidates: int | None = None,
) -> Result:
    """The optimal proposal. ``participation``: most mentees matched, then the highest total score;
    ``score``: highest total score. Exact when ``max_candidates`` is None (every allowed pair is an arc);
    otherwise only each mentee's ``max_candidates`` best allowed mentors are considered. ``progress`` gets a
    fraction: up to 0.5 while the arcs are built (block by block), then 1.0 once the flow is solved."""
    import time

    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}")
    started = time.perf_counter()
    arcs = build_arcs(mentees, mentors, managers, weights=weights, max_candidates=max_candidates, progress=progress)
    built = time.perf_counter()
    m = len(mentees)
    places = int(min(m, int(arcs.capacity.sum())))
    # participation: the solver maximises the number of pairs itself, so the profits need no BIG term
    profit = profits(arcs.scores, objective="score", places=places, nodes=m + len(mentors) + 2, weights=weights)
    used = flow_solve(arcs.tails, arcs.heads, profit, arcs.capacity, m, most_pairs_first=objective == "participation")
    solved = time.perf_counter()
    assigned: dict[int, int] = dict(zip(arcs.tails[used].tolist(), arcs.heads[used].tolist(), strict=True))
    pairs: list[Pair] = []
    unmatched: list[Unmatched] = []
    for i, mentee in enumerate(mentees):
        j = assigned.get(i)
        if j is not None:
            pairs.append(Pair(mentee.id, mentors[j].id, score(mentee, mentors[j], weights)))
        else:
            unmatched.append(Unmatched(mentee.id, REASON_CAPACITY if arcs.eligible[i] else REASON_NO_ELIGIBLE))
    if progress is not None:
        progress(1.0)
    stats = {"arcs": float(len(arcs.tails)), "build_seconds": built - started, "solve_seconds": solved - built}
    return Result(pairs=pairs, unmatched=unmatched, stats=stats)
