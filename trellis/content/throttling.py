"""Rate limits for the public subscription endpoints (pages and API), per client address, in Django's cache.

The cache is per process unless a shared one is configured (CACHES); the per-address limit on confirmation
mails (services.CONFIRMATIONS_PER_HOUR) is counted in the database and holds across app servers regardless.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

RATE = "20/10m"


class SubscriptionThrottle(SimpleRateThrottle):
    scope = "content-subscription"

    def __init__(self, rate: str = RATE) -> None:
        super().__init__(rate)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def allowed(request: HttpRequest) -> bool:
    return SubscriptionThrottle().allow_request(request)
