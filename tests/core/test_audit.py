"""The audit log: appended by every service write in its transaction, append-only, hash-chained, verifiable,
readable by org admins only, and holding ids and verbs — never content."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError

from trellis.core import audit, hashchain, services
from trellis.core.models import AuditEvent, AuditHead, Role

AUDIT_URL = "/o/northwind/audit/"
ROOT = Path(__file__).resolve().parents[2]


def verify_output() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def raw(sql: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def three_lines(member, user) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    """Three fresh lines at the end of the chain, written by real services."""
    erin, alice = user("erin"), member("alice")
    services.do_update_member(membership=alice, actor=erin, title="Senior Account Executive")
    services.do_set_roles(membership=alice, roles=[Role.PARTICIPANT, Role.MENTOR], actor=erin)
    services.do_deactivate_member(membership=alice, actor=erin)
    lines = list(AuditEvent.objects.order_by("-id")[:3])[::-1]
    assert [e.verb for e in lines] == ["member.updated", "member.roles_changed", "member.deactivated"]
    return lines


# --- Writing ------------------------------------------------------------------------------------------------
def test_a_service_write_appends_one_line_linked_to_the_chain(member, user, northwind):
    erin, alice = user("erin"), member("alice")
    before = AuditEvent.objects.order_by("-id").first()
    assert before is not None
    services.do_update_member(membership=alice, actor=erin, title="Team Lead")
    line = AuditEvent.objects.order_by("-id").first()
    assert line is not None and line.pk != before.pk
    assert line.verb == "member.updated"
    assert line.actor == erin.public_id
    assert line.organization == northwind
    assert line.object_type == "core.membership"
    assert line.object_id == str(alice.public_id)
    assert line.prev_hash == before.hash
    assert AuditHead.objects.get(pk=1).last_hash == line.hash
    assert audit.verify() is None


def test_an_unchanged_update_writes_no_line(member, user):
    count = AuditEvent.objects.count()
    alice = member("alice")
    assert services.do_update_member(membership=alice, actor=user("erin"), title=alice.title) == []
    assert AuditEvent.objects.count() == count


def test_the_line_rolls_back_with_the_write(member, user):
    count, head = AuditEvent.objects.count(), AuditHead.objects.get(pk=1).last_hash
    alice = member("alice")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.do_update_member(membership=alice, actor=user("erin"), title="Rolled Back Title")
        assert AuditEvent.objects.count() == count + 1  # written inside the transaction …
        raise Boom
    assert AuditEvent.objects.count() == count  # … and gone with it
    assert AuditHead.objects.get(pk=1).last_hash == head
    alice.refresh_from_db()
    assert alice.title == "Account Executive"


def test_a_refused_write_leaves_no_line(member, user):
    count = AuditEvent.objects.count()
    erin = member("erin")  # Northwind's only org admin
    with pytest.raises(Exception, match="at least one active org admin"):
        services.do_set_roles(membership=erin, roles=[Role.PARTICIPANT], actor=erin.user)
    with pytest.raises(Exception, match="at least one active org admin"):
        services.do_deactivate_member(membership=erin, actor=erin.user)
    assert AuditEvent.objects.count() == count
    erin.refresh_from_db()
    assert Role.ORG_ADMIN in erin.roles and erin.is_active


def test_record_refuses_to_run_outside_a_transaction(user, monkeypatch):
    erin = user("erin")
    count = AuditEvent.objects.count()
    with monkeypatch.context() as patch:
        patch.setattr(transaction.get_connection(), "in_atomic_block", False)
        with pytest.raises(RuntimeError, match="inside the service's transaction"):
            audit.record(actor=erin, verb="member.updated")
    assert AuditEvent.objects.count() == count


# --- Append-only --------------------------------------------------------------------------------------------
def test_lines_cannot_be_changed_or_removed_through_the_orm(three_lines, northwind):
    line = three_lines[0]
    line.verb = "member.viewed"
    with pytest.raises(PermissionError):
        line.save()
    with pytest.raises(PermissionError):
        line.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=line.pk).update(verb="member.viewed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=line.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([line], ["verb"])
    with pytest.raises(ProtectedError), transaction.atomic():
        northwind.delete()  # an organization with a history cannot be deleted out from under it
    assert AuditEvent.objects.get(pk=line.pk).verb == "member.updated"
    assert audit.verify() is None


# --- Verification -------------------------------------------------------------------------------------------
def test_verify_passes_on_the_demo_database(db):
    assert AuditEvent.objects.filter(verb="demo.loaded").exists()
    out = verify_output()
    assert f"audit log intact: {AuditEvent.objects.count()} lines verified." in out


def test_verify_passes_after_many_real_writes(three_lines):
    assert "audit log intact" in verify_output()


def test_verify_names_a_line_edited_with_raw_sql(three_lines):
    middle = three_lines[1]
    raw("UPDATE core_auditevent SET verb = %s WHERE id = %s", ["member.viewed", middle.pk])
    with pytest.raises(CommandError, match=rf"broken at line {middle.pk}: .*was edited"):
        call_command("audit", "verify")


@pytest.mark.parametrize("column", ["actor", "object_id", "at"])
def test_verify_catches_edits_to_any_hashed_column(three_lines, column, user):
    line = three_lines[0]
    value = {"actor": user("mallory").public_id.hex, "object_id": "x", "at": "2020-01-01 00:00:00"}[column]
    raw(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, line.pk])  # noqa: S608
    with pytest.raises(CommandError, match=f"broken at line {line.pk}"):
        call_command("audit", "verify")


def test_verify_catches_a_removed_middle_line(three_lines):
    _, middle, last = three_lines
    raw("DELETE FROM core_auditevent WHERE id = %s", [middle.pk])
    with pytest.raises(CommandError, match=rf"broken at line {last.pk}: .*removed"):
        call_command("audit", "verify")


def test_verify_catches_a_removed_last_line(three_lines):
    last = three_lines[-1]
    raw("DELETE FROM core_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match=rf"broken at line {three_lines[1].pk}: .*head"):
        call_command("audit", "verify")


def test_verify_catches_an_emptied_log(three_lines):
    raw("DELETE FROM core_auditevent", [])
    with pytest.raises(CommandError, match="broken at line 0: the log is empty"):
        call_command("audit", "verify")


def test_verify_catches_a_recomputed_line_that_no_longer_matches_the_head(three_lines):
    """Rewriting the last line *and* its hash still breaks the link to the head the writers keep."""
    last = three_lines[-1]
    fields = {
        "at": last.at.isoformat(),
        "organization": str(last.organization.public_id),
        "actor": str(last.actor),
        "verb": "member.viewed",
        "object_type": last.object_type,
        "object_id": last.object_id,
    }
    forged = hashchain.digest(last.prev_hash, **fields)
    raw("UPDATE core_auditevent SET verb = %s, hash = %s WHERE id = %s", ["member.viewed", forged, last.pk])
    assert hashchain.first_break(audit._lines()) is None  # the chain itself is consistent again …
    with pytest.raises(CommandError, match=rf"broken at line {last.pk}: .*head"):  # … but not its head
        call_command("audit", "verify")


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="needs a database file a subprocess can open")
def test_the_trellis_audit_verify_command_exits_non_zero_on_a_broken_chain(tmp_path):
    """The real console command against a real database file: intact → 0; one edited line → non-zero."""
    db = tmp_path / "trellis.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(TRELLIS_ENV="test", TRELLIS_SQLITE_PATH=str(db))

    def trellis(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-m", "trellis", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )

    for step in (("migrate", "--no-input"), ("demo",)):
        assert trellis(*step).returncode == 0
    intact = trellis("audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "audit log intact" in intact.stdout
    with sqlite3.connect(db) as conn:
        (line,) = conn.execute("SELECT max(id) FROM core_auditevent").fetchone()
        conn.execute("UPDATE core_auditevent SET verb = 'member.viewed' WHERE id = ?", [line])
    broken = trellis("audit", "verify")
    assert broken.returncode != 0
    assert f"audit log broken at line {line}" in broken.stderr


# --- The page -----------------------------------------------------------------------------------------------
def test_org_admin_reads_the_log(login, three_lines):
    response = login("erin").get(AUDIT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    for verb in ("member.updated", "member.roles_changed", "member.deactivated"):
        assert f"<code>{verb}</code>" in html
    assert "Erin Walsh" in html  # the actor, by name
    assert "demo.loaded" in html or response.context["page"].has_next()
    assert [e.pk for e in response.context["page"]][:3] == [e.pk for e in three_lines[::-1]]  # newest first


def test_the_log_shows_only_this_organizations_lines(login, member):
    mallory = member("mallory")
    services.do_update_member(membership=mallory, actor=mallory.user, title="CIO")
    globex_line = AuditEvent.objects.order_by("-id").first()
    assert globex_line is not None and globex_line.organization_id == mallory.organization_id
    page = login("erin").get(AUDIT_URL).context["page"]
    assert globex_line.pk not in {e.pk for e in page}
    assert all(e.organization_id != mallory.organization_id for e in page)
    own = login("mallory").get("/o/globex/audit/").context["page"]
    assert globex_line.pk in {e.pk for e in own}


@pytest.mark.parametrize(
    ("name", "status"), [("alice", 403), ("frank", 403), ("heidi", 403), ("dave", 403), ("mallory", 404)]
)
def test_others_may_not_read_the_log(login, name, status):
    response = login(name).get(AUDIT_URL)
    assert response.status_code == status
    assert b"member.updated" not in response.content and b"demo.loaded" not in response.content


def test_the_audit_link_is_in_the_admins_navigation_only(login):
    assert f'href="{AUDIT_URL}"' in login("erin").get("/o/northwind/").content.decode()
    assert f'href="{AUDIT_URL}"' not in login("alice").get("/o/northwind/").content.decode()


def test_the_page_query_count_does_not_grow_with_lines(login, user, northwind, django_assert_max_num_queries):
    client = login("erin")
    erin, bob = user("erin"), user("bob")

    def add(n: int) -> None:
        with transaction.atomic():
            for i in range(n):
                audit.record(actor=erin if i % 2 else bob, verb="test.line", organization=northwind)

    add(4)
    client.get(AUDIT_URL)  # the first request after signing in also refreshes the session
    # session, viewer, count, one page of lines, their actors' names, unread notifications (+ slack)
    with django_assert_max_num_queries(10) as few:
        assert client.get(AUDIT_URL).status_code == 200
    add(120)
    with django_assert_max_num_queries(10) as many:
        response = client.get(AUDIT_URL)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["page"]) == 50
    assert "Bob Chen" in response.content.decode() and "Erin Walsh" in response.content.decode()
    second = client.get(AUDIT_URL + "?page=2")
    assert second.context["page"].number == 2


def test_lines_hold_no_content(login, member, user):
    secret_title, secret_department = "Project Nightingale Lead", "Skunkworks Zeta"
    alice = member("alice")
    erin = login("erin")
    form = {
        "full_name": "Alice Martin",
        "title": secret_title,
        "department": secret_department,
        "level": 4,
        "manager": str(member("frank").public_id),
        "languages": "en; fr",
        "timezone": "Europe/Paris",
        "roles": ["participant"],
    }
    response = erin.post(f"/o/northwind/people/{alice.public_id}/edit/", form)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.title == secret_title
    line = AuditEvent.objects.order_by("-id").first()
    assert line is not None and line.verb == "member.updated" and line.object_id == str(alice.public_id)
    for row in AuditEvent.objects.values_list():
        for value in row:
            assert secret_title not in str(value) and secret_department not in str(value)
            assert "alice@northwind.example" not in str(value) and "Alice Martin" not in str(value)
    assert secret_title not in erin.get(AUDIT_URL).content.decode()
