"""Issue 7's acceptance journey in a real browser: grace marks attendance; alice answers a question from her
digest on a phone and sees her retention chart. Every page: no console or CSP error, axe-clean, fits 390 px."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, describe, run_axe, screenshot, sign_in, watch
from trellis.training import jobs
from trellis.training.models import Attendance, Card, Cohort, ObservationRequest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
NewContext = Callable[..., "BrowserContext"]


def _axe(new_context: NewContext, page: Page, axe_source: str, **options: object) -> list[str]:
    axe_page = new_context(bypass_csp=True, storage_state=page.context.storage_state(), **options).new_page()
    axe_page.goto(page.url)
    violations = run_axe(axe_page, axe_source)
    return [f"{page.url}:\n{describe(violations)}"] if violations else []


def _fits(page: Page) -> bool:
    page.wait_for_load_state()  # a click may have started a navigation: measure the page it leads to
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return bool(scroll <= inner)


def test_grace_marks_attendance(site: str, new_context: NewContext, axe_source: str, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    watched = watch(new_context().new_page())
    page = watched.page
    sign_in(page, site, "grace")
    page.goto(f"{site}/o/northwind/training/")
    page.get_by_role("link", name="Cohorts you teach").click()
    page.get_by_role("link", name="Giving feedback (SBI) — Spring cohort").click()
    day1 = page.locator("section", has=page.get_by_role("heading", name="Day 1"))
    box = day1.get_by_label("Alice Martin")
    assert box.is_checked()
    box.uncheck()
    day1.get_by_role("button", name="Save attendance for Day 1").click()
    assert page.get_by_text("Attendance saved for Day 1.").is_visible()
    assert (
        not page.locator("section", has=page.get_by_role("heading", name="Day 1"))
        .get_by_label("Alice Martin")
        .is_checked()
    )
    screenshot(page, "grace-training-cohort")
    with django_db_blocker.unblock():
        spring = Cohort.objects.get(title="Spring cohort")
        marked = Attendance.objects.get(
            session__cohort=spring, session__title="Day 1", membership__user__email="alice@northwind.example"
        )
        assert marked.present is False and marked.via == "instructor"
    failures = watched.take_problems() + _axe(new_context, page, axe_source)
    assert failures == [], "\n".join(failures)


def test_alice_answers_from_her_digest_and_sees_her_retention(
    site: str,
    new_context: NewContext,
    axe_source: str,
    django_db_blocker,  # type: ignore[no-untyped-def]
) -> None:
    with django_db_blocker.unblock():
        jobs.build_digests(timezone.now())  # what `trellis tick` does each morning
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    watched = watch(context.new_page())
    page = watched.page
    sign_in(page, site, "alice")
    failures: list[str] = []
    page.goto(f"{site}/o/northwind/notifications/")
    page.get_by_role("link", name="Your training reinforcement: 2 items to practise today.").click()
    assert page.url.endswith("/o/northwind/training/review/")
    assert page.get_by_text("2 left today").is_visible()
    assert _fits(page), "the review page scrolls sideways on a phone"
    failures += _axe(new_context, page, axe_source, viewport=PHONE)
    screenshot(page, "phone-alice-training-review")
    card_id = page.locator("form.review").get_attribute("action").rstrip("/").rsplit("/", 1)[-1]  # type: ignore[union-attr]
    with django_db_blocker.unblock():
        card = Card.objects.select_related("item").get(public_id=card_id)
        before = card.due
    if card.item.kind == "question":
        page.get_by_role("button", name=card.item.choices[card.item.correct]).click()
        assert page.get_by_role("heading", name="Right").is_visible()
    else:
        page.get_by_role("button", name="Good").click()
    assert page.get_by_text("You will see it again on").is_visible()
    with django_db_blocker.unblock():
        card.refresh_from_db()
        assert card.due > before and card.reviews.count() >= 1
    failures += _axe(new_context, page, axe_source, viewport=PHONE)
    page.goto(f"{site}/o/northwind/training/retention/")
    chart = page.get_by_role("img", name="Predicted recall over the next 90 days")
    assert chart.is_visible()
    assert page.get_by_role("table", name="Predicted recall, in numbers").is_visible()
    assert _fits(page), "the retention page scrolls sideways on a phone"
    screenshot(page, "phone-alice-training-retention")
    failures += _axe(new_context, page, axe_source, viewport=PHONE)
    failures += watched.take_problems()
    assert failures == [], "\n".join(failures)


def test_frank_answers_the_level_3_question_and_heidi_sees_the_report(  # type: ignore[no-untyped-def]
    site: str, new_context: NewContext, axe_source: str, django_db_blocker
) -> None:
    with django_db_blocker.unblock():
        spring = Cohort.objects.get(title="Spring cohort")
        ends = datetime.combine(spring.ends_on, time(9), tzinfo=UTC)
        assert jobs.ask_managers(ends + timedelta(days=30)) >= 1  # what `trellis tick` does 30 days after
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    watched = watch(context.new_page())
    page = watched.page
    sign_in(page, site, "frank")
    failures: list[str] = []
    page.goto(f"{site}/o/northwind/notifications/")
    page.get_by_role("link", name="30 days after “Giving feedback (SBI)”: have you seen Alice Martin apply it?").click()
    assert page.url.endswith("/o/northwind/training/observations/")
    assert _fits(page), "the observation page scrolls sideways on a phone"
    failures += _axe(new_context, page, axe_source, viewport=PHONE)
    section = page.locator("section", has=page.get_by_role("heading", name="Have you seen Alice Martin apply"))
    section.get_by_label("Partly").check()
    section.get_by_label("Comment (optional)").fill("Used it once in a 1:1")
    section.get_by_role("button", name="Send").click()
    assert page.get_by_text("your answer about Alice Martin is saved").is_visible()
    with django_db_blocker.unblock():
        answered = ObservationRequest.objects.get(
            enrolment__cohort=spring, enrolment__membership__user__email="alice@northwind.example", after_days=30
        )
        assert (answered.answer, answered.comment) == ("partly", "Used it once in a 1:1")
    failures += watched.take_problems()

    admin = watch(new_context().new_page())
    sign_in(admin.page, site, "heidi")
    admin.page.goto(f"{site}/o/northwind/training/")
    admin.page.get_by_role("link", name="Giving feedback (SBI)").first.click()
    admin.page.get_by_role("link", name="Retention report").click()
    assert admin.page.get_by_role(
        "table", name="Evaluation: reaction (L1), quiz before and after (L2), managers' observation (L3)"
    ).is_visible()
    failures += _axe(new_context, admin.page, axe_source)
    admin.page.goto(f"{site}/o/northwind/training/cohorts/{spring.public_id}/edit/")
    failures += _axe(new_context, admin.page, axe_source)
    admin.page.goto(f"{site}/o/northwind/training/cohorts/{spring.public_id}/materials/")
    admin.page.get_by_label("Title").fill("SBI cheat sheet")
    admin.page.get_by_label("Link").fill("https://example.com/sbi.pdf")
    admin.page.get_by_role("button", name="Add").click()
    assert admin.page.get_by_text("Material added.").is_visible()
    failures += _axe(new_context, admin.page, axe_source)
    failures += admin.take_problems()

    learner = watch(new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page())
    sign_in(learner.page, site, "alice")
    learner.page.goto(f"{site}/o/northwind/training/")
    assert learner.page.get_by_role("link", name="SBI cheat sheet").is_visible()
    learner.page.get_by_role("link", name="Rate your sessions").click()
    assert _fits(learner.page), "the reaction page scrolls sideways on a phone"
    failures += _axe(new_context, learner.page, axe_source, viewport=PHONE)
    learner.page.goto(f"{site}/o/northwind/training/quiz/")
    failures += _axe(new_context, learner.page, axe_source, viewport=PHONE)
    failures += learner.take_problems()
    assert failures == [], "\n".join(failures)
