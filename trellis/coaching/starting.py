"""Starting a coaching engagement, and versions of its three-way agreement (docs/coaching.md).

Writes (``do_*``) are keyword-only, atomic and audited with ids and verbs only; reads are scoped to the request
or engagement the access rule already admitted. Notifications say *that* something happened, never what.

Flow: a sponsor (for any leader) or a leader (for themself, naming a sponsor) opens a request → the leader sees
a shortlist of offerable coaches with capacity left → books chemistry calls with up to 3 → marks them held →
chooses one → the coach accepts (the engagement, status *proposed*, and agreement version 1 are created) or
declines (the leader chooses again). Each version of the agreement needs the leader, the coach and the sponsor;
a change of terms makes a new version; a proposed engagement becomes active when its latest version is accepted
by all three.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from trellis.coaching.models import (
    Agreement,
    AgreementObjective,
    ChemistryCall,
    CoachingRequest,
    CoachingSettings,
    CoachProfile,
    Credential,
    Engagement,
    EthicsAcknowledgement,
    Objective,
)
from trellis.coaching.shortlist import Candidate, Need, Ranked, rank
from trellis.core import audit
from trellis.core.access import Viewer, allows
from trellis.core.calendar import utc_offset_hours
from trellis.core.models import Membership, Role
from trellis.core.services import do_notify

MAX_CALLS = 3
DEFAULT_MONTHS = 6
DEFAULT_SESSIONS = 12
MAX_FOCUS_TAGS = 8
DEFAULT_CANCELLATION_RULES = (
    "A session cancelled or moved at least 24 hours ahead is not counted. A session cancelled later, or missed "
    "without notice, counts as used. Any of the three may end the engagement with two weeks' notice; sessions "
    "not held are not charged."
)
RUNNING = (Engagement.Status.PROPOSED, Engagement.Status.ACTIVE, Engagement.Status.PAUSED)
OPEN = (CoachingRequest.Status.OPEN, CoachingRequest.Status.CHOSEN)
TERM_LABELS = {
    "dates": "dates",
    "sessions_budget": "session budget",
    "confidentiality_terms": "confidentiality terms",
    "cancellation_rules": "cancellation rules",
    "objectives": "objectives",
}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _request_url(req: CoachingRequest) -> str:
    return reverse("coaching_request", args=[req.organization.slug, req.public_id])


def _agreement_url(engagement: Engagement) -> str:
    return reverse("coaching_agreement", args=[engagement.organization.slug, engagement.public_id])


def parse_focus(raw: str) -> list[str]:
    tags: list[str] = []
    for part in raw.replace(";", ",").split(","):
        tag = " ".join(part.split())[:60]
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    if len(tags) > MAX_FOCUS_TAGS:
        raise ValidationError({"focus": f"At most {MAX_FOCUS_TAGS} focus tags."})
    return tags


# --- Reads -----------------------------------------------------------------------------------------------------
def requests_for(viewer: Viewer) -> QuerySet[CoachingRequest]:
    """The requests the viewer is part of (leader, sponsor, opener, coach with a call or chosen); a program admin
    sees every request of the organization."""
    me = viewer.membership
    if me is None or viewer.organization is None or not allows("coaching_request", "list", viewer.relations()):
        return CoachingRequest.objects.none()
    qs = CoachingRequest.objects.filter(organization=viewer.organization)
    if not me.has_role(Role.PROGRAM_ADMIN):
        with_call = ChemistryCall.objects.filter(request=OuterRef("pk"), coach=me)
        qs = qs.filter(Q(leader=me) | Q(sponsor=me) | Q(opened_by=me) | Q(chosen_coach=me) | Exists(with_call))
    return qs.select_related("leader__user", "sponsor__user", "chosen_coach__user")


def _offerable_profiles(organization_id: int, today: date) -> QuerySet[CoachProfile]:
    """Offerable coaches (verified, unexpired credential; ethics acknowledged), each with its running engagements
    counted — one query."""
    valid = Credential.objects.filter(coach=OuterRef("pk"), verified_at__isnull=False).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    running = (
        Engagement.objects.filter(coach=OuterRef("membership"), status__in=RUNNING)
        .order_by()
        .values("coach")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        CoachProfile.objects.filter(organization_id=organization_id, membership__is_active=True)
        .filter(Exists(valid), Exists(EthicsAcknowledgement.objects.filter(coach=OuterRef("pk"))))
        .annotate(running=Coalesce(Subquery(running, output_field=IntegerField()), Value(0)))
        .select_related("membership__user")
    )


@dataclass(frozen=True)
class Offer:
    profile: CoachProfile
    ranked: Ranked


def shortlist(req: CoachingRequest, *, today: date, now: datetime) -> list[Offer]:
    """Coaches offered to this request's leader, best first, with the reasons. The leader and the sponsor are
    never offered to themselves."""
    profiles = {
        str(p.public_id): p
        for p in _offerable_profiles(req.organization_id, today).exclude(
            membership_id__in=[req.leader_id, req.sponsor_id]
        )
    }
    need = Need(tuple(req.focus or ()), tuple(req.leader.languages or ()), utc_offset_hours(req.leader.timezone, now))
    candidates = [
        Candidate(
            key,
            tuple(p.specialties or ()),
            tuple(p.languages or p.membership.languages or ()),
            utc_offset_hours(p.membership.timezone, now),
            p.capacity,
            p.running,  # type: ignore[attr-defined]
        )
        for key, p in profiles.items()
    ]
    return [Offer(profiles[r.key], r) for r in rank(need, candidates)]


def calls(req: CoachingRequest) -> list[ChemistryCall]:
    return list(ChemistryCall.objects.filter(request=req).select_related("coach__user"))


def _offered(req: CoachingRequest, coach: Membership, now: datetime) -> bool:
    return any(o.profile.membership_id == coach.pk for o in shortlist(req, today=now.date(), now=now))


# --- Writes: the request ---------------------------------------------------------------------------------------
@transaction.atomic
def do_open_request(*, actor: Membership, leader: Membership, sponsor: Membership, focus: list[str]) -> CoachingRequest:
    """A sponsor opens a request for any leader; anyone else only for themself, naming a sponsor."""
    org = actor.organization
    if leader.organization_id != org.pk or sponsor.organization_id != org.pk:
        raise ValidationError("Choose people of this organization.")
    if not leader.is_active or not sponsor.is_active:
        raise ValidationError("Choose active members.")
    if leader.pk != actor.pk and not actor.has_role(Role.SPONSOR):
        raise ValidationError({"leader": "Only a sponsor opens a request for someone else."})
    if not sponsor.has_role(Role.SPONSOR):
        raise ValidationError({"sponsor": "The sponsor must hold the sponsor role."})
    if sponsor.pk == leader.pk:
        raise ValidationError({"sponsor": "A leader cannot sponsor their own coaching."})
    if CoachingRequest.objects.filter(leader=leader, status__in=OPEN).exists():
        raise ValidationError({"leader": "This leader already has an open coaching request."})
    req = CoachingRequest.objects.create(organization=org, leader=leader, sponsor=sponsor, opened_by=actor, focus=focus)
    audit.record(actor=actor.user, verb="coaching.request.opened", obj=req, organization=org)
    for who in {leader, sponsor} - {actor}:
        do_notify(
            membership=who,
            text="A coaching request was opened for you."
            if who == leader
            else "You were named sponsor of a coaching request.",
            url=_request_url(req),
            key=f"coaching:request-opened:{req.public_id}:{who.public_id}",
        )
    return req


def _leader_only(req: CoachingRequest, actor: Membership) -> None:
    if req.leader_id != actor.pk:
        raise PermissionDenied("Only the leader does this.")


@transaction.atomic
def do_book_call(
    *, request: CoachingRequest, actor: Membership, coach: Membership, starts_at: datetime, now: datetime | None = None
) -> ChemistryCall:
    """The leader books a chemistry call with an offered coach — at most 3 coaches per request."""
    now = now or timezone.now()
    _leader_only(request, actor)
    req = CoachingRequest.objects.select_for_update().get(pk=request.pk)
    if req.status != CoachingRequest.Status.OPEN:
        raise ValidationError("Calls are booked while you are still choosing a coach.")
    if starts_at <= now:
        raise ValidationError({"starts_at": "Choose a time in the future."})
    if not _offered(request, coach, now):
        raise ValidationError({"coach": "Choose a coach from your shortlist."})
    existing = ChemistryCall.objects.filter(request=req, coach=coach).first()
    if existing is not None and existing.status != ChemistryCall.Status.CANCELLED:
        raise ValidationError({"coach": "You already have a call with this coach."})
    if ChemistryCall.objects.filter(request=req).exclude(status=ChemistryCall.Status.CANCELLED).count() >= MAX_CALLS:
        raise ValidationError(f"You can have chemistry calls with at most {MAX_CALLS} coaches.")
    if existing is not None:
        existing.starts_at, existing.status = starts_at, ChemistryCall.Status.BOOKED
        existing.save(update_fields=["starts_at", "status"])
        call = existing
    else:
        call = ChemistryCall.objects.create(
            organization=req.organization, request=req, coach=coach, starts_at=starts_at
        )
    audit.record(actor=actor.user, verb="coaching.chemistry_call.booked", obj=call, organization=req.organization)
    do_notify(
        membership=coach,
        text="A leader booked a chemistry call with you.",
        url=_request_url(request),
        key=f"coaching:call-booked:{call.public_id}:{starts_at.isoformat()}",
    )
    return call


@transaction.atomic
def do_mark_call(*, call: ChemistryCall, actor: Membership, status: str) -> ChemistryCall:
    """The leader marks a booked call held, or cancels it."""
    _leader_only(call.request, actor)
    allowed = {ChemistryCall.Status.HELD, ChemistryCall.Status.CANCELLED}
    if status not in allowed or call.status != ChemistryCall.Status.BOOKED:
        raise ValidationError("Only a booked call can be marked held or cancelled.")
    if call.request.status != CoachingRequest.Status.OPEN:
        raise ValidationError("You have already chosen a coach.")
    call.status = status
    call.save(update_fields=["status"])
    audit.record(actor=actor.user, verb=f"coaching.chemistry_call.{status}", obj=call, organization=call.organization)
    if status == ChemistryCall.Status.CANCELLED:
        do_notify(
            membership=call.coach,
            text="A chemistry call with you was cancelled.",
            url=_request_url(call.request),
            key=f"coaching:call-cancelled:{call.public_id}:{call.starts_at.isoformat()}",
        )
    return call


@transaction.atomic
def do_choose_coach(
    *, request: CoachingRequest, actor: Membership, coach: Membership, now: datetime | None = None
) -> CoachingRequest:
    """The leader chooses a coach they have had a chemistry call with; the coach is asked to accept."""
    now = now or timezone.now()
    _leader_only(request, actor)
    req = CoachingRequest.objects.select_for_update().get(pk=request.pk)
    if req.status != CoachingRequest.Status.OPEN:
        raise ValidationError("A coach is already chosen for this request.")
    if not ChemistryCall.objects.filter(request=req, coach=coach, status=ChemistryCall.Status.HELD).exists():
        raise ValidationError({"coach": "Choose a coach after your chemistry call with them was held."})
    if not _offered(request, coach, now):
        raise ValidationError({"coach": "This coach can no longer take a new engagement."})
    req.chosen_coach, req.status = coach, CoachingRequest.Status.CHOSEN
    req.save(update_fields=["chosen_coach", "status"])
    request.chosen_coach, request.status = req.chosen_coach, req.status
    audit.record(actor=actor.user, verb="coaching.request.coach_chosen", obj=req, organization=req.organization)
    do_notify(
        membership=coach,
        text="A leader chose you as their coach: please accept or decline.",
        url=_request_url(req),
        key=f"coaching:chosen:{req.public_id}:{coach.public_id}",
    )
    return req


@transaction.atomic
def do_respond(
    *, request: CoachingRequest, actor: Membership, accept: bool, today: date | None = None
) -> CoachingRequest:
    """The chosen coach accepts (the engagement and agreement version 1 are created) or declines."""
    today = today or timezone.localdate()
    req = CoachingRequest.objects.select_for_update().select_related("leader", "sponsor").get(pk=request.pk)
    if req.status != CoachingRequest.Status.CHOSEN or req.chosen_coach_id != actor.pk:
        raise ValidationError("You have not been chosen as the coach for this request.")
    org = req.organization
    if not accept:
        ChemistryCall.objects.filter(request=req, coach=actor).update(status=ChemistryCall.Status.DECLINED)
        req.chosen_coach, req.status = None, CoachingRequest.Status.OPEN
        req.save(update_fields=["chosen_coach", "status"])
        audit.record(actor=actor.user, verb="coaching.request.coach_declined", obj=req, organization=org)
        do_notify(
            membership=req.leader,
            text="The coach you chose declined. Please choose another coach.",
            url=_request_url(req),
            key=f"coaching:declined:{req.public_id}:{actor.public_id}",
        )
        return req
    profile = CoachProfile.objects.filter(membership=actor).first()
    running = Engagement.objects.filter(coach=actor, status__in=RUNNING).count()
    if profile is None or not profile.offerable(today) or running >= profile.capacity:
        raise ValidationError("You cannot take a new engagement now (credential or capacity).")
    ends = add_months(today, DEFAULT_MONTHS)
    engagement = Engagement.objects.create(
        organization=org,
        coachee=req.leader,
        coach=actor,
        sponsor=req.sponsor,
        status=Engagement.Status.PROPOSED,
        starts_on=today,
        ends_on=ends,
        sessions_budget=DEFAULT_SESSIONS,
    )
    settings = CoachingSettings.objects.filter(organization=org).first()
    agreement = Agreement.objects.create(
        organization=org,
        engagement=engagement,
        version=1,
        starts_on=today,
        ends_on=ends,
        sessions_budget=DEFAULT_SESSIONS,
        confidentiality_terms=settings.confidentiality_terms if settings else "",
        cancellation_rules=DEFAULT_CANCELLATION_RULES,
        proposed_by=actor,
        accepted_by_coach_at=timezone.now(),  # the coach accepted these terms with the engagement
    )
    req.engagement, req.status = engagement, CoachingRequest.Status.ACCEPTED
    req.save(update_fields=["engagement", "status"])
    request.engagement, request.status = engagement, req.status
    audit.record(actor=actor.user, verb="coaching.request.coach_accepted", obj=req, organization=org)
    audit.record(actor=actor.user, verb="coaching.engagement.proposed", obj=engagement, organization=org)
    audit.record(actor=actor.user, verb="coaching.agreement.drafted", obj=agreement, organization=org)
    for who in (req.leader, req.sponsor):
        do_notify(
            membership=who,
            text="Your coach accepted. The coaching agreement is ready for you to accept.",
            url=_agreement_url(engagement),
            key=f"coaching:agreement:{agreement.public_id}:{who.public_id}",
        )
    return req


@transaction.atomic
def do_withdraw(*, request: CoachingRequest, actor: Membership) -> CoachingRequest:
    if request.status not in OPEN:
        raise ValidationError("Only an open request can be withdrawn.")
    request.status = CoachingRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    audit.record(actor=actor.user, verb="coaching.request.withdrawn", obj=request, organization=request.organization)
    for who in {request.leader, request.sponsor, request.chosen_coach} - {actor, None}:
        assert who is not None
        do_notify(
            membership=who,
            text="A coaching request was withdrawn.",
            url=_request_url(request),
            key=f"coaching:withdrawn:{request.public_id}:{who.public_id}",
        )
    return request


# --- Agreement versions ----------------------------------------------------------------------------------------
PARTIES = (
    ("coachee", "accepted_by_coachee_at"),
    ("coach", "accepted_by_coach_at"),
    ("sponsor", "accepted_by_sponsor_at"),
)


def latest(engagement: Engagement) -> Agreement | None:
    return engagement.agreements.order_by("-version").first()


def _terms(engagement: Engagement, agreement: Agreement | None) -> dict[str, Any]:
    """The terms of a version; versions drawn up before terms were recorded fall back to the engagement's."""
    if agreement is None or agreement.starts_on is None:
        return {
            "starts_on": engagement.starts_on,
            "ends_on": engagement.ends_on,
            "sessions_budget": engagement.sessions_budget,
            "confidentiality_terms": agreement.confidentiality_terms if agreement else "",
            "cancellation_rules": agreement.cancellation_rules if agreement else "",
        }
    return {
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "sessions_budget": agreement.sessions_budget,
        "confidentiality_terms": agreement.confidentiality_terms,
        "cancellation_rules": agreement.cancellation_rules,
    }


