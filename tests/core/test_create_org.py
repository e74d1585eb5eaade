"""``trellis create-org``: the platform operator's way to add a tenant and its first org admin."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from trellis.core.models import AuditEvent, Membership, Organization, OutboxMessage, Role, User

pytestmark = pytest.mark.django_db


def test_creates_the_organization_and_invites_its_admin(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("create_org", "initech", "Initech", "--admin-email", "Bill@Initech.example", "--admin-name", "Bill L")
    org = Organization.objects.get(slug="initech")
    admin = Membership.objects.get(organization=org)
    assert admin.user.email == "bill@initech.example" and not admin.user.has_usable_password()
    assert admin.has_role(Role.ORG_ADMIN)
    invitation = OutboxMessage.objects.get(recipient=admin.user)
    assert "You have been added to Initech" in invitation.body
    assert AuditEvent.objects.filter(verb="organization.created", organization=org).exists()
    assert "invited bill@initech.example as org admin" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("slug", "email", "problem"),
    [("northwind", "x@example.com", "slug"), ("bad slug!", "x@example.com", "slug"), ("ok", "not-an-email", "email")],
)
def test_bad_input_creates_nothing(slug: str, email: str, problem: str) -> None:
    orgs, users = Organization.objects.count(), User.objects.count()
    with pytest.raises(CommandError, match=f"nothing was created: .*{problem}"):
        call_command("create_org", slug, "Name", "--admin-email", email, "--admin-name", "X")
    assert (Organization.objects.count(), User.objects.count()) == (orgs, users)
