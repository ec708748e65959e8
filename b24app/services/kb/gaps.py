"""Knowledge-base gaps: questions no article answers well, grouped so the editor sees what to write
next ranked by how often it is asked."""

from __future__ import annotations

from .cleaning import clean_query
from .search import DEFAULT_GAP_THRESHOLD, Hit
from .text import terms


def is_gap(hits: list[Hit], threshold: float = DEFAULT_GAP_THRESHOLD) -> bool:
    """True when no suggestion is good enough: the question belongs on the KB editor's list."""
    return not hits or hits[0].score < threshold


def gap_key(query_text: str) -> str:
    """A grouping key for a gap question: its distinct stems in order, so rewordings with the same
    words (any case, order or greeting) count as one gap."""
    return " ".join(sorted(set(terms(clean_query(query_text)))))
