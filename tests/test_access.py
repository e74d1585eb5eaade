"""The access model, tested on every route.

1. The route walk: every URL pattern — pages and each API operation — declares a rule that exists in the table.
2. The matrix: every route × every role × {own, same-organization other person, other organization} answers
   with the status the table implies. The expectation is computed from ``TABLE`` with relations this test
   knows independently (which persona it made, whose record it asks for); the actual status comes from
   the running code.
3. Invariants of the table itself: confidential tiers never open to oversight roles.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from trellis.core import access, mail, services
from trellis.core.access import ANYONE, MEMBER, SELF, SIGNED_IN, TABLE, Tier
from trellis.core.models import ApiToken, Membership, Organization, Role, User
from trellis.core.routes import Route, walk

# Framework routes that carry no data of ours; each must still be declared here by name, on purpose.
FRAMEWORK_PUBLIC: set[str] = set()


ROUTES = list(walk())
# The Django admin has ~300 routes, all behind one wrapper with the same rule (checked below): the matrix and the
# anonymous walk take two of them, or they would cost minutes for no extra assurance.
ADMIN_SAMPLE = {"admin/", "admin/core/membership/"}
CHECKED = [r for r in ROUTES if not r.pattern.startswith("admin/") or r.pattern in ADMIN_SAMPLE]


def test_every_admin_route_is_for_platform_superusers_only() -> None:
    admin = [r for r in ROUTES if r.pattern.startswith("admin/")]
    assert len(admin) > 100 and {r.pattern for r in admin} >= ADMIN_SAMPLE
    for r in admin:
        assert r.rule is not None
        expected = ("public", "view") if r.name == "login" else ("platform_admin", "view")
        assert (r.rule.data, r.rule.action) == expected, r.pattern


def test_the_walk_sees_pages_and_api_operations() -> None:
    names = {r.name for r in ROUTES}
    assert {"login", "home", "people", "member_detail", "audit_log"} <= names
    assert len(ROUTES) >= 15


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{'/'.join(r.methods)} {r.pattern}")
def test_every_route_declares_a_rule_from_the_table(route: Route) -> None:
    if route.name in FRAMEWORK_PUBLIC:
        return
    assert route.rule is not None, f"{route.pattern} declares no access rule: decorate it with access.rule()"
    assert access.has_rule(route.rule.data, route.rule.action), (
        f"{route.pattern} declares ({route.rule.data}, {route.rule.action}), which is not in access.TABLE"
    )
    if route.rule.subject is not None:
        assert route.rule.subject.kwarg in route.kwargs


# --- Invariants of the table ------------------------------------------------------------------------------
def test_confidential_and_private_tiers_never_open_to_oversight() -> None:
    for dc in TABLE.values():
        if dc.tier >= Tier.CONFIDENTIAL:
            for action, who in dc.actions.items():
                leaked = who & access.OVERSIGHT
                assert not leaked, f"{dc.name}.{action} (tier {dc.tier.name}) opens to {sorted(leaked)}"


def test_only_public_data_is_open_to_anyone() -> None:
    for dc in TABLE.values():
        for action, who in dc.actions.items():
            if ANYONE in who:
                assert dc.tier == Tier.PUBLIC, f"{dc.name}.{action} is open to anyone but is {dc.tier.name}"


def test_every_relation_in_the_table_is_known() -> None:
    known = {
        ANYONE,
        SIGNED_IN,
        MEMBER,
        SELF,
        access.MANAGER_OF,
        access.INSTRUCTOR_OF,
        access.SHARED_WITH,
        access.SHARED_WITH_SPONSOR,
        access.COACH_OF,
        access.SPONSOR_OF,
        access.MENTOR_OF,
        access.SUPERUSER,
        *access.ROLE_RELATIONS,
    }
    for dc in TABLE.values():
        for who in dc.actions.values():
            assert who <= known, f"{dc.name}: unknown relation {sorted(who - known)}"


# --- The matrix ---------------------------------------------------------------------------------------------
VIEWER_ROLES = [None, *Role.values]  # None: a plain member with no role at all
SCENARIOS = ("own", "other", "foreign")


@pytest.fixture
def world(db, northwind: Organization, globex: Organization, member: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One fresh viewer per role (holding only that role), a colleague, and Globex's people and records."""
    viewers = {}
    for role in VIEWER_ROLES:
        name = role or "norole"
        user = User.objects.create_user(email=f"matrix-{name}@northwind.example", full_name=f"Matrix {name}")
        viewers[role] = Membership.objects.create(organization=northwind, user=user, roles=[role] if role else [])
    colleague = member("alice")
    stranger = member("mallory")
    messages = {}
    tokens = {}
    for key, who in (
        *((r, v.user) for r, v in viewers.items()),
        ("colleague", colleague.user),
        ("stranger", stranger.user),
    ):
        messages[key], _ = mail.queue(to=who, subject="hello", body="x", key=f"matrix:{who.pk}")
        tokens[key] = ApiToken.objects.create(user=who, key_hash=services.hash_token(f"matrix-{who.pk}"))
    return {
        "viewers": viewers,
        "colleague": colleague,
        "stranger": stranger,
        "northwind": northwind,
        "globex": globex,
        "messages": messages,
        "tokens": tokens,
        "training": _training_world(viewers, colleague, stranger),
        "dev_requests": _dev_request_world(viewers, colleague, stranger),
        "articles": _article_world(northwind, globex, colleague, stranger),
        "coaching": _coaching_world(viewers, colleague, stranger),
        "mentoring": _mentoring_world(viewers, colleague, stranger),
    }


