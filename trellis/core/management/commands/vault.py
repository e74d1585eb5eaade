"""``trellis vault new-key``, ``trellis vault status`` and ``trellis vault rotate`` (DESIGN §5)."""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import Count
from django.db.models.functions import Substr

from trellis.core import vault


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class Command(BaseCommand):
    help = (
        "Vault tools. `status` counts sealed values per key id. `rotate` re-wraps every data key under the "
        "active key (the first in TRELLIS_VAULT_KEYS): online, in batches of one transaction each, resumable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{new-key,status,rotate}")
        new_key = actions.add_parser("new-key", help="print a fresh key, or write a key file (mode 0600)")
        new_key.add_argument("--file", type=Path, help="create this key file; an existing one is never overwritten")
        new_key.add_argument(
            "--keep",
            action="append",
            default=[],
            metavar="KEY",
            help="an older key to keep after the new one (its values still open; rotate moves them)",
        )
        actions.add_parser("status", help="count sealed values per key id")
        rotate = actions.add_parser("rotate", help="re-wrap data keys under the active key")
        rotate.add_argument("--batch-size", type=_positive, default=500, help="rows per transaction")
        rotate.add_argument(
            "--limit", type=_positive, default=None, help="stop after this many rows; run again to continue"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "new-key":
            self.new_key(options["file"], options["keep"])
            return
        try:
            ring = vault.keyring()
        except ImproperlyConfigured as e:
            raise CommandError(str(e)) from None
        if options["action"] == "status":
            self.status(ring)
        else:
            self.rotate(ring, batch_size=options["batch_size"], limit=options["limit"])

    def new_key(self, path: Path | None, keep: list[str]) -> None:
        text = "\n".join([vault.new_key(), *keep]) + "\n"
        if path is None:
            self.stdout.write(text, ending="")
            return
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} exists; a key file is never overwritten (its keys open your data).") from None
        except OSError as e:
            raise CommandError(f"cannot create {path}: {e.strerror}") from None
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.stdout.write(f"wrote a new vault key to {path} (keep it safe: without it sealed text is lost)")

    def status(self, ring: vault.Keyring) -> None:
        self.stdout.write(f"active key: {ring.active_id}; older keys: {', '.join(ring.ids[1:]) or 'none'}")
        totals: Counter[str] = Counter()
        for model, field in vault.sealed_fields():
            sealed = model._base_manager.filter(**{f"{field.name}__sealed": True})
            rows = (
                sealed.annotate(key=Substr(field.attname, len(vault.VERSION) + 2, 8))
                .values("key")
                .annotate(n=Count("pk"))
                .order_by("key")
            )
            counts = {row["key"]: row["n"] for row in rows}
            totals.update(counts)
            empty = model._base_manager.exclude(**{f"{field.name}__sealed": True}).count()
            per_key = ", ".join(f"{kid} {n}" for kid, n in counts.items()) or "no sealed values"
            self.stdout.write(f"{field.label}: {per_key}; empty {empty}")
        unknown = sorted(kid for kid in totals if kid not in ring.ids)
        stale = sum(n for kid, n in totals.items() if kid != ring.active_id)
        self.stdout.write(
            f"total: {totals.total()} sealed, {stale} not under the active key"
            + ("; run `trellis vault rotate`" if stale else "")
        )
        if unknown:
            raise CommandError(
                "sealed values under keys that are not configured: "
                + ", ".join(f"{kid} ({totals[kid]})" for kid in unknown)
            )

    def rotate(self, ring: vault.Keyring, *, batch_size: int, limit: int | None) -> None:
        seen = rewrapped = 0
        failures: Counter[str] = Counter()
        first_failure = ""
        for model, field in vault.sealed_fields():
            if limit is not None and seen >= limit:
                break
            pending = _pending(model, field, ring)
            total, done, last_pk = pending.count(), 0, None
            while total and (limit is None or seen < limit):
                size = batch_size if limit is None else min(batch_size, limit - seen)
                with transaction.atomic():
                    page = pending if last_pk is None else pending.filter(pk__gt=last_pk)
                    rows = list(
                        page.order_by("pk").select_for_update().values_list("pk", "public_id", field.attname)[:size]
                    )
                    if not rows:
                        break
                    for pk, public_id, blob in rows:
                        try:
                            new = vault.rewrap(blob, ring=ring)
                        except vault.VaultError as e:
                            failures[e.key_id or "?"] += 1
                            first_failure = first_failure or f"{field.label} {public_id}: {e}"
                            continue
                        model._base_manager.filter(pk=pk).update(**{field.attname: new})
                        done += 1
                    last_pk = rows[-1][0]
                seen += len(rows)
                self.stdout.write(f"{field.label}: {done} of {total} re-wrapped under {ring.active_id}")
            rewrapped += done
            if not total:
                self.stdout.write(f"{field.label}: nothing to re-wrap")
        if failures:
            raise CommandError(
                f"{failures.total()} sealed values could not be unwrapped by any configured key ("
                + ", ".join(f"key {kid}: {n}" for kid, n in sorted(failures.items()))
                + f"); first: {first_failure}"
            )
        remaining = sum(_pending(model, field, ring).count() for model, field in vault.sealed_fields())
        if remaining:
            self.stdout.write(f"rotation paused: {rewrapped} re-wrapped, {remaining} to go; run again to continue.")
        else:
            self.stdout.write(f"rotation complete: {rewrapped} re-wrapped; all sealed values use key {ring.active_id}.")


def _pending(model: type[models.Model], field: vault.SealedTextField, ring: vault.Keyring) -> models.QuerySet[Any]:
    """Sealed values of one field not yet under the active key."""
    sealed = model._base_manager.filter(**{f"{field.name}__sealed": True})
    return sealed.exclude(**{f"{field.name}__vault_key": ring.active_id})
