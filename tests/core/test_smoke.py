def test_alice_sees_northwind_home(login):
    response = login("alice").get("/", follow=True)
    assert response.status_code == 200
    assert b"Welcome, Alice" in response.content


def test_other_org_member_is_404(login, member):
    mallory = member("mallory")
    response = login("alice").get(f"/o/globex/people/{mallory.public_id}/")
    assert response.status_code == 404
    response = login("alice").get(f"/o/northwind/people/{mallory.public_id}/")
    assert response.status_code == 404
