"""The one Bitrix24 REST client of the app: auth, refresh on expiry, throttling, redirects, batch, paging.

It knows nothing of the service desk; where tokens live and how calls are paced are given to it
(`CredentialStore`, `RateLimiter`; the database-backed ones are in `storage`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import requests

from .batch import BatchResult, Commands, chunks, command_string, keyed, merge_answer
from .errors import (
    B24AuthError,
    B24Error,
    B24ExpiredToken,
    B24OperationLimited,
    B24RateLimited,
    B24Unavailable,
    error_from_response,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_REDIRECTS = 3
MAX_BACKOFF = 30.0
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Credentials:
    access_token: str
    client_endpoint: str  # e.g. https://example.bitrix24.ru/rest/
    generation: int  # which refresh produced this token (see CredentialStore.refresh)


class CredentialStore(Protocol):
    def current(self) -> Credentials: ...

    def refresh(self, stale: Credentials) -> Credentials:
        """Return a fresh pair: refresh once per generation, or the pair someone else already got."""
        ...

    def moved(self, new_client_endpoint: str) -> None:
        """The portal answered from a new address (domain change): remember it."""
        ...

    def settled(self) -> Credentials:
        """The stored pair once no refresh is in progress (waits for one that is)."""
        ...


class RateLimiter(Protocol):
    def acquire(self) -> None:
        """Block until this process may send one request to the portal."""
        ...

    def block_until(self, epoch_seconds: float) -> None:
        """The portal said it is overloaded: nobody sends before this instant."""
        ...


@dataclass(frozen=True)
class B24Result:
    result: Any
    total: int | None = None
    next: int | None = None
    time: dict[str, Any] | None = None


class B24Client:
    """Calls REST methods of one portal.

    Only a 503 QUERY_LIMIT_EXCEEDED, a 429 OPERATION_TIME_LIMIT, one expired token and redirects are
    retried here, within `max_wait` seconds: the portal did not run those requests. Timeouts and other
    failures are raised (B24Unavailable is `retryable`): repeating a POST that may have run is the
    caller's decision.
    """

    def __init__(
        self,
        credentials: CredentialStore,
        limiter: RateLimiter,
        *,
        timeout: float | tuple[float, float] = (5, 60),
        session: requests.Session | None = None,
        max_wait: float = 120,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.credentials = credentials
        self.limiter = limiter
        self.timeout = timeout
        self.session = session or requests.Session()
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep

    @property
    def label(self) -> str:
        return str(getattr(self.credentials, "label", "portal"))

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> B24Result:
        deadline = self._clock() + self.max_wait
        creds = self.credentials.current()
        url = f"{creds.client_endpoint}{method}.json"
        refreshed = False
        redirects = 0
        overloads = 0
        while True:
            self.limiter.acquire()
            response = self._post(url, method, {**(params or {}), "auth": creds.access_token})
            if response.status_code in _REDIRECTS:
                redirects += 1
                url = self._follow(response, url, method, redirects)
                creds = replace(creds, client_endpoint=endpoint_of(url, method))
                self.credentials.moved(creds.client_endpoint)
                continue
            body = _json(response)
            if isinstance(body, dict) and "error" not in body and response.status_code < 400:
                return _result(body)
            error = _error(response, body, method)
            if isinstance(error, B24ExpiredToken) and not refreshed:
                log.info("%s: token expired on %s, refreshing", self.label, method)
                refreshed = True
                creds = self.credentials.refresh(creds)
                url = f"{creds.client_endpoint}{method}.json"
                continue
            if isinstance(error, B24AuthError) and not refreshed:
                # Another process may have refreshed while this call was in flight: the portal then
                # rejects the old token as invalid. Retry once with the stored pair if it is newer.
                latest = self.credentials.settled()
                if latest.generation > creds.generation:
                    refreshed = True
                    creds = latest
                    url = f"{creds.client_endpoint}{method}.json"
                    continue
            if isinstance(error, B24RateLimited):
                overloads += 1
                wait = min(2.0 ** (overloads - 1), MAX_BACKOFF)
                if self._clock() + wait > deadline:
                    raise error
                log.warning("%s: %s rate limited, backing off %.1fs", self.label, method, wait)
                self.limiter.block_until(self._clock() + wait)
                continue
            if isinstance(error, B24OperationLimited):
                overloads += 1
                # A reset time already past (clock skew) still waits a backoff, so max_wait bounds the loop.
                backoff_until = self._clock() + min(2.0 ** (overloads - 1), MAX_BACKOFF)
                error.reset_at = max(error.reset_at or 0.0, backoff_until)
                if error.reset_at > deadline:
                    raise error
                log.warning("%s: %s over its time limit until %.0f", self.label, method, error.reset_at)
                self._sleep(max(0.0, error.reset_at - self._clock()))
                continue
            log.info("%s: %s failed: %s", self.label, method, error)
            raise error

    def batch(self, commands: Commands, halt: bool = False) -> BatchResult:
        """Run commands through `batch`, 50 per request; keys are kept (a sequence is keyed "0", "1"...).

        References like `$result[key][id]` only work between commands of the same request of 50: give
        dependent commands in one group of at most 50, or run them in separate batches.
        With `halt`, the first failing request stops the rest; unsent keys appear nowhere in the result.
        """
        items = keyed(commands)
        outcome = BatchResult()
        for chunk in chunks(items):
            cmd = {key: command_string(method, params or {}) for key, (method, params) in chunk}
            answer = self.call("batch", {"halt": 1 if halt else 0, "cmd": cmd}).result
            merge_answer(outcome, answer, {key: method for key, (method, _) in chunk})
            if halt and outcome.errors:
                break
        return outcome

    def iter_ids(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        id_key: str = "id",
        items_key: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """All rows of a list method by id cursor (`>id` filter, `start=-1`): fast on large sets.

        `items_key="items"` for crm.item.list (rows under `result.items`); `id_key="ID"` for the
        upper-case methods such as crm.company.list. The given order is replaced by id ascending.
        """
        params = dict(params or {})
        filter_key = "FILTER" if "FILTER" in params else "filter"
        order_key = "ORDER" if "ORDER" in params else "order"
        base_filter = dict(params.get(filter_key) or {})
        last: Any = None
        while True:
            page_filter = dict(base_filter)
            if last is not None:
                page_filter[f">{id_key}"] = last
            page = {**params, filter_key: page_filter, order_key: {id_key: "ASC"}, "start": -1}
            rows = _rows(self.call(method, page).result, items_key)
            yield from rows
            if len(rows) < PAGE_SIZE:
                return
            newest = _as_id(rows[-1][id_key])
            if last is not None and newest <= last:
                raise B24Error("CURSOR_STUCK", f"ids stopped growing at {newest}", None, method)
            last = newest

    def iter_pages(
        self, method: str, params: Mapping[str, Any] | None = None, items_key: str | None = None
    ) -> Iterator[Any]:
        """All rows of a list method by classic `start`/`next` paging (for methods without an id order)."""
        start = 0
        while True:
            page = self.call(method, {**(params or {}), "start": start})
            yield from _rows(page.result, items_key)
            if page.next is None or page.next <= start:
                return
            start = page.next

    def _post(self, url: str, method: str, payload: dict[str, Any]) -> requests.Response:
        try:
            return self.session.post(url, json=payload, timeout=self.timeout, allow_redirects=False)
        except requests.Timeout as exc:
            raise B24Unavailable("timeout", str(exc), None, method) from exc
        except requests.RequestException as exc:
            raise B24Unavailable("connection_error", str(exc), None, method) from exc

    def _follow(self, response: requests.Response, url: str, method: str, redirects: int) -> str:
        location = response.headers.get("Location")
        if not location or redirects > MAX_REDIRECTS:
            raise B24Unavailable("bad_redirect", f"redirect to {location!r}", response.status_code, method)
        target = urljoin(url, location)
        # The token travels with the POST: never let a redirect downgrade it to plain http.
        if urlsplit(target).scheme not in {"https", urlsplit(url).scheme}:
            raise B24Unavailable("bad_redirect", f"redirect to {target!r}", response.status_code, method)
        log.warning("%s: portal moved, %s now answers at %s", self.label, method, target)
        return target


def endpoint_of(url: str, method: str) -> str:
    """The REST endpoint (`https://host/rest/`) behind a method URL a portal redirected to."""
    parts = urlsplit(url)
    path = parts.path
    for suffix in (f"{method}.json", method):
        if path.endswith(suffix):
            return f"{parts.scheme}://{parts.netloc}{path[: -len(suffix)]}"
    return f"{parts.scheme}://{parts.netloc}/rest/"


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _result(body: dict[str, Any]) -> B24Result:
    total, next_ = body.get("total"), body.get("next")
    return B24Result(
        result=body.get("result"),
        total=int(total) if total is not None else None,
        next=int(next_) if next_ is not None else None,
        time=body.get("time"),
    )


def _error(response: requests.Response, body: Any, method: str) -> B24Error:
    status = response.status_code
    if not isinstance(body, dict) or not body.get("error"):
        code = "bad_answer" if status < 500 else "server_error"
        return error_from_response(code, response.text[:200], status, method, fallback=B24Unavailable)
    time_info = body.get("time") if isinstance(body.get("time"), dict) else {}
    reset_at = time_info.get("operating_reset_at")
    return error_from_response(
        str(body["error"]),
        str(body.get("error_description") or ""),
        status,
        method,
        reset_at=float(reset_at) if reset_at is not None else None,
    )


def _rows(result: Any, items_key: str | None) -> list[Any]:
    if items_key is not None and isinstance(result, dict):
        result = result.get(items_key)
    if isinstance(result, dict):
        # Some list methods answer a map keyed by id instead of a list.
        return list(result.values())
    return list(result or [])


def _as_id(value: Any) -> Any:
    # Upper-case methods send ids as strings: compare and filter them as numbers.
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
