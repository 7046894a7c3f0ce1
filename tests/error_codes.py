"""The error codes and moderation reason codes the server can emit, found by reading the syntax tree of src/.
Shared by tests/test_docs.py (every code documented) and tests/test_i18n.py (every code a reader meets is
translated); holds no tests itself."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rejoinder import errors

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "rejoinder"
SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@dataclass
class CodeUse:
    statuses: set[int] = field(default_factory=set)
    places: list[str] = field(default_factory=list)


def _error_class(name: str | None) -> type[errors.RejoinderError] | None:
    cls = getattr(errors, name, None) if name else None
    if isinstance(cls, type) and issubclass(cls, errors.RejoinderError):
        return cls
    return None


def _status_of_class(name: str) -> int | None:
    cls = _error_class(name)
    return cls.status if cls is not None else None


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and SLUG.match(node.value):
        return node.value
    return None


def _const_int(node: ast.AST | None) -> int | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    return None


def _callee(node: ast.Call) -> tuple[str | None, str | None]:
    """(class name, method name) of `Invalid.field(...)` → ("Invalid", "field"); `NotFound(...)` → ("NotFound", None)."""
    if isinstance(node.func, ast.Name):
        return node.func.id, None
    if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
        return node.func.value.id, node.func.attr
    if isinstance(node.func, ast.Attribute):
        return None, node.func.attr
    return None, None


def _source_files() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


@functools.cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _codes_in_module(path: Path) -> Iterator[tuple[str, int | None, int]]:
    """(code, status if known, line) for every error code a module can emit."""
    tree = _parse(path)
    is_problems = path.name == "problems.py" and path.parent.name == "web"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            cls, method = _callee(node)
            kwargs = {k.arg: k.value for k in node.keywords if k.arg}
            status = _const_int(kwargs.get("status"))
            if status is None and cls is not None:
                status = _status_of_class(cls)
            code = _const_str(kwargs.get("code"))
            if code is not None:
                yield code, status, node.lineno
            if method == "field" and len(node.args) >= 2 and (code := _const_str(node.args[1])):
                yield code, status, node.lineno  # Invalid.field(field, code, message)
            elif "code" not in kwargs and (error := _error_class(cls)) is not None:
                yield (
                    error.default_code,
                    error.status,
                    node.lineno,
                )  # SiteNotFound.named(name), CommentNotFound()
            is_field_error = cls in ("FieldError", "ProblemField") and len(node.args) >= 2
            if is_field_error and (code := _const_str(node.args[1])):
                yield code, None, node.lineno  # travels inside an Invalid's errors[]
        elif isinstance(node, ast.ClassDef):
            body = {
                t.id: stmt.value
                for stmt in node.body
                if isinstance(stmt, ast.Assign | ast.AnnAssign)
                for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
                if isinstance(t, ast.Name) and stmt.value is not None
            }
            code = _const_str(body.get("default_code"))
            if code is not None:
                status = _const_int(body.get("status"))
                yield code, status if status is not None else _status_of_class(node.name), node.lineno
        elif is_problems and isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                # _HTTP_CODES = {404: ("not-found", "Not found"), ...}
                if (code := _code_title_pair(value)) is not None:
                    yield code, _const_int(key), value.lineno
        if is_problems and (code := _code_title_pair(node)) is not None:
            yield (
                code,
                None,
                getattr(node, "lineno", 0),
            )  # `code, title = "invalid-request", "Invalid request"` and the like


def _code_title_pair(node: ast.AST | None) -> str | None:
    """The code of a `("code", "Title")` pair, the way web/problems.py spells a code with its title."""
    if not (isinstance(node, ast.Tuple) and len(node.elts) == 2):
        return None
    title = node.elts[1]
    if isinstance(title, ast.Constant) and isinstance(title.value, str) and not SLUG.match(title.value):
        return _const_str(node.elts[0])
    return None


def _template(node: ast.AST | None) -> str | None:
    """A regex for a code built at run time, `f"{purpose}-expired"` → `^[a-z0-9-]+-expired$`."""
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            parts.append(re.escape(value.value))
        else:
            parts.append("[a-z0-9-]+")
    return "^" + "".join(parts) + "$"


def source_code_templates() -> dict[str, list[str]]:
    """Codes built with an f-string (`code=f"{purpose}-expired"`), as regex → places. The test cannot know
    their values, so it asks that at least one documented code fits each."""
    found: dict[str, list[str]] = {}
    for path in _source_files():
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.Call):
                candidates = [k.value for k in node.keywords if k.arg == "code"]
                if _callee(node)[1] == "field" and len(node.args) >= 2:
                    candidates.append(node.args[1])  # Invalid.field(field, f"{field}-invalid", ...)
                for candidate in candidates:
                    if pattern := _template(candidate):
                        found.setdefault(pattern, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def source_error_codes() -> dict[str, CodeUse]:
    """Every literal error code in src/ → the statuses it answers with and the places that raise it."""
    found: dict[str, CodeUse] = {}
    for path in _source_files():
        for code, status, line in _codes_in_module(path):
            use = found.setdefault(code, CodeUse())
            if status is not None:
                use.statuses.add(status)
            place = f"{path.relative_to(ROOT)}:{line}"
            if place not in use.places:
                use.places.append(place)
    return found


def finding_codes() -> dict[str, list[str]]:
    """The code of every moderation `Finding(check, action, code, detail)` in src/ → where it is made, plus
    the check that made it (`honeypot`, `limits`, …) as `check:<name>` entries. A finding's code is what an
    author meets: the `reason_code` of a held comment, or a field error of a rejected one."""
    found: dict[str, list[str]] = {}
    for path in _source_files():
        for node in ast.walk(_parse(path)):
            if not (
                isinstance(node, ast.Call) and _callee(node) == ("Finding", None) and len(node.args) >= 3
            ):
                continue
            code = _const_str(node.args[2])
            if code is None:
                continue
            where = found.setdefault(code, [])
            where.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (check := _const_str(node.args[0])) is not None:
                where.append(f"check:{check}")
    return found
