"""Knowledge-base suggestion quality on the kb-eval development set: our ranker beside baselines
measured in the same run (rapidfuzz token_set_ratio, BM25 on words, BM25 on Snowball stems).

    .venv/bin/python bench/kb_quality.py [--data ../shared/data/kb-eval] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b24app.services.kb.evaluation import Ranker, evaluate, load_articles, load_cases
from b24app.services.kb.index import KbDoc
from b24app.services.kb.search import KbIndex
from b24app.services.kb.text import terms, words

DEFAULT_DATA = Path(__file__).resolve().parent.parent / ".." / "shared" / "data" / "kb-eval"


def token_set_ranker(docs: list[KbDoc], text_of: Callable[[KbDoc], str]) -> Ranker:
    """Fuzzy string similarity of the whole question to some text of each article."""
    texts = [utils.default_process(text_of(d)) for d in docs]
    ids = [d.id for d in docs]

    def rank(query: str, k: int) -> list[str]:
        found = process.extract(
            utils.default_process(query), texts, scorer=fuzz.token_set_ratio, limit=k, processor=None
        )
        return [ids[i] for _, _, i in found]

    return rank


def bm25_ranker(
    docs: list[KbDoc], analyse: Callable[[str], list[str]], k1: float = 1.2, b: float = 0.75
) -> Ranker:
    """Textbook BM25 over title + body as one field, with the given analyser."""
    bags = [Counter(analyse(f"{d.title} {d.body}")) for d in docs]
    lengths = [sum(bag.values()) for bag in bags]
    average = sum(lengths) / len(lengths)
    df = Counter(term for bag in bags for term in bag)
    n = len(docs)
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, bag in enumerate(bags):
        norm = k1 * (1 - b + b * lengths[i] / average)
        for term, tf in bag.items():
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            postings.setdefault(term, []).append((i, idf * tf * (k1 + 1) / (tf + norm)))

    def rank(query: str, k: int) -> list[str]:
        scores: Counter[int] = Counter()
        for term in analyse(query):
            for i, weight in postings.get(term, ()):
                scores[i] += weight
        return [docs[i].id for i, _ in scores.most_common(k)]

    return rank


def ours(docs: list[KbDoc]) -> Ranker:
    index = KbIndex(docs)
    return lambda query, k: [hit.doc_id for hit in index.search(query, k=k)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cases", default="rutube-cases-dev.jsonl")
    parser.add_argument("--json", action="store_true", help="one JSON line per method instead of a table")
    args = parser.parse_args(argv)
    docs = load_articles(args.data / "rutube-kb.jsonl")
    cases = load_cases(args.data / args.cases)
    methods: dict[str, Ranker] = {
        "ours (BM25F stems+prefixes, typos, cleaning)": ours(docs),
        "rapidfuzz token_set_ratio, title+body": token_set_ranker(docs, lambda d: f"{d.title} {d.body}"),
        "rapidfuzz token_set_ratio, title": token_set_ranker(docs, lambda d: d.title),
        "BM25 words, no stemming": bm25_ranker(docs, words),
        "BM25 Snowball stems, stop words": bm25_ranker(docs, terms),
    }
    if not args.json:
        print(f"{len(cases)} cases, {len(docs)} articles")
        print(f"{'method':<46} {'R@1':>6} {'R@3':>6} {'MRR@10':>7} {'p50 ms':>7} {'p95 ms':>7}")
    for name, rank in methods.items():
        result = evaluate(rank, cases)
        if args.json:
            print(json.dumps({"method": name, **result}, ensure_ascii=False))
            continue
        r = result
        print(
            f"{name:<46} {r['recall_at_1']:>6.3f} {r['recall_at_3']:>6.3f} {r['mrr_at_10']:>7.3f} "
            f"{r['ms_per_query_p50']:>7.2f} {r['ms_per_query_p95']:>7.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
