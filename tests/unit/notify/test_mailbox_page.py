"""The sandbox mailbox page: a person sees who got what, with the links in the body clickable."""

from __future__ import annotations

from flask import Flask

from sandbox.mailbox import create_mailbox_blueprint, linkify
from sandbox.smtp import Mailbox

RAW = (
    b"From: desk@example.com\r\nTo: ivan@client.example\r\nSubject: =?utf-8?b?0J7Qv9GA0L7RgQ==?=\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
) + "Ответьте: https://desk.example/survey/abc.def-1.\r\n<script>x</script>\r\n".encode()


def test_links_become_anchors_and_markup_is_escaped():
    html = str(linkify("см. https://desk.example/survey/abc. <b>жирный</b>"))
    assert '<a href="https://desk.example/survey/abc"' in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_the_page_lists_messages_newest_first_and_filters_by_recipient():
    mailbox = Mailbox()
    mailbox.add("desk@example.com", ["ivan@client.example"], RAW, None)
    mailbox.add("desk@example.com", ["olga@client.example"], RAW.replace(b"ivan@", b"olga@"), None)
    app = Flask(__name__)
    app.register_blueprint(create_mailbox_blueprint(mailbox, "http://portal.example"))
    client = app.test_client()
    page = client.get("/mailbox/").get_data(as_text=True)
    assert page.index("olga@client.example") < page.index("ivan@client.example")
    assert "Опрос" in page
    assert '<a href="https://desk.example/survey/abc.def-1"' in page
    assert "<script>x" not in page
    only = client.get("/mailbox/?to=ivan@client.example").get_data(as_text=True)
    assert "olga@client.example" not in only
    api = client.get("/mailbox/api/messages?to=olga@client.example").json
    assert [m["to"] for m in api] == [["olga@client.example"]]
