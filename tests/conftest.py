"""Shared fixtures. The demo data (Northwind's personas and ~200 colleagues, Globex) is loaded once per test
database; each test runs in a transaction that is rolled back, so tests may change anything."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.test import Client

from trellis.core import demo
from trellis.core.models import Membership, Organization, User

PERSONAS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        demo.load_all()


@pytest.fixture
def northwind(db) -> Organization:  # type: ignore[no-untyped-def]
    return Organization.objects.get(slug="northwind")


@pytest.fixture
def globex(db) -> Organization:  # type: ignore[no-untyped-def]
    return Organization.objects.get(slug="globex")


@pytest.fixture
def member(db) -> Callable[[str], Membership]:  # type: ignore[no-untyped-def]
    """member("alice") → alice's Northwind membership; member("mallory") → mallory's at Globex."""

    def get(name: str, org: str | None = None) -> Membership:
        email = f"{name}@globex.example" if name == "mallory" else f"{name}@northwind.example"
        slug = org or ("globex" if name == "mallory" else "northwind")
        return Membership.objects.select_related("user", "organization").get(user__email=email, organization__slug=slug)

    return get


@pytest.fixture
def user(db) -> Callable[[str], User]:  # type: ignore[no-untyped-def]
    def get(name: str) -> User:
        domain = "globex" if name == "mallory" else "northwind"
        return User.objects.get(email=f"{name}@{domain}.example")

    return get


@pytest.fixture
def login(db, user) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    """login("alice") → a test client signed in as alice."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(user(name), backend="trellis.core.backends.MemberBackend")
        session = client.session
        session["_refreshed"] = int(time.time())  # as after a real request: no session write on the next one
        session.save()
        return client

    return make
