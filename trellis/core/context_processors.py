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
    ("Training", "training_index", "training_catalogue", "view"),
    ("Coaching", "coaching_index", "coaching_engagement", "list"),
    ("Mentoring", "mentoring_index", "mentoring_program", "list"),
    ("Import", "people_import", "people_import", "create"),
    ("Articles", "content_articles", "article_draft", "list"),
    ("Audit log", "audit_log", "audit_log", "view"),
    ("Development", "devreq_list", "development_request", "list"),
    ("Chooser settings", "chooser_config", "chooser_config", "update"),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    viewer: Viewer | None = getattr(request, "viewer", None)
    if viewer is None or viewer.user is None:
        return {}
    memberships = selectors.viewer_memberships(viewer)
    context: dict[str, Any] = {"memberships": memberships}
    if viewer.organization is None:  # an account page (mail, organizations): keep the last organization's shell
        last = request.session.get("org") if hasattr(request, "session") else None
        current = next((m for m in memberships if m.organization.slug == last), None)
        if current is None and len(memberships) == 1:
            current = memberships[0]
        if current is not None:
            viewer = Viewer(viewer.user, current, viewer.memo)
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
        longest = max((item.url for item in nav if item.active), key=len, default="")  # …/people/import/
        nav = [NavItem(item.label, item.url, item.url == longest) for item in nav]
        context.update(
            org=viewer.organization,
            membership=viewer.membership,
            nav=nav,
            unread=selectors.unread_count(viewer),
        )
    return context
