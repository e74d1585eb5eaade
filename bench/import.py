"""Benchmark the HR import: 10,000 people with a reporting hierarchy into a fresh SQLite database.

Times a first import (everyone created), a second import of the same file (nothing changes) and a third with
a tenth of the rows changed, and prints seconds, rows/s and the process's peak memory.

    .venv/bin/python bench/import.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROWS = 10_000
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore", "Australia/Sydney")
DEPARTMENTS = ("Sales", "Engineering", "Finance", "Operations", "Marketing", "HR", "Product", "Legal")
FIRST = ("Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gia", "Hugo", "Iris", "Jon", "Kai", "Lena", "Max", "Nora")
LAST = ("Berg", "Costa", "Dahl", "Fischer", "Garcia", "Hughes", "Jensen", "Kim", "Lopez", "Moreau", "Olsen")


def generate(n: int, seed: int = 7) -> str:
    """A chart like a real company: a CEO, heads of department, managers with 5–10 reports, contributors."""
    rng = random.Random(seed)
    lines = ["email,full_name,title,department,level,manager_email,languages,timezone,roles"]
    managers: list[tuple[str, str, int]] = []  # (email, department, level)
    for i in range(n):
        email = f"person{i:05d}@bench.example"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if i == 0:
            row = (email, name, "Chief Executive", "Executive", 10, "", "en", ZONES[0], "participant;manager")
            managers.append((email, "Executive", 10))
        else:
            boss, dept, boss_level = managers[min(len(managers) - 1, (i - 1) // 7)]
            dept = DEPARTMENTS[i % len(DEPARTMENTS)] if dept == "Executive" else dept
            level = max(1, boss_level - rng.randint(1, 2))
            is_manager = level >= 4 and rng.random() < 0.3
            roles = "participant;manager" if is_manager else "participant"
            if is_manager:
                managers.append((email, dept, level))
            langs = "en;de" if rng.random() < 0.2 else "en"
            row = (
                email,
                name,
                f"{dept} {'Manager' if is_manager else 'Specialist'}",
                dept,
                level,
                boss,
                langs,
                rng.choice(ZONES),
                roles,
            )
        lines.append(",".join(map(str, row)))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="trellis-bench-")
    os.environ["TRELLIS_ENV"] = "dev"
    os.environ["TRELLIS_SQLITE_PATH"] = str(Path(tmp.name) / "bench.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from trellis.core.importing import do_import_people
    from trellis.core.models import Membership, Organization

    settings.DEBUG = False  # don't keep every query in memory
    call_command("migrate", verbosity=0)
    org = Organization.objects.create(slug="bench", name="Bench Inc.")
    first = generate(args.rows)
    third = first.replace("Specialist,", "Senior Specialist,", args.rows // 10)
    print(
        f"HR import benchmark: {args.rows:,} rows, SQLite {connection.Database.sqlite_version} "
        f"({os.environ['TRELLIS_SQLITE_PATH']})"
    )

    for label, text in (
        ("first import (all new)", first),
        ("second import (no change)", first),
        ("third import (10% changed)", third),
    ):
        started = time.perf_counter()
        result = do_import_people(organization=org, file=text, actor=None)
        seconds = time.perf_counter() - started
        assert result.applied and not result.errors, result.errors[:5]
        print(f"  {label:<28} {seconds:6.2f} s  {args.rows / seconds:9,.0f} rows/s  {result.summary()}")

    managed = Membership.objects.filter(organization=org, manager__isnull=False).count()
    assert managed == args.rows - 1, managed
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"  peak memory (max RSS of the process): {peak_kib / 1024:.0f} MiB")
    tmp.cleanup()


if __name__ == "__main__":
    main()
