"""HR import: `trellis import-people` and the upload page. All or nothing, idempotent, every bad row by line."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trellis import cli
from trellis.core.importing import COLUMNS, do_import_people
from trellis.core.models import AuditEvent, Membership, OutboxMessage, User

HEADER = ",".join(COLUMNS)
URL = "/o/northwind/people/import/"


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def snapshot() -> tuple[int, int, int, list[tuple]]:
    """What an import could change: accounts, memberships, audit lines, and every membership's fields."""
    fields = Membership.objects.order_by("pk").values_list(
        "pk",
        "user__full_name",
        "title",
        "department",
        "level",
        "manager_id",
        "languages",
        "timezone",
        "roles",
        "is_active",
    )
    return User.objects.count(), Membership.objects.count(), AuditEvent.objects.count(), list(fields)


def run(northwind, text: str, **options):  # type: ignore[no-untyped-def]
    return do_import_people(organization=northwind, file=text, actor=options.pop("actor", None), **options)


ZOE = (
    "zoe.quist@northwind.example,Zoe Quist,Team Lead,Sales,6,frank@northwind.example,en;sv,Europe/Stockholm,"
    "participant;manager"
)
YAN = "yan.ortiz@northwind.example,Yan Ortiz,Account Executive,Sales,3,zoe.quist@northwind.example,es,Europe/Madrid,"
ALICE = (
    "alice@northwind.example,Alice Martin,Senior Account Executive,Sales,5,frank@northwind.example,en;fr;de,"
    "Europe/Paris,participant"
)
ALICE_ALONE = "alice@northwind.example,Alice Martin,Account Executive,Sales,4,,en;fr,Europe/Paris,participant"


# --- The happy path -----------------------------------------------------------------------------------------
def test_import_creates_new_people_and_updates_existing_ones(northwind, member):
    audit_before = AuditEvent.objects.count()
    # yan comes before zoe, his manager: managers are set once everybody exists.
    result = run(northwind, csv_of(YAN, ZOE, ALICE))

    assert result.applied and not result.errors
    assert result.counts == {"created": 2, "updated": 1, "deactivated": 0, "unchanged": 0}
    zoe = member("zoe.quist")
    yan = member("yan.ortiz")
    assert (zoe.user.full_name, zoe.title, zoe.department, zoe.level) == ("Zoe Quist", "Team Lead", "Sales", 6)
    assert zoe.languages == ["en", "sv"] and zoe.timezone == "Europe/Stockholm"
    assert zoe.roles == ["manager", "participant"]
    assert zoe.manager == member("frank") and yan.manager == zoe
    assert yan.roles == ["participant"]  # blank roles: a new person is a participant
    assert not zoe.user.has_usable_password()
    alice = member("alice")
    assert (alice.title, alice.level, alice.languages) == ("Senior Account Executive", 5, ["en", "fr", "de"])
    update = result.plan.updates[0]
    assert update.line == 4 and set(update.changes) == {"title", "level", "languages"}
    assert update.changes["level"] == (4, 5)
    # One audit line for the whole import, by "system"; no mail unless asked for.
    lines = AuditEvent.objects.order_by("id")[audit_before:]
    assert [(e.verb, e.actor, e.object_id) for e in lines] == [("people.imported", None, str(northwind.public_id))]
    assert not OutboxMessage.objects.filter(
        to_email__in=["zoe.quist@northwind.example", "yan.ortiz@northwind.example"]
    ).exists()


def test_a_second_import_of_the_same_file_changes_nothing(northwind):
    text = csv_of(YAN, ZOE, ALICE)
    run(northwind, text)
    before = snapshot()
    again = run(northwind, text)
    assert again.counts == {"created": 0, "updated": 0, "deactivated": 0, "unchanged": 3}
    assert snapshot() == before  # not even an audit line


