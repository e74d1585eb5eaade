"""Reads, always scoped by the viewer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from trellis.core.access import Viewer, allows, restrict_members
from trellis.core.models import AuditEvent, Membership, Notification, OutboxMessage, Role, User


def memberships_of(user: Any) -> list[Membership]:
    if not isinstance(user, User):
        return []
    known = getattr(user, "active_memberships", None)  # loaded with the user by MemberBackend
    if known is not None:
        return list(known)
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organization")
        .order_by("organization__name")
    )


def outbox_of(user: Any) -> QuerySet[OutboxMessage]:
    if not isinstance(user, User):
        return OutboxMessage.objects.none()
    return OutboxMessage.objects.filter(recipient=user).defer("body", "ics")


def directory(viewer: Viewer, *, query: str = "", include_inactive: bool = False) -> QuerySet[Membership]:
    qs = restrict_members(viewer).select_related("user", "manager__user").order_by("user__full_name", "id")
    if not include_inactive:
        qs = qs.filter(is_active=True, user__is_active=True)
    if query:
        qs = qs.filter(
            Q(user__full_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(title__icontains=query)
            | Q(department__icontains=query)
        )
    return qs


def unread_count(viewer: Viewer) -> int:
    """Unread notifications, shown on every page. A plain indexed COUNT: the ORM would spend ~20× longer
    building this query than SQLite spends answering it, on every request."""
    if "unread" not in viewer.memo:
        if viewer.user is None or viewer.organization is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM core_notification WHERE user_id = %s AND organization_id = %s "
                "AND read_at IS NULL",
                [viewer.user.pk, viewer.organization.pk],
            )
            viewer.memo["unread"] = cursor.fetchone()[0]
    return int(viewer.memo["unread"])


def viewer_memberships(viewer: Viewer) -> list[Membership]:
    if "memberships" not in viewer.memo:
        viewer.memo["memberships"] = memberships_of(viewer.user)
    return list(viewer.memo["memberships"])


def notifications_for(viewer: Viewer) -> QuerySet[Notification]:
    if viewer.user is None or viewer.organization is None:
        return Notification.objects.none()
    return Notification.objects.filter(user=viewer.user, organization=viewer.organization)


def audit_events(viewer: Viewer) -> QuerySet[AuditEvent]:
    if viewer.organization is None or not allows("audit_log", "view", viewer.relations()):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(organization=viewer.organization).order_by("-id")


def actor_names(viewer: Viewer, events: Any) -> dict[Any, str]:
    """Names of the actors on one page of the audit log, in one query."""
    ids = {e.actor for e in events if e.actor}
    rows = Membership.objects.filter(organization=viewer.organization, user__public_id__in=ids).values_list(
        "user__public_id", "user__full_name"
    )
    return dict(rows)


def last_people_import(viewer: Viewer, *, within: timedelta) -> AuditEvent | None:
    """The organization's most recent HR import within the period, if any (org admins only)."""
    if viewer.organization is None or not allows("people_import", "create", viewer.relations()):
        return None
    since = timezone.now() - within
    return (
        AuditEvent.objects.filter(organization=viewer.organization, verb="people.imported", at__gte=since)
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class AttentionItem:
    text: str
    url: str
    count: int | None = None


AttentionProvider = Callable[[Viewer], list[AttentionItem]]
ATTENTION_PROVIDERS: list[AttentionProvider] = []


def attention_provider(func: AttentionProvider) -> AttentionProvider:
    """Product apps register what their members need to do next (called from their AppConfig.ready)."""
    if func not in ATTENTION_PROVIDERS:
        ATTENTION_PROVIDERS.append(func)
    return func


def attention_for(viewer: Viewer) -> list[AttentionItem]:
    """What needs this member's attention on their home page, by role. Product apps add their own items."""
    from django.urls import reverse

    assert viewer.organization is not None and viewer.membership is not None
    slug = viewer.organization.slug
    items: list[AttentionItem] = []
    unread = unread_count(viewer)
    if unread:
        items.append(AttentionItem("Unread notifications", reverse("notifications", args=[slug]), unread))
    if viewer.membership.has_role(Role.ORG_ADMIN):
        invited = (
            Membership.objects.filter(organization=viewer.organization, is_active=True)
            .filter(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
            .count()
        )
        if invited:
            items.append(
                AttentionItem("Invited people who have not signed in yet", reverse("people", args=[slug]), invited)
            )
        items.append(AttentionItem("Review the audit log", reverse("audit_log", args=[slug])))
        if not last_people_import(viewer, within=timedelta(days=30)):
            items.append(
                AttentionItem(
                    "No import from the HR system in the last 30 days: import people",
                    reverse("people_import", args=[slug]),
                )
            )
    if viewer.membership.has_role(Role.MANAGER):
        reports = Membership.objects.active().filter(manager=viewer.membership).count()
        items.append(
            AttentionItem(
                "Your direct reports", reverse("member_detail", args=[slug, viewer.membership.public_id]), reports
            )
        )
    for provider in ATTENTION_PROVIDERS:
        items.extend(provider(viewer))
    return items
