"""Every route of the installation — pages and each django-ninja operation — with its declared access rule.

Used by the route-walk and matrix tests and by ``trellis access-table`` (docs/access.md lists every route's
rule, so a route that changes what it declares shows up in review).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from trellis.core.access import RouteRule


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    rule: RouteRule | None
    methods: tuple[str, ...]
    kwargs: tuple[str, ...]
    api: bool


def _ninja_operations(callback: Any) -> list[Any]:
    """django-ninja registers one Django view per path; its operations hold our decorated functions."""
    from ninja.operation import PathView

    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return list(cell.cell_contents.operations)
    return []


def walk(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[Route]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            kwargs = tuple(sorted(set(entry.pattern.regex.groupindex) | _prefix_kwargs(prefix)))
            operations = _ninja_operations(entry.callback)
            if operations:
                for op in operations:
                    yield Route(
                        pattern,
                        entry.name or pattern,
                        getattr(op.view_func, "access_rule", None),
                        tuple(op.methods),
                        kwargs,
                        True,
                    )
            else:
                yield Route(
                    pattern,
                    entry.name or pattern,
                    getattr(entry.callback, "access_rule", None),
                    ("GET", "POST"),
                    kwargs,
                    pattern.startswith("api/"),
                )


def _prefix_kwargs(prefix: str) -> set[str]:
    return set(re.findall(r"<(?:\w+:)?(\w+)>", prefix))