def test_emails_match_case_insensitively_and_blank_roles_keep_an_admins_roles(northwind, member):
    result = run(
        northwind,
        csv_of("ERIN@Northwind.Example,Erin Walsh,People Systems Lead,HR,7,hannah@northwind.example,en,Europe/London,"),
    )
    assert result.counts["created"] == 0 and result.counts["updated"] == 1
    erin = member("erin")
    assert erin.level == 7 and erin.roles == ["org_admin", "participant"]


def test_columns_left_out_are_not_touched(northwind, member):
    before = member("frank")
    result = run(northwind, csv_of("frank@northwind.example,Frank Meyer,Head of Sales", header="email,full_name,title"))
    frank = member("frank")
    assert result.counts["updated"] == 1 and set(result.plan.updates[0].changes) == {"title"}
    assert frank.title == "Head of Sales"
    assert (frank.level, frank.manager_id, frank.languages, frank.roles) == (
        before.level,
        before.manager_id,
        before.languages,
        before.roles,
    )


def test_an_existing_account_from_another_organization_joins_without_being_renamed(northwind, user):
    result = run(northwind, csv_of("mallory@globex.example,Someone Else,Consultant,IT,5,,en,UTC,participant"))
    assert result.counts["created"] == 1
    mallory = user("mallory")
    assert mallory.full_name == "Mallory Stone"
    assert Membership.objects.filter(organization=northwind, user=mallory, title="Consultant").exists()


def test_a_deactivated_member_in_the_file_is_reactivated(northwind, member):
    Membership.objects.filter(pk=member("alice").pk).update(is_active=False)
    result = run(northwind, csv_of("alice@northwind.example,Alice Martin", header="email,full_name"))
    assert result.plan.updates[0].changes == {"is_active": (False, True)}
    assert member("alice").is_active


def test_rows_can_be_given_as_mappings(northwind, member):
    rows = [{"email": "Zed@northwind.example", "full_name": "Zed Zimmer", "level": 3}]
    assert do_import_people(organization=northwind, rows=rows, actor=None).counts["created"] == 1
    assert member("zed").level == 3 and member("zed").timezone == "UTC"
    rows = [{"email": "a@northwind.example", "full_name": "A"}, {"email": "b", "full_name": "B"}]
    result = do_import_people(organization=northwind, rows=rows, actor=None)
    assert [str(e) for e in result.errors] == ["line 3: email: not a valid e-mail address: b"]
    with pytest.raises(TypeError):
        do_import_people(organization=northwind, actor=None)


# --- Bad rows: reported by line, nothing written -----------------------------------------------------------------
GOOD = "ann.good@northwind.example,Ann Good,Analyst,Finance,3,priya@northwind.example,en,Europe/London,participant"

BAD_ROWS = [
    ("bad e-mail", "not-an-email,Bad Mail,,,3,,,,", "email", "not a valid e-mail address"),
    ("no e-mail", ",No Mail,,,3,,,,", "email", "an e-mail address is required"),
    ("no name", "no.name@northwind.example,,,,3,,,,", "full_name", "a name is required"),
    (
        "unknown manager",
        "x1@northwind.example,X One,,,3,nobody@northwind.example,,,",
        "manager_email",
        "unknown manager nobody@northwind.example",
    ),
    (
        "manager in another org",
        "x2@northwind.example,X Two,,,3,mallory@globex.example,,,",
        "manager_email",
        "unknown manager mallory@globex.example",
    ),
    (
        "bad time zone",
        "x3@northwind.example,X Three,,,3,,,Mars/Olympus,",
        "timezone",
        "unknown time zone 'Mars/Olympus'",
    ),
    ("unknown role", "x4@northwind.example,X Four,,,3,,,,participant;wizard", "roles", "unknown role wizard"),
    ("level 0", "x5@northwind.example,X Five,,,0,,,,", "level", "from 1 to 10"),
    ("level 11", "x6@northwind.example,X Six,,,11,,,,", "level", "from 1 to 10"),
    ("level not a whole number", "x7@northwind.example,X Seven,,,5.5,,,,", "level", "from 1 to 10"),
    (
        "duplicate e-mail",
        "Ann.Good@northwind.example,Ann Again,,,3,,,,",
        "email",
        "duplicate e-mail ann.good@northwind.example (first on line 2)",
    ),
    (
        "reports to themselves",
        "x8@northwind.example,X Eight,,,3,x8@northwind.example,,,",
        "manager_email",
        "reporting cycle: x8@northwind.example → x8@northwind.example",
    ),
    ("wrong number of fields", "x9@northwind.example,X Nine,,,3", "", "expected 9 fields, found 5"),
]


