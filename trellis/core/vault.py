"""The vault (DESIGN §5): envelope encryption for tier 3–5 free text.

Keys
    Key-encryption keys (KEKs) come from ``settings.TRELLIS_VAULT_KEYS`` (comma-separated url-safe base64 of
    32 bytes) or from the file named by ``settings.TRELLIS_VAULT_KEY_FILE`` (one key per line, ``#`` comments
    and blank lines ignored) — one or the other, not both. The first key is active and wraps every new data
    key; the others only unwrap. A key's id is the first 8 hex digits of its SHA-256; ids are stored, keys
    never. The key list is read once per process: restart after changing it.

Sealing
    Each value gets a fresh random 256-bit data key (DEK) that encrypts the UTF-8 text with AES-256-GCM; the
    DEK is wrapped by the active KEK, also with AES-256-GCM. Both use random 96-bit nonces. The payload's
    associated data is (organization id, model label, record public id, field name), so a blob copied to
    another row, field or organization fails its tag check instead of decrypting.

Blob (ASCII text, so dumps, fixtures and diffs stay text)::

    v1.<key id>.<base64url, unpadded: wrap nonce 12 | wrapped DEK 32+16 | nonce 12 | ciphertext | tag 16>

    The key id is in clear so rotation can select rows by prefix. Rotation replaces the key id and the first
    60 bytes (the wrapped DEK) only; the payload is never re-encrypted. Empty text is stored as ``""`` and
    NULL as NULL: neither reveals more than a blob's length would.

Models use :class:`SealedTextField`; see its docstring for what they must provide.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.lookups import StartsWith
from django.db.models.query_utils import DeferredAttribute

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
WRAPPED_BYTES = NONCE_BYTES + KEY_BYTES + TAG_BYTES  # wrap nonce + wrapped DEK = 60
HEADER_BYTES = WRAPPED_BYTES + NONCE_BYTES  # + payload nonce = 72
_BLOB = re.compile(r"v1\.([0-9a-f]{8})\.([A-Za-z0-9_-]+)")
_KEY_ID = re.compile(r"[0-9a-f]{8}")
_WRAP_AD = b"trellis-vault/v1/dek"
_PAYLOAD_AD = b"trellis-vault/v1/text|"
# The development default in settings.py ("dev-only-vault-key-not-for-prod!"); a deploy check refuses it.
_DEV_KEY_ID = hashlib.sha256(b"dev-only-vault-key-not-for-prod!").hexdigest()[:8]


class VaultError(Exception):
    """A sealed value cannot be opened: its key is missing or wrong, or it was copied or altered."""

    def __init__(self, message: str, *, key_id: str | None = None) -> None:
        super().__init__(message)
        self.key_id = key_id


def key_id(kek: bytes) -> str:
    return hashlib.sha256(kek).hexdigest()[:8]


@dataclass(frozen=True)
class Keyring:
    """The configured KEKs by key id, in configuration order; the first is active."""

    ciphers: dict[str, AESGCM]

    @property
    def active_id(self) -> str:
        return next(iter(self.ciphers))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.ciphers)

    def cipher(self, kid: str) -> AESGCM:
        try:
            return self.ciphers[kid]
        except KeyError:
            raise VaultError(
                f"Vault key {kid} is not configured, so this value cannot be opened. Add the key with id "
                f"{kid} to TRELLIS_VAULT_KEYS (or the key file) after the active key.",
                key_id=kid,
            ) from None


def keyring() -> Keyring:
    """The keyring from settings (cached per configuration); ImproperlyConfigured if it is malformed."""
    inline = getattr(settings, "TRELLIS_VAULT_KEYS", "") or ""
    if not isinstance(inline, str):
        inline = ",".join(inline)  # a list in settings is fine too
    return _load(inline, str(getattr(settings, "TRELLIS_VAULT_KEY_FILE", "") or ""))


@functools.lru_cache(maxsize=8)
def _load(inline: str, path: str) -> Keyring:
    if inline.strip() and path:
        raise ImproperlyConfigured("Set TRELLIS_VAULT_KEYS or TRELLIS_VAULT_KEY_FILE, not both.")
    if path:
        try:
            text = Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as e:
            raise ImproperlyConfigured(f"TRELLIS_VAULT_KEY_FILE {path} cannot be read ({type(e).__name__}).") from None
        where = f"TRELLIS_VAULT_KEY_FILE {path} line"
        lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)]
        entries = [(n, line) for n, line in lines if line and not line.startswith("#")]
    else:
        where = "TRELLIS_VAULT_KEYS entry"
        entries = [(n, part.strip()) for n, part in enumerate(inline.split(","), 1) if part.strip()]
    if not entries:
        raise ImproperlyConfigured("No vault key configured: set TRELLIS_VAULT_KEYS or TRELLIS_VAULT_KEY_FILE.")
    ciphers: dict[str, AESGCM] = {}
    for n, entry in entries:
        kek = _decode_key(entry, f"{where} {n}")
        kid = key_id(kek)
        if kid in ciphers:
            raise ImproperlyConfigured(f"{where} {n} repeats vault key {kid}.")
        ciphers[kid] = AESGCM(kek)
    return Keyring(ciphers)


def _decode_key(text: str, where: str) -> bytes:
    # Never echo the entry itself: it is a secret.
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{where} is not url-safe base64.") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"{where} decodes to {len(raw)} bytes; a vault key is {KEY_BYTES} bytes.")
    return raw


def new_key() -> str:
    """A fresh KEK in the configuration format (url-safe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


# --- Sealing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Where a sealed value lives; it is the associated data, so the blob opens nowhere else."""

    organization_id: int
    model: str
    record: uuid.UUID
    field: str

    def associated_data(self) -> bytes:
        parts = [self.organization_id, self.model, str(self.record), self.field]
        return _PAYLOAD_AD + json.dumps(parts, separators=(",", ":")).encode()

    def __str__(self) -> str:
        return f"{self.model} {self.record} field {self.field!r} (organization {self.organization_id})"


def is_blob(value: object) -> bool:
    return isinstance(value, str) and _BLOB.fullmatch(value) is not None


def blob_key_id(blob: str) -> str:
    return _parse(blob)[0]


def seal(text: str, context: Context, *, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    dek = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    payload = AESGCM(dek).encrypt(nonce, text.encode("utf-8"), context.associated_data())
    return _format(ring, _wrap(ring, dek) + nonce + payload)


def unseal(blob: str, context: Context, *, ring: Keyring | None = None) -> str:
    ring = ring or keyring()
    kid, raw = _parse(blob)
    dek = _unwrap(ring, kid, raw)
    try:
        data = AESGCM(dek).decrypt(raw[WRAPPED_BYTES:HEADER_BYTES], raw[HEADER_BYTES:], context.associated_data())
    except InvalidTag:
        raise VaultError(
            f"The sealed value does not belong to {context}: it was copied from another record, field or "
            f"organization, or altered (data key wrapped by vault key {kid}).",
            key_id=kid,
        ) from None
    return data.decode("utf-8")


def rewrap(blob: str, *, ring: Keyring | None = None) -> str:
    """The same sealed value with its data key wrapped by the active key; the payload is left untouched."""
    ring = ring or keyring()
    kid, raw = _parse(blob)
    if kid == ring.active_id:
        return blob
    return _format(ring, _wrap(ring, _unwrap(ring, kid, raw)) + raw[WRAPPED_BYTES:])


def _wrap(ring: Keyring, dek: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + ring.cipher(ring.active_id).encrypt(nonce, dek, _WRAP_AD)


def _unwrap(ring: Keyring, kid: str, raw: bytes) -> bytes:
    try:
        return ring.cipher(kid).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:WRAPPED_BYTES], _WRAP_AD)
    except InvalidTag:
        raise VaultError(
            f"Vault key {kid} cannot unwrap this value's data key: the key is wrong or the value was altered.",
            key_id=kid,
        ) from None


def _format(ring: Keyring, raw: bytes) -> str:
    return f"{VERSION}.{ring.active_id}.{base64.urlsafe_b64encode(raw).rstrip(b'=').decode('ascii')}"


def _parse(blob: str) -> tuple[str, bytes]:
    match = _BLOB.fullmatch(blob) if isinstance(blob, str) else None
    if match is None:
        raise VaultError("Not a sealed value: unknown format (expected 'v1.<key id>.<data>').")
    kid, body = match.groups()
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise VaultError(f"Sealed value under vault key {kid} is truncated.", key_id=kid) from None
    if len(raw) < HEADER_BYTES + TAG_BYTES:
        raise VaultError(f"Sealed value under vault key {kid} is truncated.", key_id=kid)
    return kid, raw


# --- The model field ----------------------------------------------------------------------------------------


class _SealedColumn(DeferredAttribute):
    """At ``<name>_sealed``: the stored blob. Reading it first seals plaintext assigned since the last read,
    so save(), bulk_create() and bulk_update() always write ciphertext."""

    field: SealedTextField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        pending = instance.__dict__.get(self.field.cache_name)
        if pending is not None and pending[1]:
            instance.__dict__[self.field.attname] = self.field.seal_for(instance, pending[0])
            instance.__dict__[self.field.cache_name] = (pending[0], False)
        return super().__get__(instance, cls)

    def __set__(self, instance: Any, value: Any) -> None:
        data = instance.__dict__
        cached = data.get(self.field.cache_name)
        # Keep the cached plaintext only if it was opened from (or sealed into) this very blob; an unsaved
        # assignment is dropped, as refresh_from_db() expects.
        if cached is not None and (cached[1] or self.field.attname not in data or data[self.field.attname] != value):
            del data[self.field.cache_name]
        data[self.field.attname] = value


class _SealedText:
    """At ``<name>``: the plaintext, opened on first read and cached on the instance."""

    def __init__(self, field: SealedTextField) -> None:
        self.field = field

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        cached = instance.__dict__.get(self.field.cache_name)
        if cached is not None:
            return cached[0]
        text = self.field.open_for(instance, getattr(instance, self.field.attname))
        instance.__dict__[self.field.cache_name] = (text, False)
        return text

    def __set__(self, instance: Any, value: Any) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{self.field.label} takes text (or None), not {type(value).__name__}.")
        instance.__dict__[self.field.cache_name] = (value, True)
        if self.field.attname not in instance.__dict__:
            getattr(instance, self.field.attname)  # a deferred column: seal now so save() includes it


class _PrefixLookup(StartsWith):
    """A fixed-prefix match on the blob; the right-hand side is not a blob, so it skips get_prep_value."""

    prepare_rhs = False

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return connection.operators["startswith"] % rhs


class _KeyIdLookup(_PrefixLookup):
    """``body__vault_key="3f2a9c1b"``: values sealed under that key (for rotation and status)."""

    lookup_name = "vault_key"

    def get_prep_lookup(self) -> Any:
        if not (isinstance(self.rhs, str) and _KEY_ID.fullmatch(self.rhs)):
            raise ValueError("vault_key takes a key id: 8 lowercase hex digits.")
        return f"{VERSION}.{self.rhs}."


class _SealedLookup(_PrefixLookup):
    """``body__sealed=True``: non-empty sealed values (use exclude() for the empty and NULL ones)."""

    lookup_name = "sealed"

    def get_prep_lookup(self) -> Any:
        if self.rhs is not True:
            raise ValueError("Use sealed=True, and exclude(...sealed=True) for the rest.")
        return f"{VERSION}."


class SealedTextField(models.TextField):
    """Free text sealed by the vault. ``note.body`` is the plaintext ``str``; the column ``body_sealed`` holds
    the blob, so ``values()``, ``only()``, raw SQL, dumps and fixtures see ciphertext only.

    The model must have ``organization`` (a ForeignKey to core.Organization) and ``public_id`` (a UUIDField
    that never changes): they are bound into the ciphertext with the model label and the field name, so a
    record cannot move to another organization without re-sealing its text. Sealed fields cannot be
    searched: the only lookups are ``isnull``, ``sealed`` and ``vault_key``. Assign plaintext through the
    attribute and ``save()``; ``QuerySet.update(body="…")`` with plaintext raises ValueError.
    """

    description = "Text sealed by the vault (the column holds ciphertext)"
    ALLOWED_LOOKUPS = frozenset({"isnull", "sealed", "vault_key"})
    descriptor_class = _SealedColumn

    def get_attname(self) -> str:
        return f"{self.name}_sealed"

    @property
    def cache_name(self) -> str:
        return f"_vault_{self.name}"

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, name, _SealedText(self))

    def context_for(self, instance: models.Model) -> Context:
        organization_id = getattr(instance, "organization_id", None)
        public_id = getattr(instance, "public_id", None)
        if organization_id is None or public_id is None:
            raise VaultError(f"Cannot seal {self.label}: set the record's organization and public_id first.")
        # field.model is the concrete model that declares the field, the same for proxies and subclasses.
        return Context(organization_id, self.model._meta.label_lower, public_id, self.name)

    def seal_for(self, instance: models.Model, text: str | None) -> str | None:
        return text if not text else seal(text, self.context_for(instance))

    def open_for(self, instance: models.Model, blob: str | None) -> str | None:
        return blob if not blob else unseal(blob, self.context_for(instance))

    def value_from_object(self, obj: models.Model) -> Any:
        return getattr(obj, self.name)  # plaintext, for ModelForm initial data

    def value_to_string(self, obj: models.Model) -> str:
        return getattr(obj, self.attname)  # the blob, for serializers and dumpdata

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value not in (None, "") and not is_blob(value):
            raise ValueError(
                f"{self.label} stores sealed values only: assign the plaintext to the model attribute and save()."
            )
        return value

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        # Validate the plaintext (blank, max_length, validators), keep the stored value as it is.
        text = value if model_instance is None else getattr(model_instance, self.name)
        self.validate(text, model_instance)
        self.run_validators(text)
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name in self.ALLOWED_LOOKUPS else None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_record(), *self._check_options()]

    def _check_record(self) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = []
        opts = self.model._meta
        organization = next((f for f in opts.concrete_fields if f.name == "organization"), None)
        if not (
            isinstance(organization, models.ForeignKey)
            and organization.related_model is not None
            and not isinstance(organization.related_model, str)
            and organization.related_model._meta.label_lower == "core.organization"
        ):
            errors.append(
                checks.Error(
                    f"{opts.label} has a sealed field but no 'organization' ForeignKey to core.Organization.",
                    hint="The vault binds every sealed value to its organization.",
                    obj=self,
                    id="trellis.vault.E001",
                )
            )
        public_id = next((f for f in opts.concrete_fields if f.name == "public_id"), None)
        if not isinstance(public_id, models.UUIDField):
            errors.append(
                checks.Error(
                    f"{opts.label} has a sealed field but no 'public_id' UUIDField.",
                    hint="The vault binds every sealed value to its record's public_id.",
                    obj=self,
                    id="trellis.vault.E002",
                )
            )
        return errors

    def _check_options(self) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = []
        if self.primary_key or self.unique or getattr(self, "db_index", False) or self.choices is not None:
            errors.append(
                checks.Error(
                    "A sealed field cannot be a primary key, unique, indexed or have choices: "
                    "its column holds ciphertext.",
                    obj=self,
                    id="trellis.vault.E003",
                )
            )
        if self.has_default() and self.default not in ("", None):
            errors.append(
                checks.Error(
                    "A sealed field's default can only be '' or None.",
                    hint="Set the initial text in the service that creates the record.",
                    obj=self,
                    id="trellis.vault.E004",
                )
            )
        return errors


SealedTextField.register_lookup(_KeyIdLookup)
SealedTextField.register_lookup(_SealedLookup)


def sealed_fields() -> list[tuple[type[models.Model], SealedTextField]]:
    """Every (model, field) using the vault, from the app registry (what rotation and status walk)."""
    return [
        (model, field)
        for model in apps.get_models()
        if not model._meta.proxy
        for field in model._meta.local_concrete_fields
        if isinstance(field, SealedTextField)
    ]


@checks.register(checks.Tags.security)
def check_vault_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        ring = keyring()
    except ImproperlyConfigured as e:
        return [checks.Error(str(e), id="trellis.vault.E010")]
    if getattr(settings, "PROD", False) and _DEV_KEY_ID in ring.ids:
        return [
            checks.Error(
                "The development vault key is configured in production.",
                hint="Generate a key: python -c 'from trellis.core.vault import new_key; print(new_key())'",
                id="trellis.vault.E011",
            )
        ]
    return []
