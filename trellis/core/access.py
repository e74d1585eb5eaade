"""The access model: one table, and the only place a rule is written (DESIGN §4).

Every view and API route declares the data it touches and what it does with it, ``(data class, action)``.
A request is allowed when the viewer has at least one *relation* to the data that the table lists for that
action. Relations are either organization-wide (membership, roles held) or about one record (it is the
viewer's own, the viewer manages its subject, …). Another organization's data is never found: 404.

Routes declare themselves with :func:`rule` (pages) or :func:`api_rule` (django-ninja operations). A test
walks every URL pattern and fails on any route without a declaration; another generates the expected status
for every route × role × {own, same-organization other, other organization} from this table.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from trellis.core.models import ROLE_VALUES, Membership, Organization, Role, User


class Tier(IntEnum):
    PUBLIC = 0  # content-hub posts, the public chooser
    DIRECTORY = 1  # member names, titles, departments, program catalogues
    RECORDS = 2  # enrolments, attendance; that a pair / engagement exists, its dates and status
    SEMI_CONFIDENTIAL = 3  # mentoring goals, notes, suggestions, introductions
    CONFIDENTIAL = 4  # coaching goals, session notes, commitments, referral flag
    PRIVATE = 5  # the leader's journal, their reinforcement answers


# --- Relations ---------------------------------------------------------------------------------------------
ANYONE = "anyone"  # no account needed
SIGNED_IN = "signed_in"  # any signed-in user, about their own account
MEMBER = "member"  # an active member of the organization the data belongs to
SELF = "self"  # the data is about the viewer
MANAGER_OF = "manager_of"  # the viewer is the line manager of the person the data is about
SHARED_WITH = "shared_with"  # the owner shared this record with the viewer (revocable)
SHARED_WITH_SPONSOR = "shared_with_sponsor"  # shared with the viewer, who is a sponsor or program admin
INSTRUCTOR_OF = "instructor_of"  # the viewer teaches the cohort (or a cohort of the person) the data is about
COACH_OF = "coach_of"  # the viewer is the coach of the coaching engagement the data belongs to
SPONSOR_OF = "sponsor_of"  # the viewer sponsors that coaching engagement (logistics and shared objectives only)
MENTOR_OF = "mentor_of"  # the viewer is the mentor of the mentoring pair the data belongs to
SUPERUSER = "superuser"  # the platform operator (User.is_superuser), in no organization: the Django admin only
# (A coaching engagement's coachee is SELF: the engagement and its records are about them.)
# Organization-wide roles are relations too: "org_admin", "program_admin", "sponsor", … (see Role).
ROLE_RELATIONS = ROLE_VALUES
# Roles that are never, by themselves, a reason to read confidential (T4) or private (T5) data.
OVERSIGHT = frozenset(
    {Role.ORG_ADMIN, Role.PROGRAM_ADMIN, Role.SPONSOR, Role.MANAGER, MANAGER_OF, MEMBER, SPONSOR_OF, SUPERUSER}
)

ORG_ADMIN = str(Role.ORG_ADMIN)


@dataclass(frozen=True)
class DataClass:
    name: str
    tier: Tier
    actions: Mapping[str, frozenset[str]]
    about: str = ""


def _dc(name: str, tier: Tier, about: str, **actions: Iterable[str]) -> DataClass:
    return DataClass(name, tier, {a: frozenset(map(str, who)) for a, who in actions.items()}, about)


# --- THE TABLE -------------------------------------------------------------------------------------------
# data class → tier → action → relations that grant it. Nothing else in the code decides who may see what.
TABLE: dict[str, DataClass] = {
    dc.name: dc
    for dc in (
        _dc("public", Tier.PUBLIC, "pages anyone may open (sign-in, password reset, health)", view=[ANYONE]),
        _dc(
            "account",
            Tier.PRIVATE,
            "the signed-in user's own account, tokens, mail, notifications",
            view=[SIGNED_IN],
            update=[SIGNED_IN],
        ),
        _dc("organization", Tier.DIRECTORY, "an organization's name and the viewer's place in it", view=[MEMBER]),
        _dc(
            "member",
            Tier.DIRECTORY,
            "the member directory: names, titles, departments, roles",
            list=[MEMBER],
            view=[MEMBER],
            create=[ORG_ADMIN],
            update=[ORG_ADMIN],
            deactivate=[ORG_ADMIN],
        ),
        _dc("people_import", Tier.DIRECTORY, "importing people from the HR system", create=[ORG_ADMIN]),
        _dc(
            "platform_admin",
            Tier.RECORDS,
            "the Django admin (platform superusers): every organization's records, view-only; sealed text never shown",
            view=[SUPERUSER],
        ),
        _dc("audit_log", Tier.RECORDS, "who did what to which record (ids and verbs only)", view=[ORG_ADMIN]),
        _dc(
            "chooser",
            Tier.PUBLIC,
            "the public chooser: questionnaire, recommendation, explanation (saves nothing)",
            view=[ANYONE],
            use=[ANYONE],
        ),
        _dc(
            "development_request",
            Tier.RECORDS,
            "a member's saved chooser result; seen by them and by whom they shared it with",
            list=[MEMBER],  # the viewer's own requests and those shared with them
            create=[MEMBER],
            view=[SELF, SHARED_WITH],
            share=[SELF],
            act=[SHARED_WITH_SPONSOR],
        ),
        _dc(
            "chooser_config",
            Tier.DIRECTORY,
            "the organization's chooser weights and costs",
            update=[ORG_ADMIN],
        ),
        _dc("article", Tier.PUBLIC, "published content-hub articles, their tags, feeds and sitemap", view=[ANYONE]),
        _dc(
            "article_draft",
            Tier.DIRECTORY,
            "the organization's articles while written, previewed, scheduled or unpublished",
            list=[Role.PROGRAM_ADMIN, ORG_ADMIN],
            view=[Role.PROGRAM_ADMIN, ORG_ADMIN],
            create=[Role.PROGRAM_ADMIN, ORG_ADMIN],
            update=[Role.PROGRAM_ADMIN, ORG_ADMIN],
            publish=[Role.PROGRAM_ADMIN, ORG_ADMIN],
        ),
        _dc(
            "subscription",
            Tier.PUBLIC,
            "subscribing to new articles by e-mail: the public form and signed links (addresses are never listed)",
            create=[ANYONE],
            delete=[ANYONE],
        ),
        _dc(
            "training_catalogue",
            Tier.DIRECTORY,
            "training programs, their cohorts, sessions and reinforcement items",
            view=[MEMBER],
            manage=[Role.PROGRAM_ADMIN],
        ),
        _dc(
            "training_record",
            Tier.RECORDS,
            "enrolments, attendance and completion (never the learner's answers)",
            enrol=[MEMBER],  # the viewer's own enrolment in a cohort
            check_in=[MEMBER],  # the viewer's own attendance, with the code shown in the room
            view=[SELF, MANAGER_OF, INSTRUCTOR_OF, Role.PROGRAM_ADMIN],
            mark=[INSTRUCTOR_OF, Role.PROGRAM_ADMIN],
            list_reports=[Role.MANAGER],  # the viewer's direct reports only
        ),
        _dc(
            "training_aggregate",
            Tier.RECORDS,
            "cohort retention, least-remembered items, completion, cost per participant (groups under 5 hidden)",
            view=[Role.PROGRAM_ADMIN, Role.SPONSOR],
        ),
        _dc(
            "reinforcement_answer",
            Tier.PRIVATE,
            "the learner's due items, answers and predicted recall (only ever the viewer's own)",
            own=[SIGNED_IN],  # pages that only ever show or change the viewer's own cards
            answer=[SELF],
        ),
        # --- mentoring (docs/mentoring.md). SELF is the pair's mentee (or, for a note or an application, its
        # author); MENTOR_OF the pair's mentor; SHARED_WITH whoever a note was shared with or an introduction
        # is addressed to. Program admins see that pairs exist and counts — never goal, note or suggestion text.
        _dc(
            "mentoring_program",
            Tier.DIRECTORY,
            "mentoring programs: name, dates, how to join, matching mode, rules; mentor profiles in them",
            list=[MEMBER],
            view=[MEMBER],
            create=[Role.PROGRAM_ADMIN],
            manage=[Role.PROGRAM_ADMIN],  # edit, invite, open/close, verify mentors
            mentor=[Role.MENTOR, Role.PROGRAM_ADMIN],  # offer oneself as a mentor (own profile)
        ),
        _dc(
            "mentoring_application",
            Tier.SEMI_CONFIDENTIAL,
            "a mentee's application: goals (text sealed) and ranked preferred mentors; the mentee's shortlist",
            create=[MEMBER],  # the viewer's own application
            view=[SELF],
            update=[SELF],
        ),
        _dc(
            "mentoring_match",
            Tier.RECORDS,
            "matching runs: who is proposed with whom, score parts, unmatched reasons (no goal text)",
            view=[Role.PROGRAM_ADMIN],
            run=[Role.PROGRAM_ADMIN],
            publish=[Role.PROGRAM_ADMIN],
        ),
        _dc(
            "mentoring_pair",
            Tier.RECORDS,
            "that a mentoring pair exists: mentee, mentor, program, status, dates, meeting logistics",
            list=[MEMBER],  # the pairs the viewer is part of (program admins: all, as records)
            view=[SELF, MENTOR_OF, Role.PROGRAM_ADMIN],
            respond=[MENTOR_OF],  # accept or decline a proposed match
            schedule=[SELF, MENTOR_OF],  # meetings
            rematch=[SELF, MENTOR_OF],  # after the chemistry check
            end=[SELF, MENTOR_OF],
        ),
        _dc(
            "mentoring_content",
            Tier.SEMI_CONFIDENTIAL,
            "what happens in a pair: goals and progress, meeting agendas and logs, suggestions, introductions, "
            "reflections",
            view=[SELF, MENTOR_OF],
            update=[SELF],  # the mentee's goals and progress; accepting, declining or finishing suggestions
            suggest=[MENTOR_OF],  # propose suggestions and introductions
            write=[SELF, MENTOR_OF],  # meeting agenda and log, a reflection at the end
        ),
        _dc(
            "mentoring_note",
            Tier.SEMI_CONFIDENTIAL,
            "a note written in a pair: its author's, and whoever the author shared it with (revocable at once)",
            list=[MEMBER],  # the viewer's own notes and those shared with them
            create=[SELF, MENTOR_OF],
            view=[SELF, SHARED_WITH],
            update=[SELF],  # only the author edits
            share=[SELF],
        ),
        _dc(
            "mentoring_introduction",
            Tier.SEMI_CONFIDENTIAL,
            "an introduction addressed to the viewer: who asks, why; the viewer accepts before details are shared",
            respond=[SHARED_WITH],
        ),
        _dc(
            "mentoring_aggregate",
            Tier.RECORDS,
            "program counts (pairs, meetings, goals, suggestions by status), at-risk pairs, mentor capacity use "
            "(groups under 5 hidden)",
            view=[Role.PROGRAM_ADMIN],
        ),
        # --- coaching (docs/coaching.md). SELF is the engagement's coachee, the leader. ---
        _dc(
            "coaching_engagement",
            Tier.RECORDS,
            "that a coaching engagement exists: coachee, coach, status, dates, sessions used of the budget",
            list=[MEMBER],  # only the engagements the viewer is part of (all of them for program admins)
            view=[SELF, COACH_OF, SPONSOR_OF, Role.PROGRAM_ADMIN, MANAGER_OF],  # manager: only if the leader opted in
            update=[SELF],  # the leader's own settings: let the manager see the logistics
            accept=[SELF, COACH_OF, SPONSOR_OF],  # the three-way agreement, each party for themselves
            close=[COACH_OF, SPONSOR_OF],  # end it: after the final review, or early with a reason category
        ),
        _dc(
            "coaching_shared_objective",
            Tier.RECORDS,
            "the objectives the leader marked 'shared with sponsor' (the sponsor sees these and no others)",
            view=[SELF, COACH_OF, SPONSOR_OF],
        ),
        _dc(
            "coaching_objective",
            Tier.CONFIDENTIAL,
            "all of an engagement's objectives, private ones included",
            view=[SELF, COACH_OF],
            create=[SELF],
            update=[SELF],  # share with the sponsor or make private again
        ),
        _dc(
            "coaching_prep",
            Tier.CONFIDENTIAL,
            "the leader's preparation for a session ('what do you want to focus on?')",
            view=[SELF, COACH_OF],
            update=[SELF],
        ),
        _dc(
            "coaching_note",
            Tier.CONFIDENTIAL,
            "the coach's session notes (the leader sees only the notes the coach shared with them)",
            view=[COACH_OF, SELF],
            create=[COACH_OF],
        ),
        _dc(
            "coaching_commitment",
            Tier.CONFIDENTIAL,
            "the leader's commitments: the leader writes, accepts, edits and closes them; the coach proposes",
            view=[SELF, COACH_OF],
            create=[SELF],
            propose=[COACH_OF],
            update=[SELF],
        ),
        _dc(
            "coaching_referral",
            Tier.CONFIDENTIAL,
            "the coach's referral flag and private note (the sponsor sees only that the engagement is paused)",
            view=[COACH_OF],
            create=[COACH_OF],
            resolve=[COACH_OF],  # resume the engagement
        ),
        _dc(
            "coaching_access_log",
            Tier.CONFIDENTIAL,
            "who opened the leader's coaching records, and when (shown to the leader)",
            view=[SELF],
        ),
        _dc(
            "coaching_journal",
            Tier.PRIVATE,
            "the leader's coaching journal (only ever the viewer's own)",
            own=[SIGNED_IN],
        ),
        _dc(
            "coaching_coach",
            Tier.DIRECTORY,
            "coach profiles and credentials (body, level, dates) and their verification",
            verify=[Role.PROGRAM_ADMIN],
        ),
        _dc(
            "coaching_settings",
            Tier.DIRECTORY,
            "the organization's support resources and confidentiality terms for coaching",
            update=[ORG_ADMIN],
        ),
        # Starting an engagement. On a request, SELF is the leader it is for, SPONSOR_OF its sponsor (or whoever
        # opened it), COACH_OF a coach with a chemistry call on it or chosen for it.
        _dc(
            "coaching_request",
            Tier.RECORDS,
            "a coaching request: leader, sponsor, focus tags, status, the shortlist shown to the leader, choice",
            list=[MEMBER],  # only the requests the viewer is part of (all of them for program admins)
            create=[MEMBER],  # a sponsor for any leader; anyone else only for themselves (with a sponsor)
            view=[SELF, SPONSOR_OF, COACH_OF, Role.PROGRAM_ADMIN],
            choose=[SELF],  # the leader chooses the coach
            respond=[COACH_OF],  # the chosen coach accepts or declines
            withdraw=[SELF, SPONSOR_OF],
        ),
        _dc(
            "coaching_chemistry_call",
            Tier.RECORDS,
            "chemistry calls of a request: coach, proposed time, booked/held/cancelled (logistics)",
            create=[SELF],  # the leader books (at most 3 coaches)
            update=[SELF],  # the leader marks a call held or cancels it
        ),
        _dc(
            "coaching_agreement",
            Tier.RECORDS,
            "the agreement's versions: dates, session budget, confidentiality and cancellation terms, who accepted "
            "when (objective text follows coaching_objective / coaching_shared_objective)",
            view=[SELF, COACH_OF, SPONSOR_OF, Role.PROGRAM_ADMIN],
            propose=[SELF, COACH_OF, SPONSOR_OF],  # a change of terms: a new version all three accept again
        ),
        # Running an engagement (docs/coaching.md, "Running an engagement").
        _dc(
            "coaching_session",
            Tier.RECORDS,
            "session logistics: time, length, status (the leader's prep is coaching_prep); invites carry no text",
            view=[SELF, COACH_OF, SPONSOR_OF, Role.PROGRAM_ADMIN, MANAGER_OF],  # as the engagement's logistics
            create=[SELF, COACH_OF],  # schedule, within the session budget
            update=[SELF, COACH_OF],  # reschedule or cancel (an update or CANCEL goes to both calendars)
            mark=[COACH_OF],  # held, cancelled or no-show
        ),
        _dc(
            "coaching_question",
            Tier.DIRECTORY,
            "the question bank (GROW, CLEAR, OSKAR): standard, the organization's and a coach's own — about no one",
            view=[Role.COACH, Role.PROGRAM_ADMIN, ORG_ADMIN],
            use=[COACH_OF],  # shown on the engagement page during a session
            create=[Role.PROGRAM_ADMIN, ORG_ADMIN],  # the organization's questions
            create_own=[Role.COACH],  # a coach's own questions
        ),
        _dc(
            "coaching_review",
            Tier.RECORDS,
            "mid-point and final three-way reviews: shared objectives only, logistics, each party's short answer "
            "and when they reviewed",
            view=[SELF, COACH_OF, SPONSOR_OF],
            record=[SELF, COACH_OF, SPONSOR_OF],  # each party for themselves
        ),
        _dc(
            "coaching_satisfaction",
            Tier.RECORDS,
            "the leader's 1-5 rating at a review; others see only averages of groups of 5 or more",
            rate=[SELF],
            view=[Role.PROGRAM_ADMIN, Role.SPONSOR],  # aggregates only, per organization and per coach
        ),
        _dc(
            "coaching_credential",
            Tier.DIRECTORY,
            "a coach's own credentials: add one, renew it (a new credential the program admin verifies again)",
            own=[Role.COACH],
        ),
        _dc(
            "coaching_credential_evidence",
            Tier.RECORDS,
            "the file proving a credential (PDF or image): the coach themself and the organization's program admins",
            view=[SELF, Role.PROGRAM_ADMIN],
            upload=[SELF],
        ),
    )
}


def allows(data: str, action: str, relations: Iterable[str]) -> bool:
    """True when any of the viewer's relations is listed for this action. Unknown rules allow nothing."""
    dc = TABLE.get(data)
    if dc is None or action not in dc.actions:
        return False
    return not dc.actions[action].isdisjoint(relations)


