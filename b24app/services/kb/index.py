"""In-memory inverted index of one portal's articles, kept current one article at a time.

Postings hold a BM25F-saturated weight per (term, article); IDF is computed at query time from the
live document frequencies, so adding or removing an article never needs a full rebuild. Field length
norms use the average lengths seen at the last (re)weighting and are refreshed when they drift.
Postings are two parallel arrays (slots ascending, weights): about 12 bytes an entry instead of ~100
for a dict, which is what lets 100,000 articles fit in a few hundred megabytes.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from .text import terms

# Where a word appears says how much it tells: a title or a symptom is about the article, a body
# word may be incidental. The prefix field lets "монетизац" meet "монетиз" when stemming differs.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0,
    "tags": 2.0,
    "symptoms": 2.0,
    "category": 1.0,
    "causes": 1.0,
    "remedy": 1.0,
    "body": 1.0,
}
PREFIX_LEN = 5
PREFIX_MARK = "^"
BIGRAM_MARK = "_"
K1 = 1.2
B = 0.75
_DRIFT = 0.25
# Bigrams are worth their memory only in short fields, where adjacent words form a name.
BIGRAM_FIELDS = frozenset({"title", "symptoms"})
KEYWORD_FIELDS = ("title", "tags", "symptoms")


@dataclass(frozen=True, slots=True)
class KbDoc:
    """A knowledge-base article as the search sees it (body already stripped of HTML)."""

    id: str
    title: str
    body: str
    kind: str = "faq"
    tags: tuple[str, ...] = ()
    symptoms: str = ""
    causes: str = ""
    remedy: str = ""
    product: str = ""
    category: str = ""


def doc_fields(doc: KbDoc) -> dict[str, str]:
    """The searchable text of an article by field."""
    return {
        "title": doc.title,
        "tags": " ".join((*doc.tags, doc.product)),
        "symptoms": doc.symptoms,
        "category": doc.category,
        "causes": doc.causes,
        "remedy": doc.remedy,
        "body": doc.body,
    }


class Posting:
    """The articles (by slot, ascending) that contain one term, with the term's weight in each."""

    __slots__ = ("slots", "weights")

    def __init__(self) -> None:
        self.slots = array("l")
        self.weights = array("f")

    def __len__(self) -> int:
        return len(self.slots)

    def __contains__(self, slot: int) -> bool:
        i = bisect_left(self.slots, slot)
        return i < len(self.slots) and self.slots[i] == slot

    def append(self, slot: int, weight: float) -> None:
        # Slots only grow, so appending keeps the arrays sorted.
        self.slots.append(slot)
        self.weights.append(weight)

    def discard(self, slot: int) -> None:
        i = bisect_left(self.slots, slot)
        if i < len(self.slots) and self.slots[i] == slot:
            del self.slots[i]
            del self.weights[i]


