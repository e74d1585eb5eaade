"""The REST API under /api/v1/: authentication, the error shape, and each app's router (DESIGN §7).

Callers authenticate with ``Authorization: Bearer <token>`` (scripts) or the browser session (CSRF is checked
on unsafe methods). Every error is ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from trellis.choosing import api as choosing_api
from trellis.coaching import api as coaching_api
from trellis.content import api as content_api
from trellis.core import api as core_api
from trellis.core import services
from trellis.core.access import public
from trellis.core.models import ApiToken, User
from trellis.mentoring import api as mentoring_api
from trellis.training import api as training_api

TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def token_user(raw: str, *, now: datetime) -> User | None:
    """The active user a live token belongs to, or None. Notes the token's use at most once a minute."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=services.hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
        # Bookkeeping, not an action of the user's: no audit line. The filter keeps concurrent requests
        # from writing the same minute twice.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_TOUCH_INTERVAL)
        ).update(last_used_at=now)
    return token.user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_user(token, now=timezone.now())
        if user is not None:
            request.user = user  # the access rules read request.user
        return user


class BrowserSession(SessionAuth):
    """The signed-in browser session; ninja checks the CSRF token on unsafe methods.

    Only a request that carries a signed-in session is checked, so an anonymous or bearer-token request gets
    401 rather than a CSRF failure.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


@public
def api_root(request: HttpRequest) -> HttpResponse:
    """/api/v1/ itself: where the documentation and the schema are."""
    return JsonResponse({"docs": reverse("api:openapi-view"), "openapi": reverse("api:openapi-json")})


class TrellisAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        """ninja's URLs, with its undeclared root view (a 404 kept for reversing) replaced by a public one."""
        patterns, app_name, namespace = super().urls
        root = path("", api_root, name="api-root")
        return [root if getattr(p, "name", None) == "api-root" else p for p in patterns], app_name, namespace


api = TrellisAPI(
    title="Trellis API",
    version="1",
    description=__doc__ or "",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=public,
    auth=[BearerToken(), BrowserSession()],
)
api.add_router("", core_api.router)
api.add_router("", choosing_api.router)
api.add_router("", content_api.router)
api.add_router("", training_api.router)
api.add_router("", coaching_api.router)
api.add_router("", mentoring_api.router)


# --- Errors: always {"error": {"code", "message", "fields"}} -----------------------------------------------------
CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    409: "conflict",
    422: "invalid",
    429: "too_many_requests",
}


def error(request: HttpRequest, status: int, message: str, fields: dict[str, list[str]] | None = None) -> HttpResponse:
    body = {"code": CODES.get(status, "error"), "message": message, "fields": fields or {}}
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ())]
        # ("body", "payload", "level") → "level"; ("query", "limit") → "limit"; the body as a whole → "__all__"
        name = ".".join(loc[2:] if loc[:1] == ["body"] else loc[1:]) or "__all__"
        fields.setdefault(name, []).append(str(err.get("msg", "Invalid value.")))
    return error(request, 422, "Some of the input is not valid.", fields)


@api.exception_handler(DjangoValidationError)
def _invalid_data(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return error(request, 422, " ".join(exc.messages) or "Some of the input is not valid.", dict(fields))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "Not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = exc.message if exc.message != "Unauthorized" else "Sign in or send a valid bearer token."
    response = error(request, 401, message)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, exc.message)


@api.exception_handler(IntegrityError)
def _conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    return error(request, 409, "That conflicts with the current state of the data.")
