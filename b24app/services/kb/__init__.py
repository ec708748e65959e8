"""Knowledge-base suggestions: an in-memory Russian-aware index per portal, ranking with reasons,
learning from operators' feedback, KB gap detection and quality evaluation."""

from .cleaning import clean_query, request_query
from .feedback import FeedbackModel, Signal
from .gaps import gap_key, is_gap
from .index import KbDoc
from .search import DEFAULT_GAP_THRESHOLD, Hit, KbIndex, SearchConfig

__all__ = [
    "DEFAULT_GAP_THRESHOLD",
    "FeedbackModel",
    "Hit",
    "KbDoc",
    "KbIndex",
    "SearchConfig",
    "Signal",
    "clean_query",
    "gap_key",
    "is_gap",
    "request_query",
]
