"""Encryption of secrets at rest (OAuth tokens, application tokens, 1C passwords) with rotating Fernet keys.

`TOKEN_KEYS` lists keys, newest first: the first encrypts, all decrypt, so keys rotate without downtime.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


class KeyRingError(RuntimeError):
    """No usable key, or a stored secret that none of the keys can open."""


class KeyRing:
    def __init__(self, keys: tuple[str, ...] = ()) -> None:
        self._fernet: MultiFernet | None = None
        if keys:
            self.configure(keys)

    def configure(self, keys: tuple[str, ...]) -> None:
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as exc:
            raise KeyRingError(
                "TOKEN_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)"
            ) from exc

    @property
    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            raise KeyRingError("TOKEN_KEYS is not configured")
        return self._fernet

    def encrypt(self, plain: str) -> str:
        return self.fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise KeyRingError("a stored secret cannot be decrypted with TOKEN_KEYS") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt with the first key (MultiFernet keeps the original timestamp)."""
        return self.fernet.rotate(token.encode()).decode()


keyring = KeyRing()


class EncryptedText(TypeDecorator):
    """A text column stored as a Fernet token; Python sees the plain string."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return value
        if type(value).__name__ == "_Raw":  # already a ciphertext (key rotation writes these)
            return str(value)
        return keyring.encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None or value == "":
            return value
        return keyring.decrypt(value)
