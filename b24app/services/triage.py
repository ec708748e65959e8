"""Proposal of a request's type and urgency from its text: the nearest labelled past requests of the
portal (BM25 over stems) voting together with keyword priors, with a confidence in [0, 1]."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..i18n import _m, store
from .routing import contains_phrase, phrase_terms

K_NEIGHBOURS = 7
K1 = 1.2
B = 0.75
NEIGHBOUR_WEIGHT = 1.0
# Without a history of the portal, keywords alone never reach the usual threshold.
MISSING_NEIGHBOURS_DOUBT = 0.5


@dataclass(frozen=True)
class Weighing:
    """How much the keyword priors count against the neighbours' vote, and how much doubt always stays
    in the denominator (evidence never adds up to certainty). Tuned with bench/classify.py."""

    prior_weight: float
    doubt: float


# The type shows in the words themselves; urgency is often only in a cue («срочно», «стоит линия»).
TYPE_WEIGHING = Weighing(prior_weight=1.0, doubt=0.1)
URGENCY_WEIGHING = Weighing(prior_weight=2.0, doubt=0.2)
DEFAULT_THRESHOLD = 0.75

# Keyword priors (phrase, label, weight): what an engineer of this customer reads in a request.
TYPE_PRIORS: tuple[tuple[str, str, float], ...] = (
    ("гарантия", "warranty", 1.5),
    ("гарантийный", "warranty", 1.5),
    ("гарантийного", "warranty", 1.5),
    ("на гарантии", "warranty", 1.0),
    ("гарантийный талон", "warranty", 1.0),
    ("заводской брак", "warranty", 1.5),
    ("брак", "warranty", 0.7),
    ("замена по гарантии", "warranty", 1.0),
    ("не включается", "support", 1.0),
    ("не запускается", "support", 1.0),
    ("не работает", "support", 1.0),
    ("ошибка", "support", 0.8),
    ("авария", "support", 0.8),
    ("течь", "support", 0.8),
    ("перегревается", "support", 1.0),
    ("перегрев", "support", 0.8),
    ("сломался", "support", 1.0),
    ("вибрация", "support", 0.8),
    ("шум", "support", 0.6),
    ("выезд инженера", "support", 0.8),
    ("остановка", "support", 0.6),
    ("как настроить", "consultation", 1.5),
    ("как подключить", "consultation", 1.5),
    ("подскажите", "consultation", 0.8),
    ("какие параметры", "consultation", 1.0),
    ("можно ли", "consultation", 1.0),
    ("инструкция", "consultation", 0.8),
    ("документация", "consultation", 0.8),
    ("консультация", "consultation", 1.5),
    ("рекомендуете", "consultation", 1.0),
    ("как правильно", "consultation", 1.2),
    ("периодичность", "consultation", 0.8),
)
URGENCY_PRIORS: tuple[tuple[str, str, float], ...] = (
    ("остановка производства", "critical", 2.0),
    ("стоит производство", "critical", 2.0),
    ("стоит линия", "critical", 2.0),
    ("линия стоит", "critical", 2.0),
    ("простой", "critical", 1.2),
    ("авария", "critical", 1.0),
    ("возгорание", "critical", 2.0),
    ("дым", "critical", 1.2),
    ("срочно", "high", 1.5),
    ("срочная", "high", 1.5),
    ("как можно скорее", "high", 1.2),
    ("не включается", "high", 1.0),
    ("не запускается", "high", 1.0),
    ("остановился", "high", 1.0),
    ("течь", "high", 0.6),
    ("сегодня", "high", 0.5),
    ("как настроить", "low", 1.0),
    ("подскажите", "low", 0.6),
    ("когда удобно", "low", 1.2),
    ("не срочно", "low", 2.0),
    ("плановое", "low", 1.0),
    ("документация", "low", 0.8),
    ("периодически", "normal", 0.8),
    ("иногда", "normal", 0.8),
    ("перегревается", "normal", 0.6),
)


@dataclass(frozen=True)
class LabelledText:
    text: str
    request_type: str | None
    urgency: str | None


@dataclass(frozen=True)
class Guess:
    code: str | None
    confidence: float
    reasons: tuple[str, ...] = ()

    def applies(self, threshold: float) -> bool:
        return self.code is not None and self.confidence >= threshold


@dataclass(frozen=True)
class Proposal:
    request_type: Guess
    urgency: Guess


def _prior_terms(priors: Sequence[tuple[str, str, float]]) -> list[tuple[str, tuple[str, ...], str, float]]:
    return [(phrase, phrase_terms(phrase), label, weight) for phrase, label, weight in priors]


_TYPE_PRIORS = _prior_terms(TYPE_PRIORS)
_URGENCY_PRIORS = _prior_terms(URGENCY_PRIORS)


def _matched_priors(
    text_terms: Sequence[str], priors: list[tuple[str, tuple[str, ...], str, float]]
) -> list[tuple[str, str, float]]:
    found = []
    for phrase, needed, label, weight in priors:
        if contains_phrase(text_terms, needed):
            found.append((phrase, label, weight))
    # «не срочно» also contains «срочно»: a longer phrase overrides the phrases inside it.
    longer = [set(phrase_terms(p)) for p, _, _ in found]
    return [
        item for item, terms in zip(found, longer, strict=True) if not any(terms < other for other in longer)
    ]


class Triage:
    """A small BM25 index over a portal's labelled requests; `propose` reads one new text."""

    def __init__(self, history: Sequence[LabelledText], k: int = K_NEIGHBOURS) -> None:
        self.k = k
        self.docs = list(history)
        self.lengths: list[int] = []
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for index, doc in enumerate(self.docs):
            counts = Counter(phrase_terms(doc.text))
            self.lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self.postings[term].append((index, tf))
        self.avg_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0

    def neighbours(self, query_terms: Sequence[str], exclude: int | None = None) -> list[tuple[int, float]]:
        n = len(self.docs)
        scores: dict[int, float] = defaultdict(float)
        for term in set(query_terms):
            posting = self.postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            for index, tf in posting:
                if index == exclude:
                    continue
                norm = K1 * (1 - B + B * self.lengths[index] / self.avg_length)
                scores[index] += idf * tf * (K1 + 1) / (tf + norm)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[: self.k]

    def propose(self, text: str, exclude: int | None = None) -> Proposal:
        """`exclude`: the index of a history row to leave out (leave-one-out evaluation)."""
        query = phrase_terms(text)
        near = self.neighbours(query, exclude)
        return Proposal(
            request_type=_combine(
                [(self.docs[i].request_type, s) for i, s in near],
                _matched_priors(query, _TYPE_PRIORS),
                self.k,
                TYPE_WEIGHING,
            ),
            urgency=_combine(
                [(self.docs[i].urgency, s) for i, s in near],
                _matched_priors(query, _URGENCY_PRIORS),
                self.k,
                URGENCY_WEIGHING,
            ),
        )


