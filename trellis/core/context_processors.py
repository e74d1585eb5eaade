"""The shell every page shares: organization switcher, role-aware navigation, unread notifications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from trellis.core import selectors
from trellis.core.access import Viewer, allows


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


# (label, url name, data class, action): shown when the table lets the viewer do it.
NAV = [
    ("Home", "org_home", "organization", "view"),
    ("People", "people", "member", "list"),
    ("Audit log", "audit_log", "audit_log", "view"),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    viewer: Viewer | None = getattr(request, "viewer", None)
    if viewer is None or viewer.user is None:
        return {}
    context: dict[str, Any] = {"memberships": selectors.memberships_of(viewer.user)}
    if viewer.organization is not None:
        slug = viewer.organization.slug
        relations = viewer.relations()
        path = request.path
        nav = []
        for label, name, data, action in NAV:
            if allows(data, action, relations):
                url = reverse(name, args=[slug])
                active = path == url if name == "org_home" else path.startswith(url)
                nav.append(NavItem(label, url, active))
        context.update(
            org=viewer.organization,
            membership=viewer.membership,
            nav=nav,
            unread=selectors.notifications_for(viewer).filter(read_at__isnull=True).count(),
        )
    return context
