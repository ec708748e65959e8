"""The sandbox mailbox page: what the SMTP sink received (recipient, subject, time, body with live links).

Mounted on the sandbox portal's app at /mailbox/ by the stack, so a person finds the client's emails
(registration, stage changes, the survey link) next to the portal.
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, render_template, request
from markupsafe import Markup, escape

from sandbox.smtp import Mailbox

_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: str) -> Markup:
    """Escape the text and turn every http(s) address into a link."""
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)»")
        out.append(escape(text[last : match.start()]))
        out.append(Markup('<a href="{0}" target="_blank" rel="noopener">{0}</a>').format(url))
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


def create_mailbox_blueprint(mailbox: Mailbox, portal_url: str = "") -> Blueprint:
    bp = Blueprint("mailbox", __name__, template_folder="mailbox_templates", url_prefix="/mailbox")

    @bp.get("/")
    def index():
        to = request.args.get("to", "").strip()
        rows = list(reversed(mailbox.messages(to or None)))
        return render_template(
            "sandbox_mailbox.html", rows=rows, to=to, linkify=linkify, portal_url=portal_url
        )

    @bp.get("/<int:mail_id>/raw")
    def raw(mail_id: int):
        mail = mailbox.get(mail_id)
        if mail is None:
            abort(404)
        return mail.raw, 200, {"Content-Type": "text/plain; charset=utf-8"}

    @bp.get("/api/messages")
    def messages():
        to = request.args.get("to", "").strip() or None
        return jsonify(
            [
                {
                    "id": m.id,
                    "from": m.sender,
                    "to": list(m.recipients),
                    "subject": m.subject,
                    "body": m.body,
                    "received_at": m.received_at.isoformat(),
                }
                for m in mailbox.messages(to)
            ]
        )

    return bp
