"""Moving a portal's knowledge base in and out: JSON lines (one article a line) or a folder of
Markdown files with a YAML front matter. Import is all or nothing, with a line-numbered report."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import BodyFormat, KbArticle
from .articles import ArticleInvalid, save_article, validate

JSONL_FIELDS = (
    "slug",
    "kind",
    "title",
    "body_format",
    "body",
    "tags",
    "product",
    "symptoms",
    "causes",
    "remedy",
    "links",
    "status",
)
FRONT_MATTER_FIELDS = (
    "title",
    "kind",
    "tags",
    "product",
    "symptoms",
    "causes",
    "remedy",
    "status",
    "links",
    "body_format",
)
FENCE = "---"
MAX_UPLOAD = 10 * 1024 * 1024
MAX_FILES = 5000


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One reason an import was refused: where (file and line) and what."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class SourceArticle:
    """An article read from a file, with where each field came from for error reports."""

    source: str
    line: int
    data: dict[str, Any]
    field_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class ImportReport:
    problems: list[ImportProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def read_jsonl(path: str | Path) -> tuple[list[SourceArticle], list[ImportProblem]]:
    """Articles from a JSON-lines file; unreadable lines become problems."""
    with open(path, encoding="utf-8") as handle:
        return read_jsonl_lines(Path(path).name, handle)


def read_jsonl_lines(name: str, lines: Iterable[str]) -> tuple[list[SourceArticle], list[ImportProblem]]:
    """Articles from JSON lines (numbered from 1 in problems); unreadable lines become problems."""
    articles: list[SourceArticle] = []
    problems: list[ImportProblem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                ImportProblem(name, number, _("строка не является JSON: %(error)s", error=exc.msg))
            )
            continue
        if not isinstance(row, dict):
            problems.append(ImportProblem(name, number, _("ожидался объект JSON со статьёй")))
            continue
        articles.append(SourceArticle(name, number, row))
    return articles, problems


def read_upload(filename: str, data: bytes) -> tuple[list[SourceArticle], list[ImportProblem]]:
    """Articles from an uploaded .jsonl file or a .zip of .md files (other zip members are ignored)."""
    name = Path(filename or "").name or "upload"
    if len(data) > MAX_UPLOAD:
        return [], [ImportProblem(name, None, _("файл больше %(size)s МБ", size=MAX_UPLOAD // (1024 * 1024)))]
    if name.lower().endswith(".jsonl"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return [], [
                ImportProblem(name, None, _("файл не в кодировке UTF-8 (байт %(byte)s)", byte=exc.start))
            ]
        return read_jsonl_lines(name, text.splitlines())
    if name.lower().endswith(".zip"):
        return _read_zip(name, data)
    return [], [ImportProblem(name, None, _("нужен файл .jsonl или архив .zip со статьями .md"))]


def _read_zip(name: str, data: bytes) -> tuple[list[SourceArticle], list[ImportProblem]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return [], [ImportProblem(name, None, _("архив .zip повреждён"))]
    members = sorted(
        (m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(".md")),
        key=lambda m: m.filename,
    )
    if not members:
        return [], [ImportProblem(name, None, _("в архиве нет файлов .md"))]
    if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_UPLOAD:
        return [], [ImportProblem(name, None, _("архив слишком велик для загрузки"))]
    articles: list[SourceArticle] = []
    problems: list[ImportProblem] = []
    for member in members:
        # Only the base name counts: folders inside the archive never become part of a slug.
        file_name = Path(member.filename).name
        try:
            text = archive.read(member).decode("utf-8-sig")
            articles.append(parse_markdown(file_name, text))
        except UnicodeDecodeError as exc:
            problems.append(
                ImportProblem(file_name, None, _("файл не в кодировке UTF-8 (байт %(byte)s)", byte=exc.start))
            )
        except _FrontMatterError as exc:
            problems.append(ImportProblem(file_name, exc.line, exc.message))
    return articles, problems


def read_markdown_folder(path: str | Path) -> tuple[list[SourceArticle], list[ImportProblem]]:
    """Articles from *.md files (the file name is the slug); broken front matter becomes problems."""
    articles: list[SourceArticle] = []
    problems: list[ImportProblem] = []
    for file in sorted(Path(path).glob("*.md")):
        try:
            articles.append(parse_markdown(file.name, file.read_text(encoding="utf-8")))
        except _FrontMatterError as exc:
            problems.append(ImportProblem(file.name, exc.line, exc.message))
    return articles, problems


class _FrontMatterError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_markdown(name: str, text: str) -> SourceArticle:
    """One Markdown article: `---` YAML header `---` then the body."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE:
        raise _FrontMatterError(1, _("файл должен начинаться с заголовка между строками ---"))
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FENCE)
    except StopIteration:
        raise _FrontMatterError(1, _("заголовок не закрыт строкой ---")) from None
    header = "\n".join(lines[1:end])
    try:
        node = yaml.compose(header, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        raise _FrontMatterError(
            line, _("заголовок не читается как YAML: %(error)s", error=getattr(exc, "problem", exc))
        ) from None
    if not isinstance(meta, dict):
        raise _FrontMatterError(2, _("заголовок должен быть набором полей «имя: значение»"))
    field_lines = {}
    if isinstance(node, yaml.MappingNode):
        # +2: the header starts on the line after the opening fence; marks count from zero.
        field_lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    data = {key: meta[key] for key in FRONT_MATTER_FIELDS if key in meta}
    data["slug"] = Path(name).stem
    data["body"] = "\n".join(lines[end + 1 :]).strip("\n")
    for key in ("symptoms", "causes", "remedy", "product", "title"):
        if data.get(key) is not None and not isinstance(data[key], str):
            data[key] = str(data[key])
    return SourceArticle(name, 1, data, field_lines)


def check(articles: list[SourceArticle]) -> list[ImportProblem]:
    """Every problem in a batch, before anything is written."""
    problems: list[ImportProblem] = []
    seen: dict[str, SourceArticle] = {}
    for item in articles:
        try:
            valid = validate(item.data)
        except ArticleInvalid as exc:
            for p in exc.problems:
                line = item.field_lines.get(p.field, item.line)
                problems.append(ImportProblem(item.source, line, f"{p.field}: {p.message}"))
            continue
        first = seen.setdefault(valid.slug, item)
        if first is not item:
            problems.append(
                ImportProblem(
                    item.source,
                    item.line,
                    _(
                        "slug: «%(slug)s» повторяется (впервые: %(source)s:%(line)s)",
                        slug=valid.slug,
                        source=first.source,
                        line=first.line,
                    ),
                )
            )
    return problems


def import_articles(
    portal_id: int,
    articles: list[SourceArticle],
    read_problems: list[ImportProblem] | None = None,
    author_id: int | None = None,
) -> ImportReport:
    """Save all the articles, or none when any is faulty; an existing slug is updated, not duplicated.

    Flushes, does not commit; afterwards the caller commits and refreshes the registry.
    """
    report = ImportReport(problems=list(read_problems or []) + check(articles))
    if not report.ok:
        return report
    existing = set(db.session.scalars(select(KbArticle.slug).where(KbArticle.portal_id == portal_id)))
    for item in articles:
        article = save_article(portal_id, item.data, author_id)
        if article.slug in existing:
            report.updated += 1
        else:
            report.created += 1
            existing.add(article.slug)
    return report


def import_path(portal_id: int, path: str | Path, author_id: int | None = None) -> ImportReport:
    """Import a .jsonl file or a folder of .md files."""
    path = Path(path)
    articles, problems = read_markdown_folder(path) if path.is_dir() else read_jsonl(path)
    return import_articles(portal_id, articles, problems, author_id)


def _portal_articles(portal_id: int) -> list[KbArticle]:
    return list(
        db.session.scalars(select(KbArticle).where(KbArticle.portal_id == portal_id).order_by(KbArticle.slug))
    )


def article_record(article: KbArticle) -> dict[str, Any]:
    """An article as exported: what the author wrote (source text), not the rendered HTML."""
    record = {name: getattr(article, name) for name in JSONL_FIELDS if name != "body"}
    record["body"] = article.source
    return record


def export_jsonl(portal_id: int, path: str | Path) -> int:
    """Write the portal's articles as JSON lines; returns how many."""
    articles = _portal_articles(portal_id)
    with open(path, "w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")
    return len(articles)


def jsonl_text(portal_id: int) -> str:
    """The portal's articles as JSON lines, for a download."""
    return "".join(
        json.dumps(article_record(a), ensure_ascii=False) + "\n" for a in _portal_articles(portal_id)
    )


def markdown_zip(portal_id: int) -> bytes:
    """The portal's articles as a .zip of <slug>.md files, for a download (importable as is)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for article in _portal_articles(portal_id):
            archive.writestr(f"{article.slug}.md", markdown_text(article))
    return buffer.getvalue()


def markdown_text(article: KbArticle) -> str:
    meta: dict[str, Any] = {
        "title": article.title,
        "kind": article.kind,
        "tags": list(article.tags or []),
        "product": article.product,
        "symptoms": article.symptoms,
        "causes": article.causes,
        "remedy": article.remedy,
        "status": article.status,
    }
    if article.links:
        meta["links"] = list(article.links)
    if article.body_format != BodyFormat.MARKDOWN:
        meta["body_format"] = article.body_format
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"{FENCE}\n{header}{FENCE}\n{article.source}\n"


def export_markdown(portal_id: int, folder: str | Path) -> int:
    """Write one <slug>.md per article into a folder (created if missing); returns how many."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    articles = _portal_articles(portal_id)
    for article in articles:
        (folder / f"{article.slug}.md").write_text(markdown_text(article), encoding="utf-8")
    return len(articles)