class InvertedIndex:
    """Postings per term with add/update/remove of single articles."""

    def __init__(self, docs: Iterable[KbDoc] = ()) -> None:
        self._slots: dict[str, int] = {}
        self._docs: dict[int, KbDoc] = {}
        self.postings: dict[str, Posting] = {}
        self._length_sums: Counter[str] = Counter()
        # Stems of titles, tags and symptoms: the words a misspelt query word is corrected to.
        self.keywords: Counter[str] = Counter()
        self._norm_lengths: dict[str, float] = {}
        self._next_slot = 0
        self.version = 0
        parsed = []
        for doc in docs:
            self._forget(doc.id)
            counts, lengths = _parse(doc)
            slot = self._register(doc, counts, lengths)
            parsed.append((slot, counts, lengths))
        self._norm_lengths = self._average_lengths()
        for slot, counts, lengths in parsed:
            if slot in self._docs:
                self._post(slot, counts, lengths)

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._slots

    def doc(self, doc_id: str) -> KbDoc:
        return self._docs[self._slots[doc_id]]

    def docs(self) -> list[KbDoc]:
        return list(self._docs.values())

    def doc_at(self, slot: int) -> KbDoc:
        return self._docs[slot]

    def slot_of(self, doc_id: str) -> int | None:
        return self._slots.get(doc_id)

    def has_term(self, slot: int, term: str) -> bool:
        posting = self.postings.get(term)
        return posting is not None and slot in posting

    def add(self, doc: KbDoc) -> None:
        """Add an article, or replace the one with the same id."""
        self._forget(doc.id)
        counts, lengths = _parse(doc)
        slot = self._register(doc, counts, lengths)
        if not self._norm_lengths:
            self._norm_lengths = self._average_lengths()
        self._post(slot, counts, lengths)
        self.version += 1

    update = add

    def remove(self, doc_id: str) -> bool:
        """Forget an article; False when it was not indexed."""
        removed = self._forget(doc_id)
        if removed:
            self.version += 1
        return removed

    def refresh_norms(self) -> bool:
        """Re-weight every article if average field lengths moved far from those used; True if done."""
        current = self._average_lengths()
        used = self._norm_lengths
        if all(abs(current[f] - used.get(f, 0.0)) <= _DRIFT * max(current[f], 1.0) for f in current):
            return False
        self._norm_lengths = current
        self.postings = {}
        for slot, doc in self._docs.items():
            self._post(slot, *_parse(doc))
        return True

    def _register(self, doc: KbDoc, counts: dict[str, Counter[str]], lengths: dict[str, int]) -> int:
        slot = self._next_slot
        self._next_slot += 1
        self._slots[doc.id] = slot
        self._docs[slot] = doc
        self._length_sums.update(lengths)
        self.keywords.update(_keywords(counts))
        return slot

    def _forget(self, doc_id: str) -> bool:
        slot = self._slots.pop(doc_id, None)
        if slot is None:
            return False
        # Re-reading the article gives back exactly the terms it was posted under.
        counts, lengths = _parse(self._docs.pop(slot))
        self._length_sums.subtract(lengths)
        for word in _keywords(counts):
            self.keywords[word] -= 1
            if self.keywords[word] <= 0:
                del self.keywords[word]
        for term in {term for field_counts in counts.values() for term in field_counts}:
            posting = self.postings.get(term)
            if posting is None:
                continue
            posting.discard(slot)
            if not posting:
                del self.postings[term]
        return True

    def _average_lengths(self) -> dict[str, float]:
        n = max(len(self._slots), 1)
        return {name: max(self._length_sums[name] / n, 1.0) for name in FIELD_WEIGHTS}

    def _post(self, slot: int, counts: dict[str, Counter[str]], lengths: dict[str, int]) -> None:
        pseudo: Counter[str] = Counter()
        for name, field_counts in counts.items():
            norm = 1.0 - B + B * lengths[name] / self._norm_lengths[name]
            scale = FIELD_WEIGHTS[name] / norm
            for term, tf in field_counts.items():
                pseudo[term] += tf * scale
        postings = self.postings
        for term, tf in pseudo.items():
            posting = postings.get(term)
            if posting is None:
                posting = postings[term] = Posting()
            posting.append(slot, tf / (K1 + tf))


def _parse(doc: KbDoc) -> tuple[dict[str, Counter[str]], dict[str, int]]:
    """Per-field term counts (stems, stem prefixes, bigrams in short fields) and field lengths."""
    counts: dict[str, Counter[str]] = {}
    lengths: dict[str, int] = {}
    for name, text in doc_fields(doc).items():
        stems = terms(text) if text else []
        lengths[name] = len(stems)
        if stems:
            counts[name] = Counter(expand_terms(stems, bigrams=name in BIGRAM_FIELDS))
    return counts, lengths


def _keywords(counts: dict[str, Counter[str]]) -> set[str]:
    return {
        term
        for name in KEYWORD_FIELDS
        for term in counts.get(name, ())
        if term[0] != PREFIX_MARK and BIGRAM_MARK not in term
    }


def expand_terms(stems: list[str], bigrams: bool = True) -> list[str]:
    """Stems plus their prefixes and (if asked) adjacent-pair bigrams, each in its own namespace."""
    out = list(stems)
    out.extend(PREFIX_MARK + s[:PREFIX_LEN] for s in stems if len(s) >= PREFIX_LEN)
    if bigrams:
        out.extend(f"{a}{BIGRAM_MARK}{b}" for a, b in pairwise(stems))
    return out
