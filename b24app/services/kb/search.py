"""Ranking articles for a request: BM25F over stems, stem prefixes and bigrams, typo correction,
a title-similarity rerank of the best candidates, request type/product boosts and learnt feedback;
each hit says which words matched."""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from .cleaning import clean_query
from .index import BIGRAM_MARK, PREFIX_LEN, PREFIX_MARK, InvertedIndex, KbDoc, expand_terms
from .text import STOP_WORDS, Token, term_of, tokens, words

if TYPE_CHECKING:
    from .feedback import FeedbackModel

# Which article kinds answer which request kinds (request kinds as the 1C side names them).
KIND_AFFINITY: dict[str, dict[str, float]] = {
    "support": {"fault": 1.0, "manual": 0.5},
    "incident": {"fault": 1.0, "manual": 0.5},
    "consultation": {"manual": 1.0, "faq": 1.0},
    "warranty": {"warranty": 1.0},
}
DEFAULT_GAP_THRESHOLD = 0.3
COMMON_SHARE = 0.05
COMMON_MIN_DF = 500


@dataclass(frozen=True, slots=True)
class Hit:
    """One suggestion: relevance in 0..1 and the query words that matched, for the card."""

    doc_id: str
    score: float
    matched_terms: list[str]


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """The few knobs of the ranker; defaults are tuned on the development set."""

    prefix_weight: float = 0.5
    bigram_weight: float = 0.5
    typo_cutoff: float = 80.0
    kind_boost: float = 0.15
    product_boost: float = 0.25
    feedback_weight: float = 0.5
    # The BM25F score at which match strength reaches one half (about the median correct top hit).
    half_score: float = 10.0
    # The best candidates get up to this share of the top score for how closely the question's
    # content words resemble their title's, letter by letter and word order aside: it rewards titles
    # that read like the question and catches misspellings and word forms that stems and prefixes miss.
    title_similarity: float = 0.4
    rerank_depth: int = 10


@dataclass(frozen=True, slots=True)
class _Query:
    weights: dict[str, float]
    surfaces: dict[str, str]
    stems: list[str]
    unknown: int