def has_rule(data: str, action: str) -> bool:
    return data in TABLE and action in TABLE[data].actions


# --- The viewer and subjects ----------------------------------------------------------------------------------
@dataclass
class Viewer:
    user: User | None
    membership: Membership | None = None
    memo: dict[str, Any] = field(default_factory=dict, repr=False)  # per-request cache for selectors

    @property
    def organization(self) -> Organization | None:
        return self.membership.organization if self.membership else None

    def relations(self) -> set[str]:
        rels = {ANYONE}
        if self.user is not None and self.user.is_authenticated:
            rels.add(SIGNED_IN)
            if self.user.is_superuser and self.user.is_active:
                rels.add(SUPERUSER)
        if self.membership is not None and self.membership.is_active:
            rels.add(MEMBER)
            rels.update(r for r in self.membership.roles if r in ROLE_RELATIONS)
        return rels


@dataclass(frozen=True)
class Subject:
    """How a route finds the record it is about (scoped to the organization) and the viewer's relations to it."""

    kwarg: str
    load: Callable[[Organization, Any], models.Model]
    relate: Callable[[Viewer, Any], set[str]] = field(default=lambda viewer, obj: set())


def get_in_org[M: models.Model](qs: models.QuerySet[M], org: Organization, public_id: Any) -> M:
    """The record with this public id in the viewer's organization; any other (or a malformed id) is a 404."""
    try:
        return qs.get(organization=org, public_id=UUID(str(public_id)))
    except (ObjectDoesNotExist, ValueError):
        raise Http404("Not found.") from None


