"""How coaching routes find their record (always inside the viewer's organization: 404 otherwise) and what the
viewer is to it. The rules themselves live in ``trellis.core.access.TABLE``.

Relations to an engagement: ``self`` (the coachee, the leader it is about), ``coach_of``, ``sponsor_of``, and
``manager_of`` only while the leader lets their line manager see the logistics.
"""

from __future__ import annotations

from typing import Any

from trellis.coaching.models import CoachingRequest, Commitment, Credential, Engagement
from trellis.core.access import COACH_OF, MANAGER_OF, SELF, SPONSOR_OF, Subject, Viewer, get_in_org
from trellis.core.models import Organization


def relations_to(viewer: Viewer, engagement: Engagement) -> set[str]:
    me = viewer.membership
    if me is None:
        return set()
    rels: set[str] = set()
    if engagement.coachee_id == me.pk:
        rels.add(SELF)
    if engagement.coach_id == me.pk:
        rels.add(COACH_OF)
    if engagement.sponsor_id == me.pk:
        rels.add(SPONSOR_OF)
    if engagement.manager_may_see and engagement.coachee.manager_id == me.pk:
        rels.add(MANAGER_OF)
    return rels


def _load_engagement(org: Organization, public_id: Any) -> Engagement:
    return get_in_org(
        Engagement.objects.select_related("coachee__user", "coach__user", "sponsor__user"), org, public_id
    )


def _load_commitment(org: Organization, public_id: Any) -> Commitment:
    return get_in_org(Commitment.objects.select_related("engagement__coachee"), org, public_id)


def _relate_commitment(viewer: Viewer, commitment: Commitment) -> set[str]:
    return relations_to(viewer, commitment.engagement)


ENGAGEMENT = Subject("engagement_id", _load_engagement, relations_to)
COMMITMENT = Subject("commitment_id", _load_commitment, _relate_commitment)


# --- Coaching requests (starting an engagement) ------------------------------------------------------------------
def relations_to_request(viewer: Viewer, req: CoachingRequest) -> set[str]:
    """``self``: the leader the request is for; ``sponsor_of``: its sponsor or whoever opened it; ``coach_of``: a
    coach with a chemistry call on it, or the coach chosen."""
    me = viewer.membership
    if me is None:
        return set()
    rels: set[str] = set()
    if req.leader_id == me.pk:
        rels.add(SELF)
    if me.pk in (req.sponsor_id, req.opened_by_id) and req.leader_id != me.pk:
        rels.add(SPONSOR_OF)
    if req.chosen_coach_id == me.pk or req.calls.filter(coach=me).exists():
        rels.add(COACH_OF)
    return rels


def _load_request(org: Organization, public_id: Any) -> CoachingRequest:
    return get_in_org(
        CoachingRequest.objects.select_related("leader__user", "sponsor__user", "chosen_coach__user", "engagement"),
        org,
        public_id,
    )


REQUEST = Subject("request_id", _load_request, relations_to_request)


def _load_credential(org: Organization, public_id: Any) -> Credential:
    return get_in_org(Credential.objects.select_related("coach__membership"), org, public_id)


def _relate_credential(viewer: Viewer, credential: Credential) -> set[str]:
    """A credential is about its coach: SELF for them (program admins relate by their role)."""
    me = viewer.membership
    return {SELF} if me is not None and credential.coach.membership_id == me.pk else set()


CREDENTIAL = Subject("credential_id", _load_credential, _relate_credential)
