"""Which sender delivers outbox messages: the local outbox (default) or SendGrid."""

from __future__ import annotations

from typing import Protocol

from advocacy.domain.outbox import AnswerKind, OutgoingMail, ProviderAnswer
from advocacy.settings import Settings


class MailSender(Protocol):
    """Delivers one message and classifies the answer; `threads` says how many may run at once."""

    threads: int

    def send(self, mail: OutgoingMail) -> ProviderAnswer: ...

    def close(self) -> None: ...


class LocalOutbox:
    """The `outbox` backend: nothing leaves the machine; admins read the messages in the app."""

    threads = 1

    def send(self, mail: OutgoingMail) -> ProviderAnswer:
        return ProviderAnswer(AnswerKind.ACCEPTED, provider_message_id=f"local-{mail.message_id}")

    def close(self) -> None:
        return None


def build_sender(settings: Settings) -> MailSender:
    """The sender for `settings.mail_backend`; close it when done."""
    if settings.mail_backend == "sendgrid":
        from advocacy.adapters.sendgrid_mail import SendGridSender

        return SendGridSender(settings)
    return LocalOutbox()
