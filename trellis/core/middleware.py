"""Response headers that follow from the access table."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from trellis.core.access import TABLE, Tier


class no_store_for_confidential_pages:
    """``Cache-Control: no-store`` on every response of a route whose data is tier 3 or above; ``private`` on
    every other response to a signed-in user, so no shared cache keeps someone's page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        tier = getattr(request, "access_tier", None)
        if tier is not None and tier >= Tier.SEMI_CONFIDENTIAL:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        route_rule = getattr(view, "access_rule", None)
        if route_rule is not None:
            request.access_tier = TABLE[route_rule.data].tier  # type: ignore[attr-defined]


class refresh_session:
    """Session idle timeout without a database write per request: a signed-in user's session expiry is
    pushed forward when the last push is older than ``SESSION_REFRESH_SECONDS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and request.user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_refreshed", 0)) >= settings.SESSION_REFRESH_SECONDS:
                session["_refreshed"] = now  # marks the session modified: saved with a new expiry
        return response