def _load_member(org: Organization, public_id: Any) -> Membership:
    try:
        return Membership.objects.select_related("user", "manager__user").get(
            organization=org, public_id=UUID(str(public_id))
        )
    except (Membership.DoesNotExist, ValueError):
        raise Http404("No such member.") from None


def _relate_member(viewer: Viewer, member: Membership) -> set[str]:
    rels: set[str] = set()
    if viewer.membership is None:
        return rels
    if member.pk == viewer.membership.pk:
        rels.add(SELF)
    if member.manager_id == viewer.membership.pk:
        rels.add(MANAGER_OF)
    return rels


MEMBER_SUBJECT = Subject("member_id", _load_member, _relate_member)


@dataclass
class Decision:
    viewer: Viewer
    subject: Any = None


def resolve_viewer(request: HttpRequest, org_slug: str | None) -> Viewer:
    """The viewer and, for organization routes, their active membership there; 404 if they have none."""
    user = request.user if request.user.is_authenticated else None
    if org_slug is None:
        return Viewer(user if isinstance(user, User) else None)
    if user is None:
        raise Http404("No such organization.")
    known = getattr(user, "active_memberships", None)  # loaded with the user by MemberBackend
    if known is not None:
        membership = next((m for m in known if m.organization.slug == org_slug), None)
    else:
        membership = (
            Membership.objects.select_related("organization", "user")
            .filter(organization__slug=org_slug, user=user, is_active=True)
            .first()
        )
    if membership is None:
        raise Http404("No such organization.")
    return Viewer(membership.user, membership)


