"""The published contract documents parse, resolve their references and match what the sandbox 1C serves."""

import re
from pathlib import Path

import pytest
import yaml

from sandbox.onec import create_onec_app

DOCS = Path(__file__).resolve().parents[2] / "docs"


def load(name):
    return yaml.safe_load((DOCS / name).read_text(encoding="utf-8"))


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolve(document, ref):
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


@pytest.mark.parametrize("name", ["onec-http-service.openapi.yaml", "app-1c-api.openapi.yaml"])
def test_openapi_document_parses_and_every_reference_resolves(name):
    document = load(name)
    assert document["openapi"] == "3.1.0"
    for ref in set(refs(document)):
        assert resolve(document, ref) is not None, ref


def test_every_endpoint_of_the_sandbox_1c_is_in_the_contract_with_its_methods():
    paths = load("onec-http-service.openapi.yaml")["paths"]
    app = create_onec_app()
    served = {}
    for rule in app.url_map.iter_rules():
        if "/hs/servicedesk/v1" in rule.rule:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.split("/v1", 1)[1])
            served.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    app.extensions["sandbox_onec"].close()
    documented = {path: {m for m in item if m != "parameters"} for path, item in paths.items()}
    assert served == documented


def test_app_api_document_has_the_three_endpoints_1c_calls():
    paths = load("app-1c-api.openapi.yaml")["paths"]
    assert set(paths) == {"/api/1c/v1/events", "/api/1c/v1/requests/{ref}", "/api/1c/v1/health"}
    assert "202" in paths["/api/1c/v1/events"]["post"]["responses"]


def test_guide_shows_the_bomless_body_call_in_1c_language():
    guide = (DOCS / "onec-integration.md").read_text(encoding="utf-8")
    assert "ИспользованиеByteOrderMark.НеИспользовать" in guide
    assert "HTTPСоединение" in guide and "HTTPЗапрос" in guide
