"""Learning from operators: an article inserted into a reply or marked "helped" for a question is
pushed up for similar questions later; "did not help" pushes it down.

Similar means sharing stems with a past question (cosine over stem sets), so a paraphrase that keeps
the key words benefits, and an unrelated question does not.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .cleaning import clean_query
from .text import terms

SIGNAL_VALUES: dict[str, float] = {"inserted": 0.5, "helped": 1.0, "not_helped": -1.0}
MIN_SIMILARITY = 0.3


@dataclass(frozen=True, slots=True)
class Signal:
    """One operator action on a suggestion."""

    query_text: str
    doc_id: str
    signal: str


class FeedbackModel:
    """Past questions (as stem sets) with the summed signal each article received for them."""

    def __init__(self, signals: Iterable[Signal | tuple[str, str, str]] = ()) -> None:
        self._questions: dict[frozenset[str], Counter[str]] = {}
        self._by_stem: dict[str, set[frozenset[str]]] = defaultdict(set)
        for item in signals:
            if isinstance(item, Signal):
                item = (item.query_text, item.doc_id, item.signal)
            self.record(*item)

    def __len__(self) -> int:
        return len(self._questions)

    def record(self, query_text: str, doc_id: str, signal: str) -> None:
        """Take one signal into account; unknown signal names are an error, not noise."""
        if signal not in SIGNAL_VALUES:
            raise ValueError(f"unknown feedback signal {signal!r}")
        key = question_key(query_text)
        if not key:
            return
        votes = self._questions.get(key)
        if votes is None:
            votes = self._questions[key] = Counter()
            for stem in key:
                self._by_stem[stem].add(key)
        votes[doc_id] += SIGNAL_VALUES[signal]

    def boosts(self, query_text: str) -> dict[str, float]:
        """Per article a value in -1..1: how strongly past similar questions favour it."""
        key = question_key(query_text)
        if not key:
            return {}
        overlaps: Counter[frozenset[str]] = Counter()
        for stem in key:
            for past in self._by_stem.get(stem, ()):
                overlaps[past] += 1
        totals: Counter[str] = Counter()
        for past, shared in overlaps.items():
            similarity = shared / math.sqrt(len(key) * len(past))
            if similarity < MIN_SIMILARITY:
                continue
            for doc_id, vote in self._questions[past].items():
                totals[doc_id] += similarity * vote
        return {doc_id: math.tanh(total) for doc_id, total in totals.items() if total}


def question_key(query_text: str) -> frozenset[str]:
    """The stems that identify a question, regardless of word order and pleasantries."""
    return frozenset(terms(clean_query(query_text)))
