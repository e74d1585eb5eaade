"""Authentication backend: e-mail + password (ModelBackend), and on every request the user together with
their active memberships and organizations, so pages know the viewer's organizations and roles without
further queries.

This runs on every signed-in request. It uses three plain SELECTs through ``raw()`` (Django still converts
each column to its Python type); the equivalent ``select_related`` query costs about three times as much CPU,
almost all of it in building the SQL (measured in bench/pages.py's notes, docs/decisions.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from trellis.core.models import Membership, Organization, User


class MemberBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        try:
            user_pk = int(user_id)
        except (TypeError, ValueError):
            return None
        users = list(User.objects.raw("SELECT * FROM core_user WHERE id = %s", [user_pk]))
        if not users or not self.user_can_authenticate(users[0]):
            return None
        user = users[0]
        memberships = list(
            Membership.objects.raw("SELECT * FROM core_membership WHERE user_id = %s AND is_active", [user_pk])
        )
        if memberships:
            orgs = {
                o.pk: o
                for o in Organization.objects.raw(
                    "SELECT * FROM core_organization WHERE id IN "
                    "(SELECT organization_id FROM core_membership WHERE user_id = %s AND is_active)",
                    [user_pk],
                )
            }
            for m in memberships:
                m.user = user
                m.organization = orgs[m.organization_id]
            memberships.sort(key=lambda m: (m.organization.name, m.organization.pk))
        user.active_memberships = memberships  # type: ignore[attr-defined]
        return user
