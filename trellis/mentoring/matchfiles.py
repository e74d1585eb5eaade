"""CSV files for ``trellis match`` (issue 5, item 4) — reading, validating and writing; pure (no Django).

Every problem is an :class:`InputError` naming the file, the line and the problem. Files are UTF-8 (a BOM is
allowed); columns may come in any order and extra columns are ignored; lists are ``;``-separated.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from trellis.mentoring.matching import CycleError, Mentee, Mentor, Pair, Unmatched, check_managers

PEOPLE_COLUMNS = ("id", "manager_id")
MENTEE_COLUMNS = ("id", "level", "department", "languages", "timezone", "goals", "preferences")
MENTOR_COLUMNS = ("id", "level", "department", "languages", "timezone", "expertise", "capacity")


class InputError(Exception):
    def __init__(self, file: str | os.PathLike[str], line: int | None, problem: str) -> None:
        self.file, self.line, self.problem = str(file), line, problem
        where = f"{self.file}, line {line}" if line else self.file
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def _rows(path: str | os.PathLike[str], columns: Sequence[str]) -> Iterator[Row]:
    """The file's data rows with the required columns (stripped); blank lines are skipped."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, None, f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, line, "not valid UTF-8 text") from exc
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise InputError(path, 1, f"no header row; expected the columns {','.join(columns)}")
        names = [cell.strip().casefold() for cell in header]
        for name in names:
            if name and names.count(name) > 1:
                raise InputError(path, 1, f"column {name!r} appears twice")
        missing = [c for c in columns if c not in names]
        if missing:
            raise InputError(path, 1, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        where = {c: names.index(c) for c in columns}
        line = reader.line_num + 1
        for record in reader:
            if record and any(cell.strip() for cell in record):
                if len(record) != len(names):
                    raise InputError(path, line, f"{len(record)} fields where the header has {len(names)}")
                yield Row(line, {c: record[k].strip() for c, k in where.items()})
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(path, reader.line_num or 1, f"malformed CSV: {exc}") from exc


def _id(path: str | os.PathLike[str], row: Row, column: str = "id") -> str:
    value = row.values[column]
    if not value:
        raise InputError(path, row.line, f"empty {column}")
    return value


def _number(path: str | os.PathLike[str], row: Row, column: str) -> float:
    raw = row.values[column]
    try:
        value = float(raw)
    except ValueError:
        raise InputError(path, row.line, f"{column} is not a number: {raw!r}") from None
    if not math.isfinite(value):
        raise InputError(path, row.line, f"{column} is not a finite number: {raw!r}")
    return value


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


def read_people(path: str | os.PathLike[str]) -> dict[str, str | None]:
    """``id → manager_id`` (None for the top). A management cycle is an error naming a line on it."""
    managers: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    for row in _rows(path, PEOPLE_COLUMNS):
        person = _id(path, row)
        if person in managers:
            raise InputError(path, row.line, f"duplicate id {person!r} (first on line {lines[person]})")
        managers[person] = row.values["manager_id"] or None
        lines[person] = row.line
    try:
        check_managers(managers)
    except CycleError as exc:
        first = min(lines[p] for p in exc.cycle)
        raise InputError(path, first, str(exc)) from exc
    return managers


def read_mentors(path: str | os.PathLike[str]) -> list[Mentor]:
    mentors: list[Mentor] = []
    lines: dict[str, int] = {}
    for row in _rows(path, MENTOR_COLUMNS):
        mentor_id = _id(path, row)
        if mentor_id in lines:
            raise InputError(path, row.line, f"duplicate id {mentor_id!r} (first on line {lines[mentor_id]})")
        lines[mentor_id] = row.line
        raw = row.values["capacity"]
        try:
            capacity = int(raw)
        except ValueError:
            raise InputError(path, row.line, f"capacity is not a whole number: {raw!r}") from None
        if capacity < 0:
            raise InputError(path, row.line, f"negative capacity: {capacity}")
        mentors.append(
            Mentor(
                id=mentor_id,
                level=_number(path, row, "level"),
                department=row.values["department"],
                languages=frozenset(_list(row.values["languages"])),
                timezone=_number(path, row, "timezone"),
                expertise=frozenset(_list(row.values["expertise"])),
                capacity=capacity,
            )
        )
    return mentors


def read_mentees(path: str | os.PathLike[str], mentor_ids: Mapping[str, object] | set[str]) -> list[Mentee]:
    """Mentees; every id in ``preferences`` must be one of ``mentor_ids``."""
    mentees: list[Mentee] = []
    lines: dict[str, int] = {}
    for row in _rows(path, MENTEE_COLUMNS):
        mentee_id = _id(path, row)
        if mentee_id in lines:
            raise InputError(path, row.line, f"duplicate id {mentee_id!r} (first on line {lines[mentee_id]})")
        lines[mentee_id] = row.line
        preferences = tuple(_list(row.values["preferences"]))
        for choice in preferences:
            if choice not in mentor_ids:
                raise InputError(path, row.line, f"unknown mentor id {choice!r} in preferences")
        mentees.append(
            Mentee(
                id=mentee_id,
                level=_number(path, row, "level"),
                department=row.values["department"],
                languages=frozenset(_list(row.values["languages"])),
                timezone=_number(path, row, "timezone"),
                goals=frozenset(_list(row.values["goals"])),
                preferences=preferences,
            )
        )
    return mentees


class AtomicOutputs:
    """Write several files via temporary files in their directories; :meth:`commit` moves them all into place
    (``os.replace``), :meth:`discard` removes them. Nothing is left half-written."""

    def __init__(self, *paths: str | os.PathLike[str]) -> None:
        self.targets = [Path(p) for p in paths]
        self.temps: list[Path] = []

    def open(self, index: int) -> io.TextIOWrapper:
        target = self.targets[index]
        try:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
        except OSError as exc:
            raise InputError(target, None, f"cannot write the file: {exc.strerror or exc}") from exc
        self.temps.append(Path(name))
        return open(fd, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        for temp, target in zip(self.temps, self.targets, strict=True):
            os.replace(temp, target)
        self.temps = []

    def discard(self) -> None:
        for temp in self.temps:
            temp.unlink(missing_ok=True)
        self.temps = []


def write_outputs(
    pairs_path: str | os.PathLike[str],
    unmatched_path: str | os.PathLike[str],
    pairs: Sequence[Pair],
    unmatched: Sequence[Unmatched],
) -> None:
    """``pairs.csv`` (mentee_id,mentor_id,score with 6 decimals) and ``unmatched.csv`` (mentee_id,reason),
    both written to temporary files first and moved into place together at the end."""
    outputs = AtomicOutputs(pairs_path, unmatched_path)
    try:
        with outputs.open(0) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("mentee_id", "mentor_id", "score"))
            writer.writerows((p.mentee_id, p.mentor_id, f"{p.parts.total:.6f}") for p in pairs)
        with outputs.open(1) as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("mentee_id", "reason"))
            writer.writerows((u.mentee_id, u.reason) for u in unmatched)
        outputs.commit()
    finally:
        outputs.discard()