def _party_attr(engagement: Engagement, member: Membership) -> str | None:
    for (_, attr), who in zip(
        PARTIES, (engagement.coachee_id, engagement.coach_id, engagement.sponsor_id), strict=True
    ):
        if who == member.pk:
            return attr
    return None


def _link_objectives(agreement: Agreement) -> None:
    agreement.objective_links.all().delete()
    AgreementObjective.objects.bulk_create(
        AgreementObjective(
            organization_id=agreement.organization_id,
            agreement=agreement,
            objective_id=o.pk,
            shared_with_sponsor=o.shared_with_sponsor,
        )
        for o in Objective.objects.filter(engagement_id=agreement.engagement_id).only("pk", "shared_with_sponsor")
    )


def _revise(*, engagement: Engagement, proposer: Membership, terms: dict[str, Any], changed: list[str]) -> Agreement:
    """A new version with these terms, accepted by its proposer only. When the latest version is accepted by no
    one but the proposer, no one else's acceptance is lost: it is amended in place instead of piling up versions."""
    current = engagement.agreements.select_for_update().order_by("-version").first()
    attr = _party_attr(engagement, proposer)
    now = timezone.now()
    others = [a for _, a in PARTIES if a != attr]
    if current is not None and all(getattr(current, a) is None for a in others) and not current.signed:
        agreement = current
        agreement.changed = sorted(set(agreement.changed or []) | set(changed))
        for key, value in terms.items():
            setattr(agreement, key, value)
        agreement.proposed_by = proposer
        if attr:
            setattr(agreement, attr, now)
        agreement.save()
        verb = "coaching.agreement.amended"
    else:
        agreement = Agreement(
            organization=engagement.organization,
            engagement=engagement,
            version=(current.version + 1) if current else 1,
            proposed_by=proposer,
            changed=sorted(changed),
            **terms,
        )
        if attr:
            setattr(agreement, attr, now)
        agreement.save()
        verb = "coaching.agreement.revised"
    _link_objectives(agreement)
    audit.record(actor=proposer.user, verb=verb, obj=agreement, organization=engagement.organization)
    for who in (engagement.coachee, engagement.coach, engagement.sponsor):
        if who is not None and who.pk != proposer.pk:
            do_notify(
                membership=who,
                text="The coaching agreement changed. Please review and accept the new version.",
                url=_agreement_url(engagement),
                key=f"coaching:agreement:{agreement.public_id}:{agreement.changed}:{who.public_id}",
            )
    return agreement


