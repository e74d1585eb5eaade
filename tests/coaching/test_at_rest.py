"""Acceptance (issue 6, item 1): coaching and mentoring markers written through the API are absent from the raw
SQLite file and from a ``pg_dump``. The app runs in a subprocess against its own database, so what it writes is
committed and on disk (a test's rolled-back transaction never reaches the file)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

PLANT = r"""
import sys
from datetime import date

import django

django.setup()
from django.core.management import call_command
from django.test import Client

from trellis.coaching.models import Engagement
from trellis.core import services
from trellis.core.models import Membership, Organization, Role, User

call_command("migrate", verbosity=0)
tag = sys.argv[1]
org = Organization.objects.create(name="At Rest", slug="at-rest")
people = {}
for name, roles in (("leader", [Role.PARTICIPANT]), ("coach", [Role.COACH]), ("sponsor", [Role.SPONSOR])):
    user = User.objects.create_user(email=f"{name}@at-rest.example", full_name=name.title())
    people[name] = Membership.objects.create(organization=org, user=user, roles=roles)
engagement = Engagement.objects.create(
    organization=org, coachee=people["leader"], coach=people["coach"], sponsor=people["sponsor"],
    status=Engagement.Status.ACTIVE, starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 30),
)


def client(name):
    raw = services.do_issue_token(user=people[name].user, name="at rest")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


leader, coach = client("leader"), client("coach")
base = f"/api/v1/orgs/at-rest/coaching/engagements/{engagement.public_id}"
for who, url, body in (
    (coach, f"{base}/notes", {"text": f"NOTE-{tag}"}),
    (leader, f"{base}/commitments", {"text": f"COMMIT-{tag}", "due_on": "2030-01-31"}),
    (leader, f"{base}/objectives", {"text": f"OBJECTIVE-{tag}"}),
    (leader, "/api/v1/orgs/at-rest/coaching/journal", {"text": f"JOURNAL-{tag}"}),
    (coach, f"{base}/referral", {"note": f"REFERRAL-{tag}"}),
):
    response = who.post(url, body, content_type="application/json")
    assert response.status_code == 201, (url, response.status_code, response.content)
    assert tag in response.content.decode()  # the app itself reads the text back

# Mentoring (T3) uses the vault too: a pair in which the coach mentors the leader.
from trellis.mentoring.models import Application, MentorProfile, Pair, Program

program = Program.objects.create(organization=org, name="P", starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 30))
profile = MentorProfile.objects.create(organization=org, program=program, member=people["coach"])
application = Application.objects.create(organization=org, program=program, mentee=people["leader"])
pair = Pair.objects.create(
    organization=org, program=program, application=application, mentee=people["leader"], mentor=profile,
    status=Pair.Status.ACTIVE,
)
mbase = f"/api/v1/orgs/at-rest/mentoring/pairs/{pair.public_id}"
for who, url, body in (
    (leader, f"{mbase}/goals", {"text": f"GOAL-{tag}", "tags": ["pricing"]}),
    (leader, f"{mbase}/notes", {"text": f"MNOTE-{tag}"}),
    (coach, f"{mbase}/suggestions", {"text": f"SUGGEST-{tag}"}),
):
    response = who.post(url, body, content_type="application/json")
    assert response.status_code == 201, (url, response.status_code, response.content)
    assert tag in response.content.decode()
print("planted")
"""


def _plant(env: dict[str, str], tag: str) -> None:
    result = subprocess.run(  # noqa: S603 (our own interpreter, our own script)
        [sys.executable, "-c", PLANT, tag],
        env={**os.environ, "TRELLIS_ENV": "test", "DJANGO_SETTINGS_MODULE": "trellis.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and "planted" in result.stdout, result.stderr[-3000:]


def test_markers_are_absent_from_the_raw_sqlite_file(tmp_path: Path) -> None:
    tag = uuid.uuid4().hex
    db = tmp_path / "at-rest.sqlite3"
    env = {"TRELLIS_SQLITE_PATH": str(db), "DATABASE_URL": ""}
    _plant(env, tag)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("at-rest.sqlite3")]
    raw = b"".join(p.read_bytes() for p in files)
    assert b"v1." in raw and b"at-rest" in raw  # the data is there, sealed
    assert tag.encode() not in raw
    assert tag.encode("utf-16-le") not in raw


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_markers_are_absent_from_a_pg_dump(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on PostgreSQL in CI (DATABASE_URL); this check runs there")
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    name = f"trellis_at_rest_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        host, port, user = params.get("host", "127.0.0.1"), params.get("port", 5432), params.get("user", "postgres")
        url = f"postgres://{user}@{host}:{port}/{name}"
        tag = uuid.uuid4().hex
        _plant({"DATABASE_URL": url}, tag)
        dump = subprocess.run(  # noqa: S603
            ["pg_dump", "--no-owner", f"--dbname={url}"],  # noqa: S607 (the PostgreSQL client on PATH)
            capture_output=True,
            timeout=120,
            check=True,
            env={**os.environ, "PGPASSWORD": str(params.get("password") or "")},
        ).stdout
        assert b"v1." in dump and b"at-rest" in dump
        assert tag.encode() not in dump
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
