"""Import and export in the admin tab: a .jsonl file or a .zip of .md files in, all or nothing with
a line-numbered report; the same formats out as downloads."""

from __future__ import annotations

from flask import Response, abort, g, jsonify, request
from flask_babel import gettext as _

from ...extensions import db
from ...services.kb.registry import registry
from ...services.kb.transfer import MAX_UPLOAD, import_articles, jsonl_text, markdown_zip, read_upload
from ..frames import admin_required, frame_api
from . import bp


@bp.post("/frame-api/admin/kb/import")
@frame_api
def import_upload():
    admin_required(g.call)
    portal_id = g.call.portal.id
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        abort(400, description=_("выберите файл .jsonl или архив .zip"))
    articles, problems = read_upload(upload.filename, upload.stream.read(MAX_UPLOAD + 1))
    report = import_articles(portal_id, articles, problems, author_id=g.call.user_id)
    if not report.ok:
        db.session.rollback()
        return jsonify(
            error="invalid",
            message=_("Ничего не импортировано: ошибок %(count)s", count=len(report.problems)),
            problems=[str(p) for p in report.problems],
        ), 400
    db.session.commit()
    registry.forget(portal_id)  # a bulk change: rebuilding on next use is cheaper than many updates
    return jsonify(
        created=report.created,
        updated=report.updated,
        message=_(
            "Импортировано: новых %(created)s, обновлено %(updated)s",
            created=report.created,
            updated=report.updated,
        ),
    )


@bp.get("/frame-api/admin/kb/export")
@frame_api
def export():
    admin_required(g.call)
    portal_id = g.call.portal.id
    if request.args.get("format", "jsonl") == "md":
        return Response(
            markdown_zip(portal_id),
            mimetype="application/zip",
            headers={"Content-Disposition": "attachment; filename=kb.zip"},
        )
    return Response(
        jsonl_text(portal_id),
        mimetype="application/x-ndjson; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=kb.jsonl"},
    )