def authorize(
    request: HttpRequest, data: str, action: str, kwargs: Mapping[str, Any], subject: Subject | None = None
) -> Decision:
    """Find the viewer (and subject), then apply the table. Raises Http404 or PermissionDenied."""
    viewer = resolve_viewer(request, kwargs.get("org_slug"))
    relations = viewer.relations()
    obj = None
    if subject is not None:
        if viewer.organization is None:
            raise Http404
        obj = subject.load(viewer.organization, kwargs[subject.kwarg])
        relations |= subject.relate(viewer, obj)
    if not allows(data, action, relations):
        raise PermissionDenied(f"You may not {action} this {data.replace('_', ' ')}.")
    return Decision(viewer, obj)


@dataclass(frozen=True)
class RouteRule:
    data: str
    action: str
    subject: Subject | None = None

    @property
    def public(self) -> bool:
        return allows(self.data, self.action, {ANYONE})


def _declare[F: Callable[..., Any]](data: str, action: str, subject: Subject | None, *, page: bool) -> Callable[[F], F]:
    if not has_rule(data, action):
        raise LookupError(f"no access rule for ({data!r}, {action!r}) in trellis.core.access.TABLE")
    route_rule = RouteRule(data, action, subject)

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if page and not route_rule.public and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            decision = authorize(request, data, action, kwargs, subject)
            request.viewer = decision.viewer  # type: ignore[attr-defined]
            request.subject = decision.subject  # type: ignore[attr-defined]
            # the cache middleware cannot see a ninja operation's rule in process_view; tell it here
            request.access_tier = TABLE[data].tier  # type: ignore[attr-defined]
            return func(request, *args, **kwargs)

        wrapped.access_rule = route_rule  # type: ignore[attr-defined]
        if not page:
            # ninja reads the signature to parse the request; resolve string annotations (``from __future__
            # import annotations``) in the operation's module, not in this one.
            wrapped.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def rule[F: Callable[..., Any]](data: str, action: str, *, subject: Subject | None = None) -> Callable[[F], F]:
    """Declare a page view's access rule. Anonymous visitors of a non-public page are sent to sign in."""
    return _declare(data, action, subject, page=True)


