"""Typed errors of the Bitrix24 REST API and its OAuth server, mapped from the error codes of §5.

`retryable` tells a job whether trying the same call later can succeed without anyone changing anything.
"""

from __future__ import annotations


class B24Error(Exception):
    """An error answered by a portal (or met on the way to it)."""

    retryable = False

    def __init__(
        self, code: str, description: str = "", status: int | None = None, method: str | None = None
    ):
        self.code = code
        self.description = description
        self.status = status
        self.method = method
        where = f" in {method}" if method else ""
        http = f" (HTTP {status})" if status else ""
        super().__init__(f"{code}{where}{http}: {description}" if description else f"{code}{where}{http}")


class B24ExpiredToken(B24Error):
    """401 expired_token: the only error that justifies a token refresh."""

    retryable = True


class B24AuthError(B24Error):
    """The token is not valid at all (invalid_token, NO_AUTH_FOUND, INVALID_CREDENTIALS): no refresh helps."""


class B24ScopeError(B24Error):
    """insufficient_scope: a 401 that must never trigger a refresh; the app needs a scope it lacks."""


class B24AccessDenied(B24Error):
    """The user behind the token may not do this (ACCESS_DENIED, WRONG_AUTH_TYPE)."""


class B24NotFound(B24Error):
    """The object or the method does not exist."""


class B24InvalidArgument(B24Error):
    """The portal rejected the parameters."""


class B24RateLimited(B24Error):
    """503 QUERY_LIMIT_EXCEEDED: the portal's leaky bucket is full."""

    retryable = True


class B24OperationLimited(B24Error):
    """429 OPERATION_TIME_LIMIT: this method is blocked for the app until `reset_at` (epoch seconds)."""

    retryable = True

    def __init__(
        self,
        code: str,
        description: str = "",
        status: int | None = None,
        method: str | None = None,
        reset_at: float | None = None,
    ):
        super().__init__(code, description, status, method)
        self.reset_at = reset_at


class B24PortalDeleted(B24Error):
    """The portal no longer exists."""


class B24Unavailable(B24Error):
    """No usable answer: connection error, timeout, or a 5xx without a known code."""

    retryable = True


class B24AlreadyBound(B24Error):
    """A placement, event or field type handler is bound already (a harmless race when binding)."""


class B24OAuthError(B24Error):
    """The OAuth server refused a token request (invalid_grant, invalid_client, PAYMENT_REQUIRED...)."""


class B24BatchCommandError(B24Error):
    """A command inside a batch failed with a code no more specific type covers."""


_BY_CODE: dict[str, type[B24Error]] = {
    "expired_token": B24ExpiredToken,
    "invalid_token": B24AuthError,
    "no_auth_found": B24AuthError,
    "invalid_credentials": B24AuthError,
    "insufficient_scope": B24ScopeError,
    "access_denied": B24AccessDenied,
    "wrong_auth_type": B24AccessDenied,
    "error_method_not_allowed": B24AccessDenied,
    "not_found": B24NotFound,
    "error_not_found": B24NotFound,
    "error_method_not_found": B24NotFound,
    "error_entity_not_found": B24NotFound,
    "invalid_arg_value": B24InvalidArgument,
    "invalid_request": B24InvalidArgument,
    "error_argument": B24InvalidArgument,
    "error_batch_length_exceeded": B24InvalidArgument,
    "query_limit_exceeded": B24RateLimited,
    "operation_time_limit": B24OperationLimited,
    "portal_deleted": B24PortalDeleted,
    "error_handler_already_exist": B24AlreadyBound,
    "internal_server_error": B24Unavailable,
}


def error_from_response(
    code: str,
    description: str = "",
    status: int | None = None,
    method: str | None = None,
    *,
    reset_at: float | None = None,
    fallback: type[B24Error] = B24Error,
) -> B24Error:
    """The typed error for an error code as a portal answers it (codes compare case-insensitively)."""
    cls = _BY_CODE.get(code.lower())
    if cls is None and code.upper() == "ERROR_CORE" and "already bind" in description.lower():
        cls = B24AlreadyBound
    if cls is None:
        cls = B24Unavailable if status is not None and status >= 500 else fallback
    if cls is B24OperationLimited:
        return B24OperationLimited(code, description, status, method, reset_at=reset_at)
    return cls(code, description, status, method)
