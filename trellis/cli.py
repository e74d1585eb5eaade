"""The ``trellis`` command: Django's manage.py with the project's own commands (demo, tick, worker, audit…)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `trellis import-people` runs the import_people command
    execute_from_command_line(["trellis", *args])


if __name__ == "__main__":
    main()
