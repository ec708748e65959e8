"""Where a request came from, read from the item's source when nobody set the channel."""

from __future__ import annotations

import pytest

from b24app.services.intake import channel_of


@pytest.mark.parametrize(
    ("source", "message", "channel"),
    [
        ("CALL", None, "phone"),
        ("EMAIL", None, "email"),
        ("WEB", None, "web_form"),
        ("1|TELEGRAMBOT", None, "chat"),
        ("3|livechat", "email", "chat"),
        ("OTHER", "email", "email"),
        ("", "phone", "phone"),
        ("OTHER", None, None),
        (None, None, None),
    ],
)
def test_channel_of_the_source_then_of_the_first_message(source, message, channel):
    assert channel_of(source, message) == channel
