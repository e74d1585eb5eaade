from typing import Any

from django.core.management.base import BaseCommand

from trellis.core import ticks


class Command(BaseCommand):
    help = "Enqueue due work (reminders, digests, retries, purges). Run every few minutes; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in ticks.run().items():
            self.stdout.write(f"{name}: {count}")
