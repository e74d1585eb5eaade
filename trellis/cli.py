"""The ``trellis`` command: Django's manage.py with the project's own commands (demo, tick, worker, audit…)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(["trellis", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