def api_rule[F: Callable[..., Any]](data: str, action: str, *, subject: Subject | None = None) -> Callable[[F], F]:
    """Declare a django-ninja operation's access rule (authentication has already run in ninja)."""
    return _declare(data, action, subject, page=False)


def public[F: Callable[..., Any]](view: F) -> F:
    """Shorthand for ``@rule("public", "view")``."""
    return rule("public", "view")(view)


def viewer_of(request: HttpRequest) -> Viewer:
    viewer: Viewer = request.viewer  # type: ignore[attr-defined]
    return viewer


def member_of(request: HttpRequest) -> tuple[Viewer, Membership]:
    """The viewer of an organization route and their membership there (the route's rule has found it)."""
    viewer = viewer_of(request)
    assert viewer.user is not None and viewer.membership is not None
    return viewer, viewer.membership


def subject_of(request: HttpRequest) -> Any:
    return request.subject  # type: ignore[attr-defined]


# --- Querysets that restrict themselves -----------------------------------------------------------------------
def restrict_members(viewer: Viewer, qs: models.QuerySet[Membership] | None = None) -> models.QuerySet[Membership]:
    """Members of the viewer's organization the viewer may list (the directory: every active member)."""
    qs = Membership.objects.all() if qs is None else qs
    if viewer.organization is None or not allows("member", "list", viewer.relations()):
        return qs.none()
    return qs.filter(organization=viewer.organization)


