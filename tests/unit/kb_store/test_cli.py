"""The `kb` commands: quality evaluation that leaves no trace, import with a report, export."""

from __future__ import annotations

import json

from b24app.extensions import db
from b24app.models import KbArticle

ARTICLES = [
    {
        "id": "kb-1",
        "title": "Как сменить пароль",
        "body": "Откройте профиль и нажмите «Сменить пароль».",
        "topic": "Аккаунт",
        "category": "",
        "subcategory": "Пароль",
    },
    {
        "id": "kb-2",
        "title": "Как удалить видео",
        "body": "В студии выберите видео и нажмите «Удалить».",
        "topic": "Видео",
        "category": "",
        "subcategory": "Удаление",
    },
]
CASES = [
    {"query": "не помню пароль, как сменить?", "relevant": ["kb-1"]},
    {"query": "удалить ролик", "relevant": ["kb-2"]},
]


def jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return str(path)


def test_eval_prints_one_json_line_and_stores_nothing(app, ctx, tmp_path):
    result = app.test_cli_runner().invoke(
        args=[
            "kb",
            "eval",
            "--articles",
            jsonl(tmp_path / "a.jsonl", ARTICLES),
            "--cases",
            jsonl(tmp_path / "c.jsonl", CASES),
        ]
    )

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert list(record) == [
        "cases",
        "recall_at_1",
        "recall_at_3",
        "mrr_at_10",
        "ms_per_query_p50",
        "ms_per_query_p95",
    ]
    assert record["cases"] == 2 and record["recall_at_1"] == 1.0
    assert db.session.query(KbArticle).count() == 0


def test_import_refuses_a_bad_file_and_exits_non_zero(app, portal, tmp_path):
    rows = [{"slug": "ok", "title": "Норма"}, {"slug": "bad", "title": "Плохо", "kind": "roman"}]

    result = app.test_cli_runner().invoke(
        args=["kb", "import", portal.member_id, jsonl(tmp_path / "kb.jsonl", rows)]
    )

    assert result.exit_code != 0
    assert "kb.jsonl:2: kind" in result.output
    assert db.session.query(KbArticle).count() == 0


def test_import_then_export_as_markdown(app, portal, tmp_path):
    runner = app.test_cli_runner()
    rows = [{"slug": "ok", "title": "Норма", "status": "published"}]

    imported = runner.invoke(args=["kb", "import", portal.member_id, jsonl(tmp_path / "kb.jsonl", rows)])
    exported = runner.invoke(args=["kb", "export", portal.member_id, str(tmp_path / "out"), "--format", "md"])

    assert imported.exit_code == 0 and "created 1" in imported.output
    assert exported.exit_code == 0
    assert (tmp_path / "out" / "ok.md").read_text(encoding="utf-8").startswith("---\ntitle: Норма\n")
