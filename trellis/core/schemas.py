"""The shapes the core API reads and writes (django-ninja schemas). No logic beyond input validation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from trellis.core.models import Membership, Role


def _storable(value: str) -> str:
    """Reject what no database column can hold (NUL, lone surrogates) instead of failing on save."""
    if "\x00" in value:
        raise ValueError("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.") from None
    return value


Text = Annotated[str, AfterValidator(_storable)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_storable)]
Line = Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable)]
Language = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=35), AfterValidator(_storable)
]


# --- Errors ---------------------------------------------------------------------------------------------------
class ErrorDetail(Schema):
    code: str = Field(examples=["not_found"])
    message: str
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per input field; `__all__` for the input as a whole."
    )


class ErrorOut(Schema):
    error: ErrorDetail


# --- Auth -----------------------------------------------------------------------------------------------------
class TokenIn(Schema):
    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_storable)]
    password: Annotated[str, StringConstraints(max_length=1024), AfterValidator(_storable)]
    name: Annotated[str, StringConstraints(max_length=100), AfterValidator(_storable)] = Field(
        "", description="A label to recognise the token by, e.g. the script that uses it."
    )


class TokenCreatedOut(Schema):
    id: UUID
    name: str
    token: str = Field(description="The secret; shown once, only its hash is stored.")


class TokenOut(Schema):
    id: UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None


class TokenListOut(Schema):
    items: list[TokenOut]


# --- Account and organizations ----------------------------------------------------------------------------------
class MyMembershipOut(Schema):
    organization: str = Field(description="The organization's slug.")
    name: str = Field(description="The organization's name.")
    member_id: UUID
    roles: list[str]
    title: str
    department: str


class MeOut(Schema):
    email: str
    full_name: str
    memberships: list[MyMembershipOut]


class OrgOut(Schema):
    slug: str
    name: str
    member_id: UUID = Field(description="The caller's membership in this organization.")
    roles: list[str] = Field(description="The caller's roles here.")


class OrgListOut(Schema):
    items: list[OrgOut]


# --- Members --------------------------------------------------------------------------------------------------
class MemberOut(Schema):
    id: UUID
    full_name: str
    email: str
    title: str
    department: str
    level: int
    manager: UUID | None
    manager_name: str | None
    languages: list[str]
    timezone: str
    roles: list[str]
    is_active: bool


class MemberPageOut(Schema):
    items: list[MemberOut]
    next_cursor: UUID | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class MemberListQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    cursor: UUID | None = Field(None, description="The `next_cursor` of the previous page.")
    q: Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable)] = Field(
        "", description="Search names, e-mail addresses, titles and departments."
    )


class MemberPatchIn(Schema):
    """Only the fields sent change. Null is refused except for `manager`, where it removes the manager."""

    # The defaults are never validated: None only marks "not sent" (the API reads exclude_unset).
    full_name: Name = None  # type: ignore[assignment]
    title: Line = None  # type: ignore[assignment]
    department: Line = None  # type: ignore[assignment]
    level: Annotated[int, Field(ge=1, le=10, description="Seniority, 1–10.")] = None  # type: ignore[assignment]
    manager: Annotated[UUID | None, Field(description="An active member of the same organization.")] = None
    languages: Annotated[list[Language], Field(max_length=20)] = None  # type: ignore[assignment]
    timezone: Annotated[
        str,
        StringConstraints(min_length=1, max_length=64),
        AfterValidator(_storable),
        Field(description="An IANA time zone, e.g. Europe/Berlin."),
    ] = None  # type: ignore[assignment]
    roles: Annotated[list[Role], Field(max_length=len(Role))] = None  # type: ignore[assignment]


def member_out(member: Membership) -> MemberOut:
    manager = member.manager
    return MemberOut(
        id=member.public_id,
        full_name=member.user.full_name,
        email=member.user.email,
        title=member.title,
        department=member.department,
        level=member.level,
        manager=manager.public_id if manager else None,
        manager_name=manager.user.full_name if manager else None,
        languages=list(member.languages),
        timezone=member.timezone,
        roles=[str(r) for r in member.roles],
        is_active=member.is_active,
    )
