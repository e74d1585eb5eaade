"""Every write of the chooser: save a development request, share or unshare it, act on it, tune the settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.choosing.models import ChooserConfig, DevelopmentRequest, RequestShare
from trellis.choosing.recommender import MODALITIES, ChooserSettings, NeedProfile, recommend
from trellis.core import audit
from trellis.core.models import Membership, Organization, User
from trellis.core.services import do_notify


def settings_for(organization: Organization) -> ChooserSettings:
    config = ChooserConfig.objects.filter(organization=organization).first()
    return config.settings() if config else ChooserSettings()


def _url(request: DevelopmentRequest) -> str:
    return reverse("devreq_detail", args=[request.organization.slug, request.public_id])


@transaction.atomic
def do_create_request(
    *,
    requester: Membership,
    profile: NeedProfile,
    title: str,
    actor: User,
    share_with: Iterable[Membership] = (),
) -> DevelopmentRequest:
    """Save the member's need with the recommendation under their organization's settings."""
    title = title.strip() or "Development need"
    result = recommend(profile, settings=settings_for(requester.organization))
    request = DevelopmentRequest.objects.create(
        organization=requester.organization,
        requester=requester,
        title=title[:200],
        profile=asdict(profile),
        recommendation=result.as_dict(),
        top=result.top,
    )
    audit.record(actor=actor, verb="development_request.created", obj=request, organization=requester.organization)
    for membership in share_with:
        do_share_request(request=request, membership=membership, actor=actor)
    return request


def share_candidates(requester: Membership) -> list[Membership]:
    """Whom a requester may share with: their manager, and the organization's sponsors and program admins."""
    people = Membership.objects.active().filter(organization=requester.organization).exclude(pk=requester.pk)
    chosen = [m for m in people.select_related("user").order_by("user__full_name") if _is_candidate(requester, m)]
    return chosen


def _is_candidate(requester: Membership, other: Membership) -> bool:
    return other.pk == requester.manager_id or other.has_role("sponsor") or other.has_role("program_admin")


@transaction.atomic
def do_share_request(*, request: DevelopmentRequest, membership: Membership, actor: User) -> bool:
    if membership.organization_id != request.organization_id or not membership.is_active:
        raise ValidationError({"share_with": "Share only with active members of the same organization."})
    if membership.pk == request.requester_id:
        raise ValidationError({"share_with": "This is your own request."})
    if not _is_candidate(request.requester, membership):
        raise ValidationError({"share_with": "Share with your manager, a sponsor or a program admin."})
    _, created = RequestShare.objects.get_or_create(request=request, membership=membership)
    if created:
        audit.record(actor=actor, verb="development_request.shared", obj=request, organization=request.organization)
        do_notify(
            membership=membership,
            text=f"{request.requester.user.full_name} shared a development request with you.",
            url=_url(request),
            key=f"devreq-shared:{request.public_id}:{membership.public_id}:{timezone.now().timestamp()}",
        )
    return created


@transaction.atomic
def do_unshare_request(*, request: DevelopmentRequest, membership: Membership, actor: User) -> bool:
    deleted, _ = RequestShare.objects.filter(request=request, membership=membership).delete()
    if deleted:
        audit.record(actor=actor, verb="development_request.unshared", obj=request, organization=request.organization)
    return bool(deleted)


@transaction.atomic
def do_act_on_request(*, request: DevelopmentRequest, next_step: str, actor: Membership) -> DevelopmentRequest:
    """A sponsor or program admin agrees the next step. The next-step modules record it; nothing is faked."""
    if next_step not in MODALITIES:
        raise ValidationError({"next_step": "Choose training, mentoring, coaching or a counselling referral."})
    request.status = DevelopmentRequest.Status.ACCEPTED
    request.next_step = next_step
    request.decided_by = actor
    request.updated_at = timezone.now()
    request.save(update_fields=["status", "next_step", "decided_by", "updated_at"])
    audit.record(actor=actor.user, verb="development_request.acted", obj=request, organization=request.organization)
    do_notify(
        membership=request.requester,
        text=f"{actor.user.full_name} agreed a next step for your development request: {request.next_step_label}.",
        url=_url(request),
        key=f"devreq-acted:{request.public_id}:{next_step}",
    )
    return request


@transaction.atomic
def do_update_chooser_config(
    *, organization: Organization, weights: Mapping[str, float], costs: Mapping[str, float], actor: User
) -> ChooserConfig:
    try:
        settings = ChooserSettings.build(weights, costs)
    except (TypeError, ValueError) as exc:
        raise ValidationError(str(exc)) from None
    config, _ = ChooserConfig.objects.get_or_create(organization=organization)
    config.weights = dict(settings.weights)
    config.costs = dict(settings.costs)
    config.updated_at = timezone.now()
    config.updated_by = actor
    config.save()
    audit.record(actor=actor, verb="chooser_config.updated", obj=config, organization=organization)
    return config
