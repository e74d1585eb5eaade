from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from trellis.core.models import Membership, Organization, User
from trellis.training import demo
from trellis.training.models import Cohort, Program, ReinforcementItem


@pytest.fixture
def sbi(northwind: Organization) -> Program:
    return Program.objects.get(organization=northwind, title=demo.TITLE)


@pytest.fixture
def make_people(northwind: Organization) -> Callable[[int, str], list[Membership]]:
    def make(n: int, prefix: str = "learner") -> list[Membership]:
        people = []
        for i in range(n):
            user = User.objects.create_user(email=f"{prefix}{i}@northwind.example", full_name=f"{prefix.title()} {i}")
            people.append(Membership.objects.create(organization=northwind, user=user, roles=["participant"]))
        return people

    return make


@pytest.fixture
def course(northwind: Organization, member: Any) -> dict[str, Any]:
    """A fresh program with two questions and one practice item, a cohort of capacity 2 taught by grace."""
    program = Program.objects.create(organization=northwind, title="Test course", digest_size=2)
    items = [
        ReinforcementItem.objects.create(
            organization=northwind, program=program, prompt="Q1", choices=["a", "b", "c"], correct=1, position=1
        ),
        ReinforcementItem.objects.create(
            organization=northwind, program=program, prompt="Q2", choices=["a", "b"], correct=0, position=2
        ),
        ReinforcementItem.objects.create(
            organization=northwind, program=program, kind="practice", prompt="Try it", position=3
        ),
    ]
    today = timezone.now().date()
    cohort = Cohort.objects.create(
        organization=northwind,
        program=program,
        title="Test cohort",
        capacity=2,
        starts_on=today,
        ends_on=today + timedelta(days=1),
        instructor=member("grace"),
    )
    return {"program": program, "items": items, "cohort": cohort, "today": date.today()}
