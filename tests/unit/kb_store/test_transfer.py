"""Import and export of a knowledge base: all or nothing, with a report that says where."""

from __future__ import annotations

import json

from b24app.extensions import db
from b24app.models import KbArticle
from b24app.services.kb.transfer import export_markdown, import_path

GOOD = {
    "slug": "t400-e17",
    "kind": "fault",
    "title": "Т-400: ошибка E-17",
    "status": "published",
    "symptoms": "Станок не запускается, ошибка E-17",
    "causes": "Скачок напряжения",
    "remedy": "Проверить предохранитель F2",
    "tags": ["ЧПУ"],
    "product": "Т-400",
    "body": "Текст",
}


def write_jsonl(path, rows) -> None:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
        encoding="utf-8",
    )


def count_articles() -> int:
    return db.session.query(KbArticle).count()


def test_bad_jsonl_imports_nothing_and_names_the_lines(portal, tmp_path):
    file = tmp_path / "kb.jsonl"
    write_jsonl(
        file, [GOOD, {**GOOD, "slug": "x", "kind": "poem"}, "{not json", {**GOOD, "slug": "y", "title": ""}]
    )

    report = import_path(portal.id, file)
    db.session.commit()

    assert count_articles() == 0
    where = sorted((p.line, p.message.split(":")[0]) for p in report.problems)
    assert where == [(2, "kind"), (3, "строка не является JSON"), (4, "title")]
    assert all(p.source == "kb.jsonl" for p in report.problems)


def test_reimporting_the_same_slug_updates_instead_of_duplicating(portal, tmp_path):
    file = tmp_path / "kb.jsonl"
    write_jsonl(file, [GOOD])
    import_path(portal.id, file)
    db.session.commit()
    write_jsonl(file, [{**GOOD, "title": "Т-400: ошибка E-17 после грозы"}])

    report = import_path(portal.id, file)
    db.session.commit()

    assert (report.created, report.updated) == (0, 1)
    only = db.session.query(KbArticle).one()
    assert only.title == "Т-400: ошибка E-17 после грозы" and only.version == 2


def test_markdown_export_then_import_gives_the_same_articles(portal, tmp_path):
    from tests.factories import make_portal

    write_jsonl(
        tmp_path / "kb.jsonl",
        [
            GOOD,
            {
                "slug": "warranty",
                "kind": "warranty",
                "title": "Гарантия 24 месяца",
                "body": "## Условия\n\n- пуск по акту\n- ТО по регламенту",
                "tags": ["гарантия"],
                "status": "draft",
            },
        ],
    )
    import_path(portal.id, tmp_path / "kb.jsonl")
    db.session.commit()
    assert export_markdown(portal.id, tmp_path / "md") == 2
    other = make_portal()

    report = import_path(other.id, tmp_path / "md")
    db.session.commit()

    assert report.ok and report.created == 2
    fields = (
        "slug",
        "kind",
        "title",
        "source",
        "body",
        "tags",
        "product",
        "symptoms",
        "causes",
        "remedy",
        "status",
    )

    def by_slug(pid):
        rows = db.session.query(KbArticle).filter_by(portal_id=pid).order_by(KbArticle.slug)
        return [tuple(getattr(a, f) for f in fields) for a in rows]

    assert by_slug(other.id) == by_slug(portal.id)


def test_bad_front_matter_reports_file_and_line(portal, tmp_path):
    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "ok.md").write_text("---\ntitle: Норма\nkind: faq\n---\nТекст\n", encoding="utf-8")
    (folder / "bad-kind.md").write_text(
        "---\ntitle: Плохо\nstatus: draft\nkind: roman\n---\nТекст\n", encoding="utf-8"
    )
    (folder / "broken.md").write_text("---\ntitle: Сломано\ntags: [a, b\n---\nТекст\n", encoding="utf-8")

    report = import_path(portal.id, folder)
    db.session.commit()

    assert count_articles() == 0
    assert ("bad-kind.md", 4) in [(p.source, p.line) for p in report.problems]
    broken = next(p for p in report.problems if p.source == "broken.md")
    assert broken.line is not None and broken.line >= 3