def _mentoring_world(viewers: dict[Any, Membership], colleague: Membership, stranger: Membership) -> dict[str, Any]:
    """A mentoring pair per viewer in which the viewer is the MENTEE (own: relation SELF), the colleague's pair
    (other) and a Globex one (foreign). The mentor is a separate person, so no viewer is mentor_of anything. One
    program and matching run per organization; per pair: its application with a goal, a meeting, a note by the
    mentee, a suggestion and an introduction (to an event, so nobody is shared_with it)."""
    from datetime import UTC, date, datetime

    from trellis.mentoring.models import (
        Application,
        Goal,
        Introduction,
        MatchRun,
        Meeting,
        MentorProfile,
        Note,
        Pair,
        Program,
        Suggestion,
    )

    def sealed[T](obj: T, **texts: str) -> T:
        for name, text in texts.items():
            setattr(obj, name, text)
        obj.save()  # type: ignore[attr-defined]
        return obj

    per_org: dict[int, tuple[Program, MatchRun, MentorProfile]] = {}
    for org in (colleague.organization, stranger.organization):
        program = Program.objects.create(
            organization=org, name="Matrix mentoring", starts_on=date(2030, 1, 1), ends_on=date(2030, 6, 30)
        )
        run = MatchRun.objects.create(organization=org, program=program)
        user = User.objects.create_user(email=f"matrix-mentor-{org.slug}@example.com", full_name="mentor")
        mentor = Membership.objects.create(organization=org, user=user, roles=[Role.MENTOR], level=9)
        profile = MentorProfile.objects.create(organization=org, program=program, member=mentor)
        per_org[org.pk] = (program, run, profile)
    out: dict[str, dict[Any, Any]] = {
        k: {} for k in ("applications", "pairs", "goals", "meetings", "notes", "suggestions", "introductions")
    }
    for key, m in (*viewers.items(), ("colleague", colleague), ("stranger", stranger)):
        program, _, profile = per_org[m.organization_id]
        org_id = m.organization_id
        application = Application.objects.create(organization_id=org_id, program=program, mentee=m)
        pair = Pair.objects.create(
            organization_id=org_id,
            program=program,
            application=application,
            mentee=m,
            mentor=profile,
            status=Pair.Status.ACTIVE,
            accepted_at=datetime(2030, 1, 2, tzinfo=UTC),
        )
        out["applications"][key] = application
        out["pairs"][key] = pair
        out["goals"][key] = sealed(Goal(organization_id=org_id, application=application), text="matrix")
        out["meetings"][key] = Meeting.objects.create(
            organization_id=org_id, pair=pair, starts_at=datetime(2030, 2, 1, 9, tzinfo=UTC)
        )
        out["notes"][key] = sealed(Note(organization_id=org_id, pair=pair, author=m), text="matrix")
        out["suggestions"][key] = sealed(Suggestion(organization_id=org_id, pair=pair), text="matrix")
        out["introductions"][key] = sealed(
            Introduction(organization_id=org_id, pair=pair, kind=Introduction.Kind.EVENT), event="matrix"
        )
    for name, index in (("programs", 0), ("runs", 1)):
        here, there = per_org[colleague.organization_id][index], per_org[stranger.organization_id][index]
        out[name] = {"own": here, "other": here, "foreign": there}
    return out


