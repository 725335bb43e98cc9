"""Two request or response schemas with the same class name become one component of the OpenAPI document (the last
one wins): the appeal reply endpoint was once documented with the supervision reply's body, and the fuzzer's
schema-valid requests were refused. Every schema class the API uses has a name of its own."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from ninja import Schema

import shanzhi


def test_schema_class_names_are_unique_across_the_api():
    seen: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.walk_packages(shanzhi.__path__, "shanzhi."):
        leaf = module_info.name.rsplit(".", 1)[-1]
        if not (leaf.startswith("api") or leaf in {"schemas"}):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                seen[value.__name__].add(module.__name__)
    clashes = {name: sorted(modules) for name, modules in seen.items() if len(modules) > 1}
    assert clashes == {}
    assert len(seen) > 50  # the walk found the API's schemas (a positive control)


def test_the_appeal_reply_body_is_documented_as_the_appeal_reply():
    from shanzhi.api import api

    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/v1/appeals/{key}/reply"]["post"]["requestBody"]["content"]["application/json"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][ref]["required"] == ["text"]
