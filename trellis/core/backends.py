"""Authentication backend: e-mail + password (ModelBackend), and on every request the user together with
their active memberships in ONE query, so pages know the viewer's organizations and roles without more."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from trellis.core.models import Membership, User


class MemberBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        memberships = list(
            Membership.objects.filter(user_id=user_id, is_active=True)
            .select_related("user", "organization")
            .order_by("organization__name")
        )
        if memberships:
            user = memberships[0].user
            for m in memberships:
                m.user = user
        else:
            user = User.objects.filter(pk=user_id).first()  # type: ignore[assignment]
            if user is None:
                return None
        user.active_memberships = memberships  # type: ignore[attr-defined]
        return user if self.user_can_authenticate(user) else None
