"""Email templates for the client: Russian defaults per stage, sandboxed Jinja rendering and validation.

Admins edit these, so they render in Jinja's sandbox (no attribute tricks, bounded ranges) and only the
placeholders listed in PLACEHOLDERS exist; anything else is reported with its line before saving.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from ..models import NotifyEvent

MAX_SUBJECT = 255
MAX_BODY = 20_000

EVENT_LABELS = {
    NotifyEvent.REGISTERED: _l("Регистрация"),
    NotifyEvent.IN_WORK: _l("Взято в работу"),
    NotifyEvent.WAITING: _l("Ждём ответа клиента"),
    NotifyEvent.RESOLVED: _l("Решено"),
    NotifyEvent.CLOSED: _l("Закрыто"),
    NotifyEvent.SURVEY: _l("Опрос CSAT"),
    NotifyEvent.SURVEY_REMINDER: _l("Напоминание об опросе"),
}

PLACEHOLDERS = {
    "number": _l("номер обращения"),
    "title": _l("тема обращения"),
    "client_name": _l("имя клиента (контакт или компания)"),
    "responsible": _l("ответственный сотрудник"),
    "expected_time": _l("ожидаемый срок решения"),
    "stage": _l("стадия обращения"),
    "survey_url": _l("ссылка на опрос (письмо с опросом)"),
    "survey_expires": _l("до какого дня действует ссылка на опрос"),
}

_SIGNATURE = "\n\nС уважением,\nслужба поддержки"

DEFAULTS: dict[str, tuple[str, str]] = {
    NotifyEvent.REGISTERED: (
        "Обращение №{{ number }} зарегистрировано",
        "Здравствуйте, {{ client_name }}!\n\n"
        "Ваше обращение «{{ title }}» зарегистрировано под номером {{ number }}.\n"
        "Ответственный: {{ responsible }}.\n"
        "Ожидаемый срок решения: {{ expected_time }}." + _SIGNATURE,
    ),
    NotifyEvent.IN_WORK: (
        "Обращение №{{ number }} взято в работу",
        "Здравствуйте, {{ client_name }}!\n\n"
        "Обращение №{{ number }} «{{ title }}» взято в работу.\n"
        "Им занимается {{ responsible }}. Ожидаемый срок решения: {{ expected_time }}." + _SIGNATURE,
    ),
    NotifyEvent.WAITING: (
        "Обращение №{{ number }}: нужен ваш ответ",
        "Здравствуйте, {{ client_name }}!\n\n"
        "Чтобы продолжить работу над обращением №{{ number }} «{{ title }}», нам нужен ваш ответ.\n"
        "Пожалуйста, ответьте на последнее сообщение сотрудника ({{ responsible }})." + _SIGNATURE,
    ),
    NotifyEvent.RESOLVED: (
        "Обращение №{{ number }} решено",
        "Здравствуйте, {{ client_name }}!\n\n"
        "Обращение №{{ number }} «{{ title }}» решено.\n"
        "Если вопрос остался, просто ответьте на это письмо." + _SIGNATURE,
    ),
    NotifyEvent.CLOSED: (
        "Обращение №{{ number }} закрыто",
        "Здравствуйте, {{ client_name }}!\n\nОбращение №{{ number }} «{{ title }}» закрыто.\n"
        "Спасибо, что обратились к нам." + _SIGNATURE,
    ),
    NotifyEvent.SURVEY: (
        "Оцените решение обращения №{{ number }}",
        "Здравствуйте, {{ client_name }}!\n\n"
        "Обращение №{{ number }} «{{ title }}» решено. Оцените, пожалуйста, нашу работу — "
        "это займёт меньше минуты:\n{{ survey_url }}\n\n"
        "Ссылка действует до {{ survey_expires }}." + _SIGNATURE,
    ),
    NotifyEvent.SURVEY_REMINDER: (
        "Напоминание: оцените решение обращения №{{ number }}",
        "Здравствуйте, {{ client_name }}!\n\n"
        "Несколько дней назад мы решили ваше обращение №{{ number }} «{{ title }}». "
        "Если найдёте минуту, оцените, пожалуйста, нашу работу:\n{{ survey_url }}\n\n"
        "Ссылка действует до {{ survey_expires }}. Больше напоминать не будем." + _SIGNATURE,
    ),
}


@dataclass(frozen=True)
class TemplateValues:
    number: str
    title: str
    client_name: str
    responsible: str
    expected_time: str
    stage: str
    survey_url: str = ""
    survey_expires: str = ""


SAMPLE = TemplateValues(
    number="1024",
    title="Не запускается станок ЧПУ Т-400",
    client_name="Иван Петров",
    responsible="Мария Кузнецова",
    expected_time="25.11.2026 18:00",
    stage="В работе",
    survey_url="https://example.invalid/survey/…",
    survey_expires="23.12.2026",
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


class TemplateProblem(ValueError):
    """A template that cannot be used; `message` is Russian and names the field and line."""

    def __init__(self, field: str, message: str, line: int | None = None) -> None:
        where = _("Тема") if field == "subject" else _("Текст")
        if line:
            where = _("%(field)s, строка %(line)s", field=where, line=line)
        super().__init__(f"{where}: {message}")
        self.field = field
        self.line = line
        self.message = f"{where}: {message}"


_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def _compile(field: str, source: str, limit: int):
    if not source.strip():
        raise TemplateProblem(field, _("не заполнено"))
    if len(source) > limit:
        raise TemplateProblem(field, _("слишком длинно (больше %(max)s символов)", max=limit))
    try:
        ast = _env.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(field, _("ошибка в шаблоне: %(error)s", error=exc.message), exc.lineno) from exc
    unknown = sorted(meta.find_undeclared_variables(ast) - set(PLACEHOLDERS))
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        raise TemplateProblem(
            field,
            _(
                "неизвестная переменная %(names)s; доступны: %(allowed)s",
                names=names,
                allowed=", ".join(PLACEHOLDERS),
            ),
        )
    return _env.from_string(source)


def _render_one(field: str, source: str, limit: int, values: TemplateValues) -> str:
    template = _compile(field, source, limit)
    try:
        out = template.render(asdict(values))
    except TemplateError as exc:
        raise TemplateProblem(field, _("не удалось подставить значения: %(error)s", error=exc)) from exc
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateProblem(field, _("не удалось подставить значения: %(error)s", error=exc)) from exc
    if len(out) > limit:
        raise TemplateProblem(field, _("результат слишком длинный (больше %(max)s символов)", max=limit))
    return out


def render(subject: str, body: str, values: TemplateValues) -> Rendered:
    """Render a template pair; raises TemplateProblem with a message an admin can act on."""
    rendered_subject = " ".join(_render_one("subject", subject, MAX_SUBJECT, values).split())
    return Rendered(rendered_subject, _render_one("body", body, MAX_BODY, values).strip() + "\n")


def validate(subject: str, body: str) -> Rendered:
    """Check a template the way it will be used: parse it and render it with sample values."""
    return render(subject, body, SAMPLE)
