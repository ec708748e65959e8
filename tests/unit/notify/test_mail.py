"""The SMTP client against the sandbox SMTP sink: addresses, Russian text, login, unreachable servers."""

from __future__ import annotations

import socket

import pytest

from b24app.services.mail import (
    MailConfigError,
    MailUnavailable,
    OutgoingMail,
    parse_smtp_url,
    send_mail,
)
from sandbox.smtp import SmtpSink


def test_smtp_url_forms_are_understood():
    plain = parse_smtp_url("smtp://127.0.0.1:2525")
    assert (plain.scheme, plain.host, plain.port, plain.username) == ("smtp", "127.0.0.1", 2525, None)
    tls = parse_smtp_url("smtps://user%40corp:p%40ss@mail.example.com?from=desk@corp.example&timeout=5")
    assert (tls.port, tls.username, tls.password) == (465, "user@corp", "p@ss")
    assert tls.sender == "desk@corp.example" and tls.timeout == 5.0
    assert parse_smtp_url("smtp+starttls://mail.example.com").port == 587


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "smtp://host:port", ""])
def test_malformed_smtp_url_is_a_configuration_error(url):
    with pytest.raises(MailConfigError):
        parse_smtp_url(url)


def test_a_russian_message_arrives_in_the_sink_intact():
    with SmtpSink() as sink:
        message_id = send_mail(
            sink.url + "?from=support@promtech.example",
            OutgoingMail("client@example.com", "Обращение №12 зарегистрировано", "Здравствуйте!\nНомер: 12"),
        )
        received = sink.mailbox.messages("client@example.com")
    assert len(received) == 1
    mail = received[0]
    assert mail.subject == "Обращение №12 зарегистрировано"
    assert "Номер: 12" in mail.body
    assert mail.sender == "support@promtech.example"
    assert message_id.startswith("<") and message_id in mail.raw.decode()


def test_credentials_from_the_url_are_used_to_log_in():
    with SmtpSink(credentials=("desk", "s3cret")) as sink:
        send_mail(f"smtp://desk:s3cret@127.0.0.1:{sink.port}", OutgoingMail("a@example.com", "Тема", "Текст"))
        assert sink.mailbox.messages()[0].login == "desk"
        with pytest.raises(MailConfigError, match="login failed"):
            send_mail(f"smtp://desk:wrong@127.0.0.1:{sink.port}", OutgoingMail("a@example.com", "Т", "Т"))
        assert len(sink.mailbox.messages()) == 1


def test_an_unreachable_server_is_a_retryable_failure():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once closed
    with pytest.raises(MailUnavailable) as error:
        send_mail(f"smtp://127.0.0.1:{port}?timeout=2", OutgoingMail("a@example.com", "Т", "Т"))
    assert error.value.retryable


def test_a_line_starting_with_a_dot_survives_the_data_phase():
    with SmtpSink() as sink:
        send_mail(sink.url, OutgoingMail("a@example.com", "Т", "строка\n.начинается с точки\n..две"))
        body = sink.mailbox.messages()[0].body
    assert ".начинается с точки" in body and "\n..две" in body
