"""The shipped OpenAPI file describes exactly the routes the server has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from streamsuites.web.api import OPENAPI
from tests.unit.web.harness import serve

pytestmark = pytest.mark.asyncio

METHODS = ("get", "post", "put", "patch", "delete")


def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(OPENAPI.read_text())
    return data


def described() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in spec()["paths"].items()
        for method in item
        if method in METHODS
    }


def refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


async def test_every_route_is_described_and_every_description_is_a_route(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        app = web.server.app
        assert app is not None
        served = {
            (route.method, re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", route.resource.canonical))
            for route in app.router.routes()
            if route.method in ("GET", "POST") and route.resource is not None
        }
        body = await web.get_json("/api/v1/openapi.json")
    assert served == described()
    assert body == spec()


async def test_the_document_is_openapi_3_1_with_resolvable_references() -> None:
    document = spec()
    assert document["openapi"] == "3.1.0"
    for ref in refs(document):
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict), ref
    operation_ids = [
        op["operationId"] for item in document["paths"].values() for m, op in item.items()
        if m in METHODS
    ]  # fmt: skip
    assert len(operation_ids) == len(set(operation_ids))