@pytest.mark.parametrize(("row", "column", "message"), [c[1:] for c in BAD_ROWS], ids=[c[0] for c in BAD_ROWS])
def test_each_bad_row_is_reported_with_its_line_and_nothing_is_written(northwind, row, column, message):
    before = snapshot()
    result = run(northwind, csv_of(GOOD, row, ALICE))
    assert not result.applied
    assert [(e.line, e.column) for e in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("header", "column", "message"),
    [
        ("email,title,level", "full_name", "missing required column"),
        ("full_name,title", "email", "missing required column"),
        (HEADER + ",manager", "manager", "unknown column"),
        ("email;full_name;title", "email;full_name;title", "the file must be comma-separated"),
        (HEADER + ",email", "email", "the column appears twice"),
    ],
)
def test_a_bad_header_is_reported_on_line_1(northwind, header, column, message):
    before = snapshot()
    result = run(northwind, csv_of(GOOD, header=header))
    assert (1, column) in [(e.line, e.column) for e in result.errors]
    assert any(message in e.message for e in result.errors)
    assert snapshot() == before


def test_every_bad_row_is_reported_not_only_the_first(northwind):
    text = csv_of(
        GOOD,
        "bad,Bad,,,3,,,,",
        GOOD.replace("ann.good", "ann.two").replace(",3,", ",12,"),
        "x@northwind.example,X,,,3,,,Nowhere/Town,",
    )
    result = run(northwind, text)
    assert [str(e).split(":")[0:2] for e in result.errors] == [
        ["line 3", " email"],
        ["line 4", " level"],
        ["line 5", " timezone"],
    ]


def test_an_empty_or_non_utf8_file_is_refused(northwind):
    assert str(run(northwind, "").errors[0]).startswith("line 1: the file is empty")
    latin1 = csv_of("jose@northwind.example,José Núñez").encode("latin-1")
    errors = do_import_people(organization=northwind, file=latin1, actor=None).errors
    assert [str(e) for e in errors] == ["file: the file is not UTF-8 text; export it as “CSV UTF-8”."]


def test_a_manager_cycle_within_the_file_reports_both_lines(northwind):
    before = snapshot()
    text = csv_of(
        GOOD,
        "a.cycle@northwind.example,A Cycle,,,5,b.cycle@northwind.example,,,",
        "b.cycle@northwind.example,B Cycle,,,5,a.cycle@northwind.example,,,",
    )
    result = run(northwind, text)
    assert [(e.line, e.column) for e in result.errors] == [(3, "manager_email"), (4, "manager_email")]
    assert "reporting cycle: a.cycle@northwind.example → b.cycle@northwind.example → a.cycle@northwind.example" in str(
        result.errors[0]
    )
    assert snapshot() == before


def test_a_row_that_closes_a_cycle_with_the_existing_chart_is_refused(northwind, member):
    # Today: alice → frank → victor → nina. Making nina report to alice closes the loop.
    before = snapshot()
    result = run(
        northwind,
        csv_of(GOOD, "nina@northwind.example,Nina Okafor,CEO,Executive,10,alice@northwind.example,en,Europe/London,"),
    )
    assert [(e.line, e.column) for e in result.errors] == [(3, "manager_email")]
    assert "nina@northwind.example → alice@northwind.example → frank@northwind.example" in result.errors[0].message
    assert snapshot() == before
    assert member("nina").manager is None


