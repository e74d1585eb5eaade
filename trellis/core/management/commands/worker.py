from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks-db's db_worker). Run as many as you like."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="process what is queued, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "db_worker", batch=options["batch"], interval=1.0, reload=False, startup_delay=not options["batch"]
        )
