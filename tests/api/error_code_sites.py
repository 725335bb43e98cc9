"""Where the code's coded errors are raised: an AST walk of ``shanzhi/`` that finds every error code written in the
source, with the app that raises it and the HTTP status its exception class gives it.

Found: ``SomeError(..., code="x")`` calls of any :class:`~shanzhi.core.errors.ShanzhiError` subclass; the ``code``
class attribute of such a subclass; ``Open311Error(status, "x", ...)`` (GeoReport v2's format); a literal handed to
a module's own helper that passes its ``code`` parameter on to such a call (``_refuse(msg, "x")``,
``_require_text(v, "x", msg)``); and the API's own ``error_response(request, status, "x", ...)`` answers and
``FIELD_CODES`` table (``shanzhi/api.py``). A code built at run time (an f-string, a variable) is not found here:
the app's registry declares it by hand.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "shanzhi"
BASE = "ShanzhiError"


@dataclasses.dataclass(frozen=True)
class Site:
    app: str  # the package under shanzhi/ ("core" for the top-level modules: api.py, api_auth.py, ...)
    code: str
    status: int | None  # None where the status is not written beside the code
    where: str  # path:line, for the failure message
    message: str | None = None  # the Chinese message written beside it, if it is a literal


def _modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts or parts[-1] == "error_codes.py":
            continue
        app = parts[0] if len(parts) > 1 else "core"
        yield app, path, ast.parse(path.read_text(encoding="utf-8"))


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _literal(node: ast.expr | None) -> str | None:
    """A string literal, or the literal inside ``_("...")`` / ``gettext(...)``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and _name(node.func) in {"_", "gettext", "gettext_lazy"} and node.args:
        return _literal(node.args[0])
    return None


def error_classes(modules: list[tuple[str, Path, ast.Module]]) -> dict[str, tuple[str | None, int | None]]:
    """Every ShanzhiError subclass by name: (its code, its status), inherited where not written."""
    found: dict[str, tuple[list[str], str | None, int | None]] = {}
    for _app, _path, tree in modules:
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            code = status = None
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                    value = stmt.value.value if isinstance(stmt.value, ast.Constant) else None
                    if stmt.targets[0].id == "code" and isinstance(value, str):
                        code = value
                    if stmt.targets[0].id == "status" and isinstance(value, int):
                        status = value
            found[node.name] = ([n for b in node.bases if (n := _name(b))], code, status)
    resolved: dict[str, tuple[str | None, int | None]] = {}

    def resolve(name: str, seen: frozenset[str] = frozenset()) -> tuple[str | None, int | None] | None:
        if name in resolved:
            return resolved[name]
        if name not in found or name in seen:
            return None
        bases, code, status = found[name]
        if name != BASE:
            parents = [p for b in bases if (p := resolve(b, seen | {name})) is not None]
            if not parents:
                return None
            code = code or parents[0][0]
            status = status or parents[0][1]
        resolved[name] = (code, status)
        return resolved[name]

    for name in found:
        resolve(name)
    return resolved


def sites() -> list[Site]:
    modules = list(_modules())
    classes = error_classes(modules)
    out: list[Site] = []
    for app, path, tree in modules:
        rel = path.relative_to(ROOT.parent)
        # The module's helpers that hand their `code` parameter on to an error: name -> (position, status).
        helpers: dict[str, tuple[int, int | None]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in classes:
                code, status = classes[node.name]
                if code and any(
                    isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in s.targets)
                    for s in node.body
                ):
                    out.append(Site(app, code, status, f"{rel}:{node.lineno}"))
            if isinstance(node, ast.FunctionDef):
                params = [a.arg for a in node.args.args]
                if "code" not in params:
                    continue
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and _name(inner.func) in classes
                        and any(
                            k.arg == "code" and isinstance(k.value, ast.Name) and k.value.id == "code"
                            for k in inner.keywords
                        )
                    ):
                        helpers[node.name] = (params.index("code"), classes[_name(inner.func) or ""][1])
                        default = node.args.defaults
                        offset = len(params) - len(default)
                        position = params.index("code")
                        if position >= offset and (lit := _literal(default[position - offset])) is not None:
                            out.append(Site(app, lit, helpers[node.name][1], f"{rel}:{node.lineno}"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name in classes:
                for keyword in node.keywords:
                    if keyword.arg == "code" and (code := _literal(keyword.value)) is not None:
                        message = _literal(node.args[0]) if node.args else None
                        out.append(Site(app, code, classes[name][1], f"{rel}:{node.lineno}", message))
            elif name in helpers:
                position, status = helpers[name]
                code = None
                if len(node.args) > position:
                    code = _literal(node.args[position])
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        code = _literal(keyword.value)
                if code is not None:
                    out.append(Site(app, code, status, f"{rel}:{node.lineno}"))
            elif name == "Open311Error" and len(node.args) >= 2:
                # GeoReport v2's own error format: (status, key, description).
                status_node = node.args[0]
                if (code := _literal(node.args[1])) is not None and isinstance(status_node, ast.Constant):
                    out.append(Site(app, code, int(status_node.value), f"{rel}:{node.lineno}", _literal(node.args[2])))
            elif name == "error_response" and len(node.args) >= 3:
                status_node, code_node = node.args[1], node.args[2]
                status = status_node.value if isinstance(status_node, ast.Constant) else None
                if (code := _literal(code_node)) is not None:
                    out.append(
                        Site(
                            app,
                            code,
                            status if isinstance(status, int) else None,
                            f"{rel}:{node.lineno}",
                            _literal(node.args[3]) if len(node.args) > 3 else None,
                        )
                    )
        for node in ast.walk(tree):
            # FIELD_CODES = {"field": ("code", _("message")), ...}: the schema's refusals, all 422.
            if (
                isinstance(node, (ast.Assign, ast.AnnAssign))
                and any(
                    isinstance(t, ast.Name) and t.id == "FIELD_CODES"
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                )
                and isinstance(node.value, ast.Dict)
            ):
                for value in node.value.values:
                    if isinstance(value, ast.Tuple) and (code := _literal(value.elts[0])) is not None:
                        out.append(Site(app, code, 422, f"{rel}:{value.lineno}", _literal(value.elts[1])))
    return out
