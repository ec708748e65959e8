"""Each portal's search indexes (published articles, active reply templates) and feedback model, kept
in memory per process: built once, then changed one article at a time; a cheap version stamp read
from the database every few seconds makes other processes' edits visible."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ...extensions import db
from ...models import ArticleStatus, KbArticle, KbGap, KbGapRequest, KbTemplate, KbUse, utcnow
from .articles import to_kbdoc
from .cleaning import request_query
from .feedback import SIGNAL_VALUES, FeedbackModel
from .gaps import gap_key, is_gap
from .search import DEFAULT_GAP_THRESHOLD, KbIndex
from .templates import template_kbdoc

log = logging.getLogger(__name__)
STAMP_INTERVAL = 5.0
MAX_GAP_KEY = 500

# (rows, latest update, sum of versions) of articles then templates: any insert, edit, status change
# or delete moves it.
Stamp = tuple[int, datetime | None, int, int, datetime | None, int]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An article proposed for a request, with its relevance (0..1) and the words that matched."""

    article_id: int
    slug: str
    title: str
    kind: str
    score: float
    matched_terms: list[str]


@dataclass(frozen=True, slots=True)
class TemplateSuggestion:
    """A reply template proposed for a request (its text is filled by the caller)."""

    template_id: int
    title: str
    score: float
    matched_terms: list[str]


@dataclass
class _PortalKb:
    index: KbIndex
    feedback: FeedbackModel
    stamp: Stamp
    last_use_id: int
    checked_at: float
    titles: dict[int, tuple[str, str]] = field(default_factory=dict)  # article id -> (slug, title)
    templates: KbIndex = field(default_factory=KbIndex)
    template_titles: dict[int, str] = field(default_factory=dict)


