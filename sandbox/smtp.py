"""An SMTP sink on loopback: accepts every message and keeps it in memory for the mailbox page and tests.

It speaks just enough SMTP for smtplib (EHLO/HELO, optional AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET,
NOOP, QUIT); it never relays anything anywhere.
"""

from __future__ import annotations

import base64
import email
import email.policy
import itertools
import socketserver
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage

MAX_MESSAGE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ReceivedMail:
    id: int
    sender: str
    recipients: tuple[str, ...]
    subject: str
    body: str
    received_at: datetime
    raw: bytes = field(repr=False)
    login: str | None = None

    @property
    def to(self) -> str:
        return ", ".join(self.recipients)


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


class Mailbox:
    """Received messages, newest last; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._messages: list[ReceivedMail] = []
        self._ids = itertools.count(1)

    def add(self, sender: str, recipients: list[str], raw: bytes, login: str | None) -> ReceivedMail:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with self._lock:
            mail = ReceivedMail(
                id=next(self._ids),
                sender=sender,
                recipients=tuple(recipients),
                subject=str(parsed.get("Subject", "")),
                body=_text_of(parsed),
                received_at=datetime.now(UTC),
                raw=raw,
                login=login,
            )
            self._messages.append(mail)
            self._lock.notify_all()
        return mail

    def messages(self, to: str | None = None) -> list[ReceivedMail]:
        with self._lock:
            rows = list(self._messages)
        if to:
            rows = [m for m in rows if to.lower() in (r.lower() for r in m.recipients)]
        return rows

    def get(self, mail_id: int) -> ReceivedMail | None:
        with self._lock:
            return next((m for m in self._messages if m.id == mail_id), None)

    def wait_for(self, predicate, timeout: float = 10.0) -> ReceivedMail | None:
        """The first message matching predicate, waiting up to timeout seconds for it to arrive."""
        with self._lock:
            found = None

            def ready() -> bool:
                nonlocal found
                found = next((m for m in self._messages if predicate(m)), None)
                return found is not None

            self._lock.wait_for(ready, timeout)
            return found

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


class _Session(socketserver.StreamRequestHandler):
    timeout = 30
    server: _SinkServer

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def _line(self) -> str | None:
        raw = self.rfile.readline(65536)
        return raw.decode("utf-8", "replace").rstrip("\r\n") if raw else None

    def handle(self) -> None:
        self._reply("220 sandbox SMTP sink ready")
        sender, recipients, login = None, [], None
        while (line := self._line()) is not None:
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self._reply("250-sandbox")
                self._reply("250-8BITMIME")
                self._reply("250-SMTPUTF8")
                self._reply(f"250-SIZE {MAX_MESSAGE_BYTES}")
                self._reply("250 AUTH PLAIN LOGIN")
            elif verb == "HELO":
                self._reply("250 sandbox")
            elif verb == "AUTH":
                user = self._auth(arg)
                if user is not None:
                    login = user
            elif verb == "MAIL":
                if self.server.require_login and login is None:
                    self._reply("530 5.7.0 Authentication required")
                    continue
                sender, recipients = _address(arg), []
                self._reply("250 OK")
            elif verb == "RCPT":
                if sender is None:
                    self._reply("503 5.5.1 MAIL first")
                    continue
                recipients.append(_address(arg))
                self._reply("250 OK")
            elif verb == "DATA":
                if not recipients:
                    self._reply("503 5.5.1 RCPT first")
                    continue
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                raw = self._data()
                if raw is None:
                    return
                mail = self.server.mailbox.add(sender or "", recipients, raw, login)
                self._reply(f"250 OK queued as {mail.id}")
                sender, recipients = None, []
            elif verb == "RSET":
                sender, recipients = None, []
                self._reply("250 OK")
            elif verb == "NOOP":
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 5.5.2 Command not implemented")

    def _auth(self, arg: str) -> str | None:
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        if mechanism == "PLAIN":
            if not initial:
                self._reply("334 ")
                initial = self._line() or ""
            parts = base64.b64decode(initial).split(b"\0")
            user = parts[1].decode() if len(parts) == 3 else ""
            password = parts[2].decode() if len(parts) == 3 else ""
        elif mechanism == "LOGIN":
            self._reply("334 " + base64.b64encode(b"Username:").decode())
            user = base64.b64decode(self._line() or "").decode()
            self._reply("334 " + base64.b64encode(b"Password:").decode())
            password = base64.b64decode(self._line() or "").decode()
        else:
            self._reply("504 5.5.4 Unrecognized authentication type")
            return None
        expected = self.server.credentials
        if expected and (user, password) != expected:
            self._reply("535 5.7.8 Authentication credentials invalid")
            return None
        self._reply("235 2.7.0 Authentication successful")
        return user

    def _data(self) -> bytes | None:
        lines, size = [], 0
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return None
            if raw in (b".\r\n", b".\n"):
                return b"".join(lines)
            size += len(raw)
            if size > MAX_MESSAGE_BYTES:
                self._reply("552 5.3.4 Message too big")
                return None
            lines.append(raw[1:] if raw.startswith(b"..") else raw)


def _address(arg: str) -> str:
    """`FROM:<a@b> SIZE=10` → a@b."""
    value = arg.split(":", 1)[1] if ":" in arg else arg
    value = value.strip().split(" ", 1)[0]
    return value.strip("<>")


class _SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, mailbox: Mailbox, credentials: tuple[str, str] | None) -> None:
        super().__init__(address, _Session)
        self.mailbox = mailbox
        self.credentials = credentials
        self.require_login = credentials is not None


class SmtpSink:
    """The sink on host:port (port 0 picks a free one); `credentials` makes it require AUTH."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, credentials: tuple[str, str] | None = None):
        self.mailbox = Mailbox()
        self._server = _SinkServer((host, port), self.mailbox, credentials)
        self.host = host
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"smtp-{self.port}"
        )
        self._thread.daemon = True

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> SmtpSink:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
