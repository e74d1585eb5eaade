"""The Django admin for the platform operator (a superuser in no organization), at /admin/.

It is **view-only** and **never shows sealed text**: every model of the product apps is registered here with
:class:`ReadOnlyAdmin`, which leaves out every :class:`~trellis.core.vault.SealedTextField` (and the few
fields that would let an operator act as someone else, such as outbox bodies with sign-in links). Writes go
through the apps' services, which check the access table and append to the audit log; the admin does not
bypass them. Every admin route carries the ``platform_admin`` rule of the access table, so the route walk
covers it like any other page.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, reverse

from trellis.core.access import public, rule
from trellis.core.vault import SealedTextField

PRODUCT_APPS = ("core", "choosing", "content", "training", "coaching", "mentoring")
# Fields an operator must not read even though they are not sealed: mail bodies (they carry password-reset
# links) and secrets kept as hashes.
HIDDEN_FIELDS = frozenset({"body", "html", "key_hash", "password", "token", "payload", "headers"})
LIST_COLUMNS = 6


def visible_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False)
        and not f.many_to_many
        and not isinstance(f, SealedTextField)
        and f.name not in HIDDEN_FIELDS
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows a model's non-sealed fields; adds, changes and deletes nothing."""

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return visible_fields(self.model)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return visible_fields(self.model)

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        names = [n for n in visible_fields(self.model) if n != "id"][:LIST_COLUMNS]
        return names or ["__str__"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [n for n in ("name", "email", "slug", "full_name") if n in visible_fields(self.model)]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class TrellisAdminSite(admin.AdminSite):
    site_header = "Trellis — platform admin"
    site_title = "Trellis admin"
    index_title = "Records of every organization (view-only; sealed text is never shown)"
    final_catch_all_view = False  # an undeclared catch-all route would escape the access table

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """One sign-in page for everybody (throttled by axes): the product's."""
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?next={target}")

    def get_urls(self) -> list[URLPattern | URLResolver]:
        """The admin's routes, each declaring the ``platform_admin`` rule (the sign-in redirect is public)."""
        return _declared(super().get_urls())


def _declared(patterns: list[Any]) -> list[Any]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _declared(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = public(entry.callback) if entry.name == "login" else ADMIN_RULE(entry.callback)
    return patterns


ADMIN_RULE = rule("platform_admin", "view")
site = TrellisAdminSite(name="admin")


def register_all() -> None:
    for label in PRODUCT_APPS:
        for model in apps.get_app_config(label).get_models():
            if not site.is_registered(model):
                site.register(model, ReadOnlyAdmin)


register_all()
