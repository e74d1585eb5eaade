"""Every write in core: keyword-only ``do_*`` functions that validate, write, audit and notify in one place."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from trellis.core import audit, mail
from trellis.core.models import ApiToken, Membership, Notification, Organization, Role, User, validate_roles

MEMBER_FIELDS = ("title", "department", "level", "manager", "languages", "timezone")


def _check_manager(member: Membership, manager: Membership | None) -> None:
    if manager is None:
        return
    if manager.organization_id != member.organization_id:
        raise ValidationError({"manager": "The manager must belong to the same organization."})
    seen = {member.pk}
    cursor: Membership | None = manager
    while cursor is not None:
        if cursor.pk in seen:
            raise ValidationError({"manager": "That manager would create a reporting cycle."})
        seen.add(cursor.pk)
        cursor = cursor.manager


@transaction.atomic
def do_invite_member(
    *,
    organization: Organization,
    email: str,
    full_name: str,
    roles: Sequence[str] = (Role.PARTICIPANT,),
    actor: User | None,
    send_invitation: bool = True,
    **fields: Any,
) -> Membership:
    """Add a person to the organization (creating their account if new) and e-mail them a sign-in link."""
    email = User.objects.normalize_email(email).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": f"{email!r} is not an e-mail address."}) from None
    user = User.objects.filter(email__iexact=email).first()
    created_user = user is None
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name.strip())
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is not None and membership.is_active:
        raise ValidationError({"email": f"{email} is already a member of {organization.name}."})
    if membership is None:
        membership = Membership(organization=organization, user=user)
    membership.roles = sorted(set(roles))
    membership.is_active = True
    for name, value in fields.items():
        if name not in MEMBER_FIELDS:
            raise TypeError(f"unexpected member field {name!r}")
        setattr(membership, name, value)
    _check_manager(membership, membership.manager)
    membership.full_clean(exclude=["user", "organization"])
    membership.save()
    audit.record(actor=actor, verb="member.invited", obj=membership, organization=organization)
    if send_invitation:
        mail.send_invitation(membership=membership, new_account=created_user, actor=actor)
    return membership


@transaction.atomic
def do_create_organization(
    *, name: str, slug: str, admin_email: str, admin_name: str, actor: User | None
) -> Membership:
    """A new organization and its first org admin, who is invited by e-mail (the platform operator's
    ``trellis create-org``). Returns the admin's membership. All or nothing."""
    organization = Organization(name=name.strip(), slug=slug.strip().lower())
    organization.full_clean()
    organization.save()
    audit.record(actor=actor, verb="organization.created", obj=organization, organization=organization)
    return do_invite_member(
        organization=organization,
        email=admin_email,
        full_name=admin_name,
        roles=[Role.PARTICIPANT, Role.ORG_ADMIN],
        actor=actor,
    )


@transaction.atomic
def do_update_member(*, membership: Membership, actor: User, full_name: str | None = None, **fields: Any) -> list[str]:
    """Change a member's profile fields; returns the names of the fields that changed (none: no audit)."""
    changed: list[str] = []
    for name, value in fields.items():
        if name not in MEMBER_FIELDS:
            raise TypeError(f"unexpected member field {name!r}")
        if getattr(membership, name) != value:
            setattr(membership, name, value)
            changed.append(name)
    if "manager" in changed:
        _check_manager(membership, membership.manager)
    if full_name is not None and full_name.strip() and membership.user.full_name != full_name.strip():
        elsewhere = Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk).exists()
        if elsewhere:  # the name belongs to the person, who is also a member of another organization
            raise ValidationError(
                {"full_name": "This person also belongs to another organization; only they can change their name."}
            )
        membership.user.full_name = full_name.strip()
        membership.user.save(update_fields=["full_name"])
        changed.append("full_name")
    if changed:
        membership.full_clean(exclude=["user", "organization"])
        membership.save()
        audit.record(actor=actor, verb="member.updated", obj=membership, organization=membership.organization)
    return changed


@transaction.atomic
def do_set_roles(*, membership: Membership, roles: Sequence[str], actor: User) -> bool:
    new_roles = sorted(set(roles))
    validate_roles(new_roles)
    if new_roles == sorted(membership.roles):
        return False
    if Role.ORG_ADMIN in membership.roles and Role.ORG_ADMIN not in new_roles:
        _keep_one_admin(membership)
    membership.roles = new_roles
    membership.save(update_fields=["roles"])
    audit.record(actor=actor, verb="member.roles_changed", obj=membership, organization=membership.organization)
    return True


def _keep_one_admin(membership: Membership) -> None:
    others = (
        Membership.objects.active()
        .with_role(Role.ORG_ADMIN)
        .filter(organization_id=membership.organization_id)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError({"roles": "An organization needs at least one active org admin."})


@transaction.atomic
def do_deactivate_member(*, membership: Membership, actor: User) -> bool:
    if not membership.is_active:
        return False
    if Role.ORG_ADMIN in membership.roles:
        _keep_one_admin(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(actor=actor, verb="member.deactivated", obj=membership, organization=membership.organization)
    return True


@transaction.atomic
def do_reactivate_member(*, membership: Membership, actor: User) -> bool:
    if membership.is_active:
        return False
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    audit.record(actor=actor, verb="member.reactivated", obj=membership, organization=membership.organization)
    return True


# --- API tokens -----------------------------------------------------------------------------------------------
def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def do_issue_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token; the raw value is returned once and only its hash is kept."""
    raw = "trl_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, key_hash=hash_token(raw), name=name[:100])
    audit.record(actor=user, verb="api_token.issued", obj=token)
    return token, raw


@transaction.atomic
def do_revoke_token(*, token: ApiToken, actor: User, now: datetime | None = None) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, verb="api_token.revoked", obj=token)
    return True


# --- Notifications --------------------------------------------------------------------------------------------
def do_notify(*, membership: Membership, text: str, url: str = "", key: str) -> Notification:
    """An in-app notice; the same key never notifies twice."""
    notification, _ = Notification.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "organization_id": membership.organization_id,
            "user_id": membership.user_id,
            "text": text[:300],
            "url": url,
        },
    )
    return notification


@transaction.atomic
def do_mark_notifications_read(*, user: User, organization: Organization, now: datetime | None = None) -> int:
    return Notification.objects.filter(user=user, organization=organization, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
