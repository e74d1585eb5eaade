"""Reads of development requests, always scoped by the viewer; the record-level access subject."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from trellis.choosing.models import DevelopmentRequest
from trellis.core.access import SELF, SHARED_WITH, SHARED_WITH_SPONSOR, Subject, Viewer, allows
from trellis.core.models import Organization, Role
from trellis.core.selectors import AttentionItem


def _load_request(org: Organization, public_id: Any) -> DevelopmentRequest:
    try:
        return DevelopmentRequest.objects.select_related("requester__user", "organization", "decided_by__user").get(
            organization=org, public_id=UUID(str(public_id))
        )
    except (DevelopmentRequest.DoesNotExist, ValueError):
        raise Http404("No such development request.") from None


def _relate_request(viewer: Viewer, request: DevelopmentRequest) -> set[str]:
    rels: set[str] = set()
    me = viewer.membership
    if me is None:
        return rels
    if request.requester_id == me.pk:
        rels.add(SELF)
    if request.shares.filter(membership=me).exists():
        rels.add(SHARED_WITH)
        if me.has_role(Role.SPONSOR) or me.has_role(Role.PROGRAM_ADMIN):
            rels.add(SHARED_WITH_SPONSOR)
    return rels


REQUEST_SUBJECT = Subject("dev_request_id", _load_request, _relate_request)


def visible_requests(viewer: Viewer) -> QuerySet[DevelopmentRequest]:
    """The viewer's own development requests and those shared with them (T2: nobody else's)."""
    me = viewer.membership
    if me is None or not allows("development_request", "list", viewer.relations()):
        return DevelopmentRequest.objects.none()
    return (
        DevelopmentRequest.objects.filter(organization=me.organization_id)
        .filter(Q(requester=me) | Q(shares__membership=me))
        .distinct()
        .select_related("requester__user")
        .order_by("-created_at", "-id")
    )


def shares_of(request: DevelopmentRequest) -> list[Any]:
    return list(request.shares.select_related("membership__user").order_by("membership__user__full_name"))


def attention(viewer: Viewer) -> list[AttentionItem]:
    """Open development requests shared with a sponsor or program admin wait for a next step."""
    me = viewer.membership
    if me is None or viewer.organization is None:
        return []
    if not (me.has_role(Role.SPONSOR) or me.has_role(Role.PROGRAM_ADMIN)):
        return []
    waiting = DevelopmentRequest.objects.filter(
        organization=viewer.organization, shares__membership=me, status=DevelopmentRequest.Status.OPEN
    ).count()
    if not waiting:
        return []
    url = reverse("devreq_list", args=[viewer.organization.slug])
    return [AttentionItem("Development requests shared with you await a next step", url, waiting)]
