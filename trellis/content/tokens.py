"""Signed links for subscribers: confirm (expires) and unsubscribe (does not: an old newsletter's link must
still work). They carry the subscriber's public id and, for confirming, the tags asked for — never the address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "trellis.content.confirm"
UNSUBSCRIBE_SALT = "trellis.content.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=3)


class BadLink(Exception):
    """The link was altered, is for something else, or has expired (``expired`` says which)."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class Confirmation:
    subscriber: UUID
    tags: list[str] | None  # None: every article


def confirm_token(subscriber: UUID, tags: list[str] | None) -> str:
    payload = {"s": str(subscriber), "t": sorted(tags) if tags is not None else None}
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(payload, compress=True)


def read_confirm_token(token: str) -> Confirmation:
    try:
        payload = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise BadLink(expired=True) from None
    except (signing.BadSignature, ValueError):
        raise BadLink() from None
    try:
        tags = payload["t"]
        if tags is not None and not all(isinstance(t, str) for t in tags):
            raise ValueError
        return Confirmation(UUID(payload["s"]), tags)
    except (KeyError, TypeError, ValueError):
        raise BadLink() from None


def unsubscribe_token(subscriber: UUID) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscriber))


def read_unsubscribe_token(token: str) -> UUID:
    try:
        return UUID(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise BadLink() from None


def absolute(path: str) -> str:
    return settings.TRELLIS_BASE_URL.rstrip("/") + path


def confirm_url(subscriber: UUID, tags: list[str] | None) -> str:
    return absolute(reverse("blog_confirm", args=[confirm_token(subscriber, tags)]))


def unsubscribe_url(subscriber: UUID) -> str:
    return absolute(reverse("blog_unsubscribe", args=[unsubscribe_token(subscriber)]))


def list_headers(subscriber: UUID) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe with RFC 8058 one-click: the mail client POSTs to the URL, no page needed."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
