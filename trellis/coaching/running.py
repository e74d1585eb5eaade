"""Writes for running an engagement: sessions (with real ``.ics`` invites), the question bank, three-way reviews,
the leader's satisfaction rating, closing, and a coach's credentials with their evidence.

Keyword-only, atomic, audited with ids and verbs only. Invites, e-mails and notifications carry no coaching
content: "Coaching session", the two names and the time — never the prep, notes or objectives.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.coaching.models import (
    CloseReason,
    CoachingQuestion,
    CoachingSession,
    CoachProfile,
    Credential,
    Engagement,
    ReviewKind,
    ReviewParty,
    ReviewResponse,
    SatisfactionRating,
)
from trellis.core import audit, calendar, mail
from trellis.core.models import Membership
from trellis.core.services import do_notify

# Sessions that count against the budget: booked (scheduled) and used (held, no-show). Cancelled ones do not.
BOOKED = (CoachingSession.Status.SCHEDULED, CoachingSession.Status.HELD, CoachingSession.Status.NO_SHOW)
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def _url(engagement: Engagement) -> str:
    return reverse("coaching_engagement", args=[engagement.organization.slug, engagement.public_id])


def _running(engagement: Engagement) -> None:
    if engagement.status == Engagement.Status.CLOSED:
        raise ValidationError("This engagement is closed.")
    if engagement.status == Engagement.Status.PAUSED:
        raise ValidationError("This engagement is paused: sessions resume when the coach resumes it.")
    if engagement.status == Engagement.Status.PROPOSED:
        raise ValidationError("Sessions can be scheduled once all three have accepted the agreement.")


def _party(engagement: Engagement, member: Membership) -> str:
    if member.pk == engagement.coachee_id:
        return ReviewParty.COACHEE
    if member.pk == engagement.coach_id:
        return ReviewParty.COACH
    if member.pk == engagement.sponsor_id:
        return ReviewParty.SPONSOR
    raise PermissionDenied("Only the leader, the coach and the sponsor take part.")


# --- Sessions --------------------------------------------------------------------------------------------------
def _when(moment: datetime, member: Membership) -> str:
    zone = ZoneInfo(member.timezone or "UTC")
    return f"{moment.astimezone(zone):%a %d %b %Y, %H:%M} ({zone.key})"


def session_invite(session: CoachingSession, *, now: datetime) -> str:
    """The iCalendar text for a session: summary, the two people and the time. Nothing else."""
    engagement = session.engagement
    coach, coachee = engagement.coach.user, engagement.coachee.user
    return calendar.invite(
        uid=f"coaching-session-{session.public_id}@trellis",
        summary=f"Coaching session: {coachee.full_name} and {coach.full_name}",
        start=session.starts_at,
        end=session.starts_at + timedelta(minutes=session.minutes),
        organizer=(coach.email, coach.full_name),
        attendees=[(coachee.email, coachee.full_name), (coach.email, coach.full_name)],
        sequence=session.sequence,
        cancelled=session.status == CoachingSession.Status.CANCELLED,
        now=now,
    )


def send_session_invites(session: CoachingSession, *, now: datetime | None = None) -> int:
    """An e-mail with the invite (REQUEST, an update, or CANCEL) and an in-app notice for the leader and the coach,
    once per (session, person, sequence). Returns how many e-mails were queued."""
    now = now or timezone.now()
    engagement = session.engagement
    ics = session_invite(session, now=now)
    cancelled = session.status == CoachingSession.Status.CANCELLED
    sent = 0
    for person, other in ((engagement.coachee, engagement.coach), (engagement.coach, engagement.coachee)):
        when = _when(session.starts_at, person)
        if cancelled:
            subject, body, notice = (
                "Cancelled: coaching session",
                f"Your coaching session with {other.user.full_name} on {when} is cancelled.\n",
                "A coaching session was cancelled.",
            )
        elif session.sequence:
            subject, body, notice = (
                "Updated: coaching session",
                f"Your coaching session with {other.user.full_name} has moved. It is now on {when}.\n",
                "A coaching session was moved.",
            )
        else:
            subject, body, notice = (
                "Invitation: coaching session",
                f"Coaching session with {other.user.full_name} on {when}.\n",
                "A coaching session was scheduled.",
            )
        key = f"coaching-ics:{session.public_id}:{person.public_id}:{session.sequence}" + (
            ":cancel" if cancelled else ""
        )
        _, created = mail.queue(
            to=person.user, subject=subject, body=body, key=key, organization=engagement.organization, ics=ics
        )
        sent += int(created)
        do_notify(membership=person, text=notice, url=_url(engagement), key=f"coaching:session:{key}")
    return sent


def _check_time(engagement: Engagement, starts_at: datetime, now: datetime) -> None:
    if starts_at <= now:
        raise ValidationError({"starts_at": "Choose a time in the future."})
    if starts_at.date() > engagement.ends_on:
        raise ValidationError({"starts_at": f"The engagement ends on {engagement.ends_on:%d %b %Y}."})


@transaction.atomic
def do_schedule_session(
    *, engagement: Engagement, actor: Membership, starts_at: datetime, minutes: int = 60, now: datetime | None = None
) -> CoachingSession:
    """The coach or the leader schedules a session within the budget; both get an invite."""
    now = now or timezone.now()
    locked = Engagement.objects.select_for_update().get(pk=engagement.pk)  # two schedulers cannot both overbook
    _running(locked)
    booked = CoachingSession.objects.filter(engagement=locked, status__in=BOOKED).count()
    if booked >= locked.sessions_budget:
        raise ValidationError(
            f"All {locked.sessions_budget} sessions of the budget are held or booked. "
            "Cancel a booked session, or agree a larger budget in a new version of the agreement."
        )
    _check_time(locked, starts_at, now)
    session = CoachingSession.objects.create(
        organization=engagement.organization, engagement=engagement, starts_at=starts_at, minutes=minutes
    )
    audit.record(actor=actor.user, verb="coaching.session.scheduled", obj=session, organization=session.organization)
    send_session_invites(session, now=now)
    return session


@transaction.atomic
def do_reschedule_session(
    *,
    session: CoachingSession,
    actor: Membership,
    starts_at: datetime,
    minutes: int | None = None,
    now: datetime | None = None,
) -> CoachingSession:
    now = now or timezone.now()
    _running(session.engagement)
    if session.status != CoachingSession.Status.SCHEDULED:
        raise ValidationError("Only a scheduled session can be moved.")
    _check_time(session.engagement, starts_at, now)
    session.starts_at = starts_at
    session.minutes = minutes or session.minutes
    session.sequence += 1
    session.save(update_fields=["starts_at", "minutes", "sequence"])
    audit.record(actor=actor.user, verb="coaching.session.moved", obj=session, organization=session.organization)
    send_session_invites(session, now=now)
    return session


@transaction.atomic
def do_mark_session(
    *, session: CoachingSession, actor: Membership, status: str, now: datetime | None = None
) -> CoachingSession:
    """Held, no-show (the coach) or cancelled (the coach or the leader). A cancelled session frees its place in the
    budget and its invite is withdrawn (CANCEL)."""
    now = now or timezone.now()
    if session.engagement.status == Engagement.Status.CLOSED:
        raise ValidationError("This engagement is closed.")
    allowed = {CoachingSession.Status.HELD, CoachingSession.Status.NO_SHOW, CoachingSession.Status.CANCELLED}
    if status not in allowed:
        raise ValidationError({"status": "Held, no-show or cancelled."})
    if session.status == status:
        return session
    if status != CoachingSession.Status.CANCELLED and session.starts_at > now:
        raise ValidationError("A session is marked held or no-show once its time has come.")
    if session.status == CoachingSession.Status.CANCELLED:
        raise ValidationError("This session was cancelled; schedule a new one.")
    was_scheduled = session.status == CoachingSession.Status.SCHEDULED
    session.status = status
    fields = ["status"]
    if status == CoachingSession.Status.CANCELLED:
        session.sequence += 1
        fields.append("sequence")
    session.save(update_fields=fields)
    audit.record(actor=actor.user, verb=f"coaching.session.{status}", obj=session, organization=session.organization)
    if status == CoachingSession.Status.CANCELLED and was_scheduled and session.starts_at > now:
        send_session_invites(session, now=now)
    return session


# --- Question bank ---------------------------------------------------------------------------------------------
@transaction.atomic
def do_add_question(*, actor: Membership, model: str, stage: str, text: str, own: bool) -> CoachingQuestion:
    """An organization's question (program/org admin) or, with ``own``, a coach's own."""
    if model not in CoachingQuestion.Model.values or stage not in dict(CoachingQuestion.STAGES[model]):
        raise ValidationError({"stage": "Choose a stage of the model."})
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": "Write the question."})
    question = CoachingQuestion.objects.create(
        organization=actor.organization, owner=actor if own else None, model=model, stage=stage, text=text[:300]
    )
    audit.record(
        actor=actor.user,
        verb="coaching.question.added_own" if own else "coaching.question.added",
        obj=question,
        organization=actor.organization,
    )
    return question


# --- Reviews, satisfaction, closing ----------------------------------------------------------------------------
def review_dates(engagement: Engagement) -> dict[str, date]:
    """The mid-point review at the middle of the engagement, the final one at its end."""
    middle = engagement.starts_on + (engagement.ends_on - engagement.starts_on) / 2
    return {ReviewKind.MIDPOINT: middle, ReviewKind.FINAL: engagement.ends_on}


@transaction.atomic
def do_record_review(
    *, engagement: Engagement, member: Membership, kind: str, answer: str = "", now: datetime | None = None
) -> ReviewResponse:
    """The leader, the coach or the sponsor records that they reviewed (timestamped), with a short answer that all
    three read."""
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": "Mid-point or final."})
    if engagement.status == Engagement.Status.CLOSED:
        raise ValidationError("This engagement is closed.")
    party = _party(engagement, member)
    response = ReviewResponse.objects.filter(engagement=engagement, kind=kind, party=party).first()
    if response is None:
        response = ReviewResponse(organization=engagement.organization, engagement=engagement, kind=kind, party=party)
    response.member = member
    response.reviewed_at = now or timezone.now()
    response.answer = " ".join((answer or "").split())[:1000] or None
    response.save()
    audit.record(
        actor=member.user, verb=f"coaching.review.{kind}.recorded", obj=engagement, organization=engagement.organization
    )
    return response


@transaction.atomic
def do_rate(*, engagement: Engagement, member: Membership, kind: str, rating: int) -> SatisfactionRating:
    """The leader rates the engagement (1–5) at a review. Only ever shown to others as an average of five or more."""
    if member.pk != engagement.coachee_id:
        raise PermissionDenied("Only the leader rates their coaching.")
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": "Mid-point or final."})
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": "From 1 to 5."})
    row, _ = SatisfactionRating.objects.update_or_create(
        engagement=engagement,
        kind=kind,
        defaults={"organization": engagement.organization, "rating": int(rating), "at": timezone.now()},
    )
    audit.record(
        actor=member.user, verb="coaching.engagement.rated", obj=engagement, organization=engagement.organization
    )
    return row


def final_review_done(engagement: Engagement) -> bool:
    """Every party of the engagement recorded the final review."""
    parties = {ReviewParty.COACHEE, ReviewParty.COACH} | ({ReviewParty.SPONSOR} if engagement.sponsor_id else set())
    done = set(
        ReviewResponse.objects.filter(engagement=engagement, kind=ReviewKind.FINAL).values_list("party", flat=True)
    )
    return parties <= done


@transaction.atomic
def do_close_engagement(
    *, engagement: Engagement, actor: Membership, reason: str, now: datetime | None = None
) -> Engagement:
    """The coach or the sponsor closes the engagement: "completed" once all three recorded the final review, or
    early with a reason category (never free text). Booked sessions are cancelled in both calendars; open
    commitments stay the leader's (only their follow-up reminders stop)."""
    now = now or timezone.now()
    if engagement.status == Engagement.Status.CLOSED:
        raise ValidationError("This engagement is already closed.")
    if reason not in CloseReason.values:
        raise ValidationError({"reason": "Choose a reason."})
    if reason == CloseReason.COMPLETED and not final_review_done(engagement):
        raise ValidationError("The final review is not recorded by everyone yet: close early with another reason.")
    engagement.status = Engagement.Status.CLOSED
    engagement.closed_at = now
    engagement.close_reason = reason
    engagement.save(update_fields=["status", "closed_at", "close_reason"])
    audit.record(
        actor=actor.user, verb="coaching.engagement.closed", obj=engagement, organization=engagement.organization
    )
    for session in engagement.sessions.filter(status=CoachingSession.Status.SCHEDULED, starts_at__gt=now):
        session.status = CoachingSession.Status.CANCELLED
        session.sequence += 1
        session.save(update_fields=["status", "sequence"])
        send_session_invites(session, now=now)
    for person in (engagement.coachee, engagement.coach, engagement.sponsor):
        if person is not None and person.pk != actor.pk:
            do_notify(
                membership=person,
                text="A coaching engagement you take part in has ended.",
                url=_url(engagement),
                key=f"coaching:closed:{engagement.public_id}:{person.public_id}",
            )
    return engagement


