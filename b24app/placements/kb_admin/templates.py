"""Reply templates in the admin tab: read, create or edit, delete."""

from __future__ import annotations

from flask import abort, g, jsonify
from flask_babel import gettext as _

from ...extensions import db
from ...models import KbTemplate
from ...services.kb.registry import registry
from ...services.kb.templates import TemplateInvalid, save_template
from ..frames import admin_required, frame_api
from . import bp, json_body, problems_response


def _template_or_404(portal_id: int, template_id: int) -> KbTemplate:
    template = db.session.get(KbTemplate, template_id)
    if template is None or template.portal_id != portal_id:
        abort(404, description=_("шаблон не найден"))
    return template


@bp.get("/frame-api/admin/kb/templates/<int:template_id>")
@frame_api
def template_json(template_id: int):
    admin_required(g.call)
    t = _template_or_404(g.call.portal.id, template_id)
    return jsonify(
        template={"id": t.id, "title": t.title, "body": t.body, "tags": t.tags, "active": t.active}
    )


@bp.post("/frame-api/admin/kb/templates")
@frame_api
def template_save():
    """Create a template, or update the one named by `id`."""
    admin_required(g.call)
    portal_id = g.call.portal.id
    data = json_body()
    template_id = data.get("id")
    if template_id is not None:
        if isinstance(template_id, bool) or not isinstance(template_id, int):
            abort(400, description=_("id: нужен целый номер"))
        _template_or_404(portal_id, template_id)
    try:
        template = save_template(portal_id, data, template_id)
    except TemplateInvalid as exc:
        db.session.rollback()
        return problems_response(exc.problems, _("Шаблон не сохранён"))
    db.session.commit()
    registry.template_changed(portal_id, template)
    return jsonify(template={"id": template.id, "title": template.title, "active": template.active})


@bp.delete("/frame-api/admin/kb/templates/<int:template_id>")
@frame_api
def template_remove(template_id: int):
    admin_required(g.call)
    portal_id = g.call.portal.id
    db.session.delete(_template_or_404(portal_id, template_id))
    db.session.commit()
    registry.template_removed(portal_id, template_id)
    return jsonify(ok=True)
