"""Measuring suggestion quality: Recall@1, Recall@3, MRR@10 and time per query over labelled
questions, plus loaders for the kb-eval files (articles and cases as JSON lines)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .index import KbDoc
from .search import KbIndex

# Anything that answers "the ranked article ids for this question, at most k of them".
Ranker = Callable[[str, int], list[str]]


@dataclass(frozen=True, slots=True)
class EvalCase:
    """A question and the ids of the articles that answer it."""

    query: str
    relevant: tuple[str, ...]


def load_articles(path: str | Path) -> list[KbDoc]:
    """Articles from a kb-eval JSON-lines file (id, title, body, topic, category, subcategory).

    The topic is the article's section, so it is indexed as a tag; the subcategory as its category.
    """
    docs = []
    for row in _json_lines(path):
        topic = row.get("topic") or ""
        docs.append(
            KbDoc(
                id=str(row["id"]),
                title=row.get("title") or "",
                body=row.get("body") or "",
                tags=(topic,) if topic else (),
                category=row.get("subcategory") or "",
            )
        )
    return docs


def load_cases(path: str | Path) -> list[EvalCase]:
    """Labelled questions from a JSON-lines file of {"query", "relevant": [ids]}."""
    return [EvalCase(row["query"], tuple(str(i) for i in row["relevant"])) for row in _json_lines(path)]


def evaluate(target: KbIndex | Sequence[KbDoc] | Ranker, cases: Sequence[EvalCase]) -> dict[str, float]:
    """Quality and speed of a ranker on labelled cases, as one flat record.

    A case counts as found at k when any of its relevant articles is among the first k suggestions.
    """
    rank = as_ranker(target)
    found_1 = found_3 = 0
    reciprocal = 0.0
    timings: list[float] = []
    for case in cases:
        started = time.perf_counter()
        ranked = rank(case.query, 10)
        timings.append((time.perf_counter() - started) * 1000.0)
        position = first_relevant(ranked[:10], case.relevant)
        if position is not None:
            found_1 += position < 1
            found_3 += position < 3
            reciprocal += 1.0 / (position + 1)
    n = len(cases)
    return {
        "cases": n,
        "recall_at_1": round(found_1 / n, 4) if n else 0.0,
        "recall_at_3": round(found_3 / n, 4) if n else 0.0,
        "mrr_at_10": round(reciprocal / n, 4) if n else 0.0,
        "ms_per_query_p50": round(percentile(timings, 50), 3),
        "ms_per_query_p95": round(percentile(timings, 95), 3),
    }


def as_ranker(target: KbIndex | Sequence[KbDoc] | Ranker) -> Ranker:
    """A ranking function from an index, a list of articles (indexed here) or a ranker itself."""
    if isinstance(target, KbIndex):
        index = target
    elif callable(target):
        return target
    else:
        index = KbIndex(list(target))
    return lambda query, k: [hit.doc_id for hit in index.search(query, k=k)]


def first_relevant(ranked: Sequence[str], relevant: Sequence[str]) -> int | None:
    """Zero-based position of the first relevant id, or None."""
    wanted = set(relevant)
    return next((i for i, doc_id in enumerate(ranked) if doc_id in wanted), None)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def _json_lines(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
