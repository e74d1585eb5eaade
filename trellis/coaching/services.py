"""Writes for coaching. Keyword-only, atomic, audited (ids and verbs only — never the text).

Notifications and mail say *that* something happened, never what was written.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.coaching import starting
from trellis.coaching.models import (
    Agreement,
    CoachingSession,
    CoachingSettings,
    Commitment,
    Credential,
    Engagement,
    JournalEntry,
    Objective,
    Referral,
    SessionNote,
)
from trellis.core import audit
from trellis.core.models import Membership, Organization, User
from trellis.core.services import do_notify

MAX_TEXT = 10_000


def _text(value: str | None, field: str = "text") -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: "Write something first."})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: f"Keep it under {MAX_TEXT} characters."})
    return text


def _engagement_url(engagement: Engagement) -> str:
    return reverse("coaching_engagement", args=[engagement.organization.slug, engagement.public_id])


def _writable(engagement: Engagement) -> None:
    if engagement.status == Engagement.Status.CLOSED:
        raise ValidationError("This engagement is closed.")


@transaction.atomic
def do_log_read(*, actor: User, verb: str, engagement: Engagement, now: datetime | None = None) -> None:
    """Note that someone other than the leader opened the leader's coaching records (shown to the leader)."""
    audit.record(actor=actor, verb=verb, obj=engagement, organization=engagement.organization, now=now)


@transaction.atomic
def do_add_objective(*, engagement: Engagement, actor: User, text: str, shared_with_sponsor: bool = False) -> Objective:
    _writable(engagement)
    objective = Objective(
        organization=engagement.organization,
        engagement=engagement,
        shared_with_sponsor=shared_with_sponsor,
    )
    objective.text = _text(text)
    objective.save()
    audit.record(actor=actor, verb="coaching.objective.created", obj=objective, organization=engagement.organization)
    starting.do_revise_for_objectives(engagement=engagement)  # objectives are terms: a new agreement version
    return objective


@transaction.atomic
def do_share_objective(*, objective: Objective, actor: User, shared: bool) -> Objective:
    changed = objective.shared_with_sponsor != shared
    objective.shared_with_sponsor = shared
    objective.save(update_fields=["shared_with_sponsor"])
    verb = "coaching.objective.shared" if shared else "coaching.objective.made_private"
    audit.record(actor=actor, verb=verb, obj=objective, organization=objective.organization)
    if changed:
        starting.do_revise_for_objectives(engagement=objective.engagement)
    return objective


@transaction.atomic
def do_add_note(
    *, engagement: Engagement, author: Membership, text: str, shared_with_coachee: bool = False
) -> SessionNote:
    _writable(engagement)
    note = SessionNote(
        organization=engagement.organization,
        engagement=engagement,
        author=author,
        shared_with_coachee=shared_with_coachee,
    )
    note.text = _text(text)
    note.save()
    audit.record(actor=author.user, verb="coaching.note.created", obj=note, organization=engagement.organization)
    if shared_with_coachee:
        do_notify(
            membership=engagement.coachee,
            text="Your coach shared a session note with you.",
            url=_engagement_url(engagement),
            key=f"coaching:note-shared:{note.public_id}",
        )
    return note


@transaction.atomic
def do_add_commitment(
    *, engagement: Engagement, actor: User, text: str, due_on: date | None = None, proposed_by_coach: bool = False
) -> Commitment:
    """The leader writes a commitment (theirs at once), or the coach proposes one the leader may accept."""
    _writable(engagement)
    commitment = Commitment(
        organization=engagement.organization,
        engagement=engagement,
        due_on=due_on,
        proposed_by_coach=proposed_by_coach,
        accepted_at=None if proposed_by_coach else timezone.now(),
    )
    commitment.text = _text(text)
    commitment.save()
    verb = "coaching.commitment.proposed" if proposed_by_coach else "coaching.commitment.created"
    audit.record(actor=actor, verb=verb, obj=commitment, organization=engagement.organization)
    if proposed_by_coach:
        do_notify(
            membership=engagement.coachee,
            text="Your coach proposed a commitment: accept it if it is yours.",
            url=_engagement_url(engagement),
            key=f"coaching:commitment-proposed:{commitment.public_id}",
        )
    return commitment


@transaction.atomic
def do_update_commitment(
    *,
    commitment: Commitment,
    actor: Membership,
    text: str | None = None,
    due_on: date | None = None,
    status: str | None = None,
    accept: bool = False,
) -> Commitment:
    """Only the leader edits, accepts or closes their commitments."""
    if commitment.engagement.coachee_id != actor.pk:
        raise PermissionDenied("Only the leader edits their commitments.")
    changed = []
    if text is not None:
        commitment.text = _text(text)
        changed.append("text")
    if due_on is not None:
        commitment.due_on = due_on
        changed.append("due_on")
    if accept and commitment.accepted_at is None:
        commitment.accepted_at = timezone.now()
        changed.append("accepted_at")
    if status is not None and status != commitment.status:
        if status not in Commitment.Status.values:
            raise ValidationError({"status": "Open, done or dropped."})
        commitment.status = status
        commitment.closed_at = None if status == Commitment.Status.OPEN else timezone.now()
        changed += ["status", "closed_at"]
    if changed:
        commitment.save(update_fields=changed)
        audit.record(
            actor=actor.user, verb="coaching.commitment.updated", obj=commitment, organization=commitment.organization
        )
    return commitment


@transaction.atomic
def do_write_journal(*, membership: Membership, text: str) -> JournalEntry:
    entry = JournalEntry(organization=membership.organization, author=membership)
    entry.text = _text(text)
    entry.save()
    audit.record(
        actor=membership.user, verb="coaching.journal.written", obj=entry, organization=membership.organization
    )
    return entry


