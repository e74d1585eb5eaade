"""The chooser's API: the public recommendation (exact schema, strict input, throttled) and development requests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from trellis.choosing.models import DevelopmentRequest
from trellis.core import services

PROFILE = {
    "people_with_need": 1,
    "need_kind": "know_how",
    "content_is_standard": False,
    "wants_advice": 5,
    "goals_are_clear": True,
    "confidentiality": "medium",
    "includes_personal_goals": False,
    "expert_available": True,
    "wants_introductions": True,
    "months_available": 12,
    "budget_per_person": None,
    "distress_signals": False,
}


@pytest.fixture(autouse=True)
def fresh_throttle() -> None:
    cache.clear()


def post(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_recommend_is_public_and_answers_in_the_exact_shape(db: None) -> None:
    response = post(Client(), "/api/v1/recommend", PROFILE)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"top", "ranking", "cautions", "plan"}
    assert data["top"] == "mentoring"
    assert next(r["modality"] for r in data["ranking"]) == "mentoring"
    assert sorted(r["modality"] for r in data["ranking"]) == [
        "coaching",
        "counselling_referral",
        "mentoring",
        "training",
    ]
    for ranked in data["ranking"]:
        assert set(ranked) == {"modality", "score", "fit", "reasons"}
        assert 0 <= ranked["score"] <= 1 and ranked["fit"] in {"strong", "possible", "poor"}
        for reason in ranked["reasons"]:
            assert set(reason) == {"answer", "effect", "text"} and reason["answer"] in PROFILE
    assert all(set(s) == {"step", "detail", "within_weeks"} for s in data["plan"])
    assert post(Client(), "/api/v1/recommend", PROFILE).json() == data  # deterministic
    assert not DevelopmentRequest.objects.filter(title="").exists()


def test_budget_may_be_left_out(db: None) -> None:
    body = {k: v for k, v in PROFILE.items() if k != "budget_per_person"}
    assert post(Client(), "/api/v1/recommend", body).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"favourite_colour": "green"}, "favourite_colour"),
        ({"wants_advice": 6}, "wants_advice"),
        ({"people_with_need": 0}, "people_with_need"),
        ({"need_kind": "hobby"}, "need_kind"),
        ({"confidentiality": "secret"}, "confidentiality"),
        ({"months_available": 0}, "months_available"),
        ({"budget_per_person": -5}, "budget_per_person"),
        ({"distress_signals": "maybe"}, "distress_signals"),
    ],
)
def test_bad_input_is_422_naming_the_field(db: None, change: dict[str, Any], field: str) -> None:
    response = post(Client(), "/api/v1/recommend", {**PROFILE, **change})
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "invalid" and field in body["error"]["fields"]


def test_a_missing_field_is_422(db: None) -> None:
    body = {k: v for k, v in PROFILE.items() if k != "need_kind"}
    assert "need_kind" in post(Client(), "/api/v1/recommend", body).json()["error"]["fields"]


@override_settings(TRELLIS_RECOMMEND_RATE="3/m")
def test_recommend_is_throttled_per_address(db: None) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [post(client, "/api/v1/recommend", PROFILE).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = post(client, "/api/v1/recommend", {"not": "even valid"})  # throttled before the body is read
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "too_many_requests" and int(limited["Retry-After"]) >= 1
    forged = post(client, "/api/v1/recommend", PROFILE, **{"X-Forwarded-For": "198.51.100.1"})
    assert forged.status_code == 429  # a forged header does not reset the limit
    assert post(Client(REMOTE_ADDR="203.0.113.10"), "/api/v1/recommend", PROFILE).status_code == 200


def test_the_schema_declares_429_and_the_exact_enums(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/recommend"]["post"]
    assert {"200", "422", "429"} <= set(operation["responses"])
    profile = schema["components"]["schemas"]["NeedProfileIn"]
    assert profile["additionalProperties"] is False
    assert set(profile["required"]) == set(PROFILE) - {"budget_per_person"}


# --- Development requests --------------------------------------------------------------------------------------
def token(user: Any) -> str:
    return services.do_issue_token(user=user, name="test")[1]


def test_a_member_saves_and_shares_through_the_api(user: Any, member: Any) -> None:
    auth = {"Authorization": f"Bearer {token(user('bob'))}"}
    body = {"title": "Grow my network", "profile": PROFILE, "share_with": [str(member("dave").public_id)]}
    response = post(Client(), "/api/v1/orgs/northwind/development-requests", body, **auth)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Grow my network" and data["recommendation"]["top"] == "mentoring"
    assert data["status"] == "open" and data["shared_with"] == [str(member("dave").public_id)]
    assert data["requester"] == str(member("bob").public_id)
    dave = {"Authorization": f"Bearer {token(user('dave'))}"}
    seen = Client().get(f"/api/v1/orgs/northwind/development-requests/{data['id']}", headers=dave)
    assert seen.status_code == 200 and seen.json()["shared_with"] is None  # only the requester sees the list
    frank = {"Authorization": f"Bearer {token(user('frank'))}"}
    assert Client().get(f"/api/v1/orgs/northwind/development-requests/{data['id']}", headers=frank).status_code == 403


def test_sharing_with_someone_not_eligible_saves_nothing(user: Any, member: Any) -> None:
    auth = {"Authorization": f"Bearer {token(user('bob'))}"}
    body = {"title": "x", "profile": PROFILE, "share_with": [str(member("alice").public_id)]}
    response = post(Client(), "/api/v1/orgs/northwind/development-requests", body, **auth)
    assert response.status_code == 422 and "share_with" in response.json()["error"]["fields"]
    stranger = {"title": "x", "profile": PROFILE, "share_with": [str(member("mallory").public_id)]}
    assert post(Client(), "/api/v1/orgs/northwind/development-requests", stranger, **auth).status_code == 422
    assert not DevelopmentRequest.objects.filter(title="x").exists()


def test_the_list_holds_own_and_shared_only(user: Any, django_assert_max_num_queries: Any) -> None:
    auth = {"Authorization": f"Bearer {token(user('dave'))}"}
    with django_assert_max_num_queries(8):
        response = Client().get("/api/v1/orgs/northwind/development-requests?limit=10", headers=auth)
    items = response.json()["items"]
    assert [i["requester_name"] for i in items] == ["Alice Martin"]
    assert items[0]["recommendation"]["top"] == "coaching"
    frank = {"Authorization": f"Bearer {token(user('frank'))}"}
    assert Client().get("/api/v1/orgs/northwind/development-requests", headers=frank).json()["items"] == []


def test_another_organizations_request_is_not_found(user: Any) -> None:
    mallory = {"Authorization": f"Bearer {token(user('mallory'))}"}
    alices = DevelopmentRequest.objects.get(requester__user__email="alice@northwind.example")
    url = f"/api/v1/orgs/globex/development-requests/{alices.public_id}"
    assert Client().get(url, headers=mallory).status_code == 404
