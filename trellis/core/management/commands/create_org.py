"""``trellis create-org <slug> "<name>" --admin-email <e-mail> --admin-name "<name>"``: a new organization and its
first org admin, invited by e-mail (the platform operator's way in; everything else is done in the app)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.core.services import do_create_organization


class Command(BaseCommand):
    help = "Create an organization and invite its first org admin by e-mail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="short name used in addresses, e.g. northwind")
        parser.add_argument("name", help="the organization's name, e.g. 'Northwind Traders'")
        parser.add_argument("--admin-email", required=True, help="the first org admin's e-mail address")
        parser.add_argument("--admin-name", required=True, help="the first org admin's full name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            admin = do_create_organization(
                name=options["name"],
                slug=options["slug"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                actor=None,
            )
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            lines = [f"{field + ': ' if field else ''}{' '.join(msgs)}" for field, msgs in problems.items()]
            raise CommandError("nothing was created: " + "; ".join(lines)) from None
        org = admin.organization
        self.stdout.write(f"created {org.name} (/o/{org.slug}/); invited {admin.user.email} as org admin")
