"""Reply templates: placeholders filled from the request mirror, validation for the editor, and the
template as the search engine sees it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import KbTemplate, ServiceRequest, utcnow
from ...templating import localtime
from .articles import FieldProblem
from .index import KbDoc

TEMPLATE_KIND = "template"
MAX_TITLE = 255
MAX_BODY = 10_000
EMPTY = "—"
# Placeholder name -> what the editor is told it becomes.
PLACEHOLDERS: dict[str, str] = {
    "client_name": _l("клиент (компания или контакт)"),
    "request_number": _l("номер обращения"),
    "responsible": _l("ответственный"),
    "due_time": _l("ближайший срок по SLA (московское время)"),
    "onec_number": _l("номер заявки в 1С"),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class TemplateInvalid(ValueError):
    """The template cannot be saved; `problems` lists every field at fault."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class TemplateData:
    title: str
    body: str
    tags: tuple[str, ...]
    active: bool


def nearest_due(req: ServiceRequest) -> str:
    """The next SLA deadline still open (first response until answered, then resolution), in
    Moscow time, or «—» when there is none."""
    candidates = [req.resolution_due]
    if req.first_response_at is None:
        candidates.append(req.first_response_due)
    due = min((d for d in candidates if d is not None), default=None)
    return localtime(due) if due is not None else EMPTY


def values_for(req: ServiceRequest) -> dict[str, str]:
    """What each placeholder becomes for a request, read from the mirror."""
    return {
        "client_name": req.company_title or req.contact_name or EMPTY,
        "request_number": str(req.b24_id),
        "responsible": req.assigned_name or EMPTY,
        "due_time": nearest_due(req),
        "onec_number": req.onec_number or EMPTY,
    }


def fill(body: str, values: Mapping[str, str]) -> str:
    """The template text with known placeholders replaced; anything else in braces is left as is."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def validate_template(data: Mapping[str, Any]) -> TemplateData:
    """Check and normalise template fields; raises TemplateInvalid listing every problem."""
    problems: list[FieldProblem] = []
    title = data.get("title")
    body = data.get("body")
    title = title.strip() if isinstance(title, str) else ""
    body = body.strip() if isinstance(body, str) else ""
    if not title:
        problems.append(FieldProblem("title", _("название обязательно")))
    elif len(title) > MAX_TITLE:
        problems.append(FieldProblem("title", _("название длиннее %(max)s символов", max=MAX_TITLE)))
    if not body:
        problems.append(FieldProblem("body", _("текст шаблона обязателен")))
    elif len(body) > MAX_BODY:
        problems.append(FieldProblem("body", _("текст длиннее %(max)s символов", max=MAX_BODY)))
    unknown = sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        problems.append(
            FieldProblem(
                "body",
                _(
                    "неизвестные подстановки: %(unknown)s; допустимы: %(allowed)s",
                    unknown=", ".join(unknown),
                    allowed=allowed,
                ),
            )
        )
    raw_tags = data.get("tags") or []
    if isinstance(raw_tags, str):
        raw_tags = raw_tags.split(",")
    if not isinstance(raw_tags, list) or not all(isinstance(t, str) for t in raw_tags):
        problems.append(FieldProblem("tags", _("должно быть списком строк")))
        raw_tags = []
    active = data.get("active", True)
    if not isinstance(active, bool):
        problems.append(FieldProblem("active", _("должно быть да или нет")))
    if problems:
        raise TemplateInvalid(problems)
    return TemplateData(title, body, tuple(t.strip() for t in raw_tags if t.strip()), bool(active))


def save_template(portal_id: int, data: Mapping[str, Any], template_id: int | None = None) -> KbTemplate:
    """Create a template, or update the portal's template `template_id` (version + 1). Flushes only."""
    valid = validate_template(data)
    if template_id is None:
        template = KbTemplate(portal_id=portal_id, version=1, created_at=utcnow())
        db.session.add(template)
    else:
        template = db.session.get(KbTemplate, template_id)
        if template is None or template.portal_id != portal_id:
            raise LookupError(f"template {template_id} is not in portal {portal_id}")
        template.version = (template.version or 0) + 1
    template.title = valid.title
    template.body = valid.body
    template.tags = list(valid.tags)
    template.active = valid.active
    template.updated_at = utcnow()
    db.session.flush()
    return template


def template_kbdoc(template: KbTemplate) -> KbDoc:
    """The template as the search sees it: placeholders are not words of the reply."""
    return KbDoc(
        id=str(template.id),
        title=template.title,
        body=_PLACEHOLDER.sub(" ", template.body or ""),
        kind=TEMPLATE_KIND,
        tags=tuple(template.tags or ()),
    )
