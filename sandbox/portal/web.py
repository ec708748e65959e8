"""Web UI placeholder."""
from flask import Blueprint


def create_web_blueprint() -> Blueprint:
    return Blueprint("web", __name__)