@transaction.atomic
def do_propose_terms(
    *,
    engagement: Engagement,
    actor: Membership,
    starts_on: date,
    ends_on: date,
    sessions_budget: int,
    cancellation_rules: str,
    refresh_confidentiality: bool = False,
) -> Agreement:
    """The leader, the coach or the sponsor proposes new dates, budget or cancellation rules; the sponsor may also
    bring the organization's current confidentiality terms in. Objectives are the leader's alone (their own
    pages); each change makes a version all three accept again."""
    if _party_attr(engagement, actor) is None:
        raise PermissionDenied("Only the leader, the coach and the sponsor change the agreement.")
    if engagement.status == Engagement.Status.CLOSED:
        raise ValidationError("This engagement is closed.")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The end comes after the start."})
    if ends_on > add_months(starts_on, 24):
        raise ValidationError({"ends_on": "Keep an engagement under two years."})
    from trellis.coaching.selectors import sessions_used

    used = sessions_used(engagement)
    if sessions_budget < max(1, used):
        raise ValidationError({"sessions_budget": f"At least {max(1, used)} (sessions already used)."})
    rules = " ".join(cancellation_rules.split()) if cancellation_rules.strip() else ""
    if not rules:
        raise ValidationError({"cancellation_rules": "Write the cancellation rules."})
    current = latest(engagement)
    before = _terms(engagement, current)
    terms = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "sessions_budget": sessions_budget,
        "confidentiality_terms": before["confidentiality_terms"],
        "cancellation_rules": rules,
    }
    if refresh_confidentiality:
        if engagement.sponsor_id != actor.pk:
            raise PermissionDenied("The sponsor brings in the organization's confidentiality terms.")
        settings = CoachingSettings.objects.filter(organization=engagement.organization).first()
        terms["confidentiality_terms"] = settings.confidentiality_terms if settings else ""
    changed = []
    if (terms["starts_on"], terms["ends_on"]) != (before["starts_on"], before["ends_on"]):
        changed.append("dates")
    changed += [k for k in ("sessions_budget", "confidentiality_terms", "cancellation_rules") if terms[k] != before[k]]
    if not changed:
        raise ValidationError("Nothing changed.")
    return _revise(engagement=engagement, proposer=actor, terms=terms, changed=changed)


