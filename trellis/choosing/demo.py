"""Demo data: Alice's saved need (coaching comes out on top), shared with Dave, the HR sponsor — not with
Frank, her manager. Idempotent."""

from __future__ import annotations

from django.db import transaction

from trellis.choosing import services
from trellis.choosing.models import DevelopmentRequest
from trellis.choosing.recommender import NeedProfile
from trellis.core.models import Membership

TITLE = "Leading with confidence after my promotion"
ALICE_PROFILE = NeedProfile(
    people_with_need=1,
    need_kind="self_leadership",
    content_is_standard=False,
    wants_advice=2,
    goals_are_clear=True,
    confidentiality="high",
    includes_personal_goals=True,
    expert_available=True,
    wants_introductions=False,
    months_available=6,
    distress_signals=False,
    budget_per_person=7000,
)


@transaction.atomic
def load() -> dict[str, int]:
    alice = Membership.objects.filter(user__email="alice@northwind.example", organization__slug="northwind").first()
    dave = Membership.objects.filter(user__email="dave@northwind.example", organization__slug="northwind").first()
    if alice is None or dave is None or DevelopmentRequest.objects.filter(requester=alice, title=TITLE).exists():
        return {"development_requests": 0}
    services.do_create_request(requester=alice, profile=ALICE_PROFILE, title=TITLE, actor=alice.user, share_with=[dave])
    return {"development_requests": 1}
