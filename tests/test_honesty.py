"""Tests that cannot lie: no test waits a fixed time for something to happen (it waits on an event, polls a
condition with a deadline, or moves an injected clock), no test accepts a range of statuses where the server
answers exactly one, and no test checks only statuses (it also checks the body or what is stored). Reads the
syntax tree of every test module; holds no behaviour tests itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# A literal sleep outside a polling loop, kept on purpose: each entry says why no event can stand in for it.
SLEEPS_ALLOWED = {
    # Holding a transaction across an await, as services do: it interleaves writers, it waits for nothing.
    ("tests/store/test_engine.py", "one"),
    # Proving that a cancelled lock waiter, and a queued one, keep waiting (a negative: nothing to wait on).
    ("tests/store/test_engine.py", "go"),
    # A stand-in for a slow outside service: the slowness is the scenario under test, not a wait.
    ("tests/moderation/test_pipeline_external.py", "hook_answer"),
}
STATUS = {"status_code", "status"}
# Sign-in tests that still assert only statuses, left to the sign-in code's owner (issue #11, item 8). The
# list may only shrink: an entry that no longer checks only statuses fails the test until it is removed.
STATUS_ONLY_BACKLOG: set[str] = set()
# Helpers whose name says they check a body (problem+json code, HTML, sameness): calling one counts.
BODY_CHECKS = ("assert", "refused", "problem", "expect", "same_answer", "check")


def modules() -> Iterator[Path]:
    for path in sorted(TESTS.rglob("*.py")):
        if "node_modules" not in path.parts and path.name != "test_honesty.py":
            yield path


def _is_sleep(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr == "sleep" and isinstance(func.value, ast.Name)


def _literal_seconds(node: ast.Call) -> bool:
    return bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value != 0


def _sleeps(
    node: ast.AST, rel: str, function: str, in_loop: bool, found: list[str], used: set[tuple[str, str]]
) -> None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        function, in_loop = node.name, False
    if isinstance(node, ast.While):
        in_loop = True
    if isinstance(node, ast.Call) and _is_sleep(node) and _literal_seconds(node) and not in_loop:
        if (rel, function) in SLEEPS_ALLOWED:
            used.add((rel, function))
        else:
            found.append(f"{rel}:{node.lineno} in {function}()")
    for child in ast.iter_child_nodes(node):
        _sleeps(child, rel, function, in_loop, found, used)


def fixed_sleeps(used: set[tuple[str, str]]) -> list[str]:
    """`time.sleep(0.5)` / `asyncio.sleep(0.5)` that do not pace a polling loop (`while` …); the allowed
    ones it meets go into `used`."""
    found: list[str] = []
    for path in modules():
        _sleeps(
            ast.parse(path.read_text("utf-8")), str(path.relative_to(ROOT)), "<module>", False, found, used
        )
    return found


def _is_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in STATUS


def status_ranges() -> list[str]:
    """Asserts that accept several statuses: `in (200, 204)`, `400 <= s < 500`, `s >= 400`."""
    found = []
    for path in modules():
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Assert):
                continue
            for compare in ast.walk(node.test):
                if not isinstance(compare, ast.Compare):
                    continue
                parts = [compare.left, *compare.comparators]
                if not any(_is_status(p) for p in parts):
                    continue
                if any(
                    isinstance(op, ast.In | ast.NotIn | ast.Lt | ast.LtE | ast.Gt | ast.GtE)
                    for op in compare.ops
                ):
                    found.append(f"{rel}:{compare.lineno}")
    return found


def _checks_only_statuses(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    asserts = [n for n in ast.walk(function) if isinstance(n, ast.Assert)]
    if not asserts:
        return False
    for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
        name = getattr(call.func, "id", None) or getattr(call.func, "attr", "")
        if name.startswith(BODY_CHECKS):
            return False
    for node in asserts:
        if isinstance(node.test, ast.BoolOp):
            return False
        compares = [n for n in ast.walk(node.test) if isinstance(n, ast.Compare)]
        if not compares or not all(any(_is_status(p) for p in (c.left, *c.comparators)) for c in compares):
            return False
    return True


def status_only_tests() -> set[str]:
    found = set()
    for path in modules():
        rel = str(path.relative_to(ROOT))
        for node in ast.parse(path.read_text("utf-8")).body:
            is_test = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            )
            if is_test and _checks_only_statuses(node):  # type: ignore[arg-type]
                found.add(f"{rel}::{node.name}")  # type: ignore[union-attr]
    return found


def test_no_test_checks_only_statuses() -> None:
    found = status_only_tests()
    assert not found - STATUS_ONLY_BACKLOG, (
        "these tests assert only statuses; also assert the body (its code) or the stored state:\n  "
        + "\n  ".join(sorted(found - STATUS_ONLY_BACKLOG))
    )
    assert not STATUS_ONLY_BACKLOG - found, (
        f"fixed, remove from STATUS_ONLY_BACKLOG: {STATUS_ONLY_BACKLOG - found}"
    )


def test_no_test_waits_a_fixed_time() -> None:
    used: set[tuple[str, str]] = set()
    found = fixed_sleeps(used)
    assert used == SLEEPS_ALLOWED, (
        f"SLEEPS_ALLOWED lists places without a fixed sleep: {SLEEPS_ALLOWED - used}"
    )
    assert not found, (
        "these sleeps wait a fixed time for something to happen; wait on an event, poll the condition with a "
        "deadline, or move the app's clock (tests/fixtures/app.py advance_clock):\n  " + "\n  ".join(found)
    )


def test_no_test_accepts_a_range_of_statuses() -> None:
    found = status_ranges()
    assert not found, "assert the one status the server answers (and its body):\n  " + "\n  ".join(found)


def test_the_scans_find_what_they_look_for() -> None:
    """The scans themselves, on a module written to break both rules."""
    bad = ast.parse(
        "import time\ndef test_x(r):\n    time.sleep(1)\n    assert r.status_code in (200, 204)\n"
    )
    sleeps = [n for n in ast.walk(bad) if isinstance(n, ast.Call) and _is_sleep(n) and _literal_seconds(n)]
    assert len(sleeps) == 1
    compares = [n for n in ast.walk(bad) if isinstance(n, ast.Compare) and _is_status(n.left)]
    assert len(compares) == 1 and isinstance(compares[0].ops[0], ast.In)
    only = ast.parse("def test_y(c):\n    assert c.get('/').status_code == 200\n").body[0]
    checked = ast.parse(
        "def test_z(c):\n    r = c.get('/')\n    assert r.status_code == 200\n    assert r.json() == {}\n"
    )
    assert isinstance(only, ast.FunctionDef) and _checks_only_statuses(only)
    assert isinstance(checked.body[0], ast.FunctionDef) and not _checks_only_statuses(checked.body[0])
