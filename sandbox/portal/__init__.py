"""A fake Bitrix24 cloud portal and OAuth server that behave as shared/BITRIX24.md describes."""

from sandbox.portal.app import create_portal_app
from sandbox.portal.cloud import AppRegistration, Cloud, Token
from sandbox.portal.oauth import create_oauth_app
from sandbox.portal.seeding import seed_requests
from sandbox.portal.state import Portal

__all__ = [
    "AppRegistration",
    "Cloud",
    "Portal",
    "Token",
    "create_oauth_app",
    "create_portal_app",
    "seed_requests",
]
