"""The program side of the mentoring API: programs, mentor profiles, applications and shortlist, matching
runs, publish, the mentor's answer — statuses and the error shape."""

from __future__ import annotations

import pytest

from trellis.mentoring.demo import PROGRAM_NAME
from trellis.mentoring.models import Application, MatchRun, Pair, Program

BASE = "/api/v1/orgs/northwind/mentoring"
J = "application/json"


@pytest.fixture
def program(northwind) -> Program:  # type: ignore[no-untyped-def]
    p = Program.objects.get(organization=northwind, name=PROGRAM_NAME)
    p.status = Program.Status.OPEN
    p.save()
    return p


def test_programs_list_get_create(api, program) -> None:  # type: ignore[no-untyped-def]
    heidi = api("heidi")
    r = heidi.get(f"{BASE}/programs")
    assert r.status_code == 200 and any(p["name"] == PROGRAM_NAME for p in r.json()["items"])
    body = {"name": "API program", "starts_on": "2030-01-01", "ends_on": "2030-06-01", "matching": "admin"}
    r = heidi.post(f"{BASE}/programs", body, content_type=J)
    assert r.status_code == 201 and r.json()["chemistry_weeks"] == 3 and r.json()["status"] == "open"
    pid = r.json()["id"]
    assert heidi.get(f"{BASE}/programs/{pid}").json()["matching"] == "admin"
    r = heidi.post(f"{BASE}/programs", {**body, "ends_on": "2029-01-01"}, content_type=J)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid" and "ends_on" in r.json()["error"]["fields"]
    r = api("alice").post(f"{BASE}/programs", body, content_type=J)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert api("mallory").get(f"/api/v1/orgs/northwind/mentoring/programs/{pid}").status_code == 404


def test_mentor_profile_put_own_and_list(api, program, member) -> None:  # type: ignore[no-untyped-def]
    r = api("bob").put(
        f"{BASE}/programs/{program.public_id}/mentors/me",
        {"expertise": ["Architecture", "pricing"], "capacity": 3, "bio": "x"},
        content_type=J,
    )
    assert r.status_code == 200 and r.json()["capacity"] == 3 and r.json()["expertise"] == ["architecture", "pricing"]
    items = api("alice").get(f"{BASE}/programs/{program.public_id}/mentors").json()["items"]
    bob = next(i for i in items if i["member_id"] == str(member("bob").public_id))
    assert bob["capacity"] == 3 and "zh" in bob["languages"]
    r = api("alice").put(f"{BASE}/programs/{program.public_id}/mentors/me", {"capacity": 1}, content_type=J)
    assert r.status_code == 403


def test_application_requires_a_goal_then_shortlist(api, program, member) -> None:  # type: ignore[no-untyped-def]
    dave = api("dave")
    url = f"{BASE}/programs/{program.public_id}/applications"
    r = dave.post(url, {"goals": []}, content_type=J)
    assert r.status_code == 422 and "goals" in r.json()["error"]["fields"]
    r = dave.post(url, {"goals": [{"text": "Lead", "tags": []}]}, content_type=J)
    assert r.status_code == 422
    r = dave.post(url, {"goals": [{"text": "Lead people", "tags": ["people-management"]}]}, content_type=J)
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    assert dave.get(f"{BASE}/applications/{app_id}").json()["goals"][0]["text"] == "Lead people"
    short = dave.get(f"{BASE}/applications/{app_id}/shortlist").json()["items"]
    assert short and all(0 <= f["percent"] <= 100 for f in short)
    assert any("goal tags match" in reason for reason in short[0]["reasons"])
    assert api("heidi").get(f"{BASE}/applications/{app_id}").status_code == 403
    assert api("heidi").get(f"{BASE}/applications/{app_id}/shortlist").status_code == 403
    # preferences must come from the shortlist
    Application.objects.filter(public_id=app_id).update(status="withdrawn")
    r = dave.post(
        url, {"goals": [{"text": "x", "tags": ["y"]}], "preferences": [short[0]["mentor_profile_id"]]}, content_type=J
    )
    assert r.status_code == 201 and r.json()["preferences"] == [short[0]["mentor_profile_id"]]


def test_run_publish_respond(api, program, member) -> None:  # type: ignore[no-untyped-def]
    heidi = api("heidi")
    r = heidi.post(f"{BASE}/programs/{program.public_id}/runs", {"objective": "score"}, content_type=J)
    assert r.status_code == 201 and r.json()["status"] == "ready"
    run_id = r.json()["id"]
    run = heidi.get(f"{BASE}/runs/{run_id}").json()
    matched = [p for p in run["proposals"] if p["mentor"]]
    assert run["matched"] == len(matched) > 0
    assert set(matched[0]["parts"]) == {"goal", "timezone", "department", "preference"}
    assert isinstance(matched[0]["goal_count"], int) and "text" not in matched[0]
    assert api("alice").get(f"{BASE}/runs/{run_id}").status_code == 403
    assert api("alice").post(f"{BASE}/runs/{run_id}/publish").status_code == 403
    r = heidi.post(f"{BASE}/runs/{run_id}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert heidi.post(f"{BASE}/runs/{run_id}/publish").status_code == 422
    pair = Pair.objects.filter(program=program, status="proposed").select_related("mentor__member__user").first()
    assert pair is not None
    mentor = pair.mentor.member.user.email.split("@")[0]
    assert (
        api("heidi").post(f"{BASE}/pairs/{pair.public_id}/respond", {"accept": True}, content_type=J).status_code == 403
    )
    r = api(mentor).post(f"{BASE}/pairs/{pair.public_id}/respond", {"accept": False}, content_type=J)
    assert r.status_code == 200 and r.json()["status"] == "declined"
    assert MatchRun.objects.get(public_id=run_id).status == "published"
