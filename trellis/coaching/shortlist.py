"""Ranking coaches for a leader's coaching request. Pure: no Django; dataclasses in, dataclasses out.

A coach without capacity left is never ranked (the caller passes only offerable coaches: verified, unexpired
credential and the ethics code acknowledged). The score adds, in this order of weight: focus tags that match
the coach's specialties, a language both speak, and time-zone closeness. Every score comes with its reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SPECIALTY_WEIGHT = 3.0
LANGUAGE_WEIGHT = 2.0
ZONE_WEIGHT = 1.0  # same zone: 1; 12 hours or more apart: 0


@dataclass(frozen=True)
class Need:
    focus: tuple[str, ...]
    languages: tuple[str, ...]
    utc_offset_hours: float


@dataclass(frozen=True)
class Candidate:
    key: str
    specialties: tuple[str, ...]
    languages: tuple[str, ...]
    utc_offset_hours: float
    capacity: int
    running: int


@dataclass(frozen=True)
class Ranked:
    key: str
    score: float
    matched: tuple[str, ...]
    shared_languages: tuple[str, ...]
    hours_apart: float
    places_left: int
    reasons: tuple[str, ...]


def _norm(tags: Iterable[str]) -> dict[str, str]:
    return {t.strip().casefold(): t.strip() for t in tags if t and t.strip()}


def _hours(h: float) -> str:
    return f"{h:g} hour{'' if h == 1 else 's'}"


def rank(need: Need, candidates: Iterable[Candidate]) -> list[Ranked]:
    """Best first; ties broken by more places left, then by key (stable and repeatable)."""
    focus = _norm(need.focus)
    mine = _norm(need.languages)
    out = []
    for c in candidates:
        places = c.capacity - c.running
        if places <= 0:
            continue
        specialties = _norm(c.specialties)
        matched = tuple(specialties[k] for k in sorted(specialties.keys() & focus.keys()))
        shared = tuple(sorted(_norm(c.languages).keys() & mine.keys()))
        apart = abs(c.utc_offset_hours - need.utc_offset_hours)
        apart = min(apart, 24 - apart)
        score = (
            SPECIALTY_WEIGHT * len(matched)
            + (LANGUAGE_WEIGHT if shared else 0.0)
            + ZONE_WEIGHT * max(0.0, 1 - apart / 12)
        )
        reasons = (
            f"Specialties matching your focus: {', '.join(matched)}" if matched else "No specialty matches your focus",
            f"Speaks {', '.join(shared)} like you" if shared else "No language in common",
            "Same time zone" if apart == 0 else f"{_hours(apart)} apart",
            f"{places} of {c.capacity} places free",
        )
        out.append(Ranked(c.key, round(score, 3), matched, shared, apart, places, reasons))
    out.sort(key=lambda r: (-r.score, -r.places_left, r.key))
    return out
