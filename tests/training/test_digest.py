"""The daily digest: bounded queries whatever the number of learners, idempotent, respects pause and retire."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from trellis.core import ticks
from trellis.core.models import Notification, OutboxMessage
from trellis.training import jobs
from trellis.training.models import Card, Digest, Program, ReinforcementItem


@pytest.fixture
def quiet(db: None) -> None:
    """Only the cards a test makes are due (the demo's learners have items due today too)."""
    Card.objects.update(paused=True)


def _learners_with_due_cards(n: int, make_people: Any, northwind: Any, *, size: int = 2) -> list[Any]:
    program = Program.objects.create(organization=northwind, title=f"Digest {n}", digest_size=size)
    items = [
        ReinforcementItem.objects.create(organization=northwind, program=program, prompt=f"Q{i}", choices=["a", "b"])
        for i in range(3)
    ]
    people = make_people(n, f"digest{n}-")
    due = timezone.now() - timedelta(hours=1)
    Card.objects.bulk_create(
        [Card(organization=northwind, membership=m, item=item, due=due) for m in people for item in items]
    )
    return people


@pytest.mark.parametrize("n", [3, 30])
def test_digest_building_does_a_bounded_number_of_queries(
    n: int, quiet: None, make_people: Any, northwind: Any, django_assert_max_num_queries: Any
) -> None:
    people = _learners_with_due_cards(n, make_people, northwind)
    with django_assert_max_num_queries(8):  # aggregate, sent digests, 3 bulk inserts (+ savepoints)
        sent = jobs.build_digests(timezone.now())
    assert sent == n
    assert Digest.objects.filter(membership__in=people, items=2).count() == n


def test_digest_reaches_the_app_and_the_mailbox_once(quiet: None, make_people: Any, northwind: Any) -> None:
    (person,) = _learners_with_due_cards(1, make_people, northwind)
    now = timezone.now()
    assert jobs.build_digests(now) == 1
    assert jobs.build_digests(now) == 0
    assert ticks.run(now)["training.digests"] == 0  # the tick runs the same job: nothing twice
    note = Notification.objects.get(user=person.user)
    assert "2 items to practise today" in note.text and note.url.endswith("/training/review/")
    mail = OutboxMessage.objects.get(recipient=person.user)
    assert mail.subject == "2 things to practise today" and "/o/northwind/training/review/" in mail.body
    assert "Q0" not in mail.body  # no item content in e-mail, only the link
    # the next local day brings a new digest
    assert jobs.build_digests(now + timedelta(days=1)) == 1


def test_paused_retired_and_not_yet_due_cards_send_nothing(quiet: None, make_people: Any, northwind: Any) -> None:
    a, b, c = _learners_with_due_cards(3, make_people, northwind)
    Card.objects.filter(membership=a).update(paused=True)
    Card.objects.filter(membership=b).update(retired_at=timezone.now())
    Card.objects.filter(membership=c).update(due=timezone.now() + timedelta(days=2))
    assert jobs.build_digests(timezone.now()) == 0
    assert not Notification.objects.filter(user__in=[a.user, b.user, c.user]).exists()


def test_at_most_the_programs_digest_size(quiet: None, make_people: Any, northwind: Any) -> None:
    (person,) = _learners_with_due_cards(1, make_people, northwind, size=1)
    jobs.build_digests(timezone.now())
    assert Digest.objects.get(membership=person).items == 1
    assert "1 item to practise" in Notification.objects.get(user=person.user).text


def test_the_demo_learner_gets_her_digest(member: Any) -> None:
    alice = member("alice")
    jobs.build_digests(timezone.now())
    assert Notification.objects.filter(user=alice.user, idempotency_key__startswith="training-digest:").exists()