def _coaching_world(viewers: dict[Any, Membership], colleague: Membership, stranger: Membership) -> dict[str, Any]:
    """A coaching engagement per viewer in which the viewer is the coachee (own: relation SELF), the colleague's
    (other) and a Globex one (foreign). Coach and sponsor are separate people, so no viewer is coach_of or
    sponsor_of anything and the generic expectation holds. Each engagement has one commitment."""
    from datetime import date

    from trellis.coaching.models import Commitment, Engagement

    def person(org: Organization, name: str) -> Membership:
        user = User.objects.create_user(email=f"matrix-{name}-{org.slug}@example.com", full_name=name)
        return Membership.objects.create(organization=org, user=user, roles=[Role.COACH])

    helpers = {
        org.pk: (person(org, "coach"), person(org, "sponsor"))
        for org in (colleague.organization, stranger.organization)
    }
    engagements, commitments = {}, {}
    for key, m in (*viewers.items(), ("colleague", colleague), ("stranger", stranger)):
        coach, sponsor = helpers[m.organization_id]
        engagements[key] = e = Engagement.objects.create(
            organization_id=m.organization_id,
            coachee=m,
            coach=coach,
            sponsor=sponsor,
            status=Engagement.Status.ACTIVE,
            starts_on=date(2030, 1, 1),
            ends_on=date(2030, 6, 30),
        )
        c = Commitment(organization_id=m.organization_id, engagement=e)
        c.text = "matrix"
        c.save()
        commitments[key] = c
    # A coaching request per viewer in which the viewer is the leader (own), opened by the separate sponsor, with a
    # chemistry call booked with the separate coach — so no viewer is sponsor_of or coach_of a request either.
    from datetime import timedelta

    from trellis.coaching.models import ChemistryCall, CoachingRequest

    requests = {}
    for key, m in (*viewers.items(), ("colleague", colleague), ("stranger", stranger)):
        coach, sponsor = helpers[m.organization_id]
        requests[key] = r = CoachingRequest.objects.create(
            organization_id=m.organization_id, leader=m, sponsor=sponsor, opened_by=sponsor, focus=["matrix"]
        )
        ChemistryCall.objects.create(
            organization_id=m.organization_id, request=r, coach=coach, starts_at=m.created_at + timedelta(days=900)
        )
    # A credential per viewer (own: the viewer is its coach, relation SELF), the colleague's and a Globex one.
    from trellis.coaching.models import CoachProfile, Credential

    credentials = {}
    for key, m in (*viewers.items(), ("colleague", colleague), ("stranger", stranger)):
        profile, _ = CoachProfile.objects.get_or_create(membership=m, defaults={"organization_id": m.organization_id})
        credentials[key] = Credential.objects.create(
            organization_id=m.organization_id, coach=profile, body="icf", level="ACC", issued_on=date(2029, 1, 1)
        )
    return {"engagements": engagements, "commitments": commitments, "requests": requests, "credentials": credentials}


def _article_world(northwind: Organization, globex: Organization, colleague: Membership, stranger: Membership) -> Any:
    """A draft article in each organization (articles belong to the organization, not to a person)."""
    from trellis.content.models import Article

    def draft(org: Organization, who: Membership) -> Article:
        return Article.objects.create(
            organization=org, author=who.user, title="m", slug=f"matrix-{org.slug}", summary="s", body="b"
        )

    return {"northwind": draft(northwind, colleague), "globex": draft(globex, stranger)}


def _dev_request_world(viewers: dict[Any, Membership], colleague: Membership, stranger: Membership) -> dict[Any, Any]:
    """A development request per viewer (own), one of the colleague's shared with nobody (other), one in Globex."""
    from dataclasses import asdict

    from trellis.choosing.demo import ALICE_PROFILE
    from trellis.choosing.models import DevelopmentRequest
    from trellis.choosing.recommender import recommend

    owners = {**viewers, "colleague": colleague, "stranger": stranger}
    result = recommend(ALICE_PROFILE).as_dict()
    return {
        key: DevelopmentRequest.objects.create(
            organization_id=m.organization_id,
            requester=m,
            title="matrix",
            profile=asdict(ALICE_PROFILE),
            recommendation=result,
            top=result["top"],
        )
        for key, m in owners.items()
    }


