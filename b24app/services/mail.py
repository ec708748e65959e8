"""Sending email through the SMTP server named by SMTP_URL (smtp://, smtps://, smtp+starttls://).

SMTP_URL forms: `smtp://host:25`, `smtps://user:pass@host:465`, `smtp+starttls://user:pass@host:587`;
query options: `from` (the sender address) and `timeout` (seconds, default 20).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}
DEFAULT_SENDER = "servicedesk@localhost"


class MailError(Exception):
    """Sending failed; `retryable` says whether trying again later may help."""

    retryable = True


class MailConfigError(MailError):
    """SMTP_URL is malformed: retrying will not help until the setting is fixed."""

    retryable = False


class MailRejected(MailError):
    """The server refused the recipient or the message for good (5xx)."""

    retryable = False


class MailUnavailable(MailError):
    """The server could not be reached or answered with a temporary error (4xx, timeout)."""


@dataclass(frozen=True)
class SmtpConfig:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    sender: str = DEFAULT_SENDER
    timeout: float = 20.0


@dataclass(frozen=True)
class OutgoingMail:
    to: str
    subject: str
    text: str
    sender_name: str = ""
    reply_to: str | None = None


def parse_smtp_url(url: str) -> SmtpConfig:
    parts = urlsplit(url or "")
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise MailConfigError(f"SMTP_URL must start with smtp://, smtps:// or smtp+starttls://, not {url!r}")
    if not parts.hostname:
        raise MailConfigError("SMTP_URL names no host")
    query = parse_qs(parts.query)
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
        timeout = float(query.get("timeout", ["20"])[0])
    except ValueError as exc:
        raise MailConfigError(f"SMTP_URL has a bad port or timeout: {exc}") from exc
    return SmtpConfig(
        scheme=scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=query.get("from", [DEFAULT_SENDER])[0],
        timeout=timeout,
    )


def build_message(config: SmtpConfig, mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((mail.sender_name, config.sender)) if mail.sender_name else config.sender
    message["To"] = mail.to
    # Headers never carry line breaks: a template could produce them.
    message["Subject"] = " ".join(mail.subject.split())
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Message-ID"] = make_msgid(domain=config.sender.rpartition("@")[2] or "localhost")
    message.set_content(mail.text)
    return message


def send_mail(config: SmtpConfig | str, mail: OutgoingMail) -> str:
    """Send one message; returns its Message-ID. Raises MailUnavailable, MailRejected or MailConfigError."""
    if isinstance(config, str):
        config = parse_smtp_url(config)
    message = build_message(config, mail)
    try:
        with _connect(config) as smtp:
            if config.username:
                smtp.login(config.username, config.password or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        error = f"recipient refused: {exc.recipients}"
        raise (MailUnavailable(error) if all(400 <= c < 500 for c in codes) else MailRejected(error)) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailConfigError(f"SMTP login failed ({exc.smtp_code})") from exc
    except smtplib.SMTPResponseException as exc:
        error = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        raise (MailRejected(error) if exc.smtp_code >= 500 else MailUnavailable(error)) from exc
    except (smtplib.SMTPException, OSError) as exc:  # timeouts are OSErrors too
        raise MailUnavailable(f"{type(exc).__name__}: {exc}") from exc
    return str(message["Message-ID"])


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.scheme == "smtps":
        return smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout, context=ssl.create_default_context()
        )
    smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
    if config.scheme == "smtp+starttls":
        try:
            smtp.starttls(context=ssl.create_default_context())
        except BaseException:
            smtp.close()
            raise
    return smtp
