"""REST and OAuth errors as the portal and the auth server answer them."""

from __future__ import annotations


class RestError(Exception):
    """An error answered as `{"error": code, "error_description": ..}` with an HTTP status."""

    def __init__(self, code: str | int, description: str = "", status: int = 400) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.status = status

    def body(self) -> dict:
        return {"error": self.code, "error_description": self.description}


class OAuthError(RestError):
    """An error of the OAuth token endpoint."""


def not_found(description: str = "Not found") -> RestError:
    return RestError("NOT_FOUND", description, 400)


def access_denied(description: str = "Access denied") -> RestError:
    return RestError("ACCESS_DENIED", description, 403)


def invalid_arg(description: str) -> RestError:
    return RestError("INVALID_ARG_VALUE", description, 400)


def missing_param(name: str) -> RestError:
    # Engine controllers report a missing required parameter with the numeric code 100.
    return RestError(100, f"Could not find value for parameter {{{name}}}", 400)