def _training_world(viewers: dict[Any, Membership], colleague: Membership, stranger: Membership) -> dict[str, Any]:
    """Training records per scenario: each viewer teaches its "own" cohort and has its own card; the colleague's
    card and a cohort someone else teaches are "other"; Globex has its own program, cohort and card."""
    from datetime import date

    from trellis.training.models import Card, Cohort, Program, ReinforcementItem

    def setup(org: Organization, title: str) -> tuple[Program, ReinforcementItem]:
        program = Program.objects.create(organization=org, title=title)
        item = ReinforcementItem.objects.create(organization=org, program=program, prompt="?", choices=["a", "b"])
        return program, item

    def cohort(program: Program, instructor: Membership | None) -> Cohort:
        day = date(2030, 1, 1)
        return Cohort.objects.create(
            organization_id=program.organization_id,
            program=program,
            title="c",
            starts_on=day,
            ends_on=day,
            instructor=instructor,
        )

    program, item = setup(viewers[None].organization, "Matrix course")
    foreign_program, foreign_item = setup(stranger.organization, "Globex course")
    card = {
        key: Card.objects.create(organization_id=m.organization_id, membership=m, item=item, due=m.created_at)
        for key, m in (*viewers.items(), ("colleague", colleague))
    }
    card["stranger"] = Card.objects.create(
        organization_id=stranger.organization_id, membership=stranger, item=foreign_item, due=stranger.created_at
    )
    cohorts = {key: cohort(program, m) for key, m in viewers.items()}
    cohorts["colleague"] = cohort(program, colleague)
    cohorts["stranger"] = cohort(foreign_program, stranger)
    programs = {"own": program, "other": program, "foreign": foreign_program}
    from datetime import UTC, datetime

    from trellis.training.models import Session

    start = datetime(2030, 1, 1, 9, tzinfo=UTC)
    sessions = {
        key: Session.objects.create(
            organization_id=c.organization_id, cohort=c, starts_at=start, ends_at=start.replace(hour=10), place="r"
        )
        for key, c in cohorts.items()
    }
    items = {"own": item, "other": item, "foreign": foreign_item}
    return {"cards": card, "cohorts": cohorts, "programs": programs, "sessions": sessions, "items": items}


def _kwargs_for(route: Route, world: dict[str, Any], role: str | None, scenario: str) -> dict[str, str] | None:
    viewer: Membership = world["viewers"][role]
    subject_member = {"own": viewer, "other": world["colleague"], "foreign": world["stranger"]}[scenario]
    owner_key = {"own": role, "other": "colleague", "foreign": "stranger"}[scenario]
    values = {
        "org_slug": (world["globex"] if scenario == "foreign" else world["northwind"]).slug,
        "member_id": str(subject_member.public_id),
        "message_id": str(world["messages"][owner_key].public_id),
        "token_id": str(world["tokens"][owner_key].public_id),
        "program_id": str(world["training"]["programs"][scenario].public_id),
        "cohort_id": str(world["training"]["cohorts"][owner_key].public_id),
        "card_id": str(world["training"]["cards"][owner_key].public_id),
        "item_id": str(world["training"]["cards"][owner_key].public_id),
        "session_id": str(world["training"]["sessions"][owner_key].public_id),
        "bank_item_id": str(world["training"]["items"][scenario].public_id),
        "dev_request_id": str(world["dev_requests"][owner_key].public_id),
        "article_id": str(world["articles"]["globex" if scenario == "foreign" else "northwind"].public_id),
        "engagement_id": str(world["coaching"]["engagements"][owner_key].public_id),
        "commitment_id": str(world["coaching"]["commitments"][owner_key].public_id),
        "mentoring_program_id": str(world["mentoring"]["programs"][scenario].public_id),
        "run_id": str(world["mentoring"]["runs"][scenario].public_id),
        **{
            f"{name}_id": str(world["mentoring"][f"{name}s"][owner_key].public_id)
            for name in ("application", "pair", "goal", "meeting", "note", "suggestion", "introduction")
        },
        "credential_id": str(world["coaching"]["credentials"][owner_key].public_id),
        "request_id": str(world["coaching"]["requests"][owner_key].public_id),
    }
    if not set(route.kwargs) <= set(values):
        return None
    return {k: values[k] for k in route.kwargs}


def _relations(role: str | None, scenario: str, route: Route) -> set[str]:
    """What the viewer is to the data, known from how this test built the world (not from the code)."""
    rels = {ANYONE, SIGNED_IN}
    if scenario == "foreign" and "org_slug" in route.kwargs:
        return rels  # not a member of Globex
    if "org_slug" in route.kwargs:
        rels.add(MEMBER)
        if role:
            rels.add(role)
    if scenario == "own":
        rels.add(SELF)
        if "cohort_id" in route.kwargs:
            rels.add(access.INSTRUCTOR_OF)  # the world makes each viewer the instructor of its "own" cohort
    return rels


