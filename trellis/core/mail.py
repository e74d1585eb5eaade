"""Outbound mail. Every message is stored in the outbox first (the recipient can read it in the app), then
delivered by a task after the transaction commits. Idempotency keys make re-sending a no-op."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from trellis.core import calendar
from trellis.core.models import Membership, Organization, OutboxMessage, User

MAX_ATTEMPTS = 10  # a message the mail server refused this often is left alone (its last_error says why)


def queue(
    *,
    to: User | str,
    subject: str,
    body: str,
    key: str,
    organization: Organization | None = None,
    ics: str = "",
    headers: dict[str, str] | None = None,
) -> tuple[OutboxMessage, bool]:
    """Store a message in the outbox (once per key) and deliver it after commit. Returns (message, created)."""
    recipient = to if isinstance(to, User) else User.objects.filter(email__iexact=to).first()
    to_email = to.email if isinstance(to, User) else to
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "organization": organization,
            "recipient": recipient,
            "to_email": to_email,
            "subject": subject[:250],
            "body": body,
            "ics": ics,
            "headers": dict(headers or {}),
        },
    )
    if created:
        from trellis.core.tasks import deliver_outbox

        transaction.on_commit(lambda: deliver_outbox.enqueue(message.pk))
    return message, created


def deliver(message: OutboxMessage) -> bool:
    """Send one stored message unless it was already sent. Claims it first so two workers never both send."""
    with transaction.atomic():
        claimed = OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )
    if not claimed:
        return False
    email = EmailMessage(
        message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to_email], headers=message.headers or None
    )
    if message.ics:
        email.attach("invite.ics", message.ics, f"text/calendar; method={calendar.method_of(message.ics)}")
    try:
        email.send()
    except Exception as exc:  # the SMTP server said no: release the claim so the next tick retries
        OutboxMessage.objects.filter(pk=message.pk).update(sent_at=None, last_error=type(exc).__name__)
        raise
    return True


def password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(str(user.public_id)))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.TRELLIS_BASE_URL.rstrip("/") + path


PASSWORD_RESETS_PER_HOUR = 3


def send_password_reset(*, user: User) -> OutboxMessage | None:
    """Mail a reset link — at most PASSWORD_RESETS_PER_HOUR per account, counted in the outbox itself, so the
    limit holds across app servers and nobody can flood someone's mailbox. Returns None when throttled."""
    recent = OutboxMessage.objects.filter(
        recipient=user,
        idempotency_key__startswith=f"password-reset:{user.public_id}:",
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).count()
    if recent >= PASSWORD_RESETS_PER_HOUR:
        return None
    link = password_link(user)
    body = render_to_string("core/email/password_reset.txt", {"user": user, "link": link})
    key = f"password-reset:{user.public_id}:{timezone.now():%Y%m%d%H%M%S%f}"
    message, _ = queue(to=user, subject="Reset your Trellis password", body=body, key=key)
    return message


def send_invitation(*, membership: Membership, new_account: bool, actor: User | None) -> OutboxMessage:
    user = membership.user
    context = {
        "user": user,
        "organization": membership.organization,
        "actor": actor,
        "new_account": new_account,
        "link": password_link(user) if new_account else settings.TRELLIS_BASE_URL,
    }
    body = render_to_string("core/email/invitation.txt", context)
    key = f"invitation:{membership.public_id}:{timezone.now():%Y%m%d%H%M%S%f}"
    message, _ = queue(
        to=user,
        subject=f"You have been added to {membership.organization.name} on Trellis",
        body=body,
        key=key,
        organization=membership.organization,
    )
    return message