class KbIndex(InvertedIndex):
    """A portal's searchable knowledge base."""

    def __init__(self, docs: Iterable[KbDoc] = (), config: SearchConfig | None = None) -> None:
        super().__init__(docs)
        self.config = config or SearchConfig()
        self._vocab_version = -1
        self._vocab: list[str] = []

    def search(
        self,
        query: str,
        k: int = 3,
        request_type: str | None = None,
        product: str | None = None,
        feedback: FeedbackModel | None = None,
    ) -> list[Hit]:
        """The k best articles for a request's title + description, best first."""
        self.refresh_norms()
        cfg = self.config
        parsed = self._parse_query(query)
        learnt: dict[int, float] = {}
        if feedback is not None:
            for doc_id, boost in feedback.boosts(query).items():
                slot = self.slot_of(doc_id)
                if slot is not None:
                    learnt[slot] = boost
        max_boost = 1.0 + (cfg.kind_boost if request_type else 0.0) + (cfg.product_boost if product else 0.0)
        scores = self._score(parsed.weights, k, max_boost, keep=learnt.keys())
        self._rerank_by_title(scores, query, max(k, cfg.rerank_depth))
        self._boost(scores, request_type, product)
        # Learnt preferences move an article by up to feedback_weight of a "half relevant" score.
        step = cfg.feedback_weight * cfg.half_score
        for slot, boost in learnt.items():
            scores[slot] = max(0.0, scores.get(slot, 0.0) + step * boost)
        # Equal scores go to the article indexed first, so results never depend on dict order.
        best = heapq.nlargest(k, scores.items(), key=lambda kv: (kv[1], -kv[0]))
        return [
            Hit(
                self.doc_at(slot).id,
                self._relevance(slot, raw, parsed, learnt.get(slot, 0.0)),
                self._matched(slot, parsed),
            )
            for slot, raw in best
            if raw > 0
        ]

    def _rerank_by_title(self, scores: dict[int, float], query: str, depth: int) -> None:
        """Add the title bonus to the best `depth` candidates (of those that survived pruning)."""
        if not scores or not self.config.title_similarity:
            return
        # Equal scores at the cut go to the article indexed first, as in the final ranking.
        top = heapq.nlargest(depth, scores, key=lambda slot: (scores[slot], -slot))
        best = scores[top[0]]
        if best <= 0:
            return
        text = _content_words(clean_query(query))
        scale = self.config.title_similarity * best / 100.0
        for slot in top:
            scores[slot] += scale * fuzz.token_sort_ratio(text, _content_words(self.doc_at(slot).title))

    def _relevance(self, slot: int, raw: float, parsed: _Query, learnt: float) -> float:
        """0..1: how strong the match is, damped by how much of the question it explains, moved by
        what operators said about this article for similar questions.

        Unknown words count as unexplained at the highest IDF, so an off-topic question that shares
        one common word with an article does not look like a good suggestion.
        """
        strength = raw / (raw + self.config.half_score)
        idfs = {stem: self._idf(stem) for stem in set(parsed.stems)}
        unknown = math.log(1.0 + (len(self) + 0.5) / 0.5)
        total = sum(idfs.values()) + unknown * parsed.unknown
        explained = sum(idf for stem, idf in idfs.items() if self.has_term(slot, stem))
        coverage = explained / total if total else 0.0
        lexical = math.sqrt(strength * coverage)
        return round(min(1.0, max(0.0, lexical + 0.5 * self.config.feedback_weight * learnt)), 4)

    def _parse_query(self, query: str) -> _Query:
        cfg = self.config
        stems: list[str] = []
        surfaces: dict[str, str] = {}
        unknown = 0
        for tok in tokens(clean_query(query)):
            term = tok.term if tok.term in self.postings else self._correct(tok)
            if term is None:
                unknown += 1
                continue
            stems.append(term)
            surfaces.setdefault(term, tok.surface)
        weights: Counter[str] = Counter()
        for term in expand_terms(stems):
            if term not in self.postings:
                continue
            if term[0] == PREFIX_MARK:
                weights[term] += cfg.prefix_weight
            elif BIGRAM_MARK in term:
                weights[term] += cfg.bigram_weight
            else:
                weights[term] += 1.0
        return _Query(dict(weights), surfaces, stems, unknown)

    def _correct(self, tok: Token) -> str | None:
        """The title/tag stem a misspelt word most likely meant, if one is close enough."""
        if len(tok.term) < 4 or any(ch.isdigit() for ch in tok.term):
            return None
        if self._vocab_version != self.version:
            self._vocab = list(self.keywords)
            self._vocab_version = self.version
        found = process.extractOne(
            tok.term, self._vocab, scorer=fuzz.ratio, score_cutoff=self.config.typo_cutoff
        )
        return found[0] if found else None

    def _idf(self, term: str) -> float:
        df = len(self.postings[term])
        return math.log(1.0 + (len(self) - df + 0.5) / (df + 0.5))

    def _score(
        self, weights: dict[str, float], k: int, max_boost: float = 1.0, keep: Iterable[int] = ()
    ) -> dict[int, float]:
        """BM25F scores of the articles that can still reach the top k (and of those in `keep`).

        Terms go rarest first. Once only common terms (in more than COMMON_SHARE of the articles)
        remain, articles that could not reach the current k-th score even with every remaining term
        at full weight and the largest boost are dropped (max-score pruning), and the common terms'
        long postings are only looked up for the survivors.
        """
        scores: dict[int, float] = {}
        get = scores.get
        common_df = max(COMMON_MIN_DF, COMMON_SHARE * len(self))
        plan = sorted((len(self.postings[t]), t) for t in weights if t in self.postings)
        factors = [weights[term] * self._idf(term) for _, term in plan]
        for n, (df, term) in enumerate(plan):
            posting = self.postings[term]
            factor = factors[n]
            if df <= common_df or not scores:
                for slot, w in zip(posting.slots, posting.weights, strict=True):
                    scores[slot] = get(slot, 0.0) + factor * w
                continue
            scores = self._prune(scores, k, max_boost, sum(factors[n:]), keep)
            if len(scores) * 8 < df:
                slots, ws = posting.slots, posting.weights
                for slot in scores:
                    i = bisect_left(slots, slot)
                    if i < df and slots[i] == slot:
                        scores[slot] += factor * ws[i]
            else:
                for slot, w in zip(posting.slots, posting.weights, strict=True):
                    if slot in scores:
                        scores[slot] += factor * w
        return scores

    @staticmethod
    def _prune(
        scores: dict[int, float], k: int, max_boost: float, headroom: float, keep: Iterable[int]
    ) -> dict[int, float]:
        if len(scores) <= k:
            return scores
        kth = heapq.nlargest(k, scores.values())[-1]
        bar = kth / max_boost - headroom
        if bar <= 0:
            return scores
        kept = {slot: score for slot, score in scores.items() if score >= bar}
        for slot in keep:
            if slot in scores:
                kept[slot] = scores[slot]
        return kept

    def _boost(self, scores: dict[int, float], request_type: str | None, product: str | None) -> None:
        cfg = self.config
        affinity = KIND_AFFINITY.get(request_type or "", {})
        product_term = _product_key(product) if product else ""
        if not affinity and not request_type and not product_term:
            return
        for slot in scores:
            doc = self.doc_at(slot)
            factor = 1.0
            if request_type and doc.kind == request_type:
                factor += cfg.kind_boost
            elif doc.kind in affinity:
                factor += cfg.kind_boost * affinity[doc.kind]
            if product_term and product_term == _product_key(doc.product):
                factor += cfg.product_boost
            scores[slot] *= factor

    def _matched(self, slot: int, parsed: _Query) -> list[str]:
        seen: list[str] = []
        for stem in parsed.stems:
            if self.has_term(slot, stem) or (
                len(stem) >= PREFIX_LEN and self.has_term(slot, PREFIX_MARK + stem[:PREFIX_LEN])
            ):
                word = parsed.surfaces.get(stem, stem)
                if word not in seen:
                    seen.append(word)
        return seen


def _content_words(text: str) -> str:
    """Folded words without stop words, for comparing texts letter by letter."""
    return " ".join(word for word in words(text) if word not in STOP_WORDS)


def _product_key(product: str) -> str:
    return "".join(term_of(word) for word in words(product))
