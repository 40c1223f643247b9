"""Sending one e-mail over SMTP: plain, STARTTLS or implicit TLS, as configured.

The standard library's smtplib runs in a worker thread: sending is rare (one mail per invited
candidate) and an async SMTP client would be one more dependency for no gain.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from worksample.config import Settings


class MailError(Exception):
    """The SMTP server could not be reached or refused the message; the message says which."""


@dataclass(frozen=True)
class EmailMessageSpec:
    to: str
    subject: str
    text: str
    html: str | None = None


def _build(settings: Settings, spec: EmailMessageSpec) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = spec.to
    # A header injection attempt ("\r\nBcc: ...") in a subject is refused by EmailMessage itself.
    message["Subject"] = spec.subject
    message["Message-ID"] = make_msgid(domain="worksample")
    message.set_content(spec.text)
    if spec.html is not None:
        message.add_alternative(spec.html, subtype="html")
    return message


def _send_blocking(settings: Settings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    timeout = settings.smtp_timeout_seconds
    client: smtplib.SMTP
    if settings.smtp_security == "tls":
        client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=context)
        if settings.smtp_username:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            client.login(settings.smtp_username, password)
        client.send_message(message)


async def send_email(settings: Settings, spec: EmailMessageSpec) -> None:
    """Hand the message to the SMTP server (raises :class:`MailError`)."""
    try:
        message = _build(settings, spec)
    except ValueError as exc:
        raise MailError(f"the message cannot be built: {exc}") from exc
    try:
        await asyncio.to_thread(_send_blocking, settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        # OSError covers refused connections, DNS and TLS failures; SMTPException the server's "no".
        where = f"{settings.smtp_host}:{settings.smtp_port}"
        raise MailError(f"SMTP server {where}: {type(exc).__name__}: {exc}") from exc