def table_markdown() -> str:
    """The table as Markdown (docs/access.md is generated from it; a test keeps the two equal)."""
    lines = [
        "# Access table",
        "",
        "Generated from `trellis/core/access.py` by `trellis access-table`; do not edit by hand.",
        "A request is allowed when the viewer has one of the listed relations to the data.",
        "",
        "| Data class | Tier | Action | Who |",
        "|---|---|---|---|",
    ]
    for dc in sorted(TABLE.values(), key=lambda d: (d.tier, d.name)):
        for action, who in sorted(dc.actions.items()):
            lines.append(
                f"| `{dc.name}` | T{int(dc.tier)} {dc.tier.name.lower()} | {action} | {', '.join(sorted(who))} |"
            )
    lines += ["", "## Data classes", ""]
    lines += [f"- `{dc.name}` — {dc.about}" for dc in sorted(TABLE.values(), key=lambda d: d.name)]
    lines += [
        "",
        "## Routes",
        "",
        "Every page and API operation and the rule it declares.",
        "",
        "| Kind | Path | Data class | Action | Record |",
        "|---|---|---|---|---|",
    ]
    from trellis.core.routes import walk

    for route in sorted(walk(), key=lambda r: (r.pattern, r.methods)):
        declared = route.rule
        lines.append(
            f"| {'API ' + ' '.join(sorted(route.methods)) if route.api else 'page'} | `/{route.pattern}` | "
            + (
                f"`{declared.data}` | {declared.action} | {declared.subject.kwarg if declared.subject else ''} |"
                if declared
                else "**none** | | |"
            )
        )
    return "\n".join(lines) + "\n"
