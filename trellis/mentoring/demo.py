"""Demo data for mentoring (issue 5, item 7): a running Northwind program in which bob mentors alice (goals,
two meetings, suggestions in each state, one introduction), and open applications waiting to be matched.
Idempotent: running it twice changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from trellis.core.models import Membership, Organization
from trellis.mentoring.models import Program

PROGRAM_NAME = "Northwind Mentoring 2026"


def _member(org: Organization, key: str) -> Membership:
    return Membership.objects.select_related("user").get(organization=org, user__email=f"{key}@northwind.example")


def _program(org: Organization) -> tuple[Program, bool]:
    today = timezone.localdate()
    program, created = Program.objects.get_or_create(
        organization=org,
        name=PROGRAM_NAME,
        defaults={
            "description": "Six months with a senior colleague who has walked the road before you.",
            "starts_on": today - timedelta(days=60),
            "ends_on": today + timedelta(days=120),
            "admin": _member(org, "heidi"),
            "status": Program.Status.RUNNING,
            "rules": "Meet at least every four weeks. Mentees bring goals; mentors share experience and contacts.",
        },
    )
    return program, created


@transaction.atomic
def load() -> dict[str, int]:
    org = Organization.objects.filter(slug="northwind").first()
    if org is None:
        return {}
    program, created = _program(org)
    counts = {"mentoring programs": int(created)}
    counts.update(_matching_demo(org, program))
    counts.update(_pair_demo(org, program))
    return counts


MENTORS = {  # member key → (expertise, capacity, bio)
    "bob": (
        ["architecture", "technical-leadership", "pricing", "career-growth"],
        2,
        "Twenty years of building systems.",
    ),
    "priya": (["pricing", "finance", "negotiation", "people-management"], 2, "From analyst to head of pricing."),
    "victor": (["negotiation", "sales", "public-speaking", "people-management"], 2, "I love a hard deal."),
    "head.marketing": (["marketing", "public-speaking", "product-strategy"], 2, ""),
    "head.product": (["product-strategy", "data-analysis", "career-growth"], 2, ""),
    "head.operations": (["operations", "people-management", "data-analysis"], 1, ""),
}
MENTEE_GOALS = [  # (tags of the first goal, tags of the second goal or None, preferred mentors)
    (["architecture", "technical-leadership"], ["career-growth"], ["bob"]),
    (["pricing", "negotiation"], None, ["priya", "victor"]),
    (["public-speaking"], ["marketing"], ["head.marketing"]),
    (["product-strategy", "data-analysis"], None, []),
    (["people-management"], ["career-growth"], ["priya"]),
    (["negotiation", "sales"], None, ["victor", "bob"]),
    (["data-analysis"], ["operations"], []),
    (["technical-leadership"], None, ["bob", "head.product"]),
    (["marketing", "product-strategy"], None, []),
    (["finance", "pricing"], ["career-growth"], ["priya"]),
]
GOAL_WORDS = {
    "architecture": "Design a service I can defend in an architecture review",
    "technical-leadership": "Lead a small team's technical decisions",
    "career-growth": "Know what the next step in my career is",
    "pricing": "Understand how our prices are set",
    "negotiation": "Negotiate with more confidence",
    "public-speaking": "Speak at an all-hands without notes",
    "marketing": "Learn how a campaign is planned",
    "product-strategy": "Write a product strategy one-pager",
    "data-analysis": "Answer business questions with data myself",
    "people-management": "Prepare to manage people",
    "sales": "Close my first enterprise deal",
    "operations": "Improve one process end to end",
    "finance": "Read a P&L fluently",
}


def _matching_demo(org: Organization, program: Program) -> dict[str, int]:
    """Mentor profiles for bob and five senior colleagues, and ten open applications from junior members (goals
    with tags, some preferences), so heidi can run matching and get a sensible proposal."""
    from trellis.mentoring.models import Application, Goal, MentorProfile, Preference

    made = {"mentor profiles": 0, "mentoring applications": 0}
    profiles: dict[str, MentorProfile] = {}
    for key, (expertise, capacity, bio) in MENTORS.items():
        member = _member(org, key)
        profile, created = MentorProfile.objects.get_or_create(
            program=program,
            member=member,
            defaults={"organization": org, "expertise": expertise, "capacity": capacity, "bio": bio},
        )
        profiles[key] = profile
        made["mentor profiles"] += int(created)
    juniors = list(
        Membership.objects.filter(organization=org, is_active=True, level__lte=3, roles=["participant"])
        .exclude(user__email__in=[f"{k}@northwind.example" for k in ("alice",)])
        .select_related("user")
        .order_by("department", "user__email")
    )
    by_dept: dict[str, list[Membership]] = {}
    for m in juniors:
        by_dept.setdefault(m.department, []).append(m)
    chosen: list[Membership] = []
    while len(chosen) < len(MENTEE_GOALS) and any(by_dept.values()):
        for dept in sorted(by_dept):
            if by_dept[dept] and len(chosen) < len(MENTEE_GOALS):
                chosen.append(by_dept[dept].pop(0))
    for mentee, (first, second, prefs) in zip(chosen, MENTEE_GOALS, strict=False):
        application, created = Application.objects.get_or_create(
            program=program, mentee=mentee, defaults={"organization": org}
        )
        if not created:
            continue
        made["mentoring applications"] += 1
        for tags in (first, second):
            if tags:
                goal = Goal(organization=org, application=application, tags=tags)
                goal.text = GOAL_WORDS[tags[0]]
                goal.save()
        for rank, key in enumerate(prefs, start=1):
            Preference.objects.create(application=application, mentor=profiles[key], rank=rank)
    return made


def _pair_demo(org: Organization, program: Program) -> dict[str, int]:
    """bob mentors alice: goals, two meetings, suggestions in each state, one introduction (pair side)."""
    from trellis.mentoring.models import (
        Application,
        Goal,
        Introduction,
        Meeting,
        MentorProfile,
        Note,
        Pair,
        Suggestion,
    )

    alice, bob, priya = _member(org, "alice"), _member(org, "bob"), _member(org, "priya")
    now = timezone.now().replace(second=0, microsecond=0)
    accepted = now - timedelta(weeks=6)
    profile, _ = MentorProfile.objects.get_or_create(
        organization=org,
        program=program,
        member=bob,
        defaults={"expertise": ["negotiation", "pricing", "networking", "architecture"], "capacity": 2},
    )
    application, _ = Application.objects.get_or_create(
        organization=org,
        program=program,
        mentee=alice,
        defaults={"status": Application.Status.MATCHED, "created_at": accepted - timedelta(weeks=2)},
    )
    counts = {"mentoring goals": 0, "mentoring pairs": 0}
    if not application.goals.exists():
        for text, tags in (
            ("Run a pricing negotiation without escalating", ["pricing", "negotiation"]),
            ("Build a network outside Sales", ["networking"]),
        ):
            goal = Goal(organization=org, application=application, tags=tags, created_at=accepted, updated_at=now)
            goal.text = text
            goal.save()
            counts["mentoring goals"] += 1
    pair, created = Pair.objects.get_or_create(
        organization=org,
        program=program,
        mentee=alice,
        mentor=profile,
        defaults={
            "application": application,
            "status": Pair.Status.ACTIVE,
            "score": 0.82,
            "created_at": accepted - timedelta(days=3),
            "accepted_at": accepted,
        },
    )
    if not created:
        return counts
    counts["mentoring pairs"] = 1
    goal_first = application.goals.order_by("created_at", "id").first()
    if goal_first is not None:
        goal_first.progress = 40
        goal_first.save(update_fields=["progress"])

    def meeting(start: datetime, status: str, agenda: str, log: str | None) -> None:
        m = Meeting(organization=org, pair=pair, starts_at=start, minutes=60, location="Video call", status=status)
        m.agenda, m.log = agenda, log
        m.save()

    first = (accepted + timedelta(days=2)).replace(hour=9, minute=0)
    meeting(first, Meeting.Status.HELD, "Goals; how pricing reviews work.", "Agreed two goals; bob shares his notes.")
    meeting(
        first + timedelta(weeks=3),
        Meeting.Status.HELD,
        "The Q3 renewal: where alice may give ground.",
        "Rehearsed the opening; next: shadow a pricing review.",
    )
    meeting((now + timedelta(days=5)).replace(hour=9, minute=0), Meeting.Status.SCHEDULED, "Debrief the review.", None)

    def suggestion(text: str, status: str, days_ago: int, reason: str | None = None) -> None:
        s = Suggestion(organization=org, pair=pair, status=status, created_at=now - timedelta(days=days_ago))
        s.text, s.decline_reason = text, reason
        if status != Suggestion.Status.PROPOSED:
            s.responded_at = now - timedelta(days=days_ago - 1)
        if status == Suggestion.Status.DONE:
            s.done_at = now - timedelta(days=days_ago - 5)
        s.save()

    suggestion("Write down your walk-away price before every call", Suggestion.Status.DONE, 35)
    suggestion("Read a book on negotiation", Suggestion.Status.DECLINED, 30, "I learn better by doing than by reading.")
    suggestion("Shadow a pricing review", Suggestion.Status.ACCEPTED, 12)
    suggestion("Ask a customer what they value most in the renewal", Suggestion.Status.PROPOSED, 2)

    intro = Introduction(
        organization=org,
        pair=pair,
        kind=Introduction.Kind.MEMBER,
        to_member=priya,
        status=Introduction.Status.ACCEPTED,
        created_at=now - timedelta(days=20),
        responded_at=now - timedelta(days=19),
    )
    intro.why = "Priya heads pricing; she can explain how the pricing review decides."
    intro.save()

    shared = Note(organization=org, pair=pair, author=alice, created_at=now - timedelta(days=10))
    shared.text = "I freeze when the customer asks for a discount in the first five minutes."
    shared.save()
    shared.shared_with.add(bob)
    private = Note(organization=org, pair=pair, author=bob, created_at=now - timedelta(days=9))
    private.text = "Alice is ready for a bigger account; suggest it at the mid-point review."
    private.save()
    counts.update({"mentoring meetings": 3, "mentoring suggestions": 4, "mentoring introductions": 1})
    return counts