@transaction.atomic
def do_revise_for_objectives(*, engagement: Engagement) -> Agreement | None:
    """The leader added an objective or changed whether it is shared: the agreement covers objectives, so the
    change makes a new version (accepted by the leader, who made it). Nothing happens before an agreement exists."""
    current = latest(engagement)
    if current is None:
        return None
    return _revise(
        engagement=engagement,
        proposer=engagement.coachee,
        terms=_terms(engagement, current),
        changed=["objectives"],
    )


def apply_signed(*, engagement: Engagement, agreement: Agreement, actor: Membership) -> None:
    """Called once a version is accepted by all three: its dates and budget become the engagement's; a proposed
    engagement becomes active."""
    if not agreement.signed or agreement.starts_on is None or agreement.ends_on is None:
        return
    engagement.starts_on, engagement.ends_on = agreement.starts_on, agreement.ends_on
    engagement.sessions_budget = agreement.sessions_budget
    engagement.save(update_fields=["starts_on", "ends_on", "sessions_budget"])
    audit.record(
        actor=actor.user, verb="coaching.agreement.signed", obj=agreement, organization=engagement.organization
    )


@dataclass(frozen=True)
class Version:
    agreement: Agreement
    terms: dict[str, Any]
    changed: list[str]
    acceptances: list[tuple[str, datetime | None]]
    shared_objectives: list[Objective]
    private_objectives: list[Objective]  # empty unless the viewer may see every objective


