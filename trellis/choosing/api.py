"""The chooser's API: the public, throttled recommendation, and development requests in an organization."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.throttling import SimpleRateThrottle

from trellis.choosing import selectors, services
from trellis.choosing.models import DevelopmentRequest
from trellis.choosing.recommender import recommend
from trellis.choosing.schemas import (
    DevelopmentRequestIn,
    DevelopmentRequestListQuery,
    DevelopmentRequestOut,
    DevelopmentRequestPageOut,
    NeedProfileIn,
    RecommendationOut,
)
from trellis.core.access import api_rule, subject_of, viewer_of
from trellis.core.models import Membership
from trellis.core.schemas import ErrorOut

router = Router(tags=["chooser"])
RECOMMEND_RATE = "60/m"  # per client address; TRELLIS_RECOMMEND_RATE overrides


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(statuses, ErrorOut)


class PerAddress(SimpleRateThrottle):
    """A small per-address limit in Django's cache. Behind a proxy set NINJA_NUM_PROXIES so the client's
    address is read from X-Forwarded-For; otherwise the header is ignored (it could be forged)."""

    scope = "recommend"

    def __init__(self) -> None:
        super().__init__(RECOMMEND_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # the setting is read per request, so a deployment (or a test) can change it without a restart
        self.rate = getattr(settings, "TRELLIS_RECOMMEND_RATE", RECOMMEND_RATE)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        from ninja.conf import settings as ninja_settings

        ident = self.get_ident(request) if ninja_settings.NUM_PROXIES is not None else request.META.get("REMOTE_ADDR")
        return self.cache_format % {"scope": self.scope, "ident": ident or "unknown"}


@router.post(
    "/recommend",
    auth=None,
    throttle=[PerAddress()],
    response={200: RecommendationOut, **errors(400, 422, 429)},
    summary="Recommend training, mentoring, coaching or a counselling referral for a need",
)
@api_rule("chooser", "use")
def recommend_for(request: HttpRequest, payload: NeedProfileIn) -> dict[str, Any]:
    """Public, no account needed, saves nothing. Throttled per client address (429 with the error body and a
    `Retry-After` header when exceeded). Deterministic: the same profile always gets the same answer."""
    return recommend(payload.to_profile()).as_dict()


def _out(saved: DevelopmentRequest, viewer_membership: Membership | None) -> DevelopmentRequestOut:
    own = viewer_membership is not None and saved.requester_id == viewer_membership.pk
    return DevelopmentRequestOut(
        id=saved.public_id,
        title=saved.title,
        requester=saved.requester.public_id,
        requester_name=saved.requester.user.full_name,
        status=saved.status,  # type: ignore[arg-type]
        next_step=saved.next_step or None,  # type: ignore[arg-type]
        created_at=saved.created_at,
        profile=NeedProfileIn(**saved.profile),
        recommendation=RecommendationOut(**saved.recommendation),
        shared_with=[s.membership.public_id for s in saved.shares.all()] if own else None,
    )


IN_ORG = errors(401, 403, 404, 422)


@router.post(
    "/orgs/{org_slug}/development-requests",
    response={201: DevelopmentRequestOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Save a development request for yourself",
)
@api_rule("development_request", "create")
def create_request(request: HttpRequest, org_slug: str, payload: DevelopmentRequestIn) -> Status:
    """The recommendation is made with the organization's chooser settings and stored with the answers."""
    viewer = viewer_of(request)
    assert viewer.membership is not None and viewer.user is not None
    people = {
        m.public_id: m
        for m in Membership.objects.select_related("user").filter(
            organization=viewer.membership.organization, public_id__in=payload.share_with
        )
    }
    missing = [str(i) for i in payload.share_with if i not in people]
    if missing:
        raise ValidationError({"share_with": [f"No member of this organization has the id {i}." for i in missing]})
    saved = services.do_create_request(
        requester=viewer.membership,
        profile=payload.profile.to_profile(),
        title=payload.title,
        actor=viewer.user,
        share_with=[people[i] for i in dict.fromkeys(payload.share_with)],
    )
    saved = selectors.visible_requests(viewer).prefetch_related("shares__membership").get(pk=saved.pk)
    return Status(201, _out(saved, viewer.membership))


@router.get(
    "/orgs/{org_slug}/development-requests",
    response={200: DevelopmentRequestPageOut, **IN_ORG},
    summary="Your development requests and those shared with you",
)
@api_rule("development_request", "list")
def list_requests(
    request: HttpRequest, org_slug: str, params: Query[DevelopmentRequestListQuery]
) -> DevelopmentRequestPageOut:
    """Newest first is not stable under paging, so pages are ordered by id; pass `next_cursor` as `cursor`."""
    viewer = viewer_of(request)
    items = selectors.visible_requests(viewer).prefetch_related("shares__membership").order_by("public_id")
    if params.cursor is not None:
        items = items.filter(public_id__gt=params.cursor)
    page = list(items[: params.limit + 1])
    more = len(page) > params.limit
    page = page[: params.limit]
    return DevelopmentRequestPageOut(
        items=[_out(r, viewer.membership) for r in page], next_cursor=page[-1].public_id if more else None
    )


@router.get(
    "/orgs/{org_slug}/development-requests/{dev_request_id}",
    response={200: DevelopmentRequestOut, **IN_ORG},
    summary="One development request (yours, or shared with you)",
)
@api_rule("development_request", "view", subject=selectors.REQUEST_SUBJECT)
def get_request(request: HttpRequest, org_slug: str, dev_request_id: UUID) -> DevelopmentRequestOut:
    return _out(subject_of(request), viewer_of(request).membership)
