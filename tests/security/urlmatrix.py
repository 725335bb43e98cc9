"""Every URL the application serves, read from the URL configuration itself, with generated arguments.

:func:`endpoints` walks ``shanzhi.urls`` (console, portal, reports, knowledge, the capability apps, admin, the API
routers as ninja mounts them) and returns one :class:`Endpoint` per named pattern, with its path arguments filled
by :class:`Arguments` — the ids of an object that lies in another unit. A pattern added tomorrow is in the list
tomorrow: nobody has to remember to add it to the matrix. Unnamed regex patterns (catch-alls) cannot be reversed;
they are returned by :func:`unreachable_patterns` so a test can hold that list to the known few.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

API_PREFIX = "/api/v1/"


@dataclass(frozen=True)
class Endpoint:
    name: str  # namespaced URL name, e.g. "console:appeal"
    route: str  # the pattern as written, e.g. "console/appeals/<int:pk>/"
    params: tuple[str, ...]  # the names of its path arguments
    path: str  # the concrete path with generated arguments
    methods: tuple[str, ...] = ("GET", "POST")
    api_key: str = ""  # the OpenAPI path (``/api/v1/appeals/{key}``) of an API endpoint

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX)

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    @property
    def names_an_object(self) -> bool:
        """A path argument names one object (an id, a tracking number): the answer is about that object."""
        return any(p not in NON_OBJECT_PARAMS for p in self.params)


#: Path arguments that select a view of a list, not an object (a file format, a decision word, an app label).
NON_OBJECT_PARAMS = frozenset({"fmt", "app_label", "decision", "code", "rest", "url"})


@dataclass
class Arguments:
    """Values for path arguments by name: ``by_name`` first, then the admin's object ids per model, then a guess
    from the converter (an int → ``default_int``, anything else → ``default_str``)."""

    by_name: dict[str, Any]
    default_int: int
    default_str: str
    admin_object: Callable[[str, str], str] = field(default=lambda app, model: "1")

    def value(self, endpoint_name: str, param: str, converter: str) -> str:
        if param == "object_id" and endpoint_name.startswith("admin:"):
            app_model = endpoint_name.split(":", 1)[1].rsplit("_", 1)[0]
            for (app_label, model_name), _ in _admin_models().items():
                if app_model == f"{app_label}_{model_name}":
                    return self.admin_object(app_label, model_name)
            return "1"
        for key in (f"{endpoint_name}.{param}", param):
            if key in self.by_name:
                return str(self.by_name[key])
        if converter == "int":
            return str(self.default_int)
        return self.default_str


def _admin_models() -> dict[tuple[str, str], Any]:
    return {(m._meta.app_label, m._meta.model_name): ma for m, ma in admin.site._registry.items()}


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str, Any, dict[str, str]]]:
    """(namespaced name, route, pattern, {param: converter}) for every URLPattern under ``patterns``."""
    for entry in patterns:
        route, converters = _route_of(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            for name, sub_route, pattern, sub_conv in _walk(entry.url_patterns, prefix + route, ns):
                yield name, sub_route, pattern, {**converters, **sub_conv}
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield name, prefix + route, entry, converters


_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def _route_of(pattern: Any) -> tuple[str, dict[str, str]]:
    if isinstance(pattern, RoutePattern):
        text = str(pattern._route)
        return text, {m["name"]: m["conv"] or "str" for m in _ROUTE_PARAM.finditer(text)}
    if isinstance(pattern, RegexPattern):
        text = str(pattern._regex).lstrip("^").rstrip("$")
        return text, {m["name"]: "int" if m["body"].startswith(r"\d") else "str" for m in _REGEX_PARAM.finditer(text)}
    return str(pattern), {}


def _regex_choice(route: str, param: str) -> str | None:
    """The first literal alternative a regex group allows (the admin's ``(?P<app_label>auth|orgs|…)``)."""
    for m in _REGEX_PARAM.finditer(route):
        if m["name"] == param and re.fullmatch(r"[\w|]+", m["body"]):
            return m["body"].split("|")[0]
    return None


def unreachable_patterns() -> list[str]:
    """Unnamed regex patterns (catch-alls): neither reversed nor filled by hand."""
    walked = _walk(get_resolver().url_patterns, "", "")
    return sorted({route for name, route, p, _ in walked if not name and not isinstance(p.pattern, RoutePattern)})


def endpoints(args: Arguments, api_methods: dict[str, tuple[str, ...]] | None = None) -> list[Endpoint]:
    """Every named pattern of the URL configuration with generated arguments. ``api_methods`` (path → methods, from
    the OpenAPI schema) gives the API's operations; other pages are tried with GET and POST."""
    found: dict[str, Endpoint] = {}
    for name, route, _pattern, converters in _walk(get_resolver().url_patterns, "", ""):
        if not name:
            if isinstance(_pattern.pattern, RoutePattern):  # an unnamed route (a redirect): filled by hand
                path = "/" + _ROUTE_PARAM.sub(lambda m, r=route: args.value(r, m["name"], m["conv"] or "str"), route)
                found.setdefault(route, Endpoint(route, route, tuple(converters), path))
            continue
        kwargs = {}
        for param, conv in converters.items():
            choice = _regex_choice(route, param)
            kwargs[param] = choice if choice is not None else args.value(name, param, conv)
        try:
            path = reverse(name, kwargs=kwargs)
        except Exception as exc:  # a pattern we cannot fill fails loudly
            raise AssertionError(f"cannot build {name} ({route}) with {kwargs}: {exc}") from exc
        methods: tuple[str, ...] = ("GET", "POST")
        api_key = ""
        if path.startswith(API_PREFIX) and api_methods is not None:
            key = re.sub(r"<(?:[^>:]+:)?(\w+)>", r"{\1}", "/" + route)
            key = key if key in api_methods else key.rstrip("/")
            methods = api_methods.get(key) or ("GET",)  # the schema and docs pages: pages
            api_key = key
        key = f"{name} {path}"
        found.setdefault(key, Endpoint(name, route, tuple(converters), path, methods, api_key))
    return sorted(found.values(), key=lambda e: (e.path, e.name))


def api_operations() -> dict[str, tuple[str, ...]]:
    """The OpenAPI schema's paths and their methods (``/api/v1/appeals/{key}`` → ``("GET",)``)."""
    from shanzhi.api import api

    schema = api.get_openapi_schema()
    return {path: tuple(m.upper() for m in ops) for path, ops in schema["paths"].items()}


def api_bodies() -> dict[tuple[str, str], str]:
    """A minimal schema-valid JSON body per operation ((path, method) → JSON), so that a POST reaches the lookup
    (and the scope) instead of stopping at the schema's 422."""
    import json

    from shanzhi.api import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    out = {}
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                out[(path, method.upper())] = json.dumps(_example(content["schema"], components), ensure_ascii=False)
    return out


def _example(node: dict[str, Any], components: dict[str, Any]) -> Any:
    if "$ref" in node:
        return _example(components[node["$ref"].rsplit("/", 1)[1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return _example(node[key][0], components)
    if "enum" in node:
        return node["enum"][0]
    if "default" in node and node["default"] is not None:
        return node["default"]
    kind = node.get("type", "object")
    if kind == "object":
        props = node.get("properties", {})
        return {name: _example(props[name], components) for name in node.get("required", []) if name in props}
    if kind == "array":
        return [_example(node.get("items", {}), components) for _ in range(node.get("minItems", 0))]
    if kind == "integer":
        return max(int(node.get("minimum", 1)), 1)
    if kind == "number":
        return float(node.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    text = "矩阵测试说明"
    return (text * (1 + int(node.get("minLength", 0)) // len(text)))[: max(node.get("maxLength", 64), 1)]