def versions(engagement: Engagement, relations: set[str]) -> list[Version]:
    """Every version, newest first, with who accepted when and the objectives it covers as the viewer may see
    them: the leader and the coach all of them; the sponsor only the shared ones — private objectives are not
    shown to the sponsor at all, not even as a count."""
    agreements = list(engagement.agreements.order_by("-version").prefetch_related("objective_links"))
    all_objectives = allows("coaching_objective", "view", relations)
    shared_only = not all_objectives and allows("coaching_shared_objective", "view", relations)
    texts: dict[int, Objective] = {}
    if all_objectives or shared_only:
        texts = {o.pk: o for o in Objective.objects.filter(engagement=engagement)}
    names = (
        engagement.coachee.user.full_name,
        engagement.coach.user.full_name,
        engagement.sponsor.user.full_name if engagement.sponsor else "the sponsor",
    )
    out = []
    for a in agreements:
        links = list(a.objective_links.all())
        shared = [texts[link.objective_id] for link in links if link.shared_with_sponsor and link.objective_id in texts]
        private = (
            [texts[link.objective_id] for link in links if not link.shared_with_sponsor and link.objective_id in texts]
            if all_objectives
            else []
        )
        out.append(
            Version(
                a,
                _terms(engagement, a),
                [TERM_LABELS.get(c, c) for c in (a.changed or [])],
                [(name, getattr(a, attr)) for name, (_, attr) in zip(names, PARTIES, strict=True)],
                shared if (all_objectives or shared_only) else [],
                private,
            )
        )
    return out
