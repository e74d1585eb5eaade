from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    """The subscription throttle counts requests in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()
