"""The pair API: each flow, who may do what (403 for the wrong side, 404 for another organization), 422s."""

from __future__ import annotations

from typing import Any

from trellis.core.models import OutboxMessage
from trellis.mentoring.models import Goal, Pair

from .conftest import BASE

JSON = "application/json"


def _pair_url(pair: Pair) -> str:
    return f"{BASE}/pairs/{pair.public_id}"


def test_list_and_get_pairs(pair: Pair, api: Any) -> None:
    alice = api("alice")
    items = alice.get(f"{BASE}/pairs").json()["items"]
    mine = next(p for p in items if p["id"] == str(pair.public_id))
    assert mine["mentor"]["name"] == "Bob Chen" and mine["status"] == "active" and mine["chemistry_ends_on"]
    assert alice.get(_pair_url(pair)).json()["program"] == "Northwind Mentoring 2026"
    assert api("heidi").get(_pair_url(pair)).status_code == 200  # logistics: T2
    assert api("carol").get(_pair_url(pair)).status_code == 403
    assert api("mallory").get(_pair_url(pair).replace("northwind", "globex")).status_code == 404
    assert api("mallory").get(f"{BASE}/pairs").status_code == 404  # not a Northwind member


def test_goals(pair: Pair, api: Any) -> None:
    alice, bob = api("alice"), api("bob")
    r = alice.post(f"{_pair_url(pair)}/goals", {"text": "API-GOAL", "tags": ["Pricing"]}, content_type=JSON)
    assert r.status_code == 201 and r.json()["tags"] == ["pricing"]
    gid = r.json()["id"]
    r = alice.patch(f"{BASE}/goals/{gid}", {"progress": 30}, content_type=JSON)
    assert r.status_code == 200 and r.json()["progress"] == 30 and r.json()["text"] == "API-GOAL"
    assert alice.patch(f"{BASE}/goals/{gid}", {"progress": 101}, content_type=JSON).status_code == 422
    assert alice.post(f"{_pair_url(pair)}/goals", {"text": "  "}, content_type=JSON).status_code == 422
    assert any(g["text"] == "API-GOAL" for g in bob.get(f"{_pair_url(pair)}/goals").json()["items"])
    assert bob.patch(f"{BASE}/goals/{gid}", {"progress": 90}, content_type=JSON).status_code == 403
    assert bob.post(f"{_pair_url(pair)}/goals", {"text": "bob"}, content_type=JSON).status_code == 403
    assert api("heidi").get(f"{_pair_url(pair)}/goals").status_code == 403
    assert Goal.objects.get(public_id=gid).progress == 30