class KbRegistry:
    """The in-memory knowledge bases of this process, one per portal."""

    def __init__(
        self, stamp_interval: float = STAMP_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stamp_interval = stamp_interval
        self._clock = clock
        self._portals: dict[int, _PortalKb] = {}
        self._locks: dict[int, threading.RLock] = {}
        self._guard = threading.Lock()
        self.builds = 0  # full builds done, for monitoring and tests

    def _lock(self, portal_id: int) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(portal_id, threading.RLock())

    def index_for(self, portal_id: int) -> KbIndex:
        """The portal's index, built on first use and rebuilt only when another process changed it."""
        return self._current(portal_id).index

    def _current(self, portal_id: int) -> _PortalKb:
        with self._lock(portal_id):
            kb = self._portals.get(portal_id)
            now = self._clock()
            if kb is None:
                kb = self._portals[portal_id] = self._build(portal_id)
            elif now - kb.checked_at >= self.stamp_interval:
                kb.checked_at = now
                if _stamp(portal_id) != kb.stamp:
                    kb = self._portals[portal_id] = self._build(portal_id)
                else:
                    self._catch_up_feedback(portal_id, kb)
            return kb

    def _build(self, portal_id: int) -> _PortalKb:
        self.builds += 1
        articles = db.session.scalars(
            select(KbArticle)
            .where(KbArticle.portal_id == portal_id, KbArticle.status == ArticleStatus.PUBLISHED)
            .order_by(KbArticle.id)  # the same index, so the same ties, on every database
        ).all()
        kb = _PortalKb(
            index=KbIndex([to_kbdoc(a) for a in articles]),
            feedback=FeedbackModel(),
            stamp=_stamp(portal_id),
            last_use_id=0,
            checked_at=self._clock(),
            titles={a.id: (a.slug, a.title) for a in articles},
        )
        templates = db.session.scalars(
            select(KbTemplate).where(KbTemplate.portal_id == portal_id, KbTemplate.active.is_(True))
        ).all()
        kb.templates = KbIndex([template_kbdoc(t) for t in templates])
        kb.template_titles = {t.id: t.title for t in templates}
        self._catch_up_feedback(portal_id, kb)
        return kb

    @staticmethod
    def _catch_up_feedback(portal_id: int, kb: _PortalKb) -> None:
        rows = db.session.execute(
            select(KbUse.id, KbUse.query_text, KbUse.article_id, KbUse.signal)
            .where(KbUse.portal_id == portal_id, KbUse.id > kb.last_use_id)
            .order_by(KbUse.id)
        ).all()
        for use_id, query_text, article_id, signal in rows:
            kb.feedback.record(query_text, str(article_id), signal)
            kb.last_use_id = use_id

    def article_changed(self, portal_id: int, article: KbArticle) -> None:
        """Apply one saved article (call after flush or commit): indexed if published, else dropped."""
        with self._lock(portal_id):
            kb = self._portals.get(portal_id)
            if kb is None:
                return  # built from the database on first use
            if article.status == ArticleStatus.PUBLISHED:
                kb.index.update(to_kbdoc(article))
                kb.titles[article.id] = (article.slug, article.title)
            else:
                kb.index.remove(str(article.id))
                kb.titles.pop(article.id, None)
            kb.stamp = _stamp(portal_id)

    def article_removed(self, portal_id: int, article_id: int) -> None:
        """Forget a deleted article (call after the delete is flushed or committed)."""
        with self._lock(portal_id):
            kb = self._portals.get(portal_id)
            if kb is None:
                return
            kb.index.remove(str(article_id))
            kb.titles.pop(article_id, None)
            kb.stamp = _stamp(portal_id)

    def template_changed(self, portal_id: int, template: KbTemplate) -> None:
        """Apply one saved template (after flush or commit): suggested if active, else dropped."""
        with self._lock(portal_id):
            kb = self._portals.get(portal_id)
            if kb is None:
                return
            if template.active:
                kb.templates.update(template_kbdoc(template))
                kb.template_titles[template.id] = template.title
            else:
                kb.templates.remove(str(template.id))
                kb.template_titles.pop(template.id, None)
            kb.stamp = _stamp(portal_id)

    def template_removed(self, portal_id: int, template_id: int) -> None:
        with self._lock(portal_id):
            kb = self._portals.get(portal_id)
            if kb is None:
                return
            kb.templates.remove(str(template_id))
            kb.template_titles.pop(template_id, None)
            kb.stamp = _stamp(portal_id)

    def forget(self, portal_id: int) -> None:
        """Drop a portal's in-memory state (uninstall, or a bulk import that is cheaper to rebuild)."""
        with self._lock(portal_id):
            self._portals.pop(portal_id, None)

    def suggest(
        self,
        portal_id: int,
        title: str,
        description: str = "",
        request_type: str | None = None,
        product: str | None = None,
        k: int = 3,
        request_b24_id: int | None = None,
        count_gap: bool = True,
    ) -> list[Suggestion]:
        """The k best published articles for a request; a question nothing answers is counted as a gap
        (once per request when its id is given; never with count_gap=False, e.g. for text being typed).

        A gap is flushed, not committed: the caller's unit of work commits it.
        """
        query = request_query(title, description)
        with self._lock(portal_id):
            kb = self._current(portal_id)
            hits = kb.index.search(
                query, k=k, request_type=request_type, product=product, feedback=kb.feedback
            )
            found = [
                Suggestion(
                    int(h.doc_id),
                    *kb.titles[int(h.doc_id)],
                    kb.index.doc(h.doc_id).kind,
                    h.score,
                    h.matched_terms,
                )
                for h in hits
            ]
        if count_gap and is_gap(hits, DEFAULT_GAP_THRESHOLD):
            record_gap(portal_id, query, request_b24_id)
        return found

    def suggest_templates(
        self, portal_id: int, title: str, description: str = "", k: int = 3
    ) -> list[TemplateSuggestion]:
        """The k active reply templates whose words best match the request, best first."""
        query = request_query(title, description)
        with self._lock(portal_id):
            kb = self._current(portal_id)
            hits = kb.templates.search(query, k=k)
            return [
                TemplateSuggestion(int(h.doc_id), kb.template_titles[int(h.doc_id)], h.score, h.matched_terms)
                for h in hits
            ]

    def record_use(
        self,
        portal_id: int,
        article_id: int,
        signal: str,
        query_text: str,
        request_b24_id: int | None = None,
        user_id: int | None = None,
    ) -> KbUse:
        """Store an operator's action on a suggestion and let it re-rank similar questions at once."""
        if signal not in SIGNAL_VALUES:
            raise ValueError(f"unknown feedback signal {signal!r}")
        article = db.session.get(KbArticle, article_id)
        if article is None or article.portal_id != portal_id:
            raise LookupError(f"article {article_id} is not in portal {portal_id}")
        use = KbUse(
            portal_id=portal_id,
            article_id=article_id,
            request_b24_id=request_b24_id,
            user_id=user_id,
            signal=signal,
            query_text=query_text,
            at=utcnow(),
        )
        db.session.add(use)
        db.session.flush()
        with self._lock(portal_id):
            kb = self._portals.get(portal_id)
            if kb is not None:
                self._catch_up_feedback(portal_id, kb)
        return use


def record_gap(portal_id: int, query_text: str, request_b24_id: int | None = None) -> KbGap | None:
    """Count one more occurrence of an unanswered question (grouped by its stems); a request is
    counted once however often its card is opened. None when nothing was counted."""
    key = gap_key(query_text)[:MAX_GAP_KEY]
    if not key:
        return None
    try:
        # A savepoint: two renders of the same card at once must not fail the caller's transaction.
        with db.session.begin_nested():
            gap = db.session.scalar(select(KbGap).where(KbGap.portal_id == portal_id, KbGap.gap_key == key))
            if gap is None:
                gap = KbGap(portal_id=portal_id, gap_key=key, sample_query=query_text, count=0)
                db.session.add(gap)
                db.session.flush()
            elif request_b24_id is not None and db.session.scalar(
                select(KbGapRequest.id).where(
                    KbGapRequest.gap_id == gap.id, KbGapRequest.request_b24_id == request_b24_id
                )
            ):
                return None
            if request_b24_id is not None:
                db.session.add(
                    KbGapRequest(portal_id=portal_id, gap_id=gap.id, request_b24_id=request_b24_id)
                )
            gap.count = (gap.count or 0) + 1
            gap.last_seen = utcnow()
            gap.sample_query = query_text
    except IntegrityError:
        log.info("portal %s: gap %r of request %s counted concurrently", portal_id, key, request_b24_id)
        return None
    except OperationalError as exc:
        # SQLite refuses the write when another one committed since this render began reading: the
        # count is a statistic, the page must not fail for it.
        log.warning("portal %s: gap of request %s not counted: %s", portal_id, request_b24_id, exc)
        return None
    return gap


def top_gaps(portal_id: int, limit: int = 20) -> list[KbGap]:
    """What to write next: unanswered questions, most frequent first."""
    return list(
        db.session.scalars(
            select(KbGap)
            .where(KbGap.portal_id == portal_id)
            .order_by(KbGap.count.desc(), KbGap.last_seen.desc())
            .limit(limit)
        )
    )


def _stamp(portal_id: int) -> Stamp:
    count, latest, versions = db.session.execute(
        select(
            func.count(KbArticle.id),
            func.max(KbArticle.updated_at),
            func.coalesce(func.sum(KbArticle.version), 0),
        ).where(KbArticle.portal_id == portal_id)
    ).one()
    t_count, t_latest, t_versions = db.session.execute(
        select(
            func.count(KbTemplate.id),
            func.max(KbTemplate.updated_at),
            func.coalesce(func.sum(KbTemplate.version), 0),
        ).where(KbTemplate.portal_id == portal_id)
    ).one()
    return int(count), latest, int(versions), int(t_count), t_latest, int(t_versions)


# The process-wide registry used by handlers, jobs and the command line.
registry = KbRegistry()
index_for = registry.index_for
article_changed = registry.article_changed
article_removed = registry.article_removed
suggest = registry.suggest
suggest_templates = registry.suggest_templates
template_changed = registry.template_changed
template_removed = registry.template_removed
record_use = registry.record_use
