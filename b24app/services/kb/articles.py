"""Knowledge-base articles as authors write them: validation with messages for the editor,
sanitised HTML (on save and again on render), plain text for the index."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import nh3
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from sqlalchemy import select

from ...extensions import db
from ...models import ArticleKind, ArticleStatus, BodyFormat, KbArticle, utcnow
from .index import KbDoc

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "ul",
        "ol",
        "li",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "s",
        "code",
        "pre",
        "blockquote",
        "h2",
        "h3",
        "h4",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Script and style bodies are code, not text: drop them with their tags.
DROP_WITH_CONTENT = frozenset({"script", "style"})
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
TEXT_FIELDS = ("symptoms", "causes", "remedy")
EDITABLE = (
    "slug",
    "kind",
    "title",
    "body",
    "body_format",
    "tags",
    "product",
    *TEXT_FIELDS,
    "links",
    "status",
)
MAX_TITLE = 255
MAX_PRODUCT = 120

_markdown = MarkdownIt("js-default")
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")
_TRANSLIT = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """What is wrong with one field, said for the editor."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ArticleInvalid(ValueError):
    """The article cannot be saved; `problems` lists every field at fault."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ArticleData:
    """Validated, normalised article fields (body is the author's source text)."""

    slug: str
    kind: str
    title: str
    body: str
    body_format: str
    tags: tuple[str, ...]
    product: str
    symptoms: str
    causes: str
    remedy: str
    links: tuple[str, ...]
    status: str


def sanitize_html(fragment: str) -> str:
    """HTML safe to show in the card: a small set of tags, http(s)/mailto links with rel=noopener."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def body_html(source: str, body_format: str) -> str:
    """The sanitised HTML of an article body written as HTML or Markdown."""
    rendered = _markdown.render(source) if body_format == BodyFormat.MARKDOWN else source
    return sanitize_html(rendered)


def render_body(article: KbArticle) -> str:
    """The body for display, sanitised again: rows written around this module stay harmless."""
    return sanitize_html(article.body or "")


def plain_text(fragment: str) -> str:
    """Words of an HTML fragment for the index (tags become spaces so words do not glue)."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", sanitize_html(fragment)))).strip()


def slugify(title: str) -> str:
    """A latin slug for a title (Russian transliterated), at most 80 characters."""
    latin = title.lower().translate(_TRANSLIT)
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")[:80].strip("-")
    return slug or "article"


def validate(data: Mapping[str, Any]) -> ArticleData:
    """Check and normalise article fields; raises ArticleInvalid listing every problem."""
    problems: list[FieldProblem] = []

    def text(name: str, default: str = "") -> str:
        value = data.get(name, default)
        if value is None:
            return default
        if not isinstance(value, str):
            problems.append(FieldProblem(name, _("должно быть строкой")))
            return default
        return value.strip()

    def string_list(name: str) -> tuple[str, ...]:
        value = data.get(name) or []
        if isinstance(value, str):
            value = [part for part in value.split(",")]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(FieldProblem(name, _("должно быть списком строк")))
            return ()
        return tuple(v.strip() for v in value if v.strip())

    title = text("title")
    if not title:
        problems.append(FieldProblem("title", _("заголовок обязателен")))
    elif len(title) > MAX_TITLE:
        problems.append(FieldProblem("title", _("заголовок длиннее %(max)s символов", max=MAX_TITLE)))
    kind = text("kind", ArticleKind.FAQ) or ArticleKind.FAQ
    if kind not in ArticleKind.ALL:
        problems.append(
            FieldProblem(
                "kind",
                _(
                    "тип «%(kind)s» неизвестен; допустимы: %(allowed)s",
                    kind=kind,
                    allowed=", ".join(ArticleKind.ALL),
                ),
            )
        )
    status = text("status", ArticleStatus.DRAFT) or ArticleStatus.DRAFT
    if status not in ArticleStatus.ALL:
        problems.append(
            FieldProblem(
                "status", _("статус «%(status)s» неизвестен; допустимы: draft, published", status=status)
            )
        )
    body_format = text("body_format", BodyFormat.MARKDOWN) or BodyFormat.MARKDOWN
    if body_format not in BodyFormat.ALL:
        problems.append(FieldProblem("body_format", _("формат текста должен быть html или markdown")))
    slug = text("slug") or slugify(title)
    if not SLUG_RE.match(slug):
        problems.append(FieldProblem("slug", _("адрес статьи: только латинские буквы, цифры и дефис")))
    product = text("product")
    if len(product) > MAX_PRODUCT:
        problems.append(
            FieldProblem("product", _("название изделия длиннее %(max)s символов", max=MAX_PRODUCT))
        )
    links = string_list("links")
    for link in links:
        if not re.match(r"^(https?://|mailto:)", link, re.IGNORECASE):
            problems.append(
                FieldProblem(
                    "links", _("ссылка «%(link)s» должна начинаться с http:// или https://", link=link)
                )
            )
    fields = {name: text(name) for name in TEXT_FIELDS}
    body = text("body")
    tags = string_list("tags")
    if (
        kind == ArticleKind.FAULT
        and status == ArticleStatus.PUBLISHED
        and not (fields["symptoms"] and fields["remedy"])
    ):
        problems.append(
            FieldProblem("symptoms", _("у неисправности должны быть заполнены признаки и способ устранения"))
        )
    if problems:
        raise ArticleInvalid(problems)
    return ArticleData(
        slug, kind, title, body, body_format, tags, product, **fields, links=links, status=status
    )


