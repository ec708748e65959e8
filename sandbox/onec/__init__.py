"""The sandbox 1C: the HTTP service contract v1 with the quirks of real 1C, a page and a control API."""

from sandbox.onec.app import OneCSettings, SandboxOneC, create_onec_app
from sandbox.onec.quirks import Quirks
from sandbox.onec.store import OneCStore

__all__ = ["OneCSettings", "OneCStore", "Quirks", "SandboxOneC", "create_onec_app"]
