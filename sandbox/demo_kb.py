"""The demo knowledge base of the sandbox portal: the articles of demo_kb.jsonl and a few reply
templates, loaded through the same import as an administrator's upload."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from b24app.extensions import db
from b24app.models import KbTemplate
from b24app.services.kb.registry import registry
from b24app.services.kb.templates import save_template
from b24app.services.kb.transfer import ImportReport, import_path

HERE = Path(__file__).resolve().parent
DEMO_KB = HERE / "demo_kb.jsonl"
DEMO_TEMPLATES = HERE / "demo_templates.json"


def load_demo_kb(portal_id: int) -> ImportReport:
    """Import the demo articles and templates into a portal (call inside an app context); commits."""
    report = import_path(portal_id, DEMO_KB)
    if not report.ok:
        db.session.rollback()
        raise ValueError("the demo knowledge base does not import: " + "; ".join(map(str, report.problems)))
    have = set(db.session.scalars(select(KbTemplate.title).where(KbTemplate.portal_id == portal_id)))
    for template in json.loads(DEMO_TEMPLATES.read_text(encoding="utf-8")):
        if template["title"] not in have:  # loading twice does not duplicate them
            save_template(portal_id, template)
    db.session.commit()
    registry.forget(portal_id)
    return report
