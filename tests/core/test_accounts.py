"""Accounts: e-mail sign-in, throttling, sign-out, password reset by outbox mail, idle sessions, hashing."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from trellis.core.demo import DEMO_PASSWORD
from trellis.core.models import OutboxMessage, User

LOGIN = "/login/"


def sign_in(client: Client, email: str, password: str = DEMO_PASSWORD, **extra):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": email, "password": password}, **extra)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- Sign-in ------------------------------------------------------------------------------------------------
def test_login_page_renders_the_email_form(db):
    response = Client().get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email"' in html and 'name="username"' in html and 'name="password"' in html
    assert "Forgot your password?" in html


@pytest.mark.parametrize("email", ["alice@northwind.example", "Alice@Northwind.Example", "ALICE@NORTHWIND.EXAMPLE"])
def test_login_with_email_is_case_insensitive(user, email):
    client = Client()
    response = sign_in(client, email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(user("alice").pk)
    # … and the home page then sends alice to her only organization.
    home = client.get("/", follow=True)
    assert b"Welcome, Alice" in home.content


def test_login_follows_a_safe_next_and_ignores_a_foreign_one(db):
    client = Client()
    response = client.post(
        LOGIN,
        {"username": "erin@northwind.example", "password": DEMO_PASSWORD, "next": "/o/northwind/audit/"},
    )
    assert response["Location"] == "/o/northwind/audit/"
    client = Client()
    response = client.post(
        LOGIN,
        {"username": "erin@northwind.example", "password": DEMO_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_wrong_password_shows_a_form_error_and_signs_nobody_in(db):
    client = Client()
    response = sign_in(client, "alice@northwind.example", "not-the-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Please enter a correct" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert signed_in_user_id(client) is None


def test_unknown_email_shows_the_same_error(db):
    client = Client()
    response = sign_in(client, "nobody@northwind.example")
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_inactive_user_cannot_sign_in(user):
    alice = user("alice")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    client = Client()
    response = sign_in(client, "alice@northwind.example")
    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_invited_user_without_password_cannot_sign_in(user):
    alice = user("alice")
    alice.set_unusable_password()
    alice.save(update_fields=["password"])
    client = Client()
    sign_in(client, "alice@northwind.example", "")
    sign_in(client, "alice@northwind.example", "!")
    assert signed_in_user_id(client) is None


def test_signed_in_user_visiting_login_is_sent_home(login):
    response = login("alice").get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_pages_need_sign_in(db):
    response = Client().get("/o/northwind/people/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/o/northwind/people/"


# --- Throttling (django-axes) -------------------------------------------------------------------------------
def test_login_is_throttled_after_the_failure_limit(user):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for _ in range(limit - 1):
        response = sign_in(client, "bob@northwind.example", "wrong-password")
        assert response.status_code == 200
    response = sign_in(client, "bob@northwind.example", "wrong-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-ins" in html
    assert f"Try again in {int(settings.AXES_COOLOFF_TIME * 60)} minutes" in html
    # Now even the right password is refused, and nobody is signed in.
    response = sign_in(client, "bob@northwind.example")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_throttling_is_per_account_and_address(db):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "bob@northwind.example", "wrong-password")
    assert sign_in(Client(), "bob@northwind.example").status_code == 429
    # Another account from the same address is not locked …
    other = Client()
    assert sign_in(other, "alice@northwind.example").status_code == 302
    # … nor the same account from another address.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert sign_in(elsewhere, "bob@northwind.example").status_code == 302


def test_a_successful_login_resets_the_failure_count(db):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        sign_in(Client(), "bob@northwind.example", "wrong-password")
    assert sign_in(Client(), "bob@northwind.example").status_code == 302
    for _ in range(limit - 1):
        assert sign_in(Client(), "bob@northwind.example", "wrong-password").status_code == 200
    assert sign_in(Client(), "bob@northwind.example").status_code == 302


def test_changing_the_case_of_the_email_does_not_escape_the_lockout(db):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), "bob@northwind.example", "wrong-password")
    for spelling in ("BOB@northwind.example", "Bob@Northwind.Example"):
        client = Client()
        response = sign_in(client, spelling)
        assert response.status_code == 429
        assert signed_in_user_id(client) is None


# --- Sign-out -----------------------------------------------------------------------------------------------
def test_logout_is_post_only(login):
    client = login("alice")
    assert client.get("/logout/").status_code == 405
    assert signed_in_user_id(client) is not None
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert signed_in_user_id(client) is None
    assert client.get("/mail/").status_code == 302  # signed out: back to the sign-in page


def test_logout_needs_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("alice"))
    assert client.post("/logout/").status_code == 403
    assert signed_in_user_id(client) is not None


# --- Password reset -----------------------------------------------------------------------------------------
def _reset_link(message: OutboxMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_end_to_end(user, django_capture_on_commit_callbacks, mailoutbox):
    alice = user("alice")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password-reset/", {"email": "Alice@Northwind.example"})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert "Check your mail" in client.get(response["Location"]).content.decode()

    message = OutboxMessage.objects.get(recipient=alice)
    assert message.subject == "Reset your Trellis password"
    assert message.to_email == "alice@northwind.example"
    assert message.sent_at is not None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@northwind.example"]

    path = _reset_link(message)
    uidb64 = path.split("/")[2]
    assert force_str(urlsafe_base64_decode(uidb64)) == str(alice.public_id)  # the public UUID, never the pk
    assert f"/{alice.pk}/" not in path

    response = client.get(path)
    assert response.status_code == 302  # the token moves into the session; the URL no longer carries it
    set_password_url = response["Location"]
    assert set_password_url.endswith("/set-password/")
    page = client.get(set_password_url)
    assert page.context["validlink"] is True
    assert "Choose a new password" in page.content.decode()

    new_password = "a-much-better-passphrase-42"
    response = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/done/"
    assert "Password saved" in client.get(response["Location"]).content.decode()

    assert sign_in(Client(), "alice@northwind.example").status_code == 200  # the old one no longer works
    fresh = Client()
    assert sign_in(fresh, "alice@northwind.example", new_password).status_code == 302
    assert signed_in_user_id(fresh) == str(alice.pk)

    # The link works once.
    again = Client().get(path, follow=True)
    assert again.context["validlink"] is False
    assert "This link no longer works" in again.content.decode()


def test_password_reset_rejects_weak_or_mismatched_passwords(user):
    alice = user("alice")
    client = Client()
    client.post("/password-reset/", {"email": "alice@northwind.example"})
    set_password_url = client.get(_reset_link(OutboxMessage.objects.get(recipient=alice)))["Location"]
    for first, second in (("short", "short"), ("a-long-passphrase-1", "a-long-passphrase-2")):
        response = client.post(set_password_url, {"new_password1": first, "new_password2": second})
        assert response.status_code == 200
        assert response.context["form"].errors
    alice.refresh_from_db()
    assert alice.check_password(DEMO_PASSWORD)


def test_password_reset_for_unknown_email_looks_the_same_and_sends_nothing(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    before = OutboxMessage.objects.count()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/password-reset/", {"email": "nobody@northwind.example"}, follow=True)
    assert response.redirect_chain == [("/password-reset/sent/", 302)]
    assert "Check your mail" in response.content.decode()
    assert OutboxMessage.objects.count() == before
    assert mailoutbox == []


def test_an_invited_person_without_a_password_can_ask_for_a_new_link(user):
    alice = user("alice")
    alice.set_unusable_password()
    alice.save(update_fields=["password"])
    client = Client()
    client.post("/password-reset/", {"email": "alice@northwind.example"})
    set_password_url = client.get(_reset_link(OutboxMessage.objects.get(recipient=alice)))["Location"]
    new_password = "my-first-real-passphrase"
    client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})
    assert sign_in(Client(), "alice@northwind.example", new_password).status_code == 302


def test_a_deactivated_account_gets_no_reset_mail(user):
    alice = user("alice")
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    Client().post("/password-reset/", {"email": "alice@northwind.example"})
    assert not OutboxMessage.objects.filter(recipient=alice).exists()


def test_password_reset_link_with_a_pk_or_garbage_uid_is_invalid(user):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    alice = user("alice")
    token = default_token_generator.make_token(alice)
    for uid in (urlsafe_base64_encode(force_bytes(alice.pk)), "garbage", urlsafe_base64_encode(b"\xff\xfe")):
        response = Client().get(f"/password-reset/{uid}/{token}/")
        assert response.status_code == 200
        assert response.context["validlink"] is False


# --- Sessions -----------------------------------------------------------------------------------------------
def test_idle_timeout_settings():
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60
    assert 0 < settings.SESSION_REFRESH_SECONDS < settings.SESSION_COOKIE_AGE // 10
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert "trellis.core.middleware.refresh_session" in settings.MIDDLEWARE


def _set_session(client: Client, *, refreshed: float, expires_in: timedelta) -> str:
    session = client.session
    session["_refreshed"] = int(refreshed)
    session.save()
    key = session.session_key
    assert key is not None
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + expires_in)
    return key


def test_activity_pushes_the_idle_expiry_forward(login):
    client = login("alice")
    stale = time.time() - settings.SESSION_REFRESH_SECONDS - 1
    key = _set_session(client, refreshed=stale, expires_in=timedelta(seconds=30))
    assert client.get("/mail/").status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 120)
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_the_expiry_is_not_rewritten_on_every_request(login):
    client = login("alice")
    key = _set_session(client, refreshed=time.time(), expires_in=timedelta(seconds=300))
    before = Session.objects.get(session_key=key).expire_date
    assert client.get("/mail/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date == before


def test_anonymous_visits_create_no_sessions(db):
    count = Session.objects.count()
    Client().get(LOGIN)
    Client().get("/password-reset/")
    assert Session.objects.count() == count


def test_a_session_idle_past_its_expiry_is_signed_out(login):
    client = login("alice")
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/mail/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/mail/"


def test_resetting_the_password_signs_out_other_sessions(user, login):
    alice = user("alice")
    elsewhere = login("alice")
    assert elsewhere.get("/mail/").status_code == 200
    client = Client()
    client.post("/password-reset/", {"email": "alice@northwind.example"})
    set_password_url = client.get(_reset_link(OutboxMessage.objects.get(recipient=alice)))["Location"]
    client.post(set_password_url, {"new_password1": "a-fresh-passphrase-7", "new_password2": "a-fresh-passphrase-7"})
    response = elsewhere.get("/mail/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_deactivated_account_is_signed_out_at_once(user, login):
    client = login("alice")
    assert client.get("/o/northwind/").status_code == 200
    User.objects.filter(pk=user("alice").pk).update(is_active=False)
    response = client.get("/o/northwind/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- Password hashing ---------------------------------------------------------------------------------------
def test_argon2_is_the_first_real_hasher():
    real = [h for h in settings.PASSWORD_HASHERS if not h.endswith("MD5PasswordHasher")]
    assert real[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_new_password_is_stored_with_argon2(user, settings):
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if not h.endswith("MD5PasswordHasher")]
    alice = user("alice")
    alice.set_password("another-long-passphrase")
    assert alice.password.startswith("argon2$")
    assert alice.check_password("another-long-passphrase")


def test_password_reset_mails_are_throttled_per_account(client, user):
    from trellis.core.mail import PASSWORD_RESETS_PER_HOUR
    from trellis.core.models import OutboxMessage

    alice = user("alice")
    for _ in range(PASSWORD_RESETS_PER_HOUR + 2):
        response = client.post("/password-reset/", {"email": "alice@northwind.example"})
        assert response.status_code == 302  # the same answer every time: nothing to learn from it
    sent = OutboxMessage.objects.filter(recipient=alice, subject="Reset your Trellis password").count()
    assert sent == PASSWORD_RESETS_PER_HOUR
