"""Knowledge-base search speed: index build time, query latency p50/p95 and index memory at 1,000,
10,000 and 100,000 synthetic articles whose words follow the kb-eval vocabulary and frequencies.

    .venv/bin/python bench/kb_speed.py [--data ../shared/data/kb-eval] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from b24app.services.kb.evaluation import load_articles, load_cases, percentile
from b24app.services.kb.index import KbDoc
from b24app.services.kb.search import KbIndex
from b24app.services.kb.text import words

DEFAULT_DATA = Path(__file__).resolve().parent.parent / ".." / "shared" / "data" / "kb-eval"


class WordSampler:
    """Draws words with the frequencies they have in a corpus, so postings have realistic lengths."""

    def __init__(self, texts: list[str], rng: random.Random) -> None:
        counts = Counter(word for text in texts for word in words(text))
        self.words = list(counts)
        self.cumulative: list[int] = []
        total = 0
        for word in self.words:
            total += counts[word]
            self.cumulative.append(total)
        self.rng = rng

    def text(self, low: int, high: int) -> str:
        n = self.rng.randint(low, high)
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=n))


def synthetic_articles(seed_docs: list[KbDoc], count: int, seed: int = 7) -> list[KbDoc]:
    """`count` articles: titles from title words, bodies from body words, the real sections as tags."""
    rng = random.Random(seed)
    titles = WordSampler([d.title for d in seed_docs], rng)
    bodies = WordSampler([d.body for d in seed_docs], rng)
    sections = sorted({tag for d in seed_docs for tag in d.tags}) or [""]
    return [
        KbDoc(
            id=f"syn-{i}",
            title=titles.text(4, 12),
            body=bodies.text(20, 80),
            tags=(rng.choice(sections),),
        )
        for i in range(count)
    ]


def index_memory_mb(docs: list[KbDoc]) -> float:
    """Memory the index itself holds (the articles' own text is allocated before and not counted)."""
    gc.collect()
    tracemalloc.start()
    index = KbIndex(docs)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    return held / 2**20


def measure(docs: list[KbDoc], queries: list[str], with_memory: bool) -> dict[str, float]:
    # Tracing allocations slows building threefold, so memory is measured on a separate build.
    memory_mb = index_memory_mb(docs) if with_memory else float("nan")
    gc.collect()
    started = time.perf_counter()
    index = KbIndex(docs)
    build_s = time.perf_counter() - started
    index.search(queries[0])  # builds the typo-correction vocabulary once
    timings = []
    for query in queries:
        started = time.perf_counter()
        index.search(query, k=3)
        timings.append((time.perf_counter() - started) * 1000.0)
    started = time.perf_counter()
    index.update(KbDoc(id=docs[0].id, title="Новое название статьи", body=docs[1].body))
    update_ms = (time.perf_counter() - started) * 1000.0
    return {
        "articles": len(docs),
        "build_s": round(build_s, 2),
        "memory_mb": round(memory_mb, 1),
        "query_ms_p50": round(percentile(timings, 50), 3),
        "query_ms_p95": round(percentile(timings, 95), 3),
        "update_ms": round(update_ms, 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--no-memory", action="store_true", help="skip the (slow) traced build")
    args = parser.parse_args(argv)
    seed_docs = load_articles(args.data / "rutube-kb.jsonl")
    cases = load_cases(args.data / "rutube-cases-dev.jsonl")
    queries = [case.query for case in random.Random(3).sample(cases, min(args.queries, len(cases)))]
    header = f"{'articles':>9} {'build s':>8} {'memory MB':>10} {'p50 ms':>8} {'p95 ms':>8} {'update ms':>10}"
    print(header)
    for size in (int(s) for s in args.sizes.split(",")):
        row = measure(synthetic_articles(seed_docs, size), queries, not args.no_memory)
        print(
            f"{row['articles']:>9} {row['build_s']:>8} {row['memory_mb']:>10} "
            f"{row['query_ms_p50']:>8} {row['query_ms_p95']:>8} {row['update_ms']:>10}",
            flush=True,
        )


if __name__ == "__main__":
    main()
