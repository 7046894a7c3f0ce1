"""Known vulnerabilities in what rejoinder installs: pip-audit over the installed environment (.venv) and
`npm audit` for every npm package tree in the repository (each package-lock.json git knows about).

Fails (exit 1) on any vulnerability not listed in .ci/audit-ignore.txt. Where PyPI's per-version data
cannot be reached (this machine's network allows only the package indexes), each package is looked up in the
project's JSON instead, whose `vulnerabilities` are those of the newest release: exact for a package that
is at its newest release, which a fresh install mostly is. What could not be checked either way is listed
as NOT VERIFIED and never read as "no known vulnerabilities"; it fails the run only with
REJOINDER_AUDIT_STRICT=1 (for a CI with access to the advisory databases). Run by scripts/test and
`make audit`.
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
STRICT = os.environ.get("REJOINDER_AUDIT_STRICT", "").lower() in {"1", "true", "yes"}
PROJECT_JSON = "https://pypi.org/pypi/{name}/json"


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
        checked, unverified = newest_release_vulns(skipped, ignores, found)
        print(
            f"audit: pip-audit could not reach per-version data for {len(skipped)} of {len(deps)} packages; "
            f"{checked} checked through the project JSON (at their newest release)"
        )
        if unverified:
            blind.append(
                f"{len(unverified)} Python packages are older than their newest release and could not be "
                "checked: " + ", ".join(unverified)
            )
    return found, blind


def newest_release_vulns(
    deps: list[dict[str, str]], ignores: dict[str, str], found: list[str]
) -> tuple[int, list[str]]:
    """Check packages against PyPI's project JSON; returns (how many checked, those it cannot vouch for)."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def fetch(dep: dict[str, str]) -> tuple[dict[str, str], dict[str, object] | None]:
        try:
            with urllib.request.urlopen(PROJECT_JSON.format(name=dep["name"]), timeout=20) as answer:  # noqa: S310 (a fixed https URL)
                return dep, json.load(answer)
        except Exception:
            return dep, None

    installed = {
        d["name"].lower().replace("_", "-"): d["version"]
        for d in json.loads(
            subprocess.run(
                [str(ROOT / ".venv" / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    }
    for dep in deps:  # a skipped package has no version in pip-audit's report
        dep.setdefault("version", installed.get(dep["name"].lower().replace("_", "-"), "?"))
    checked, unverified = 0, []
    with ThreadPoolExecutor(8) as pool:
        for dep, data in pool.map(fetch, deps):
            info = data.get("info") if isinstance(data, dict) else None
            if (
                not isinstance(data, dict)
                or not isinstance(info, dict)
                or info.get("version") != dep["version"]
            ):
                unverified.append(f"{dep['name']} {dep['version']}")
                continue
            checked += 1
            for vuln in data.get("vulnerabilities") or []:
                if not isinstance(vuln, dict):
                    continue
                ids = {str(vuln.get("id", "")).upper(), *(str(a).upper() for a in vuln.get("aliases") or [])}
                if ids & ignores.keys():
                    continue
                fixed = ", ".join(vuln.get("fixed_in") or []) or "no fixed version"
                found.append(f"pip: {dep['name']} {dep['version']}: {vuln.get('id')} (fixed in {fixed})")
    return checked, unverified


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
        print(f"audit: {'ERROR' if STRICT else 'NOT VERIFIED'}: {line}", file=sys.stderr)
    if found:
        print(
            f"audit: {len(found)} known vulnerabilities (fix, or list in .ci/audit-ignore.txt with a reason)"
        )
        return 1
    if blind:
        print(
            "audit: no known vulnerabilities in what could be checked; the rest is NOT VERIFIED (above)"
            + (" (REJOINDER_AUDIT_STRICT: failing)" if STRICT else "")
        )
        return 1 if STRICT else 0
    print("audit: no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