def _expected(route: Route, role: str | None, scenario: str) -> set[int]:
    expected = _expected_by_table(route, role, scenario)
    if route.api and {"POST", "PATCH", "PUT"} & set(route.methods):
        # ninja validates a request body ("{}" here) before the operation — and so its access check — runs. A
        # 422 describes only the body the caller sent, whoever they are, so it reveals nothing; with a valid body
        # the route answers 403/404 (each app's own tests send valid bodies as the wrong people).
        expected = expected | {422}
    return expected


def _expected_by_table(route: Route, role: str | None, scenario: str) -> set[int]:
    assert route.rule is not None
    rels = _relations(role, scenario, route)
    about_someone = bool(set(route.kwargs) - {"org_slug"})
    if scenario == "foreign" and route.kwargs:
        return {404}  # another organization's page or record is never found
    if route.rule.data == "account" and about_someone and scenario != "own":
        return {404}  # someone else's mail or token is never found
    if access.allows(route.rule.data, route.rule.action, rels):
        return {200, 201, 204, 302, 400, 405, 409, 422}
    return {403}


MATRIX = [route for route in CHECKED if route.rule is not None and not route.rule.public]
FOREIGN_ROLES = (None, Role.ORG_ADMIN, Role.PROGRAM_ADMIN, Role.SPONSOR)


def _request(client: Client, route: Route, url: str, token: str | None) -> int:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    for method in route.methods:
        if method == "GET":
            response = client.get(url, **headers)  # type: ignore[arg-type]
        else:
            response = client.generic(
                method,
                url,
                data=b"{}" if route.api else b"",
                content_type="application/json" if route.api else "application/x-www-form-urlencoded",
                **headers,
            )  # type: ignore[arg-type]
        if response.status_code != 405:
            return response.status_code
    return 405


@pytest.mark.parametrize("route", MATRIX, ids=lambda r: r.pattern)
def test_matrix(route: Route, world: dict[str, Any]) -> None:
    """Every role × {own, other, foreign} for one route, in one world. Each request runs in a savepoint that is
    rolled back, so what one viewer's request changes cannot alter what the next one gets."""
    failures = []
    for role, scenario in itertools.product(VIEWER_ROLES, SCENARIOS):
        if scenario == "other" and set(route.kwargs) <= {"org_slug"}:
            continue  # the very request of "own": the route names nobody's record
        if scenario == "foreign" and role not in FOREIGN_ROLES:
            continue  # no role is anything in another organization; the widest and the narrowest stand for all
        kwargs = _kwargs_for(route, world, role, scenario)
        if kwargs is None:
            pytest.fail(f"the matrix does not know how to fill {route.kwargs} for {route.pattern}: teach _kwargs_for")
        url = "/" + route.pattern
        for key, value in kwargs.items():
            url = re.sub(rf"<(?:\w+:)?{key}>", value, url)
        viewer: Membership = world["viewers"][role]
        client = Client()
        token = None
        if route.api:
            token = f"matrix-{viewer.user.pk}"
        else:
            client.force_login(viewer.user)
        with transaction.atomic():
            status = _request(client, route, url, token)
            transaction.set_rollback(True)
        expected = _expected(route, role, scenario)
        if status not in expected:
            failures.append(
                f"{'/'.join(route.methods)} {url} as {role or 'norole'} ({scenario}): got {status}, "
                f"the table implies {sorted(expected)} for ({route.rule.data}, {route.rule.action})"  # type: ignore[union-attr]
            )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "route", [r for r in CHECKED if r.rule is not None and not r.rule.public], ids=lambda r: r.pattern
)
def test_anonymous_visitors_are_sent_to_sign_in(route: Route, world: dict[str, Any]) -> None:
    kwargs = _kwargs_for(route, world, None, "own") or {}
    url = "/" + route.pattern
    for key, value in kwargs.items():
        url = re.sub(rf"<(?:\w+:)?{key}>", value, url)
    status = _request(Client(), route, url, None)
    assert status == (401 if route.api else 302)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.rule is not None and r.rule.public], ids=lambda r: r.pattern)
def test_public_routes_open_without_an_account(route: Route, db: None) -> None:
    if route.kwargs:
        return  # password-reset links need a real token; covered in test_accounts
    status = _request(Client(), route, "/" + route.pattern, None)
    assert status in {200, 302, 400, 401, 405, 422}


def test_docs_access_md_is_the_table() -> None:
    """Any change to who may do what shows up in review: regenerate with `trellis access-table`."""
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "access.md"
    assert doc.read_text() == access.table_markdown(), (
        "docs/access.md differs from access.TABLE: run `.venv/bin/python -m trellis access-table > docs/access.md`"
    )
