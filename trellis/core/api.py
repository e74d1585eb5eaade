"""The core API: tokens, the caller's account, organizations and the member directory (DESIGN §7).

Thin, like the views: ninja parses and validates, ``api_rule`` finds the viewer and applies the access table,
then a selector reads or a ``do_*`` service writes. Every status a route can answer is declared.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError

from trellis.core import selectors, services
from trellis.core.access import MEMBER_SUBJECT, Viewer, api_rule, subject_of, viewer_of
from trellis.core.models import ApiToken, Membership, User
from trellis.core.schemas import (
    ErrorOut,
    MemberListQuery,
    MemberOut,
    MemberPageOut,
    MemberPatchIn,
    MeOut,
    MyMembershipOut,
    OrgListOut,
    OrgOut,
    TokenCreatedOut,
    TokenIn,
    TokenListOut,
    TokenOut,
    member_out,
)

router = Router(tags=["core"])


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(statuses, ErrorOut)


# Every signed-in route may answer 401 (no or bad credentials) and 403 (the table says no, or a failed CSRF
# check for a browser session); organization routes add 404 (not a member there); routes with input add 422,
# and routes with a body 400 (unparseable JSON).
SIGNED_IN = errors(401, 403)
IN_ORG = errors(401, 403, 404, 422)
WRITE = errors(400, 401, 403, 404, 409, 422)


def _me(request: HttpRequest) -> User:
    user = viewer_of(request).user
    assert user is not None  # authentication ran first
    return user


# --- Tokens ---------------------------------------------------------------------------------------------------
@router.post(
    "/auth/token",
    auth=None,
    response={201: TokenCreatedOut, **errors(400, 401, 422, 429)},
    summary="Exchange e-mail and password for a bearer token",
)
@api_rule("public", "view")
def issue_token(request: HttpRequest, payload: TokenIn) -> Status:
    """Throttled with the sign-in form: after repeated failures the pair (e-mail, address) is locked out (429)."""
    user = authenticate(request, username=payload.email, password=payload.password)
    if not isinstance(user, User):
        raise AuthenticationError(message="Wrong e-mail address or password.")
    token, raw = services.do_issue_token(user=user, name=payload.name)
    return Status(201, TokenCreatedOut(id=token.public_id, name=token.name, token=raw))


@router.get("/auth/tokens", response={200: TokenListOut, **SIGNED_IN}, summary="Your active tokens")
@api_rule("account", "view")
def list_tokens(request: HttpRequest) -> TokenListOut:
    tokens = ApiToken.objects.filter(user=_me(request), revoked_at__isnull=True).order_by("-created_at", "-id")
    return TokenListOut(
        items=[
            TokenOut(id=t.public_id, name=t.name, created_at=t.created_at, last_used_at=t.last_used_at) for t in tokens
        ]
    )


@router.delete(
    "/auth/tokens/{token_id}", response={204: None, **errors(401, 403, 404, 422)}, summary="Revoke one of your tokens"
)
@api_rule("account", "update")
def revoke_token(request: HttpRequest, token_id: UUID) -> Status:
    me = _me(request)
    token = ApiToken.objects.filter(user=me, public_id=token_id).first()
    if token is None:
        raise Http404("No such token.")
    services.do_revoke_token(token=token, actor=me)
    return Status(204, None)


# --- The caller and their organizations ------------------------------------------------------------------------
@router.get("/me", response={200: MeOut, **SIGNED_IN}, summary="You and your memberships")
@api_rule("account", "view")
def me(request: HttpRequest) -> MeOut:
    user = _me(request)
    return MeOut(
        email=user.email,
        full_name=user.full_name,
        memberships=[
            MyMembershipOut(
                organization=m.organization.slug,
                name=m.organization.name,
                member_id=m.public_id,
                roles=list(m.roles),
                title=m.title,
                department=m.department,
            )
            for m in selectors.memberships_of(user)
        ],
    )


def _org_out(membership: Membership) -> OrgOut:
    org = membership.organization
    return OrgOut(slug=org.slug, name=org.name, member_id=membership.public_id, roles=list(membership.roles))


@router.get("/orgs", response={200: OrgListOut, **SIGNED_IN}, summary="Your organizations")
@api_rule("account", "view")
def list_orgs(request: HttpRequest) -> OrgListOut:
    return OrgListOut(items=[_org_out(m) for m in selectors.memberships_of(_me(request))])


@router.get("/orgs/{org_slug}", response={200: OrgOut, **IN_ORG}, summary="One of your organizations")
@api_rule("organization", "view")
def get_org(request: HttpRequest, org_slug: str) -> OrgOut:
    membership = viewer_of(request).membership
    assert membership is not None
    return _org_out(membership)


# --- Members --------------------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org_slug}/members",
    response={200: MemberPageOut, **IN_ORG},
    summary="The member directory, a page at a time",
)
@api_rule("member", "list")
def list_members(request: HttpRequest, org_slug: str, params: Query[MemberListQuery]) -> MemberPageOut:
    """Active members ordered by id; pass the page's `next_cursor` as `cursor` to get the next one."""
    members = selectors.directory(viewer_of(request), query=params.q.strip()).order_by("public_id")
    if params.cursor is not None:
        members = members.filter(public_id__gt=params.cursor)
    page = list(members[: params.limit + 1])
    more = len(page) > params.limit
    page = page[: params.limit]
    return MemberPageOut(items=[member_out(m) for m in page], next_cursor=page[-1].public_id if more else None)


@router.get("/orgs/{org_slug}/members/{member_id}", response={200: MemberOut, **IN_ORG}, summary="One member")
@api_rule("member", "view", subject=MEMBER_SUBJECT)
def get_member(request: HttpRequest, org_slug: str, member_id: UUID) -> MemberOut:
    return member_out(subject_of(request))


@router.patch(
    "/orgs/{org_slug}/members/{member_id}",
    response={200: MemberOut, **WRITE},
    summary="Change a member's profile and roles (org admins)",
)
@api_rule("member", "update", subject=MEMBER_SUBJECT)
def update_member(request: HttpRequest, org_slug: str, member_id: UUID, payload: MemberPatchIn) -> MemberOut:
    """Only the fields sent change. Profile and roles are saved together or not at all."""
    viewer = viewer_of(request)
    member: Membership = subject_of(request)
    assert viewer.user is not None
    fields: dict[str, Any] = payload.dict(exclude_unset=True)
    roles = fields.pop("roles", None)
    full_name = fields.pop("full_name", None)
    if "manager" in fields:
        fields["manager"] = _manager(viewer, fields["manager"])
    with transaction.atomic():
        services.do_update_member(membership=member, actor=viewer.user, full_name=full_name, **fields)
        if roles is not None:
            services.do_set_roles(membership=member, roles=[str(r) for r in roles], actor=viewer.user)
    return member_out(member)


def _manager(viewer: Viewer, public_id: UUID | None) -> Membership | None:
    if public_id is None:
        return None
    manager = (
        Membership.objects.active()
        .select_related("user")
        .filter(organization=viewer.organization, public_id=public_id)
        .first()
    )
    if manager is None:
        raise ValidationError({"manager": "No active member of this organization has that id."})
    return manager
