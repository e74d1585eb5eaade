"""Benchmark reinforcement scheduling: the forgetting curve one card at a time with `fsrs` vs in bulk with numpy,
and building the daily digests for many learners (time and number of queries).

    .venv/bin/python bench/reinforcement.py [--cards 1000000] [--learners 100000] [--skip-curve]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<fresh db> .venv/bin/python bench/reinforcement.py --skip-curve

Part 1 computes, for every card, its retrievability now and its next due date. The per-card path starts from
`fsrs.Card` objects already in memory (the library's own representation) and calls
`Scheduler.get_card_retrievability` and the scheduler's interval; the bulk path starts from the columns as
the database keeps them (stability, last review as epoch µs) and calls `trellis.training.scheduling`.
Both results are compared (max |difference|).

Part 2 builds digests for `--learners` learners with two due cards each, in a fresh SQLite database (or the
database in DATABASE_URL, which must be empty), and prints the time and the query count.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def curve(n: int) -> None:
    from fsrs import Card, State

    from trellis.training import scheduling

    rng = np.random.default_rng(20261124)
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    now_us = scheduling.to_us(now)
    stability = np.clip(rng.lognormal(1.5, 1.5, n), 0.01, 36500.0)
    last_us = now_us - rng.integers(0, 200 * scheduling.DAY_US, n)
    epoch = scheduling.EPOCH
    cards = [
        Card(card_id=i + 1, state=State.Review, step=None, stability=float(s), difficulty=5.0,
             last_review=epoch + timedelta(microseconds=int(t)), due=now)
        for i, (s, t) in enumerate(zip(stability.tolist(), last_us.tolist(), strict=True))
    ]  # fmt: skip
    scheduler = scheduling.SCHEDULER

    started = time.perf_counter()
    per_card_r = [scheduler.get_card_retrievability(c, current_datetime=now) for c in cards]
    per_card_due = [
        c.last_review + timedelta(days=scheduler._next_interval(stability=c.stability))  # type: ignore[operator,arg-type]
        for c in cards
    ]
    per_card = time.perf_counter() - started

    started = time.perf_counter()
    bulk_r = scheduling.retrievability(stability, last_us, now_us)
    bulk_due = scheduling.next_due_us(stability, last_us)
    bulk = time.perf_counter() - started

    diff = float(np.max(np.abs(bulk_r - np.array(per_card_r))))
    due_equal = all(
        scheduling.to_us(d) == int(b) for d, b in zip(per_card_due[:100_000], bulk_due[:100_000], strict=True)
    )
    print(f"Forgetting curve and due dates for {n:,} cards")
    print(f"  fsrs, one card at a time   {per_card:8.3f} s  ({per_card / n * 1e9:7.0f} ns/card)")
    print(f"  numpy bulk over columns    {bulk:8.3f} s  ({bulk / n * 1e9:7.0f} ns/card)")
    print(f"  ratio                      {per_card / bulk:8.1f}×   (goal ≥ 50×)")
    print(f"  max |R difference| {diff:.2e} (must be < 1e-9); due dates equal on the first 100,000: {due_equal}")


def digests(learners: int) -> None:
    tmp = tempfile.TemporaryDirectory(prefix="trellis-bench-")
    os.environ["TRELLIS_ENV"] = "dev"
    os.environ["TRELLIS_SQLITE_PATH"] = str(Path(tmp.name) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from trellis.core.models import Membership, Organization, User
    from trellis.training import jobs
    from trellis.training.models import Card, Program, ReinforcementItem

    settings.DEBUG = False
    from django.urls import reverse

    reverse("training_review", args=["bench"])  # load the URLconf now, outside the measured run
    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    org = Organization.objects.create(slug="bench", name="Bench Inc.")
    program = Program.objects.create(organization=org, title="Bench course")
    items = [
        ReinforcementItem.objects.create(organization=org, program=program, prompt=f"Q{i}", choices=["a", "b"])
        for i in range(3)
    ]
    started = time.perf_counter()
    batch = 5000
    for lo in range(0, learners, batch):
        users = User.objects.bulk_create(
            [
                User(email=f"learner{i}@bench.example", full_name=f"Learner {i}", password="!")  # noqa: S106 (unusable)
                for i in range(lo, min(learners, lo + batch))
            ]
        )
        members = Membership.objects.bulk_create(
            [Membership(organization=org, user=u, roles=["participant"], timezone="Europe/Berlin") for u in users]
        )
        Card.objects.bulk_create(
            [
                Card(organization=org, membership=m, item=item, due=now - timedelta(hours=k + 1))
                for m in members
                for k, item in enumerate(items)
            ]
        )
    vendor = connection.vendor
    print(f"Digests for {learners:,} learners × 3 due cards ({vendor}; set-up {time.perf_counter() - started:.1f} s)")
    for label in ("first run", "second run (nothing to send)"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            sent = jobs.build_digests(now)
            seconds = time.perf_counter() - started
        print(f"  {label:<30} {seconds:7.2f} s  {len(queries.captured_queries):4d} queries  {sent:,} digests")
    tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--skip-curve", action="store_true", help="only the digest part (e.g. on PostgreSQL)")
    args = parser.parse_args()
    if not args.skip_curve:
        curve(args.cards)
    digests(args.learners)


if __name__ == "__main__":
    main()