def _combine(
    votes: list[tuple[str | None, float]], priors: list[tuple[str, str, float]], k: int, weighing: Weighing
) -> Guess:
    scores: dict[str, float] = defaultdict(float)
    labelled = [(label, s) for label, s in votes if label]
    total_votes = sum(s for _, s in labelled)
    reasons: list[str] = []
    # Few neighbours are weak evidence, however unanimous; missing ones add to the doubt.
    neighbour_strength = NEIGHBOUR_WEIGHT * min(1.0, len(labelled) / k) if total_votes > 0 else 0.0
    if total_votes > 0:
        for label, s in labelled:
            scores[label] += neighbour_strength * s / total_votes
        reasons.append(store(_m("похожих обращений: %(count)s", count=len(labelled))))
    prior_total = sum(w for _, _, w in priors)
    if prior_total > 0:
        strength = weighing.prior_weight * min(1.0, prior_total / 1.5)
        for _, label, weight in priors:
            scores[label] += strength * weight / prior_total
        reasons.extend(f"«{phrase}»" for phrase, _, _ in priors)
    if not scores:
        return Guess(None, 0.0)
    best = max(sorted(scores), key=lambda label: scores[label])
    confidence = scores[best] / (
        sum(scores.values())
        + weighing.doubt
        + MISSING_NEIGHBOURS_DOUBT * (NEIGHBOUR_WEIGHT - neighbour_strength)
    )
    return Guess(best, round(confidence, 3), tuple(reasons))
