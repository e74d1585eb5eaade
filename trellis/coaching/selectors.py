"""Reads for coaching, scoped by the viewer. What a viewer may read of an engagement is decided by the access
table with the viewer's relations to it (``trellis.coaching.access.relations_to``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from trellis.coaching.models import (
    CoachingSession,
    CoachingSettings,
    CoachProfile,
    Commitment,
    Credential,
    Engagement,
    JournalEntry,
    Objective,
    Referral,
    SessionNote,
)
from trellis.core.access import SELF, Viewer, allows
from trellis.core.models import AuditEvent, Role, User
from trellis.core.selectors import AttentionItem

USED = (CoachingSession.Status.HELD, CoachingSession.Status.NO_SHOW)  # a no-show uses a session of the budget


def engagements(viewer: Viewer) -> QuerySet[Engagement]:
    """The engagements the viewer is part of (coachee, coach, sponsor, opted-in manager); a program admin sees
    every engagement of the organization (logistics only)."""
    me = viewer.membership
    if me is None or viewer.organization is None or not allows("coaching_engagement", "list", viewer.relations()):
        return Engagement.objects.none()
    qs = Engagement.objects.filter(organization=viewer.organization)
    if not me.has_role(Role.PROGRAM_ADMIN):
        qs = qs.filter(Q(coachee=me) | Q(coach=me) | Q(sponsor=me) | Q(coachee__manager=me, manager_may_see=True))
    return qs.select_related("coachee__user", "coach__user", "sponsor__user").annotate(
        sessions_used=Count("sessions", filter=Q(sessions__status__in=USED))
    )


def sessions_used(engagement: Engagement) -> int:
    return engagement.sessions.filter(status__in=USED).count()


def objectives(engagement: Engagement, relations: set[str]) -> list[Objective]:
    """Every objective for the coachee and the coach; the sponsor only those the leader shared."""
    qs = Objective.objects.filter(engagement=engagement)
    if allows("coaching_objective", "view", relations):
        return list(qs)
    if allows("coaching_shared_objective", "view", relations):
        return list(qs.filter(shared_with_sponsor=True))
    return []


def notes(engagement: Engagement, relations: set[str]) -> list[SessionNote]:
    """All notes for the coach; the leader sees only the notes the coach shared with them."""
    if not allows("coaching_note", "view", relations):
        return []
    qs = SessionNote.objects.filter(engagement=engagement)
    if "coach_of" not in relations:
        qs = qs.filter(shared_with_coachee=True)
    return list(qs)


def commitments(engagement: Engagement, relations: set[str]) -> list[Commitment]:
    if not allows("coaching_commitment", "view", relations):
        return []
    return list(Commitment.objects.filter(engagement=engagement))


def referrals(engagement: Engagement, relations: set[str]) -> list[Referral]:
    if not allows("coaching_referral", "view", relations):
        return []
    return list(Referral.objects.filter(engagement=engagement).select_related("flagged_by__user"))


def open_referral(engagement: Engagement) -> bool:
    return Referral.objects.filter(engagement=engagement, resolved_at__isnull=True).exists()


def sessions(engagement: Engagement) -> list[CoachingSession]:
    return list(CoachingSession.objects.filter(engagement=engagement))


def journal(viewer: Viewer) -> QuerySet[JournalEntry]:
    """Only ever the viewer's own entries."""
    if viewer.membership is None:
        return JournalEntry.objects.none()
    return JournalEntry.objects.filter(author=viewer.membership)


def settings_for(viewer: Viewer) -> CoachingSettings | None:
    return CoachingSettings.objects.filter(organization=viewer.organization).first()


@dataclass(frozen=True)
class Opened:
    at: object
    who: str
    what: str


READ_LABELS = {
    "coaching.records.read": "your coaching page (objectives, preparation, notes, commitments, referral)",
    "coaching.objectives.read": "objectives (all)",
    "coaching.shared_objectives.read": "shared objectives",
    "coaching.notes.read": "session notes",
    "coaching.commitments.read": "commitments",
    "coaching.prep.read": "session preparation",
    "coaching.referral.read": "referral",
}


def access_log(engagement: Engagement) -> list[Opened]:
    """Who (other than the leader) opened the leader's coaching records, newest first."""
    events = list(
        AuditEvent.objects.filter(
            object_type=Engagement._meta.label_lower, object_id=str(engagement.public_id), verb__in=READ_LABELS
        ).order_by("-at", "-id")[:200]
    )
    names = dict(
        User.objects.filter(public_id__in={e.actor for e in events if e.actor}).values_list("public_id", "full_name")
    )
    return [
        Opened(e.at, names.get(e.actor, "someone") if e.actor else "the system", READ_LABELS[e.verb]) for e in events
    ]


def coaches_offered(viewer: Viewer, today: date) -> list[CoachProfile]:
    """Coaches of the organization who may be offered for a new engagement (verified, unexpired, ethics signed)."""
    profiles = CoachProfile.objects.filter(organization=viewer.organization).select_related("membership__user")
    return [p for p in profiles if p.offerable(today)]


def expired_coaches_with_running_engagements(viewer: Viewer, today: date) -> list[CoachProfile]:
    profiles = CoachProfile.objects.filter(organization=viewer.organization).select_related("membership__user")
    running = set(
        Engagement.objects.filter(
            organization=viewer.organization, status__in=[Engagement.Status.ACTIVE, Engagement.Status.PAUSED]
        ).values_list("coach_id", flat=True)
    )
    return [p for p in profiles if not p.offerable(today) and p.membership_id in running]


def attention(viewer: Viewer) -> list[AttentionItem]:
    """Home: commitments the coach proposed that wait for the leader; the leader's open commitments."""
    me = viewer.membership
    if me is None or viewer.organization is None:
        return []
    mine = Commitment.objects.filter(engagement__coachee=me, organization=viewer.organization)
    counts = mine.aggregate(
        proposed=Count("id", filter=Q(proposed_by_coach=True, accepted_at__isnull=True, status="open")),
        open=Count(
            "id", filter=Q(status="open", accepted_at__isnull=False) | Q(status="open", proposed_by_coach=False)
        ),
    )
    url = reverse("coaching_index", args=[viewer.organization.slug])
    items = []
    if counts["proposed"]:
        items.append(AttentionItem("Commitments your coach proposed", url, counts["proposed"]))
    if counts["open"]:
        items.append(AttentionItem("Your open coaching commitments", url, counts["open"]))
    return items


def is_coachee(viewer: Viewer, relations: set[str]) -> bool:
    return SELF in relations


def unverified_credentials(viewer: Viewer) -> list[Credential]:
    return list(
        Credential.objects.filter(organization=viewer.organization, verified_at__isnull=True).select_related(
            "coach__membership__user"
        )
    )
