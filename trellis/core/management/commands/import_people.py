"""``trellis import-people <org-slug> people.csv [--dry-run] [--deactivate-missing]``.

``trellis`` maps the dash to the underscore of this module's name (see trellis/cli.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trellis.core.importing import COLUMNS, ImportResult, do_import_people
from trellis.core.models import Organization


class Command(BaseCommand):
    help = (
        "Create, update and (optionally) deactivate an organization's members from an HR CSV export. "
        f"Columns: {','.join(COLUMNS)} (languages and roles separated by ';'). All or nothing: any bad row "
        "is reported with its line number and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_slug", help="the organization's slug, e.g. northwind")
        parser.add_argument("file", help="the CSV file (UTF-8), or - for standard input")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="deactivate active members who are not in the file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org_slug"]).first()
        if organization is None:
            raise CommandError(f"no organization with the slug {options['org_slug']!r}")
        try:
            path = options["file"]
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror or exc}") from exc
        result = do_import_people(
            organization=organization,
            file=data,
            actor=None,
            dry_run=options["dry_run"],
            deactivate_missing=options["deactivate_missing"],
        )
        self._report(result, verbose=options["verbosity"] > 1)

    def _report(self, result: ImportResult, *, verbose: bool) -> None:
        plan = result.plan
        for error in plan.errors:
            self.stderr.write(str(error))
        if plan.errors:
            n = len(plan.errors)
            raise CommandError(f"{n} error{'s' if n != 1 else ''}; nothing was imported.")
        if verbose:
            for create in plan.creates:
                self.stdout.write(f"line {create.line}: create {create.email}")
            for update in plan.updates:
                fields = ", ".join(f"{name}: {old!r} → {new!r}" for name, (old, new) in update.changes.items())
                self.stdout.write(f"line {update.line}: update {update.email} ({fields})")
            for deactivation in plan.deactivations:
                self.stdout.write(f"deactivate {deactivation.email}")
        for note in plan.notes:
            self.stdout.write(note)
        prefix = "dry run, nothing was written — would have: " if result.dry_run else ""
        self.stdout.write(prefix + result.summary())
