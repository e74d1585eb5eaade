"""How training routes find their record (always inside the viewer's organization: 404 otherwise) and what
the viewer is to it. The rules themselves live in ``trellis.core.access.TABLE``."""

from __future__ import annotations

from typing import Any

from trellis.core.access import (
    INSTRUCTOR_OF,
    MANAGER_OF,
    SELF,
    Subject,
    Viewer,
    _load_member,
    _relate_member,
    get_in_org,
)
from trellis.core.models import Membership, Organization
from trellis.training.models import Card, Cohort, Enrolment, Program, ReinforcementItem, Session


def _load_program(org: Organization, public_id: Any) -> Program:
    return get_in_org(Program.objects.all(), org, public_id)


def _load_cohort(org: Organization, public_id: Any) -> Cohort:
    return get_in_org(Cohort.objects.select_related("program", "instructor__user"), org, public_id)


def _relate_cohort(viewer: Viewer, cohort: Cohort) -> set[str]:
    if viewer.membership is not None and cohort.instructor_id == viewer.membership.pk:
        return {INSTRUCTOR_OF}
    return set()


def _load_session(org: Organization, public_id: Any) -> Session:
    return get_in_org(Session.objects.select_related("cohort__program", "cohort__instructor__user"), org, public_id)


def _load_item(org: Organization, public_id: Any) -> ReinforcementItem:
    return get_in_org(ReinforcementItem.objects.select_related("program"), org, public_id)


def _load_card(org: Organization, public_id: Any) -> Card:
    return get_in_org(Card.objects.select_related("item__program"), org, public_id)


def _relate_card(viewer: Viewer, card: Card) -> set[str]:
    return {SELF} if viewer.membership is not None and card.membership_id == viewer.membership.pk else set()


def _relate_learner(viewer: Viewer, member: Membership) -> set[str]:
    """Self and manager (core), plus instructor of a cohort the person is enrolled in."""
    rels = _relate_member(viewer, member)
    if viewer.membership is not None and not rels & {SELF, MANAGER_OF}:
        teaches = Enrolment.objects.filter(membership=member, cohort__instructor=viewer.membership).exists()
        if teaches:
            rels.add(INSTRUCTOR_OF)
    return rels


PROGRAM = Subject("program_id", _load_program)
COHORT = Subject("cohort_id", _load_cohort, _relate_cohort)
CARD = Subject("item_id", _load_card, _relate_card)
CARD_PAGE = Subject("card_id", _load_card, _relate_card)
LEARNER = Subject("member_id", _load_member, _relate_learner)
SESSION = Subject("session_id", _load_session)
BANK_ITEM = Subject("bank_item_id", _load_item)
