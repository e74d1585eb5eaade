from typing import Any

from django.core.management.base import BaseCommand

from trellis.core.access import table_markdown


class Command(BaseCommand):
    help = "Print the access table as Markdown (the source of docs/access.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(table_markdown(), ending="")