def test_a_manager_who_is_a_deactivated_member_is_unknown(northwind, member):
    Membership.objects.filter(pk=member("frank").pk).update(is_active=False)
    result = run(northwind, csv_of(ALICE))
    assert [str(e) for e in result.errors] == [
        "line 2: manager_email: unknown manager frank@northwind.example (not in the file and not an active member)"
    ]


def test_removing_the_last_org_admins_role_is_refused(northwind, member):
    result = run(northwind, csv_of("erin@northwind.example,Erin Walsh,,,6,,,,participant"))
    assert [(e.line, e.column) for e in result.errors] == [(2, "roles")]
    assert "without an active org admin" in result.errors[0].message
    assert member("erin").roles == ["org_admin", "participant"]


# --- Dry run and deactivation ------------------------------------------------------------------------------------
def test_dry_run_reports_the_plan_and_writes_nothing(northwind):
    before = snapshot()
    result = run(northwind, csv_of(YAN, ZOE, ALICE), dry_run=True)
    assert result.dry_run and not result.applied
    assert result.counts == {"created": 2, "updated": 1, "deactivated": 0, "unchanged": 0}
    assert snapshot() == before


def test_deactivate_missing_deactivates_everyone_else_but_the_acting_admin(northwind, member, user):
    active_before = Membership.objects.filter(organization=northwind, is_active=True).count()
    zoe = ZOE.replace("frank@", "alice@")
    result = run(northwind, csv_of(ALICE_ALONE, zoe), actor=user("erin"), deactivate_missing=True)
    assert result.applied
    # everyone but alice (in the file) and erin (running the import) is deactivated; zoe is new
    assert result.counts == {"created": 1, "updated": 1, "deactivated": active_before - 2, "unchanged": 0}
    assert Membership.objects.filter(organization=northwind, is_active=True).count() == 3
    assert member("erin").is_active and member("alice").is_active and not member("bob").is_active
    assert result.plan.notes == [
        "Erin Walsh (erin@northwind.example) is not in the file but stays active: you are running the import."
    ]
    # Other organizations are untouched.
    assert member("mallory").is_active and member("carol", "globex").is_active


def test_deactivate_missing_never_leaves_the_organization_without_an_org_admin(northwind, member):
    result = run(northwind, csv_of(ALICE_ALONE), deactivate_missing=True)
    assert result.applied
    assert member("erin").is_active and not member("frank").is_active
    assert (
        "Erin Walsh (erin@northwind.example) is not in the file but stays active: "
        "Northwind needs at least one active org admin." in result.plan.notes
    )
    assert "erin@northwind.example" not in [d.email for d in result.plan.deactivations]


def test_deactivate_missing_refuses_a_manager_who_would_be_deactivated(northwind, member):
    result = run(northwind, csv_of(ALICE), deactivate_missing=True)
    assert [str(e) for e in result.errors] == [
        "line 2: manager_email: manager frank@northwind.example is not in the file and would be deactivated"
    ]
    assert member("frank").is_active


# --- Scale: the number of queries does not grow with the rows ------------------------------------------------
def chart(n: int) -> str:
    """n new people, three levels deep: a head reporting to nina, three managers, everyone else below them.

    New people are inserted one level of the chart at a time (each row written once, with its manager), so
    the number of queries follows the depth of the new chart, never the number of rows."""
    rows = ["p0@big.example,Person 0,Head,Ops,9,nina@northwind.example,en,UTC,participant;manager"]
    rows += [
        f"p{i}@big.example,Person {i},Analyst,Ops,{1 + i % 9},p{0 if i <= 3 else 1 + i % 3}@big.example,"
        "en;de,Europe/Berlin,participant"
        for i in range(1, n)
    ]
    return csv_of(*rows)