def apply(article: KbArticle, data: ArticleData) -> KbArticle:
    """Copy validated fields onto an article, rendering and sanitising its body."""
    article.slug = data.slug
    article.kind = data.kind
    article.title = data.title
    article.source = data.body
    article.body_format = data.body_format
    article.body = body_html(data.body, data.body_format)
    article.tags = list(data.tags)
    article.product = data.product
    article.symptoms = data.symptoms
    article.causes = data.causes
    article.remedy = data.remedy
    article.links = list(data.links)
    article.status = data.status
    return article


def find_article(portal_id: int, slug: str) -> KbArticle | None:
    return db.session.scalar(
        select(KbArticle).where(KbArticle.portal_id == portal_id, KbArticle.slug == slug)
    )


def save_article(portal_id: int, data: Mapping[str, Any], author_id: int | None = None) -> KbArticle:
    """Create an article, or update the portal's article with the same id or slug (version + 1).

    Flushes, does not commit: the caller owns the transaction, then tells the registry
    (`registry.article_changed`) so suggestions follow.
    """
    valid = validate(data)
    article = None
    if data.get("id") is not None:
        article = db.session.get(KbArticle, int(data["id"]))
        if article is None or article.portal_id != portal_id:
            raise ArticleInvalid([FieldProblem("id", _("статья не найдена"))])
        clash = find_article(portal_id, valid.slug)
        if clash is not None and clash.id != article.id:
            raise ArticleInvalid(
                [FieldProblem("slug", _("адрес «%(slug)s» уже занят другой статьёй", slug=valid.slug))]
            )
    else:
        article = find_article(portal_id, valid.slug)
    if article is None:
        article = KbArticle(portal_id=portal_id, author_id=author_id, version=1, created_at=utcnow())
        db.session.add(article)
    else:
        article.version = (article.version or 0) + 1
        article.author_id = author_id if author_id is not None else article.author_id
    apply(article, valid)
    article.updated_at = utcnow()
    db.session.flush()
    return article


def to_kbdoc(article: KbArticle, doc_id: str | None = None) -> KbDoc:
    """The article as the search engine sees it (the id is the article id unless given)."""
    return KbDoc(
        id=doc_id if doc_id is not None else str(article.id),
        title=article.title,
        body=plain_text(article.body or ""),
        kind=article.kind,
        tags=tuple(article.tags or ()),
        symptoms=article.symptoms or "",
        causes=article.causes or "",
        remedy=article.remedy or "",
        product=article.product or "",
    )
