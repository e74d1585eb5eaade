"""The audit log's hash chain, as pure functions (no Django): each line commits to the one before it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Line:
    seq: int
    at: str  # ISO-8601 UTC
    organization: str
    actor: str
    verb: str
    object_type: str
    object_id: str
    prev_hash: str
    hash: str


def digest(
    prev_hash: str, *, at: str, organization: str, actor: str, verb: str, object_type: str, object_id: str
) -> str:
    """SHA-256 over the previous hash and this line's fields, unit-separated so fields cannot run together."""
    payload = "\x1f".join((prev_hash, at, organization, actor, verb, object_type, object_id))
    return hashlib.sha256(payload.encode()).hexdigest()


def first_break(lines: Iterable[Line]) -> tuple[int, str] | None:
    """The first line whose link or digest does not hold, with the reason; None if the chain is intact."""
    expected_prev = GENESIS
    for line in lines:
        if line.prev_hash != expected_prev:
            return line.seq, "its prev_hash does not match the line before it (a line was removed or reordered)"
        recomputed = digest(
            line.prev_hash,
            at=line.at,
            organization=line.organization,
            actor=line.actor,
            verb=line.verb,
            object_type=line.object_type,
            object_id=line.object_id,
        )
        if recomputed != line.hash:
            return line.seq, "its content does not match its hash (the line was edited)"
        expected_prev = line.hash
    return None
