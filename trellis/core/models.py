"""Organizations, people, memberships, audit, tokens, outbox and notifications."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar
from zoneinfo import available_timezones

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now


class Role(models.TextChoices):
    PARTICIPANT = "participant", "Participant"
    MANAGER = "manager", "Manager"
    SPONSOR = "sponsor", "Sponsor (HR / L&D)"
    PROGRAM_ADMIN = "program_admin", "Program admin"
    INSTRUCTOR = "instructor", "Instructor"
    MENTOR = "mentor", "Mentor"
    COACH = "coach", "Coach"
    ORG_ADMIN = "org_admin", "Organization admin"


ROLE_VALUES: frozenset[str] = frozenset(Role.values)


def validate_roles(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise ValidationError("Roles must be a list of role names.")
    unknown = sorted(set(value) - ROLE_VALUES)
    if unknown:
        raise ValidationError(f"Unknown role: {', '.join(unknown)}.")


def validate_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. Europe/Berlin).")


_TZ_CACHE: set[str] = set()


def _timezones() -> set[str]:
    if not _TZ_CACHE:
        _TZ_CACHE.update(available_timezones())
    return _TZ_CACHE


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)  # None gives an unusable password (invited, not yet set)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """The platform operator (``trellis createsuperuser``): the Django admin, no organization."""
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser):
    """A person who can sign in. What they may see depends on their memberships, never on the account."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Django admin (with is_superuser).")
    is_superuser = models.BooleanField(
        default=False, help_text="The platform operator: opens the Django admin, which never shows sealed text."
    )
    date_joined = models.DateTimeField(default=now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # The Django admin's permission questions. Only an active superuser may use it (and it is view-only: every
    # write goes through a service, so that it is checked and audited).
    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return self.is_active and self.is_superuser

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self.is_superuser


class Organization(models.Model):
    """The tenant. Nothing crosses between organizations."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgOwned(models.Model):
    """A row that belongs to one organization and is named outside by a UUID (DESIGN §3): the two fields every
    product model starts with."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)

    def with_role(self, role: str) -> MembershipQuerySet:
        if role not in ROLE_VALUES:
            raise ValueError(f"unknown role {role!r}")
        # roles is a JSON list of a closed vocabulary; matching the quoted name works on SQLite and PostgreSQL.
        return self.filter(roles__icontains=f'"{role}"')


class Membership(models.Model):
    """A user's place in one organization: roles, position, reporting line, languages, time zone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(default=list, validators=[validate_roles])
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)], help_text="Seniority, 1–10."
    )
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    languages = models.JSONField(default=list, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["organization", "user"], name="one_membership_per_org"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=10), name="level_1_to_10"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in self.roles if r in ROLE_VALUES]


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One line of the append-only, hash-chained audit log. Ids and verbs only — never content."""

    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    actor = models.UUIDField(null=True, blank=True, help_text="public id of the acting user")
    verb = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["organization", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditHead(models.Model):
    """A single row locked while appending, so concurrent writers extend the chain one at a time."""

    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.last_hash


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; revoking is immediate."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or str(self.public_id)


class OutboxMessage(models.Model):
    """Every outbound e-mail, stored before it is sent; the recipient can read it in the app."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE)
    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox_messages")
    to_email = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    ics = models.TextField(blank=True, help_text="an iCalendar attachment, if any")
    headers = models.JSONField(default=dict, blank=True, help_text="extra mail headers, e.g. List-Unsubscribe")
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return self.subject


class Notification(models.Model):
    """An in-app notice for one member of one organization."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["user", "organization", "read_at"])]

    def __str__(self) -> str:
        return self.text