# --- Credentials -----------------------------------------------------------------------------------------------
def evidence_type(upload: UploadedFile) -> str:
    """The file's real type from its first bytes (not its name or the browser's word): PDF, PNG or JPEG."""
    if upload.size is None or upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"evidence": "The file is larger than 5 MB."})
    if upload.size == 0:
        raise ValidationError({"evidence": "The file is empty."})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    raise ValidationError({"evidence": "Upload a PDF, PNG or JPEG file."})


@transaction.atomic
def do_upload_evidence(*, credential: Credential, actor: Membership, upload: UploadedFile) -> Credential:
    if credential.coach.membership_id != actor.pk:
        raise PermissionDenied("Only the coach uploads evidence for their credential.")
    kind = evidence_type(upload)
    old = credential.evidence.name if credential.evidence else ""
    credential.evidence_type = kind
    credential.evidence.save("evidence", upload, save=False)  # the name comes from _evidence_path: random
    credential.evidence_uploaded_at = timezone.now()
    credential.save(update_fields=["evidence", "evidence_type", "evidence_uploaded_at"])
    if old:
        storage = credential.evidence.storage
        transaction.on_commit(lambda: storage.delete(old))
    audit.record(
        actor=actor.user,
        verb="coaching.credential.evidence_uploaded",
        obj=credential,
        organization=credential.organization,
    )
    return credential