@transaction.atomic
def do_flag_referral(*, engagement: Engagement, coach: Membership, note: str) -> Referral:
    """The coach suggests professional support: the engagement pauses, the sponsor sees only "paused", the
    leader is pointed to the organization's support resources."""
    if engagement.status == Engagement.Status.CLOSED:
        raise ValidationError("This engagement is closed.")
    referral = Referral(organization=engagement.organization, engagement=engagement, flagged_by=coach)
    referral.note = _text(note, "note")
    referral.save()
    engagement.status = Engagement.Status.PAUSED
    engagement.save(update_fields=["status"])
    audit.record(actor=coach.user, verb="coaching.referral.flagged", obj=referral, organization=engagement.organization)
    audit.record(
        actor=coach.user, verb="coaching.engagement.paused", obj=engagement, organization=engagement.organization
    )
    do_notify(
        membership=engagement.coachee,
        text="Your coaching is paused. Support resources are on your coaching page.",
        url=_engagement_url(engagement),
        key=f"coaching:referral:{referral.public_id}:coachee",
    )
    if engagement.sponsor is not None:
        do_notify(
            membership=engagement.sponsor,
            text="A coaching engagement you sponsor is paused.",
            url=_engagement_url(engagement),
            key=f"coaching:referral:{referral.public_id}:sponsor",
        )
    return referral


@transaction.atomic
def do_resume(*, engagement: Engagement, coach: Membership) -> Engagement:
    """The coach resumes a paused engagement; open referrals are resolved."""
    if engagement.status != Engagement.Status.PAUSED:
        raise ValidationError("Only a paused engagement can be resumed.")
    now = timezone.now()
    Referral.objects.filter(engagement=engagement, resolved_at__isnull=True).update(resolved_at=now)
    engagement.status = Engagement.Status.ACTIVE
    engagement.save(update_fields=["status"])
    audit.record(
        actor=coach.user, verb="coaching.engagement.resumed", obj=engagement, organization=engagement.organization
    )
    return engagement


@transaction.atomic
def do_save_prep(*, session: CoachingSession, actor: Membership, text: str) -> CoachingSession:
    if session.engagement.coachee_id != actor.pk:
        raise PermissionDenied("Only the leader prepares their sessions.")
    session.prep = _text(text, "prep")
    session.save(update_fields=["prep"])
    audit.record(actor=actor.user, verb="coaching.prep.saved", obj=session, organization=session.organization)
    return session


@transaction.atomic
def do_set_manager_may_see(*, engagement: Engagement, actor: Membership, allowed: bool) -> Engagement:
    if engagement.coachee_id != actor.pk:
        raise PermissionDenied("Only the leader decides what their manager sees.")
    engagement.manager_may_see = allowed
    engagement.save(update_fields=["manager_may_see"])
    verb = "coaching.engagement.manager_opted_in" if allowed else "coaching.engagement.manager_opted_out"
    audit.record(actor=actor.user, verb=verb, obj=engagement, organization=engagement.organization)
    return engagement


@transaction.atomic
def do_set_support_resources(
    *, organization: Organization, actor: User, support_resources: str, confidentiality_terms: str
) -> CoachingSettings:
    settings, _ = CoachingSettings.objects.get_or_create(organization=organization)
    settings.support_resources = support_resources.strip()
    settings.confidentiality_terms = confidentiality_terms.strip()
    settings.save()
    audit.record(actor=actor, verb="coaching.settings.updated", obj=settings, organization=organization)
    return settings


@transaction.atomic
def do_accept_agreement(*, engagement: Engagement, membership: Membership) -> Agreement:
    """The coachee, the coach and the sponsor each accept the current agreement version; once all three have,
    a proposed engagement becomes active."""
    agreement = engagement.agreements.select_for_update().order_by("-version").first()
    if agreement is None:
        agreement = Agreement.objects.create(organization=engagement.organization, engagement=engagement)
    now = timezone.now()
    fields = []
    for party, attr in (
        (engagement.coachee_id, "accepted_by_coachee_at"),
        (engagement.coach_id, "accepted_by_coach_at"),
        (engagement.sponsor_id, "accepted_by_sponsor_at"),
    ):
        if party == membership.pk and getattr(agreement, attr) is None:
            setattr(agreement, attr, now)
            fields.append(attr)
    if not fields:
        raise ValidationError("You have already accepted this agreement.")
    agreement.save(update_fields=fields)
    audit.record(
        actor=membership.user, verb="coaching.agreement.accepted", obj=agreement, organization=engagement.organization
    )
    if agreement.signed and engagement.status == Engagement.Status.PROPOSED:
        engagement.status = Engagement.Status.ACTIVE
        engagement.save(update_fields=["status"])
        audit.record(
            actor=membership.user,
            verb="coaching.engagement.started",
            obj=engagement,
            organization=engagement.organization,
        )
    if agreement.signed:
        starting.apply_signed(engagement=engagement, agreement=agreement, actor=membership)
    return agreement


@transaction.atomic
def do_verify_credential(*, credential: Credential, verifier: Membership) -> Credential:
    """A program admin confirms a coach's credential with the professional body."""
    if credential.organization_id != verifier.organization_id:
        raise PermissionDenied("Not a credential of this organization.")
    credential.verified_by = verifier
    credential.verified_at = timezone.now()
    credential.save(update_fields=["verified_by", "verified_at"])
    audit.record(
        actor=verifier.user, verb="coaching.credential.verified", obj=credential, organization=credential.organization
    )
    return credential
