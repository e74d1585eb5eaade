from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.core import audit
from trellis.core.models import AuditEvent


class Command(BaseCommand):
    help = "Audit log tools. `trellis audit verify` checks the hash chain and exits non-zero if it is broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        broken = audit.verify()
        if broken is not None:
            seq, reason = broken
            raise CommandError(f"audit log broken at line {seq}: {reason}")
        self.stdout.write(f"audit log intact: {AuditEvent.objects.count()} lines verified.")
