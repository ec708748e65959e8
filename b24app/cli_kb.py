"""Command line of the knowledge base: `flask --app wsgi kb eval|import|export ...`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from .extensions import db
from .models import KbArticle
from .services.kb.articles import apply, to_kbdoc, validate
from .services.kb.evaluation import evaluate, load_articles, load_cases
from .services.kb.index import KbDoc
from .services.kb.registry import registry
from .services.kb.search import KbIndex
from .services.kb.transfer import export_jsonl, export_markdown, import_path
from .services.portals import find_portal

kb_cli = AppGroup("kb", help="Knowledge base: quality, import and export.")


def stored_form(doc: KbDoc) -> KbDoc:
    """An evaluation article as it would be searched once saved: validated, sanitised, stripped.

    The article is never added to a session, so nothing reaches the database. The eval set's
    category has no column in the model; it is kept so scores compare with the engine's own bench.
    """
    data = {
        "slug": doc.id.lower(),
        "title": doc.title,
        "body": doc.body,
        "body_format": "html",
        "kind": doc.kind,
        "tags": list(doc.tags),
        "product": doc.product,
        "status": "published",
    }
    article = apply(KbArticle(), validate(data))
    return dataclasses.replace(to_kbdoc(article, doc_id=doc.id), category=doc.category)


@kb_cli.command("eval")
@click.option("--articles", "articles_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--cases", "cases_path", required=True, type=click.Path(exists=True, dir_okay=False))
def kb_eval(articles_path: str, cases_path: str) -> None:
    """Recall@1, Recall@3, MRR@10 and time per query on labelled questions, as one JSON line."""
    index = KbIndex([stored_form(doc) for doc in load_articles(articles_path)])
    click.echo(json.dumps(evaluate(index, load_cases(cases_path))))


@kb_cli.command("import")
@click.argument("member_id")
@click.argument("path", type=click.Path(exists=True))
def kb_import(member_id: str, path: str) -> None:
    """Import a .jsonl file or a folder of .md files; nothing is imported if any article is faulty."""
    portal = find_portal(member_id)
    if portal is None:
        raise click.ClickException(f"no portal with member_id {member_id}")
    report = import_path(portal.id, path)
    if not report.ok:
        db.session.rollback()
        for problem in report.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"nothing imported: {len(report.problems)} problem(s)")
    db.session.commit()
    registry.forget(portal.id)  # a bulk change: rebuilding on next use is cheaper than many updates
    click.echo(f"created {report.created}, updated {report.updated}")


@kb_cli.command("export")
@click.argument("member_id")
@click.argument("path", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "md"]), default="jsonl", show_default=True)
def kb_export(member_id: str, path: str, fmt: str) -> None:
    """Write the portal's articles to a .jsonl file or a folder of .md files."""
    portal = find_portal(member_id)
    if portal is None:
        raise click.ClickException(f"no portal with member_id {member_id}")
    count = export_jsonl(portal.id, path) if fmt == "jsonl" else export_markdown(portal.id, Path(path))
    click.echo(f"exported {count} article(s) to {path}")


def register(app: Flask) -> None:
    app.cli.add_command(kb_cli)