@transaction.atomic
def do_add_credential(
    *,
    coach: Membership,
    body: str,
    level: str,
    issued_on: date,
    expires_on: date | None = None,
    credential_id: str = "",
    evidence: UploadedFile | None = None,
) -> Credential:
    """A coach adds a credential, or renews one (a new credential with the new dates). Either waits for a program
    admin to verify it with the body."""
    if body not in Credential.Body.values:
        raise ValidationError({"body": "ICF, EMCC or other."})
    if expires_on is not None and expires_on < issued_on:
        raise ValidationError({"expires_on": "A credential expires after it was issued."})
    if evidence is not None:
        evidence_type(evidence)  # refuse a bad file before anything is written
    profile, _ = CoachProfile.objects.get_or_create(membership=coach, defaults={"organization": coach.organization})
    credential = Credential.objects.create(
        organization=coach.organization,
        coach=profile,
        body=body,
        level=level.strip(),
        credential_id=credential_id.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
    )
    audit.record(actor=coach.user, verb="coaching.credential.added", obj=credential, organization=coach.organization)
    if evidence is not None:
        do_upload_evidence(credential=credential, actor=coach, upload=evidence)
    return credential


def superseded(credential: Credential) -> bool:
    """A later credential of the same coach and body (a renewal) makes reminders about this one moot."""
    later = Credential.objects.filter(coach_id=credential.coach_id, body=credential.body).exclude(pk=credential.pk)
    if credential.expires_on is None:
        return False
    return later.filter(expires_on__isnull=True).exists() or later.filter(expires_on__gt=credential.expires_on).exists()
