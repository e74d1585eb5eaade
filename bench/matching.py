"""Benchmark the mentoring matching engine against a plain OR-Tools min-cost flow over the same allowed pairs.

    .venv/bin/python bench/matching.py [--mentees 10000] [--mentors 2000] [--seed 20261124]
    .venv/bin/python bench/matching.py --large          # 100,000 × 20,000, top-100 candidates per mentee

Normal mode: a seeded instance (realistic org chart: a tree with levels by depth, departments inherited down
the tree, 2–3 languages, clustered time zones, ~40 goal/expertise tags, capacity 1–5, preferences drawn from
zipf-popular mentors so that they are oversubscribed) is solved by `trellis.mentoring.matching.solve` (everything
timed: building the allowed arcs, the flow, the explanations), then the same allowed arcs, precomputed, are given
to a plain `SimpleMinCostFlow` and only its `solve()` is timed. Matched counts and scores must be equal.

`--large`: solve with `max_candidates` (each mentee's best 100 allowed mentors), print time, peak memory
(getrusage) and the score against an upper bound from LP duality (see docs/matching.md): for any mentor prices
v ≥ 0, Σ_i max(0, max_j s_ij − v_j) + Σ_j cap_j·v_j bounds every matching's total score; v_j is the lowest
score among the mentees a full mentor got in the pruned solution, 0 for the others. The matched count is
compared with a vertex-cover bound: Σ cap of full mentors + mentees with an allowed mentor who is not full.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
from ortools.graph.python import min_cost_flow  # imported up front: neither side pays for the import

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trellis.mentoring import matching
from trellis.mentoring.matching import Mentee, Mentor

LANGUAGES = ("en", "de", "fr", "es", "pt", "ja", "zh", "hi")
LANGUAGE_P = np.array([0.45, 0.12, 0.1, 0.1, 0.06, 0.06, 0.06, 0.05])
ZONES = (-8.0, -5.0, -3.0, 0.0, 1.0, 2.0, 5.5, 8.0, 9.0, 10.0)
TAGS = tuple(
    [
        "leadership",
        "strategy",
        "finance",
        "sales",
        "marketing",
        "product",
        "design",
        "engineering",
        "data",
        "ml",
        "security",
        "cloud",
        "devops",
        "hiring",
        "negotiation",
        "public-speaking",
        "writing",
        "operations",
        "legal",
        "compliance",
        "hr",
        "coaching",
        "feedback",
        "career",
        "promotion",
        "management",
        "architecture",
        "testing",
        "mobile",
        "frontend",
        "backend",
        "research",
        "analytics",
        "pricing",
        "partnerships",
        "customer-success",
        "support",
        "procurement",
        "sustainability",
        "diversity",
    ]
)


def generate(n_mentees: int, n_mentors: int, seed: int) -> tuple[list[Mentee], list[Mentor], dict[str, str | None]]:
    rng = np.random.default_rng(seed)
    people = n_mentees + n_mentors + (n_mentees + n_mentors) // 10  # some people are neither
    # Org chart: person k reports to someone earlier; recent-ish managers, so the tree is 6–9 levels deep.
    managers_idx = np.full(people, -1, dtype=np.int64)
    depth = np.zeros(people, dtype=np.int64)
    for k in range(1, people):
        boss = int(rng.integers(max(0, k // 6 - 3), max(1, k // 6 + 1)))
        managers_idx[k] = boss
        depth[k] = depth[boss] + 1
    level = np.clip(10 - depth + rng.integers(-1, 2, people), 1, 10).astype(np.float64)
    n_depts = 14
    dept = np.zeros(people, dtype=np.int64)
    region = np.zeros(people, dtype=np.int64)
    for k in range(1, people):
        boss = managers_idx[k]
        dept[k] = dept[boss] if depth[k] > 1 and rng.random() < 0.9 else rng.integers(n_depts)
        region[k] = region[boss] if rng.random() < 0.8 else rng.integers(len(ZONES))
    # Mentors: the most senior people (with some noise); mentees: the others.
    order = np.argsort(-(level + rng.random(people) * 2.5), kind="stable")
    mentor_people = order[:n_mentors]
    mentee_people = rng.permutation(order[n_mentors:])[:n_mentees]

    def languages() -> frozenset[str]:
        k = int(rng.integers(2, 4))
        return frozenset(rng.choice(LANGUAGES, size=k, replace=False, p=LANGUAGE_P).tolist())

    ids = [f"p{k:06d}" for k in range(people)]
    tag_p = 1.0 / np.arange(1, len(TAGS) + 1) ** 0.6
    tag_p /= tag_p.sum()
    mentors = [
        Mentor(
            id=ids[k],
            level=float(level[k]),
            department=f"dept-{dept[k]}",
            languages=languages(),
            timezone=ZONES[region[k]],
            expertise=frozenset(rng.choice(TAGS, size=int(rng.integers(3, 7)), replace=False, p=tag_p).tolist()),
            capacity=int(rng.integers(1, 6)),
        )
        for k in mentor_people
    ]
    popularity = 1.0 / np.arange(1, n_mentors + 1) ** 1.1  # zipf: a few mentors everyone asks for
    popularity /= popularity.sum()
    popular = rng.permutation(n_mentors)
    mentees = []
    for k in mentee_people:
        picks = popular[rng.choice(n_mentors, size=int(rng.integers(0, 4)), replace=False, p=popularity)]
        mentees.append(
            Mentee(
                id=ids[k],
                level=float(level[k]),
                department=f"dept-{dept[k]}",
                languages=languages(),
                timezone=ZONES[region[k]],
                goals=frozenset(rng.choice(TAGS, size=int(rng.integers(1, 4)), replace=False, p=tag_p).tolist()),
                preferences=tuple(mentors[j].id for j in picks),
            )
        )
    managers: dict[str, str | None] = {ids[k]: (ids[b] if b >= 0 else None) for k, b in enumerate(managers_idx)}
    return mentees, mentors, managers


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux: KiB


def plain_solve(
    arcs: matching.Arcs, m: int, objective: str, weights: matching.Weights
) -> tuple[float, float, int, int]:
    """A plain SimpleMinCostFlow over precomputed arcs; times `solve()` only.

    Returns (wall seconds, CPU seconds, matched, profit)."""
    n = len(arcs.capacity)
    places = int(min(m, int(arcs.capacity.sum())))
    profit = matching.profits(arcs.scores, objective=objective, places=places, nodes=m + n + 2, weights=weights)
    source, sink = m + n, m + n + 1
    active = np.unique(arcs.tails).astype(np.int32)
    tails = np.concatenate([arcs.tails, np.full(len(active), source), np.arange(m, m + n), [source]]).astype(np.int32)
    heads = np.concatenate([arcs.heads + m, active, np.full(n, sink), [sink]]).astype(np.int32)
    caps = np.concatenate([np.ones(len(arcs.tails) + len(active)), arcs.capacity, [len(active)]]).astype(np.int64)
    costs = np.concatenate([-profit, np.zeros(len(active) + n + 1, dtype=np.int64)]).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([len(active), -len(active)], dtype=np.int64)
    )
    started, cpu = time.perf_counter(), time.process_time()
    status = flow.solve()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert status == flow.OPTIMAL, status
    used = np.asarray(flow.flows(np.arange(len(arcs.tails), dtype=np.int32))) > 0
    return seconds, cpu, int(used.sum()), int(profit[used].sum())


def normal(args: argparse.Namespace) -> None:
    mentees, mentors, managers = generate(args.mentees, args.mentors, args.seed)
    weights = matching.Weights()
    print(f"instance: {len(mentees):,} mentees × {len(mentors):,} mentors, {sum(x.capacity for x in mentors):,} places")
    for objective in ("participation", "score"):
        started, cpu = time.perf_counter(), time.process_time()
        result = matching.solve(mentees, mentors, managers, weights=weights, objective=objective)
        engine, engine_cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = peak_gib()
        arcs = matching.build_arcs(mentees, mentors, managers, weights=weights)
        plain, plain_cpu, plain_matched, plain_profit = plain_solve(arcs, len(mentees), objective, weights)
        index = {x.id: i for i, x in enumerate(mentees)}
        mentor_index = {x.id: j for j, x in enumerate(mentors)}
        chosen = {(index[p.mentee_id], mentor_index[p.mentor_id]) for p in result.pairs}
        keys = arcs.tails.astype(np.int64) * len(mentors) + arcs.heads
        used = np.isin(keys, np.fromiter((i * len(mentors) + j for i, j in chosen), dtype=np.int64))
        places = int(min(len(mentees), int(arcs.capacity.sum())))
        profit = matching.profits(
            arcs.scores, objective=objective, places=places, nodes=len(mentees) + len(mentors) + 2, weights=weights
        )
        engine_profit = int(profit[used].sum())
        print(
            f"[{objective}] allowed arcs {len(arcs.tails):,}; engine {engine:.2f} s "
            f"(build {result.stats['build_seconds']:.2f} s, flow {result.stats['solve_seconds']:.2f} s), "
            f"plain solve() {plain:.2f} s, ratio {engine / plain:.2f}; CPU time engine {engine_cpu:.2f} s, "
            f"plain {plain_cpu:.2f} s, ratio {engine_cpu / plain_cpu:.2f}"
        )
        print(
            f"[{objective}] matched engine {result.matched:,} / plain {plain_matched:,}; "
            f"total score engine {result.total_score:.6f}; integer profit engine {engine_profit} / plain "
            f"{plain_profit} ({'equal' if engine_profit == plain_profit else 'DIFFERENT'}); "
            f"peak memory {peak:.2f} GiB"
        )
        reasons: dict[str, int] = {}
        for u in result.unmatched:
            reasons[u.reason] = reasons.get(u.reason, 0) + 1
        print(f"[{objective}] unmatched: {reasons}")
        del arcs


def large(args: argparse.Namespace) -> None:
    m, n = args.mentees if args.mentees != 10_000 else 100_000, args.mentors if args.mentors != 2_000 else 20_000
    started = time.perf_counter()
    mentees, mentors, managers = generate(m, n, args.seed)
    print(f"instance: {m:,} × {n:,} generated in {time.perf_counter() - started:.1f} s")
    weights = matching.Weights()
    started = time.perf_counter()
    result = matching.solve(mentees, mentors, managers, weights=weights, max_candidates=args.candidates)
    seconds = time.perf_counter() - started
    print(
        f"engine, top {args.candidates} candidates: {seconds:.1f} s (build {result.stats['build_seconds']:.1f} s, "
        f"flow {result.stats['solve_seconds']:.1f} s), {int(result.stats['arcs']):,} arcs, "
        f"peak memory {peak_gib():.2f} GiB"
    )
    # Upper bounds over ALL allowed pairs (one more blockwise pass), from mentor prices v.
    mentor_index = {x.id: j for j, x in enumerate(mentors)}
    capacity = np.array([x.capacity for x in mentors], dtype=np.int64)
    load = np.zeros(n, dtype=np.int64)
    lowest = np.full(n, np.inf)
    for pair in result.pairs:
        j = mentor_index[pair.mentor_id]
        load[j] += 1
        lowest[j] = min(lowest[j], pair.parts.total)
    full = load >= capacity
    price = np.where(full, lowest, 0.0)
    price[~np.isfinite(price)] = 0.0
    started = time.perf_counter()
    score_bound = float((capacity * price).sum())
    count_bound = int(capacity[full].sum())
    for _lo, _hi, allowed, total in matching.blocks(mentees, mentors, managers, weights=weights):
        allowed &= capacity[None, :] > 0
        reduced = np.where(allowed, total - price[None, :], 0.0)
        score_bound += float(np.maximum(reduced.max(axis=1), 0.0).sum())
        count_bound += int((allowed & ~full[None, :]).any(axis=1).sum())
    print(f"bound pass: {time.perf_counter() - started:.1f} s")
    print(
        f"matched {result.matched:,} (bound {count_bound:,}, gap {count_bound - result.matched}); "
        f"total score {result.total_score:.3f} (bound {score_bound:.3f}, "
        f"{100 * result.total_score / score_bound:.4f} % of it); peak memory {peak_gib():.2f} GiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--large", action="store_true", help="100,000 × 20,000 with top-K candidates")
    parser.add_argument("--candidates", type=int, default=100, help="K for --large")
    args = parser.parse_args()
    large(args) if args.large else normal(args)


if __name__ == "__main__":
    main()
