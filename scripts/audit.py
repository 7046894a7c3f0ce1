"""Known vulnerabilities in what rejoinder installs: pip-audit over the installed environment (.venv) and
`npm audit` for every npm package tree in the repository (each package-lock.json git knows about).

Fails (exit 1) on any vulnerability not listed in .ci/audit-ignore.txt. A vulnerability database that cannot
be reached, or answers for no package, fails the run when CI=true and is a loud warning otherwise: an audit
that could not look must never read as "no known vulnerabilities". Run by scripts/test and `make audit`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore.txt"
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def read_ignores() -> dict[str, str]:
    """ID -> reason. Every entry must give a reason (the rest of its line)."""
    ignores: dict[str, str] = {}
    for n, raw in enumerate(IGNORE_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, *reason = line.split(None, 1)
        if not reason:
            sys.exit(f"audit: {IGNORE_FILE.relative_to(ROOT)}:{n}: {vuln_id} has no reason")
        ignores[vuln_id.upper()] = reason[0]
    return ignores


def pip_audit(ignores: dict[str, str]) -> tuple[list[str], list[str]]:
    """Returns (vulnerabilities found, why the audit could not look)."""
    cmd = [
        str(ROOT / ".venv" / "bin" / "pip-audit"),
        "-f",
        "json",
        "--progress-spinner",
        "off",
        "--skip-editable",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        return [], [f"pip-audit failed (exit {out.returncode}): {(out.stderr or out.stdout).strip()[-500:]}"]
    found, blind = [], []
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    for dep in deps:
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"].upper(), *(a.upper() for a in vuln.get("aliases", []))}
            if ids & ignores.keys():
                continue
            fix = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            found.append(f"pip: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fix})")
    if skipped:
        sample = "; ".join(d["skip_reason"] for d in skipped[:2])
        blind.append(
            f"pip-audit could not audit {len(skipped)} of {len(deps)} packages (PyPI's vulnerability data, "
            f"https://pypi.org/pypi/NAME/VERSION/json, unreachable?): {sample}"
        )
    return found, blind


def npm_trees() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*package-lock.json"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / p for p in listed if "node_modules" not in p]


def npm_audit(lock: Path, ignores: dict[str, str]) -> tuple[list[str], list[str]]:
    where = lock.parent.relative_to(ROOT)
    out = subprocess.run(
        ["npm", "audit", "--json", "--package-lock-only"],
        cwd=lock.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        return [], [f"npm audit in {where} failed (exit {out.returncode}): {out.stderr.strip()[-500:]}"]
    if "error" in report or "vulnerabilities" not in report:
        why = report.get("message") or json.dumps(report.get("error"))[:300]
        return [], [f"npm audit in {where} could not reach the registry's advisory database: {why}"]
    found = []
    for name, entry in report["vulnerabilities"].items():
        for via in entry.get("via", []):
            if not isinstance(via, dict):
                continue  # a dependency path to another entry, reported there
            advisory = re.sub(r".*/", "", via.get("url", "")) or str(via.get("source"))
            if advisory.upper() in ignores:
                continue
            found.append(
                f"npm ({where}): {name}: {advisory} {via.get('severity', '')}: {via.get('title', '')}"
            )
    return found, []


def main() -> int:
    ignores = read_ignores()
    found, blind = pip_audit(ignores)
    for lock in npm_trees():
        f, b = npm_audit(lock, ignores)
        found += f
        blind += b
    for line in found:
        print(f"audit: VULNERABLE {line}", file=sys.stderr)
    for line in blind:
        print(f"audit: {'ERROR' if CI else 'WARNING'}: {line}", file=sys.stderr)
    if found:
        print(
            f"audit: {len(found)} known vulnerabilities (fix, or list in .ci/audit-ignore.txt with a reason)"
        )
        return 1
    if blind:
        print(
            "audit: the vulnerability databases could not be reached; nothing was audited"
            + (" (CI=true: failing)" if CI else "")
        )
        return 1 if CI else 0
    print("audit: no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
