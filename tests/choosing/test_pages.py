"""The chooser's pages: the public questionnaire (one form, or step by step with htmx), the result and its
explanation, development requests (save, share, revoke, act) and the org admin's tuning with a what-if preview."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from trellis.choosing.models import ChooserConfig, DevelopmentRequest, RequestShare
from trellis.choosing.samples import SAMPLES
from trellis.core.models import AuditEvent, Notification

TRAINING = {
    "people_with_need": "40",
    "need_kind": "skill",
    "content_is_standard": "yes",
    "wants_advice": "4",
    "goals_are_clear": "yes",
    "confidentiality": "low",
    "includes_personal_goals": "no",
    "expert_available": "yes",
    "wants_introductions": "no",
    "months_available": "3",
    "budget_per_person": "500",
    "distress_signals": "no",
}
COACHING = {
    **TRAINING,
    "people_with_need": "1",
    "need_kind": "self_leadership",
    "content_is_standard": "no",
    "wants_advice": "1",
    "confidentiality": "high",
    "includes_personal_goals": "yes",
    "months_available": "9",
    "budget_per_person": "",
}


@pytest.fixture
def alices_request(db) -> DevelopmentRequest:  # type: ignore[no-untyped-def]
    return DevelopmentRequest.objects.get(requester__user__email="alice@northwind.example")


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Public -----------------------------------------------------------------------------------------------------
def test_the_questionnaire_is_one_form_without_javascript(db: None) -> None:
    response = Client().get("/choose/")
    page = text(response)
    assert response.status_code == 200
    assert 'action="/choose/result/"' in page and 'method="get"' in page
    for name in TRAINING:
        assert f'name="{name}"' in page
    assert page.count("<legend>") >= 9  # radio groups are fieldsets with a legend
    assert 'hx-get="/choose/step/" hx-trigger="load"' in page  # htmx swaps in step 1


def test_the_result_ranks_explains_cautions_and_plans(db: None) -> None:
    response = Client().get("/choose/result/?" + urlencode(TRAINING))
    page = text(response)
    assert response.status_code == 200
    assert "<h1>Recommendation: Training</h1>" in page
    assert page.index("<h3>Training") < page.index("<h3>Mentoring")
    assert "40 people share this need" in page
    assert "Reinforce: reminders" in page and "Reinforce: practice and feedback" in page
    assert "below the usual cost of training" in page  # budget 500 < 800
    assert "Sign in</a> to save this" in page
    assert 'href="/choose/explain/?' in page
    assert not DevelopmentRequest.objects.filter(title="").exists()


def test_a_missing_answer_shows_the_form_again_with_the_error(db: None) -> None:
    answers = {**TRAINING}
    del answers["need_kind"]
    response = Client().get("/choose/result/?" + urlencode({**answers, "wants_advice": "9"}))
    page = text(response)
    assert response.status_code == 400
    assert 'id="id_need_kind_error"' in page and "This field is required." in page
    assert 'id="id_wants_advice_error"' in page
    assert 'value="40"' in page  # what was answered stays
    assert 'hx-trigger="load"' not in page  # the errors are not swapped away


def test_steps_validate_and_carry_the_answers(db: None) -> None:
    client = Client(headers={"HX-Request": "true"})
    first = text(client.get("/choose/step/"))
    assert "Step 1 of 4" in first and "<html" not in first
    stuck = text(client.get("/choose/step/?" + urlencode({"step": 0, "go": "next", "people_with_need": "3"})))
    assert "Step 1 of 4" in stuck and "This field is required." in stuck
    step1 = {k: TRAINING[k] for k in ("need_kind", "people_with_need", "content_is_standard")}
    second = text(client.get("/choose/step/?" + urlencode({"step": 0, "go": "next", **step1})))
    assert "Step 2 of 4" in second
    assert '<input type="hidden" name="need_kind" value="skill">' in second
    back = text(client.get("/choose/step/?" + urlencode({"step": 1, "go": "back", **step1})))
    assert "Step 1 of 4" in back and 'value="skill" id="id_need_kind_0" required checked' in back
    last = text(client.get("/choose/step/?" + urlencode({"step": 3, **TRAINING})))
    assert 'action="/choose/result/"' in last and "See the recommendation" in last


def test_explain_draws_accessible_svg_bars_that_add_up(db: None) -> None:
    response = Client().get("/choose/explain/?" + urlencode(COACHING))
    page = text(response)
    assert response.status_code == 200
    assert page.count('<svg class="bars"') == 4
    assert page.count('role="img"') >= 4 and page.count("<desc id=") == 4
    assert "Coaching: score 0." in page  # the description spells the sum out
    assert page.count("<table") == 4  # the same numbers as tables
    assert "<rect" in page and 'fill="#1d5c3a"' in page and 'fill="#a61b1b"' in page
    assert "style=" not in page.split("<main", 1)[1]  # strict CSP: no inline styles


def test_a_signed_in_member_can_save_the_result(login: Any) -> None:
    page = text(login("alice").get("/choose/result/?" + urlencode(COACHING)))
    assert 'action="/o/northwind/development/new/"' in page
    assert '<input type="hidden" name="need_kind" value="self_leadership">' in page


# --- Development requests -------------------------------------------------------------------------------------
def test_saving_a_request_stores_answers_and_recommendation_and_audits(login: Any, member: Any) -> None:
    response = login("bob").post("/o/northwind/development/new/", {**COACHING, "title": "Calmer under pressure"})
    saved = DevelopmentRequest.objects.get(title="Calmer under pressure")
    assert response.status_code == 302 and response["Location"].endswith(f"/{saved.public_id}/")
    assert saved.requester == member("bob") and saved.top == "coaching"
    assert saved.profile["need_kind"] == "self_leadership" and saved.profile["budget_per_person"] is None
    assert saved.recommendation["ranking"][0]["modality"] == "coaching"
    assert saved.shares.count() == 0
    assert AuditEvent.objects.filter(verb="development_request.created", object_id=str(saved.public_id)).exists()


def test_saving_uses_the_organizations_settings(login: Any, northwind: Any) -> None:
    ChooserConfig.objects.create(organization=northwind, weights={"content_is_standard": 0, "people_with_need": 0})
    onboarding = {
        **TRAINING,
        "people_with_need": "30",
        "need_kind": "know_how",
        "budget_per_person": "",
        "title": "Onboarding",
    }
    login("bob").post("/o/northwind/development/new/", onboarding)
    assert DevelopmentRequest.objects.get(title="Onboarding").top == "mentoring"  # default settings: training


def test_requester_sees_shares_and_a_shared_sponsor_acts(login: Any, alices_request: DevelopmentRequest) -> None:
    url = f"/o/northwind/development/{alices_request.public_id}/"
    mine = text(login("alice").get(url))
    assert "Leading with confidence" in mine and "Dave Kowalski" in mine and "Stop sharing" in mine
    assert "Propose a coaching engagement" not in mine  # the requester does not act on their own request
    daves = text(login("dave").get(url))
    assert "Propose a coaching engagement" in daves and "coming soon" in daves
    assert "Stop sharing" not in daves  # only the requester manages sharing
    response = login("dave").post(url + "act/", {"next_step": "coaching"})
    assert response.status_code == 302
    alices_request.refresh_from_db()
    assert alices_request.status == "accepted" and alices_request.next_step == "coaching"
    assert alices_request.decided_by is not None and alices_request.decided_by.user.email == "dave@northwind.example"
    assert Notification.objects.filter(user__email="alice@northwind.example", text__contains="Coaching").exists()
    assert AuditEvent.objects.filter(verb="development_request.acted").exists()


def test_not_shared_means_not_seen(login: Any, alices_request: DevelopmentRequest) -> None:
    url = f"/o/northwind/development/{alices_request.public_id}/"
    for persona in ("frank", "erin", "heidi", "bob"):  # her manager, the org admin, a program admin, a colleague
        assert login(persona).get(url).status_code == 403, persona
        assert "Leading with confidence" not in text(login(persona).get("/o/northwind/development/"))
    assert login("frank").post(url + "act/", {"next_step": "training"}).status_code == 403
    assert login("mallory").get(url.replace("northwind", "globex")).status_code == 404


def test_sharing_with_the_manager_and_revoking_at_once(
    login: Any, member: Any, alices_request: DevelopmentRequest
) -> None:
    url = f"/o/northwind/development/{alices_request.public_id}/"
    frank = member("frank")
    alice = login("alice")
    alice.post(url + "share/", {"membership": str(frank.public_id)})
    assert RequestShare.objects.filter(request=alices_request, membership=frank).exists()
    assert login("frank").get(url).status_code == 200
    assert "Propose a coaching engagement" not in text(login("frank").get(url))  # a manager sees, does not act
    assert login("frank").post(url + "act/", {"next_step": "coaching"}).status_code == 403
    alice.post(url + "share/", {"revoke": str(frank.public_id)})
    assert login("frank").get(url).status_code == 403
    verbs = list(AuditEvent.objects.filter(object_id=str(alices_request.public_id)).values_list("verb", flat=True))
    assert verbs[-2:] == ["development_request.shared", "development_request.unshared"]


def test_only_manager_sponsors_and_program_admins_can_be_chosen(
    login: Any, member: Any, alices_request: DevelopmentRequest
) -> None:
    url = f"/o/northwind/development/{alices_request.public_id}/"
    page = text(login("alice").get(url))
    assert "Frank Meyer" in page and "Heidi Novak" in page and "Bob Chen" not in page
    login("alice").post(url + "share/", {"membership": str(member("bob").public_id)})
    assert not RequestShare.objects.filter(request=alices_request, membership=member("bob")).exists()
    assert login("frank").post(url + "share/", {"membership": str(member("frank").public_id)}).status_code == 403


def test_the_list_shows_own_and_shared_in_few_queries(
    login: Any, django_assert_max_num_queries: Any, member: Any
) -> None:
    dave = login("dave")
    dave.get("/o/northwind/development/")
    with django_assert_max_num_queries(8):  # session, user+memberships, the requests with requesters, the shell
        page = text(dave.get("/o/northwind/development/"))
    assert "Shared with you" in page and "Alice Martin" in page and "Leading with confidence" in page


def test_a_sponsor_sees_waiting_requests_on_the_home_page(login: Any) -> None:
    page = text(login("dave").get("/o/northwind/"))
    assert "Development requests shared with you await a next step" in page
    assert "await a next step" not in text(login("frank").get("/o/northwind/"))


# --- Tuning ------------------------------------------------------------------------------------------------------
def _config_post(**changes: float) -> dict[str, Any]:
    from trellis.choosing.recommender import ANSWERS, DEFAULT_COSTS

    data: dict[str, Any] = {f"w_{a}": 1 for a in ANSWERS} | {f"c_{m}": c for m, c in DEFAULT_COSTS.items()}
    data.update({k: v for k, v in changes.items()})
    return data


def test_what_if_preview_changes_nothing_and_saving_is_audited(login: Any, northwind: Any) -> None:
    erin = login("erin")
    page = text(erin.get("/o/northwind/development/settings/"))
    assert page.count("<tr") == len(SAMPLES) + 1 and "(changed)" not in page
    preview = text(
        erin.post(
            "/o/northwind/development/settings/", _config_post(w_content_is_standard=0, w_people_with_need=0, preview=1)
        )
    )
    assert "(changed)" in preview and "differs from the advisor" in preview
    assert not ChooserConfig.objects.filter(organization=northwind).exists()
    response = erin.post("/o/northwind/development/settings/", _config_post(c_coaching=9000, save=1))
    assert response.status_code == 302
    config = ChooserConfig.objects.get(organization=northwind)
    assert config.costs["coaching"] == 9000 and config.settings().cost("coaching") == 9000
    assert AuditEvent.objects.filter(verb="chooser_config.updated", organization=northwind).count() == 1


def test_bad_settings_are_refused(login: Any, northwind: Any) -> None:
    response = login("erin").post("/o/northwind/development/settings/", _config_post(w_wants_advice=7, save=1))
    assert response.status_code == 400
    assert not ChooserConfig.objects.filter(organization=northwind).exists()


def test_only_org_admins_tune(login: Any) -> None:
    for persona in ("alice", "dave", "heidi"):
        assert login(persona).get("/o/northwind/development/settings/").status_code == 403
