"""``trellis match``: the happy path with exact files, and every bad-input case (exit 2, file and line named,
no output written, a pre-existing output untouched)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

PEOPLE = "id,manager_id\nceo,\nm1,ceo\na,m1\nb,m1\nm2,ceo\n"
MENTEES = (
    "id,level,department,languages,timezone,goals,preferences,extra\n"
    "a,2,Eng,en;fr,1,Leadership;python,m2;x1,zzz\n"
    "b,3,eng,de,5.5,,,\n"
    "c,1,Sales,ja,0,sales,,\n"
)
# Columns in another order than documented, on purpose.
MENTORS = "capacity,id,level,department,languages,timezone,expertise\n1,m1,5,Eng,EN,1,python\n1,m2,6,Ops,de;fr,0,leadership\n2,x1,9,Sales,en,-5,sales\n"  # noqa: E501


def files(tmp: Path, **override: str | bytes) -> dict[str, Path]:
    contents: dict[str, str | bytes] = {"people": PEOPLE, "mentees": MENTEES, "mentors": MENTORS, **override}
    paths = {}
    for name, content in contents.items():
        path = tmp / f"{name}.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths[name] = path
    return paths


def argv(paths: dict[str, Path], out: Path, unmatched: Path, *extra: str) -> list[str]:
    return [
        "--people",
        str(paths["people"]),
        "--mentees",
        str(paths["mentees"]),
        "--mentors",
        str(paths["mentors"]),
        "--out",
        str(out),
        "--unmatched",
        str(unmatched),
        *extra,
    ]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRELLIS_ENV": "test"}
    return subprocess.run(  # noqa: S603 — our own interpreter and module
        [sys.executable, "-m", "trellis", "match", *args], capture_output=True, text=True, env=env, check=False
    )


def test_happy_path_files_are_exact(tmp_path: Path) -> None:
    paths = files(tmp_path)
    out, unmatched = tmp_path / "pairs.csv", tmp_path / "unmatched.csv"
    done = run(*argv(paths, out, unmatched))
    assert done.returncode == 0, done.stderr
    # a's manager m1 is out; m2 (a's 1st choice) is b's only option, so participation gives a its 2nd choice.
    assert out.read_text() == "mentee_id,mentor_id,score\na,x1,0.332000\nb,m2,0.208333\n"
    assert unmatched.read_text() == "mentee_id,reason\nc,no_eligible_mentor\n"
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"matched=2 total_score=0\.540333 seconds=\d+\.\d+", last), last
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mentees.csv",
        "mentors.csv",
        "pairs.csv",
        "people.csv",
        "unmatched.csv",
    ]


def test_score_objective_and_weights(tmp_path: Path) -> None:
    paths = files(tmp_path)
    out, unmatched = tmp_path / "pairs.csv", tmp_path / "unmatched.csv"
    call_command("match", *argv(paths, out, unmatched, "--objective", "score"))
    assert out.read_text() == "mentee_id,mentor_id,score\na,m2,0.733333\n"
    assert unmatched.read_text() == "mentee_id,reason\nb,capacity_exhausted\nc,no_eligible_mentor\n"
    call_command("match", *argv(paths, out, unmatched, "--weights", "goal=0,timezone=0,department=0,preference=1"))
    assert out.read_text() == "mentee_id,mentor_id,score\na,x1,0.660000\nb,m2,0.000000\n"


def test_bad_options_exit_2(tmp_path: Path) -> None:
    paths = files(tmp_path)
    out, unmatched = tmp_path / "pairs.csv", tmp_path / "unmatched.csv"
    done = run(*argv(paths, out, unmatched, "--objective", "happiness"))
    assert done.returncode == 2 and "invalid choice: 'happiness'" in done.stderr, done.stderr
    # The same parser errors, in-process (call_command turns them into CommandError instead of exit 2).
    for extra, words in [
        (("--weights", "goal=lots"), "not a number"),
        (("--weights", "colour=1"), "unknown weight"),
        (("--weights", "goal=-1"), "≥ 0"),
    ]:
        with pytest.raises(CommandError, match=words):
            call_command("match", *argv(paths, out, unmatched, *extra))
    with pytest.raises(CommandError, match="--unmatched"):
        call_command("match", *argv(paths, out, unmatched)[:-2])
    assert not out.exists() and not unmatched.exists()


def test_bad_input_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    paths = files(tmp_path, mentors=MENTORS.replace("1,m2,6", "-1,m2,6"))
    out, unmatched = tmp_path / "pairs.csv", tmp_path / "unmatched.csv"
    out.write_text("precious\n")
    done = run(*argv(paths, out, unmatched))
    assert done.returncode == 2
    assert f"{paths['mentors']}, line 3: negative capacity" in done.stderr
    assert out.read_text() == "precious\n" and not unmatched.exists()


BAD = [
    ("mentors", MENTORS.replace("capacity,", "places,"), "line 1", "missing column capacity"),
    ("mentees", MENTEES.replace("id,level,department", "id,department"), "line 1", "missing column level"),
    ("mentees", MENTEES + "b,1,x,en,0,,,\n", "line 5", "duplicate id 'b'"),
    ("mentors", MENTORS + "1,m1,5,Eng,EN,1,python\n", "line 5", "duplicate id 'm1'"),
    ("people", PEOPLE + "a,b\n", "line 7", "duplicate id 'a'"),
    ("mentees", MENTEES.replace("m2;x1", "m2;nobody"), "line 2", "unknown mentor id 'nobody'"),
    ("mentors", MENTORS.replace("1,m2,6", "-1,m2,6"), "line 3", "negative capacity"),
    ("mentors", MENTORS.replace("1,m2,6", "2.5,m2,6"), "line 3", "capacity is not a whole number"),
    ("mentors", MENTORS.replace("1,m2,6", "one,m2,6"), "line 3", "capacity is not a whole number"),
    ("people", PEOPLE.replace("ceo,\n", "ceo,m2\n"), "line 2", "management cycle"),
    ("people", PEOPLE + "self,self\n", "line 7", "management cycle"),
    ("mentees", MENTEES.replace("b,3,eng", "b,senior,eng"), "line 3", "level is not a number"),
    ("mentees", MENTEES.replace("de,5.5", "de,UTC+5"), "line 3", "timezone is not a number"),
    ("mentees", MENTEES.replace("de,5.5", "de,nan"), "line 3", "timezone is not a finite number"),
    ("mentors", MENTORS.replace(",9,Sales", ",,Sales"), "line 4", "level is not a number"),
    ("mentees", MENTEES.replace("\nc,1,", "\n,1,"), "line 4", "empty id"),
    ("people", PEOPLE.replace("\nb,m1", "\n,m1"), "line 5", "empty id"),
    ("mentees", MENTEES + "d,1\n", "line 5", "2 fields where the header has 8"),
    ("mentees", MENTEES.encode() + "é,1,x,en,0,,,\n".encode("latin-1"), "line 5", "not valid UTF-8"),
    ("mentors", MENTORS + '1,"x2,5\n', "line 5", "malformed CSV"),
    ("people", "", "line 1", "no header row"),
]


@pytest.mark.parametrize(("name", "content", "line", "problem"), BAD)
def test_each_bad_input(tmp_path: Path, name: str, content: str | bytes, line: str, problem: str) -> None:
    paths = files(tmp_path, **{name: content})
    out, unmatched = tmp_path / "pairs.csv", tmp_path / "unmatched.csv"
    out.write_text("precious\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(CommandError) as info:
        call_command("match", *argv(paths, out, unmatched))
    assert info.value.returncode == 2
    assert f"{paths[name]}, {line}: " in str(info.value) and problem in str(info.value), str(info.value)
    assert out.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no unmatched.csv, no temporary file


def test_unreadable_file_and_unwritable_output(tmp_path: Path) -> None:
    paths = files(tmp_path)
    paths["people"] = tmp_path / "absent.csv"
    with pytest.raises(CommandError) as info:
        call_command("match", *argv(paths, tmp_path / "p.csv", tmp_path / "u.csv"))
    assert info.value.returncode == 2 and "absent.csv: cannot read the file" in str(info.value)
    paths = files(tmp_path)
    with pytest.raises(CommandError) as info:
        call_command("match", *argv(paths, tmp_path / "missing" / "p.csv", tmp_path / "u.csv"))
    assert info.value.returncode == 2 and "cannot write into the directory" in str(info.value)
    with pytest.raises(CommandError) as info:
        call_command("match", *argv(paths, tmp_path / "same.csv", tmp_path / "same.csv"))
    assert info.value.returncode == 2 and "different files" in str(info.value)
    assert not (tmp_path / "u.csv").exists() and not (tmp_path / "same.csv").exists()


def test_absent_people_have_no_chain_and_bom_is_accepted(tmp_path: Path) -> None:
    paths = files(tmp_path, people=b"\xef\xbb\xbfid,manager_id\n", mentees="id,level,department,languages,"
                  "timezone,goals,preferences\na,2,Eng,en,1,python,\n")  # fmt: skip
    out, unmatched = tmp_path / "pairs.csv", tmp_path / "unmatched.csv"
    call_command("match", *argv(paths, out, unmatched))
    assert out.read_text().splitlines()[1].startswith("a,m1,")  # m1 is no longer a's manager


def test_help_documents_the_formats() -> None:
    from trellis.mentoring.management.commands.match import Command

    text = Command().create_parser("trellis", "match").format_help()
    for words in ("id,manager_id", "capacity", "no_eligible_mentor", "matched=<n>", "exits with code 2", "--weights"):
        assert words in text


def test_large_instances_warn_and_show_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from io import StringIO

    from trellis.mentoring.management.commands import match

    monkeypatch.setattr(match, "EXACT_PAIR_LIMIT", 1)
    monkeypatch.setattr(match, "PROGRESS_PAIRS", 1)
    monkeypatch.setattr(match, "LARGE_CANDIDATES", 1)
    progress = StringIO()
    monkeypatch.setattr(match.sys, "stderr", progress)
    paths = files(tmp_path)
    out, unmatched = tmp_path / "pairs.csv", tmp_path / "unmatched.csv"
    stderr, stdout = StringIO(), StringIO()
    call_command("match", *argv(paths, out, unmatched), stderr=stderr, stdout=stdout)
    assert "warning: 3 × 3 is too large" in stderr.getvalue()
    assert "100% done" in progress.getvalue()
    # Each mentee keeps only its best mentor: m2 for a and for b, who has one place, so one pair (not optimal).
    assert stdout.getvalue().startswith("matched=1 ")
