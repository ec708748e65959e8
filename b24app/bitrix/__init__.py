"""Bitrix24 REST: the client, its typed errors, and the database-backed token store and rate limiter."""

from .batch import BatchResult
from .client import B24Client, B24Result, Credentials, CredentialStore, RateLimiter
from .errors import (
    B24AccessDenied,
    B24AlreadyBound,
    B24AuthError,
    B24BatchCommandError,
    B24Error,
    B24ExpiredToken,
    B24InvalidArgument,
    B24NotFound,
    B24OAuthError,
    B24OperationLimited,
    B24PortalDeleted,
    B24RateLimited,
    B24ScopeError,
    B24Unavailable,
)

__all__ = [
    "B24AccessDenied",
    "B24AlreadyBound",
    "B24AuthError",
    "B24BatchCommandError",
    "B24Client",
    "B24Error",
    "B24ExpiredToken",
    "B24InvalidArgument",
    "B24NotFound",
    "B24OAuthError",
    "B24OperationLimited",
    "B24PortalDeleted",
    "B24RateLimited",
    "B24Result",
    "B24ScopeError",
    "B24Unavailable",
    "BatchResult",
    "CredentialStore",
    "Credentials",
    "RateLimiter",
]
