from typing import Any

from django.core.management.base import BaseCommand

from trellis.core import demo


class Command(BaseCommand):
    help = "Load the demo organizations (Northwind, Globex) and their people. Re-running changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        created = demo.load_all()
        summary = ", ".join(f"{n} {what}" for what, n in created.items())
        self.stdout.write(f"Demo data: created {summary}.")
        self.stdout.write("Sign in as alice@northwind.example (or bob, carol, dave, erin, frank, grace, heidi;")
        self.stdout.write(f"mallory@globex.example for Globex) with the password {demo.DEMO_PASSWORD!r}.")
        self.stdout.write(f"The platform admin ({demo.PLATFORM_ADMIN}, same password) opens /admin/.")