def count_queries(northwind, text: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        result = run(northwind, text)
    assert result.applied and result.counts["created"] == text.count("\n") - 1
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(northwind):
    small = count_queries(northwind, chart(20))
    Membership.objects.filter(user__email__endswith="@big.example").delete()
    User.objects.filter(email__endswith="@big.example").delete()
    large = count_queries(northwind, chart(200))
    assert large == small, (small, large)
    with CaptureQueriesContext(connection) as ctx:
        assert run(northwind, chart(200)).counts["unchanged"] == 200
    assert len(ctx.captured_queries) <= 3  # savepoint, the organization's members, release


# --- The command ---------------------------------------------------------------------------------------------------
@pytest.fixture
def csv_file(tmp_path):  # type: ignore[no-untyped-def]
    def write(text: str) -> Path:
        path = tmp_path / "people.csv"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_people", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_prints_a_summary(northwind, member, csv_file):
    out, _ = call("northwind", str(csv_file(csv_of(YAN, ZOE, ALICE))))
    assert out.strip() == "created 2, updated 1, deactivated 0, unchanged 0"
    assert member("yan.ortiz").manager == member("zoe.quist")
    out, _ = call("northwind", str(csv_file(csv_of(YAN, ZOE, ALICE))))
    assert out.strip() == "created 0, updated 0, deactivated 0, unchanged 3"


def test_command_dry_run_says_so_and_writes_nothing(northwind, csv_file):
    before = snapshot()
    out, _ = call("northwind", str(csv_file(csv_of(YAN, ZOE))), "--dry-run", "-v", "2")
    assert "dry run, nothing was written — would have: created 2, updated 0" in out
    assert "line 3: create zoe.quist@northwind.example" in out
    assert snapshot() == before


def test_command_reports_bad_rows_on_stderr_and_fails(northwind, csv_file):
    before = snapshot()
    path = csv_file(csv_of(GOOD, "x@northwind.example,X,,,3,nobody@y.example,,,", "y@northwind.example,Y,,,99,,,,"))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 errors; nothing was imported"):
        call_command("import_people", "northwind", str(path), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == [
        "line 3: manager_email: unknown manager nobody@y.example (not in the file and not an active member)",
        "line 4: level: must be a whole number from 1 to 10, not '99'",
    ]
    assert snapshot() == before


def test_command_deactivate_missing(northwind, member, csv_file):
    out, _ = call("northwind", str(csv_file(csv_of(ALICE_ALONE))), "--deactivate-missing")
    assert re.search(r"deactivated \d{3}", out)
    assert "needs at least one active org admin" in out
    assert not member("bob").is_active and member("erin").is_active


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "x.csv"], "no organization with the slug 'nowhere'"),
        (["northwind", "/nonexistent/people.csv"], "cannot read /nonexistent/people.csv"),
    ],
)
def test_command_fails_clearly_on_a_bad_organization_or_file(db, args, message):
    with pytest.raises(CommandError, match=message):
        call(*args)


def test_the_trellis_command_accepts_the_dashed_name(northwind, csv_file, capsys, monkeypatch):
    # run_from_argv closes every connection when it ends; keep the test's transaction open (PostgreSQL)
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    cli.main(["import-people", "northwind", str(csv_file(csv_of(ZOE))), "--dry-run"])
    assert "would have: created 1" in capsys.readouterr().out
    assert not User.objects.filter(email="zoe.quist@northwind.example").exists()


# --- The upload page --------------------------------------------------------------------------------------------
def upload(client, text: str | bytes, name: str = "people.csv", **extra):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **extra})


def test_page_preview_then_apply(northwind, login, member):
    erin = login("erin")
    page = erin.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Upload a CSV file" in html and 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert '<a href="/o/northwind/people/import/" aria-current="page">Import</a>' in html
    assert '<a href="/o/northwind/people/" aria-current="page">' not in html

    before = snapshot()
    preview = upload(erin, csv_of(YAN, ZOE, ALICE))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "2 to create, 1 to update, 0 to deactivate, 0 unchanged. Nothing has been written yet." in html
    assert "Zoe Quist" in html and "Yan Ortiz" in html
    assert "title: Account Executive → Senior Account Executive" in html
    assert "languages: en; fr → en; fr; de" in html
    assert "Apply import" in html
    assert snapshot() == before  # a preview writes nothing

    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token is not None
    done = erin.post(URL, {"token": token.group(1)})
    assert done.status_code == 200
    assert "2 created, 1 updated, 0 deactivated, 0 unchanged." in done.content.decode()
    assert member("zoe.quist").manager == member("frank")
    assert AuditEvent.objects.filter(verb="people.imported").last().actor == member("erin").user.public_id


