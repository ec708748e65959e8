"""Browser tests share the Playwright fixtures of tests/conftest.py."""

from tests.conftest import screenshot

__all__ = ["screenshot"]
