"""Delivering a reminder or a summary to a person: by email, or by Web Push to each browser
they subscribed (drako.webpush), falling back to email when no browser takes it."""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail

from accounts import emails
from accounts.models import Channel
from drako import webpush
from schedules.models import PushSubscription

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """Nothing reached the person (no confirmed address, mail or push refused)."""


@dataclass(frozen=True)
class Message:
    subject: str
    lines: list[str] = field(default_factory=list)
    link: str = ""
    link_label: str = ""
    tag: str = ""  # a browser shows one notification per tag: a repeat replaces, never stacks

    @property
    def body(self) -> str:
        text = "\n".join(self.lines)
        return f"{text}\n\n{self.link_label}: {self.link}\n" if self.link else f"{text}\n"

    def push_payload(self) -> dict:
        """What the service worker (static/js/sw.js) shows."""
        return {"title": self.subject, "body": "\n".join(self.lines), "url": self.link,
                "tag": self.tag}  # fmt: skip


def deliver(*, user, channel: str, message: Message) -> str:
    """Sends `message` to `user` by `channel`; returns the channel that took it."""
    if channel == Channel.PUSH and push_send(user=user, message=message):
        return Channel.PUSH
    email_send(user=user, message=message)
    return Channel.EMAIL


def email_send(*, user, message: Message) -> None:
    """Mails `message` to the user's confirmed address."""
    if not user.email or not user.email_verified:
        raise DeliveryError("The user has no confirmed email address.")
    if not emails.can_send():
        raise DeliveryError("No mail can be sent (EMAIL_URL is not set).")
    try:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except OSError as error:  # smtplib's errors are OSErrors
        raise DeliveryError(f"The mail server refused it: {error.__class__.__name__}") from error


def push_send(*, user, message: Message) -> int:
    """Pushes `message` to each of the user's browsers; a subscription its push service no
    longer knows (404/410) is deleted. Returns how many browsers took it."""
    if not webpush.is_configured():
        return 0
    delivered = 0
    for subscription in PushSubscription.objects.filter(owner=user):
        target = webpush.Subscription(subscription.endpoint, subscription.p256dh, subscription.auth)
        try:
            webpush.send(subscription=target, message=message.push_payload())
        except webpush.PushGone:
            subscription.delete()
        except webpush.PushError as error:
            logger.warning("push subscription=%s failed: %s", subscription.pk, error)
        else:
            delivered += 1
    return delivered
