"""``trellis match``: the optimal mentoring proposal for CSV files, without the database (issue 5, item 4)."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.mentoring import matching
from trellis.mentoring.matchfiles import (
    MENTEE_COLUMNS,
    MENTOR_COLUMNS,
    PEOPLE_COLUMNS,
    InputError,
    read_mentees,
    read_mentors,
    read_people,
    write_outputs,
)

EXACT_PAIR_LIMIT = 60_000_000  # mentee × mentor cells above which the exact arc set may not fit in memory
LARGE_CANDIDATES = 100  # each mentee's best allowed mentors kept when the instance is above the limit
PROGRESS_PAIRS = 1_000_000  # show a progress bar on stderr from this many mentee × mentor cells

DESCRIPTION = f"""\
Propose mentoring pairs from CSV files: the optimal assignment under the hard rules (mentor level higher than
the mentee's; the mentor is neither the mentee nor in the mentee's management chain; a shared language; a mentor
never gets more mentees than their capacity).

Input files (UTF-8, header row, columns in any order, extra columns ignored, lists separated by ';'):
  --people   {",".join(PEOPLE_COLUMNS)}
             reporting lines; an empty manager_id is the top; mentees/mentors absent from it have no chain
  --mentees  {",".join(MENTEE_COLUMNS)}
             level and timezone (UTC offset in hours, may be fractional) are numbers; goals are tags;
             preferences are up to 3 ranked mentor ids (more are ignored) that must exist in the mentors file
  --mentors  {",".join(MENTOR_COLUMNS)}
             capacity is the number of mentees the mentor can still take (a whole number ≥ 0)

Score of an allowed pair (default weights): 0.5·|goals ∩ expertise|/|goals| + 0.2·max(0, 1 − |Δtz|/12)
+ 0.1·[departments differ] + 0.2·(1.0/0.66/0.33 for the 1st/2nd/3rd preference). Tags, languages and
departments compare case-insensitively.

Objectives: participation (default) matches as many mentees as possible, then maximizes the total score;
score maximizes the total score only. Both are exact (OR-Tools min-cost flow). Instances above
{EXACT_PAIR_LIMIT:,} mentee × mentor cells keep each mentee's best {LARGE_CANDIDATES} mentors (a warning says so).

Outputs: --out pairs.csv (mentee_id,mentor_id,score with 6 decimals) and --unmatched unmatched.csv
(mentee_id,reason; reason no_eligible_mentor or capacity_exhausted). Both are written to temporary files and
moved into place at the end. The last line on stdout is `matched=<n> total_score=<x> seconds=<s>`; a progress
bar goes to stderr for long runs.

Bad input (unreadable file or encoding, missing column, empty or duplicate id, a level, timezone or capacity
that is not a number, negative capacity, unknown mentor id in preferences, management cycle, unknown
objective, bad weights) exits with code 2 and a message naming the file, the line and the problem; no output
file is written or changed.
"""


def _weights(text: str) -> matching.Weights:
    try:
        return matching.Weights.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


class _Progress:
    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream, self.enabled, self.shown = stream, enabled, -1

    def __call__(self, fraction: float) -> None:
        if not self.enabled:
            return
        percent = int(100 * min(1.0, max(0.0, fraction)))
        if percent == self.shown:
            return
        self.shown = percent
        done = percent // 5
        label = "done" if percent == 100 else "solving" if percent >= 50 else "building"
        self.stream.write(f"\r[{'#' * done}{'.' * (20 - done)}] {percent:3d}% {label}")
        if percent == 100:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Propose optimal mentoring pairs from CSV files (see --help)."
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.description = DESCRIPTION
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", required=True, help="reporting lines: id,manager_id")
        parser.add_argument("--mentees", required=True, help="mentees CSV")
        parser.add_argument("--mentors", required=True, help="mentors CSV")
        parser.add_argument("--out", required=True, help="pairs CSV to write")
        parser.add_argument("--unmatched", required=True, help="unmatched mentees CSV to write")
        parser.add_argument(
            "--objective",
            choices=matching.OBJECTIVES,
            default="participation",
            help="participation (default: most matched, then best total score) or score (best total score)",
        )
        parser.add_argument(
            "--weights",
            type=_weights,
            default=matching.Weights(),
            help="e.g. goal=0.5,timezone=0.2,department=0.1,preference=0.2 (names left out keep their default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            self._check_outputs(options["out"], options["unmatched"])
            managers = read_people(options["people"])
            mentors = read_mentors(options["mentors"])
            mentees = read_mentees(options["mentees"], {x.id for x in mentors})
        except InputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        cells = len(mentees) * len(mentors)
        max_candidates = None
        if cells > EXACT_PAIR_LIMIT:
            max_candidates = LARGE_CANDIDATES
            self.stderr.write(
                f"warning: {len(mentees):,} × {len(mentors):,} is too large for the exact arc set in memory; "
                f"keeping each mentee's best {LARGE_CANDIDATES} allowed mentors (the result may not be optimal)"
            )
        progress = _Progress(sys.stderr, cells >= PROGRESS_PAIRS)
        result = matching.solve(
            mentees,
            mentors,
            managers,
            weights=options["weights"],
            objective=options["objective"],
            progress=progress,
            max_candidates=max_candidates,
        )
        try:
            write_outputs(options["out"], options["unmatched"], result.pairs, result.unmatched)
        except InputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except OSError as exc:
            raise CommandError(f"cannot write the outputs: {exc}", returncode=2) from exc
        seconds = time.perf_counter() - started
        total = math.fsum(pair.parts.total for pair in result.pairs)
        self.stdout.write(f"matched={result.matched} total_score={total:.6f} seconds={seconds:.3f}")

    @staticmethod
    def _check_outputs(*paths: str) -> None:
        if os.path.abspath(paths[0]) == os.path.abspath(paths[1]):
            raise InputError(paths[1], None, "--out and --unmatched must be different files")
        for path in paths:
            target = Path(path)
            directory = target.parent if str(target.parent) else Path(".")
            if target.is_dir():
                raise InputError(path, None, "is a directory")
            if not directory.is_dir() or not os.access(directory, os.W_OK):
                raise InputError(path, None, f"cannot write into the directory {str(directory)!r}")