def test_page_rechecks_on_apply_what_changed_since_the_preview(northwind, login, member):
    erin = login("erin")
    html = upload(erin, csv_of(ZOE)).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    Membership.objects.filter(pk=member("frank").pk).update(is_active=False)  # zoe's manager leaves meanwhile
    response = erin.post(URL, {"token": token})
    assert response.status_code == 409
    assert "unknown manager frank@northwind.example" in response.content.decode()
    assert not User.objects.filter(email="zoe.quist@northwind.example").exists()


def test_page_shows_bad_rows_by_line_and_offers_no_apply(northwind, login):
    before = snapshot()
    response = upload(login("erin"), csv_of(GOOD, "x@northwind.example,X,,,3,,,Mars/Base,"))
    html = response.content.decode()
    assert "1 problem found. Nothing will be imported until the file is fixed." in html
    assert re.search(r'<th scope="row">3</th><td>timezone</td><td>unknown time zone', html)
    assert "Apply import" not in html and "Upload a corrected file" in html
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.xlsx", b"email,full_name\n", "File extension “xlsx” is not allowed"),
        ("people.csv", "email,full_name\nj@northwind.example,José\n".encode("latin-1"), "The file is not UTF-8 text"),
        ("people.csv", b"", "The submitted file is empty"),
    ],
)
def test_page_refuses_files_that_are_not_utf8_csv(northwind, login, name, data, message):
    response = upload(login("erin"), data, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_page_refuses_a_tampered_or_foreign_preview(northwind, login):
    erin = login("erin")
    html = upload(erin, csv_of(ZOE)).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    before = snapshot()
    tampered = erin.post(URL, {"token": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")})
    assert tampered.status_code == 400
    assert "This preview has expired or was altered" in tampered.content.decode()
    # The same token presented by another org admin is refused too: it is bound to who previewed it.
    Membership.objects.filter(user__email="frank@northwind.example").update(roles=["org_admin", "participant"])
    assert login("frank").post(URL, {"token": token}).status_code == 400
    assert snapshot()[:2] == before[:2]


def test_page_with_deactivate_missing_previews_the_deactivations(northwind, login, member):
    erin = login("erin")
    html = upload(erin, csv_of(ALICE_ALONE), deactivate_missing="on").content.decode()
    assert "Members to deactivate, not in the file" in html
    assert "Erin Walsh (erin@northwind.example) is not in the file but stays active" in html
    assert "… and " in html  # long lists are cut in the preview
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    erin.post(URL, {"token": token})
    assert not member("bob").is_active and member("erin").is_active


def test_only_org_admins_may_import(northwind, login):
    alice = login("alice")
    assert alice.get(URL).status_code == 403
    assert upload(alice, csv_of(ZOE)).status_code == 403
    assert login("mallory").get(URL).status_code == 404
    assert (
        "Import"
        not in re.findall(r'<nav aria-label="Main".*?</nav>', alice.get("/o/northwind/").content.decode(), re.S)[0]
    )
    assert not User.objects.filter(email="zoe.quist@northwind.example").exists()


def test_home_reminds_org_admins_to_import_until_they_do(northwind, login):
    erin = login("erin")
    assert "No import from the HR system in the last 30 days" in erin.get("/o/northwind/").content.decode()
    run(northwind, csv_of(ZOE), actor=None)
    assert "No import from the HR system in the last 30 days" not in erin.get("/o/northwind/").content.decode()
    assert "No import from the HR system" not in login("alice").get("/o/northwind/").content.decode()