def test_meetings(pair: Pair, api: Any) -> None:
    alice, bob = api("alice"), api("bob")
    body = {"starts_at": "2030-05-02T14:00:00+02:00", "minutes": 30, "location": "Café", "agenda": "API-AGENDA"}
    r = bob.post(f"{_pair_url(pair)}/meetings", body, content_type=JSON)
    assert r.status_code == 201, r.content
    m = r.json()
    assert m["starts_at"].startswith("2030-05-02T12:00") and m["sequence"] == 0 and m["agenda"] == "API-AGENDA"
    sent = OutboxMessage.objects.filter(idempotency_key__startswith=f"mentoring-ics:{m['id']}")
    assert sent.count() == 2 and all("API-AGENDA" not in x.ics + x.body for x in sent)
    r = alice.patch(f"{BASE}/meetings/{m['id']}", {"minutes": 90}, content_type=JSON)
    assert r.status_code == 200 and r.json()["sequence"] == 1 and r.json()["minutes"] == 90
    r = alice.put(f"{BASE}/meetings/{m['id']}/record", {"log": "API-LOG"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["status"] == "held"
    assert alice.patch(f"{BASE}/meetings/{m['id']}", {"cancel": True}, content_type=JSON).status_code == 422
    naive = {"starts_at": "2030-05-02T14:00:00", "minutes": 30}
    assert bob.post(f"{_pair_url(pair)}/meetings", naive, content_type=JSON).status_code == 422
    items = bob.get(f"{_pair_url(pair)}/meetings").json()["items"]
    assert any(i["log"] == "API-LOG" for i in items)
    assert api("heidi").get(f"{_pair_url(pair)}/meetings").status_code == 403
    assert api("heidi").post(f"{_pair_url(pair)}/meetings", body, content_type=JSON).status_code == 403


def test_suggestions(pair: Pair, api: Any) -> None:
    alice, bob = api("alice"), api("bob")
    assert alice.post(f"{_pair_url(pair)}/suggestions", {"text": "x"}, content_type=JSON).status_code == 403
    r = bob.post(f"{_pair_url(pair)}/suggestions", {"text": "API-SUGG"}, content_type=JSON)
    assert r.status_code == 201 and r.json()["status"] == "proposed"
    sid = r.json()["id"]
    assert alice.patch(f"{BASE}/suggestions/{sid}", {"status": "done"}, content_type=JSON).status_code == 422
    assert bob.patch(f"{BASE}/suggestions/{sid}", {"status": "accepted"}, content_type=JSON).status_code == 403
    r = alice.patch(f"{BASE}/suggestions/{sid}", {"status": "declined", "reason": "API-REASON"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["decline_reason"] == "API-REASON"
    seen = {s["id"]: s for s in bob.get(f"{_pair_url(pair)}/suggestions").json()["items"]}
    assert seen[sid]["status"] == "declined" and seen[sid]["decline_reason"] == "API-REASON"
    r = alice.patch(f"{BASE}/suggestions/{sid}", {"status": "accepted"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["decline_reason"] is None
    assert alice.patch(f"{BASE}/suggestions/{sid}", {"status": "done"}, content_type=JSON).json()["status"] == "done"


def test_introductions(pair: Pair, api: Any, member: Any) -> None:
    alice, bob = api("alice"), api("bob")
    grace = member("grace")
    body = {"kind": "member", "to_member": str(grace.public_id), "why": "API-WHY"}
    assert alice.post(f"{_pair_url(pair)}/introductions", body, content_type=JSON).status_code == 403
    r = bob.post(f"{_pair_url(pair)}/introductions", body, content_type=JSON)
    assert r.status_code == 201 and r.json()["contact"] is None
    iid = r.json()["id"]
    mine = {i["id"]: i for i in alice.get(f"{_pair_url(pair)}/introductions").json()["items"]}
    assert mine[iid]["contact"] is None
    respond = f"{BASE}/introductions/{iid}/respond"
    assert alice.post(respond, {"accept": True}, content_type=JSON).status_code == 403
    r = api("grace").post(respond, {"accept": True}, content_type=JSON)
    assert r.status_code == 200 and r.json()["contact"] == "alice@northwind.example"
    mine = {i["id"]: i for i in alice.get(f"{_pair_url(pair)}/introductions").json()["items"]}
    assert mine[iid]["contact"] == "grace@northwind.example"
    assert api("grace").post(respond, {"accept": False}, content_type=JSON).status_code == 422
    bad = {"kind": "member", "to_member": str(member("mallory").public_id)}
    assert bob.post(f"{_pair_url(pair)}/introductions", bad, content_type=JSON).status_code == 422
    bad = {"kind": "email", "to_email": "not-an-address"}
    assert bob.post(f"{_pair_url(pair)}/introductions", bad, content_type=JSON).status_code == 422
    event = bob.post(f"{_pair_url(pair)}/introductions", {"kind": "event", "event": "Summit"}, content_type=JSON)
    decide = f"{BASE}/introductions/{event.json()['id']}/decide"
    assert bob.post(decide, {"accept": True}, content_type=JSON).status_code == 403
    assert alice.post(decide, {"accept": False}, content_type=JSON).json()["status"] == "declined"


def test_notes_share_and_revoke(pair: Pair, api: Any, member: Any) -> None:
    alice, bob = api("alice"), api("bob")
    r = alice.post(f"{_pair_url(pair)}/notes", {"text": "API-NOTE"}, content_type=JSON)
    assert r.status_code == 201 and r.json()["mine"] and r.json()["shared_with"] == []
    nid = r.json()["id"]
    texts = {n["text"] for n in bob.get(f"{BASE}/notes").json()["items"]}
    assert "API-NOTE" not in texts
    assert "Alice is ready for a bigger account; suggest it at the mid-point review." in texts  # bob's own
    share = {"member": str(member("bob").public_id)}
    r = alice.post(f"{BASE}/notes/{nid}/share", share, content_type=JSON)
    assert r.status_code == 200 and r.json()["shared_with"][0]["name"] == "Bob Chen"
    shared = {n["id"]: n for n in bob.get(f"{BASE}/notes").json()["items"]}
    assert shared[nid]["text"] == "API-NOTE" and not shared[nid]["mine"] and shared[nid]["shared_with"] == []
    assert bob.patch(f"{BASE}/notes/{nid}", {"text": "bob"}, content_type=JSON).status_code == 403
    assert bob.post(f"{BASE}/notes/{nid}/unshare", share, content_type=JSON).status_code == 403
    assert alice.post(f"{BASE}/notes/{nid}/unshare", share, content_type=JSON).status_code == 200
    assert nid not in {n["id"] for n in bob.get(f"{BASE}/notes").json()["items"]}
    assert alice.patch(f"{BASE}/notes/{nid}", {"text": "API-NOTE-2"}, content_type=JSON).json()["text"] == "API-NOTE-2"
    assert api("heidi").post(f"{_pair_url(pair)}/notes", {"text": "x"}, content_type=JSON).status_code == 403
    foreign = {"member": str(member("mallory").public_id)}
    assert alice.post(f"{BASE}/notes/{nid}/share", foreign, content_type=JSON).status_code == 422


def test_end_and_reflections(pair: Pair, api: Any) -> None:
    alice, bob = api("alice"), api("bob")
    assert alice.post(f"{_pair_url(pair)}/reflections", {"text": "x"}, content_type=JSON).status_code == 422
    assert api("heidi").post(f"{_pair_url(pair)}/end", {}, content_type=JSON).status_code == 403
    r = alice.post(f"{_pair_url(pair)}/end", {}, content_type=JSON)
    assert r.status_code == 200 and r.json()["status"] == "ended"
    assert alice.post(f"{_pair_url(pair)}/end", {}, content_type=JSON).status_code == 422
    assert alice.post(f"{_pair_url(pair)}/reflections", {"text": "API-R-A"}, content_type=JSON).status_code == 201
    assert bob.post(f"{_pair_url(pair)}/reflections", {"text": "API-R-B"}, content_type=JSON).status_code == 201
    texts = {r["text"] for r in alice.get(f"{_pair_url(pair)}/reflections").json()["items"]}
    assert texts == {"API-R-A", "API-R-B"}
    assert api("heidi").get(f"{_pair_url(pair)}/reflections").status_code == 403
