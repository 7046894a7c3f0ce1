"""The shape of the code (docs/architecture.md, "Layers"): the import-linter contracts in pyproject.toml hold,
no module imports itself back through others (imports inside functions and under TYPE_CHECKING count), and
no module keeps mutable state at module level that functions change (long-lived state lives in runtime.py)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp
from importlinter import cli

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "rejoinder"

# Cycles tolerated for now: none (keep it that way).
KNOWN_CYCLES: list[frozenset[str]] = []

# Module-level mutable state that stays, and why.
ALLOWED_STATE = {
    # Per-engine data attached to SQLAlchemy engines (weak keys: dropped with the engine); it is what an
    # attribute on the engine would be, and is never read for another engine.
    ("store/engine.py", "_WRITERS"),
    # The process's stop-signal flag: signal handlers are process-wide, and forked Granian workers inherit
    # it (serving.py explains why).
    ("serving.py", "_stop_requested"),
}
MUTATING_METHODS = frozenset(
    {
        "append",
        "add",
        "update",
        "setdefault",
        "pop",
        "popitem",
        "clear",
        "extend",
        "insert",
        "remove",
        "discard",
    }
)
CONTAINER_CALLS = frozenset(
    {
        "dict",
        "list",
        "set",
        "defaultdict",
        "OrderedDict",
        "Counter",
        "deque",
        "WeakKeyDictionary",
        "WeakValueDictionary",
    }
)


def test_import_linter_contracts_hold() -> None:
    """Layers and the HTTP boundary, as pyproject.toml's [tool.importlinter] states them."""
    assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def strongly_connected(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """Tarjan's algorithm, iterative: the groups of two or more modules that import each other in a ring."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(frozenset(group))
    return found


def import_edges() -> dict[str, set[str]]:
    graph = grimp.build_graph("rejoinder", exclude_type_checking_imports=False, cache_dir=None)
    return {
        module: set(graph.find_modules_directly_imported_by(module))
        for module in graph.modules
        if ".migrations" not in module  # Alembic's scripts are loaded by Alembic, not imported
    }


def test_strongly_connected_finds_a_ring_and_leaves_a_chain() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert strongly_connected(edges) == [frozenset({"a", "b", "c"})]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_sees_imports_in_functions_and_under_type_checking() -> None:
    """What the cycle test relies on: grimp counts the imports a plain top-level scan would miss."""
    edges = import_edges()
    # `from rejoinder.auth.providers import check_settings` inside config/loading.py's functions
    assert "rejoinder.auth.providers" in edges["rejoinder.config.loading"]
    # `if TYPE_CHECKING: from rejoinder.app import Rejoinder` in demo.py
    assert "rejoinder.app" in edges["rejoinder.demo"]


def test_no_import_cycles() -> None:
    cycles = strongly_connected(import_edges())
    unexpected = [sorted(c) for c in cycles if c not in KNOWN_CYCLES]
    assert unexpected == [], f"modules that import each other in a ring: {unexpected}"


def _module_state(tree: ast.Module) -> set[str]:
    """Names bound at module level to a new mutable container."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        container = isinstance(
            value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp
        )
        if isinstance(value, ast.Call):
            func = value.func
            called = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            container = called in CONTAINER_CALLS
        if container:
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def mutable_module_state(source: str) -> set[str]:
    """Module-level containers that a function changes, and names a function rebinds with `global`."""
    tree = ast.parse(source)
    state = _module_state(tree)
    changed: set[str] = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                changed |= set(node.names)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                target = node.func.value
                if isinstance(target, ast.Name) and target.id in state and node.func.attr in MUTATING_METHODS:
                    changed.add(target.id)
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
                targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in state:
                        changed.add(t.value.id)
    return changed


def test_the_state_scan_finds_what_it_looks_for() -> None:
    source = """
CACHE = {}
SEEN: list[str] = []
FIXED = {"a": 1}
FIXED["b"] = 2  # built once at import: fine
FLAG = False

def remember(key, value):
    CACHE[key] = value

def see(name):
    SEEN.append(name)

def stop():
    global FLAG
    FLAG = True

def read():
    return FIXED["a"]
"""
    assert mutable_module_state(source) == {"CACHE", "SEEN", "FLAG"}


def settings_caches(source: str) -> set[str]:
    """Functions memoised for the whole process (functools.cache / lru_cache) that take settings or a
    Context: their answers would outlive the settings they were computed from."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        memoised = any(
            "cache" in ast.unparse(d.func if isinstance(d, ast.Call) else d).rsplit(".", 1)[-1]
            and "cached_property" not in ast.unparse(d)
            for d in node.decorator_list
        )
        params = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        typed = {ast.unparse(a.annotation) for a in params if a.annotation is not None}
        if memoised and any(t.endswith("Settings") or t == "Context" for t in typed):
            found.add(node.name)
    return found


def test_the_cache_scan_finds_what_it_looks_for() -> None:
    source = """
@functools.lru_cache(maxsize=8)
def limits_of(settings: Settings) -> int: ...

@cache
def origins(ctx: Context) -> set[str]: ...

@cache
def words(text: str) -> list[str]: ...

@cached_property
def mine(self, settings: Settings) -> int: ...
"""
    assert settings_caches(source) == {"limits_of", "origins"}


def test_no_process_wide_caches_keyed_by_settings() -> None:
    found = {
        (path.relative_to(SRC).as_posix(), name)
        for path in sorted(SRC.rglob("*.py"))
        for name in settings_caches(path.read_text(encoding="utf-8"))
    }
    assert found == set(), "memoise per Runtime (or by plain values), not per process"


def test_no_module_level_mutable_state() -> None:
    found = {
        (path.relative_to(SRC).as_posix(), name)
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
        for name in mutable_module_state(path.read_text(encoding="utf-8"))
    }
    assert found - ALLOWED_STATE == set(), "keep long-lived state in runtime.Runtime, not in a module"
    assert found >= ALLOWED_STATE, f"no longer needed, remove from ALLOWED_STATE: {ALLOWED_STATE - found}"
