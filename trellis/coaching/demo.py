"""Demo data for coaching: carol (ICF PCC, verified) coaches alice, sponsored by dave, with a signed three-way
agreement, three sessions held, commitments, a journal entry, one shared and one private objective; ivan is a
second coach whose credential has expired (not offered for new engagements). Idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from trellis.coaching.models import (
    Agreement,
    CoachingSession,
    CoachingSettings,
    CoachProfile,
    Commitment,
    Credential,
    Engagement,
    EthicsAcknowledgement,
    JournalEntry,
    Objective,
    SessionNote,
)
from trellis.coaching.running_demo import load_running
from trellis.coaching.starting_demo import load_starting
from trellis.core.demo import DEMO_PASSWORD
from trellis.core.models import Membership, Organization, Role, User

ETHICS_VERSION = "ICF Code of Ethics 2025"
SUPPORT = (
    "Employee Assistance Programme: 0800 123 4567 (free, confidential, 24/7).\n"
    "Samaritans: 116 123. In an emergency call 999."
)


def _member(org: Organization, email: str) -> Membership | None:
    return Membership.objects.filter(organization=org, user__email=email).select_related("user").first()


def _profile(m: Membership, **kw: object) -> CoachProfile:
    profile, _ = CoachProfile.objects.get_or_create(membership=m, defaults={"organization": m.organization, **kw})
    return profile


@transaction.atomic
def load() -> dict[str, int]:
    created = {"coaching engagements": 0, "coaches": 0}
    org = Organization.objects.filter(slug="northwind").first()
    if org is None:
        return created
    CoachingSettings.objects.get_or_create(
        organization=org,
        defaults={
            "support_resources": SUPPORT,
            "confidentiality_terms": "Your sponsor sees dates, session counts and the objectives you share.",
        },
    )
    carol, alice, dave = (_member(org, f"{k}@northwind.example") for k in ("carol", "alice", "dave"))
    if carol is None or alice is None or dave is None:
        return created
    today = timezone.localdate()
    verified_at = datetime(2025, 1, 10, 9, tzinfo=UTC)
    heidi = _member(org, "heidi@northwind.example")
    for coach_m in Membership.objects.filter(user=carol.user):  # Northwind and Globex
        profile = _profile(
            coach_m, specialties=["leadership transitions", "influence"], languages=["en", "fr"], capacity=6
        )
        if not profile.credentials.exists():
            Credential.objects.create(
                organization=coach_m.organization,
                coach=profile,
                body=Credential.Body.ICF,
                level="PCC",
                credential_id="ICF-PCC-004711",
                issued_on=date(2023, 3, 1),
                expires_on=today + timedelta(days=700),
                verified_by=heidi if coach_m.organization_id == org.id else None,
                verified_at=verified_at,
            )
            EthicsAcknowledgement.objects.create(
                organization=coach_m.organization, coach=profile, version=ETHICS_VERSION
            )
            created["coaches"] += 1

    ivan_user, _ = User.objects.get_or_create(
        email="ivan@northwind.example",
        defaults={"full_name": "Ivan Petrov", "password": make_password(DEMO_PASSWORD)},
    )
    ivan, _ = Membership.objects.get_or_create(
        organization=org,
        user=ivan_user,
        defaults={
            "roles": [Role.COACH],
            "title": "Executive Coach (ICF ACC)",
            "department": "External",
            "level": 7,
            "languages": ["en", "ru"],
        },
    )
    ivan_profile = _profile(ivan, specialties=["resilience"], languages=["en", "ru"], capacity=4)
    if not ivan_profile.credentials.exists():
        Credential.objects.create(
            organization=org,
            coach=ivan_profile,
            body=Credential.Body.ICF,
            level="ACC",
            credential_id="ICF-ACC-001234",
            issued_on=date(2021, 5, 1),
            expires_on=today - timedelta(days=30),
            verified_by=heidi,
            verified_at=verified_at,
        )
        EthicsAcknowledgement.objects.create(organization=org, coach=ivan_profile, version=ETHICS_VERSION)
        created["coaches"] += 1

    if Engagement.objects.filter(organization=org, coachee=alice, coach=carol).exists():
        created.update(load_running(org))
        created.update(load_starting(org))
        return created
    starts = today - timedelta(days=60)
    engagement = Engagement.objects.create(
        organization=org,
        coachee=alice,
        coach=carol,
        sponsor=dave,
        status=Engagement.Status.ACTIVE,
        starts_on=starts,
        ends_on=starts + timedelta(days=182),
    )
    created["coaching engagements"] += 1
    signed = timezone.now() - timedelta(days=61)
    Agreement.objects.create(
        organization=org,
        engagement=engagement,
        accepted_by_coachee_at=signed,
        accepted_by_coach_at=signed,
        accepted_by_sponsor_at=signed + timedelta(hours=3),
    )
    for shared, text in (
        (True, "Lead the Q3 enterprise renewals as account lead"),
        (False, "Say no to extra work without feeling guilty"),
    ):
        objective = Objective(organization=org, engagement=engagement, shared_with_sponsor=shared)
        objective.text = text
        objective.save()
    first = timezone.now() - timedelta(days=56)
    for n in range(4):
        session = CoachingSession(
            organization=org,
            engagement=engagement,
            starts_at=first + timedelta(days=14 * n),
            status=CoachingSession.Status.HELD if n < 3 else CoachingSession.Status.SCHEDULED,
        )
        if n == 3:
            session.starts_at = timezone.now() + timedelta(days=7)
            session.prep = "How to open the renewal conversation with the largest client"
        session.save()
    note = SessionNote(organization=org, engagement=engagement, author=carol, shared_with_coachee=True)
    note.text = "Alice named two situations where she took on work to avoid conflict. Explore the pattern next time."
    note.save()
    for text, due, proposed, status in (
        ("Block two hours a week for account planning", today + timedelta(days=10), False, Commitment.Status.OPEN),
        ("Ask Frank for feedback after the next client call", today - timedelta(days=5), False, Commitment.Status.DONE),
        ("Try one 'no, and here is what I can do' this week", today + timedelta(days=7), True, Commitment.Status.OPEN),
    ):
        commitment = Commitment(
            organization=org,
            engagement=engagement,
            due_on=due,
            status=status,
            proposed_by_coach=proposed,
            accepted_at=None if proposed else timezone.now(),
        )
        commitment.text = text
        commitment.save()
    entry = JournalEntry(organization=org, author=alice)
    entry.text = "After session three: I notice I say yes before I think. Next week, pause first."
    entry.save()
    created.update(load_running(org))
    created.update(load_starting(org))
    return created
