"""Docs are tested: every error code, setting, CLI command and route appears in docs/, the generated parts of
docs/configuration.md and docs/cli.md match the code, and the JSON examples in docs/api.md have the shape of
real responses. Regenerate the generated parts after changing settings or commands:

    .venv/bin/python -m tests.test_docs
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import msgspec
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from rejoinder import config
from rejoinder.app import create_app
from rejoinder.cli import main as cli_main
from tests.error_codes import SLUG, source_code_templates, source_error_codes
from tests.fixtures.app import ARTICLE, ORIGIN, make_settings, run_cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SRC = ROOT / "src" / "rejoinder"
REGENERATE = ".venv/bin/python -m tests.test_docs"


def read_doc(name: str) -> str:
    path = DOCS / name
    assert path.is_file(), f"docs/{name} is missing"
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------------------
# Generated sections (cog-style): the text between the markers is rebuilt from the code.
# ---------------------------------------------------------------------------------------------------------


def begin_marker(name: str) -> str:
    return f"<!-- BEGIN GENERATED {name}: edit the code, then run {REGENERATE} -->"


def end_marker(name: str) -> str:
    return f"<!-- END GENERATED {name} -->"


def env_var(section: str, key: str) -> str:
    return f"REJOINDER_{section.upper()}__{key.upper()}"


SCALARS = {
    msgspec.inspect.IntType: "integer",
    msgspec.inspect.StrType: "string",
    msgspec.inspect.BoolType: "boolean",
    msgspec.inspect.FloatType: "number",
}


def _info(typ: Any) -> msgspec.inspect.Type:
    info = msgspec.inspect.type_info(typ)
    while isinstance(info, msgspec.inspect.Metadata):  # Annotated[...] with a description or bounds
        info = info.type
    return info


def _field_type(cls: type[msgspec.Struct], key: str) -> Any:
    return next(f.type for f in msgspec.structs.fields(cls) if f.name == key)


def describe_type(info: msgspec.inspect.Type) -> str:
    """`integer (1–64)`, `string`, `list of strings`: a setting's type with its bounds."""
    if isinstance(info, msgspec.inspect.ListType):
        return f"list of {describe_type(info.item_type)}s"
    if isinstance(info, msgspec.inspect.DictType):
        return "table of tables"
    if isinstance(info, msgspec.inspect.EnumType):
        return "one of " + ", ".join(str(member.value) for member in info.cls)
    name = SCALARS.get(type(info), type(info).__name__.removesuffix("Type").lower())
    lo, hi = getattr(info, "ge", None), getattr(info, "le", None)
    if lo is not None and hi is not None:
        return f"{name} ({lo}–{hi})"
    if lo is not None:
        return f"{name} ≥ {lo}"
    if hi is not None:
        return f"{name} ≤ {hi}"
    return name


def settable_by_env(info: msgspec.inspect.Type) -> bool:
    """config.load turns env strings into booleans, integers and enum values; lists and tables need the
    TOML file."""
    return type(info) in SCALARS or isinstance(info, msgspec.inspect.EnumType)


def _table(title: str) -> list[str]:
    return [
        f"### {title}",
        "",
        "| Key | Type | Default | Environment variable | Meaning |",
        "|---|---|---|---|---|",
    ]


def _row(name: str, info: msgspec.inspect.Type, default: Any, env: str, help_text: str) -> str:
    cells = [
        f"`{name}`",
        describe_type(info),
        f"`{json.dumps(default, ensure_ascii=False)}`",
        f"`{env}`" if env else "TOML file only",
        help_text.replace("|", "\\|"),
    ]
    return "| " + " | ".join(cells) + " |"


def _help(typ: Any) -> str:
    for meta in getattr(typ, "__metadata__", ()):
        if isinstance(meta, msgspec.Meta) and meta.description:
            return meta.description
    return ""


def settings_reference() -> str:
    lines: list[str] = []
    nested: list[tuple[str, type[msgspec.Struct]]] = []
    current = ""
    for section, key, default, help_text in config.describe_settings():
        if section != current:
            lines += [*([""] if current else []), *_table(f"[{section}]")]
            current = section
        info = _info(_field_type(config.SECTIONS[section], key))
        env = env_var(section, key) if settable_by_env(info) else ""
        lines.append(_row(f"{section}.{key}", info, default, env, help_text))
        if isinstance(info, msgspec.inspect.DictType) and isinstance(
            info.value_type, msgspec.inspect.StructType
        ):
            nested.append((f"{section}.{key}", info.value_type.cls))
    for prefix, cls in nested:  # e.g. [auth.providers.NAME]: one table per name, these keys in each
        lines += ["", *_table(f"[{prefix}.NAME]")]
        defaults = cls()
        for f in msgspec.structs.fields(cls):
            lines.append(
                _row(f"{prefix}.NAME.{f.name}", _info(f.type), getattr(defaults, f.name), "", _help(f.type))
            )
    return "\n".join(lines)


def command_paths(cmd: click.Command = cli_main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of `rejoinder`, depth first, in name order (hidden ones left out)."""
    paths = [prefix]
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            sub = cmd.commands[name]
            if not sub.hidden:
                paths += command_paths(sub, (*prefix, name))
    return paths


def command_title(path: tuple[str, ...]) -> str:
    return " ".join(("rejoinder", *path))


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(cli_main, [*path, "--help"], prog_name="rejoinder", terminal_width=100)
    assert result.exit_code == 0, result.output
    return result.output.rstrip()


def cli_reference() -> str:
    blocks = []
    for path in command_paths():
        blocks.append(f"### {command_title(path)}\n\n```text\n{help_text(path)}\n```")
    return "\n\n".join(blocks)


GENERATED: dict[tuple[str, str], Callable[[], str]] = {
    ("configuration.md", "settings"): settings_reference,
    ("cli.md", "commands"): cli_reference,
}


def generated_body(text: str, name: str) -> str | None:
    begin, end = begin_marker(name), end_marker(name)
    if begin not in text or end not in text:
        return None
    return text.split(begin, 1)[1].split(end, 1)[0].strip("\n")


def regenerate(text: str, name: str, body: str) -> str:
    begin, end = begin_marker(name), end_marker(name)
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


@pytest.mark.parametrize(("doc", "name"), sorted(GENERATED))
def test_generated_sections_are_current(doc: str, name: str) -> None:
    text = read_doc(doc)
    body = generated_body(text, name)
    assert body is not None, (
        f"docs/{doc} lost its generated section; put these two lines back where it belongs:\n"
        f"{begin_marker(name)}\n{end_marker(name)}\nthen run {REGENERATE}"
    )
    assert body == GENERATED[doc, name](), f"docs/{doc} is out of date with the code; run {REGENERATE}"


# ---------------------------------------------------------------------------------------------------------
# Settings and commands: each one named in its page (a second check, with a message naming what to add).
# ---------------------------------------------------------------------------------------------------------


def test_every_setting_is_documented() -> None:
    text = read_doc("configuration.md")
    missing = []
    for section, key, _, _ in config.describe_settings():
        by_env = settable_by_env(_info(_field_type(config.SECTIONS[section], key)))
        if f"`{section}.{key}`" not in text or (by_env and env_var(section, key) not in text):
            missing.append(f"{section}.{key}" + (f" ({env_var(section, key)})" if by_env else ""))
    assert not missing, (
        f"docs/configuration.md does not document: {', '.join(missing)}; run {REGENERATE} "
        "and say in the prose what the setting is for if the one-line help is not enough"
    )


def test_every_command_is_documented() -> None:
    text = read_doc("cli.md")
    headings = {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}
    missing = [command_title(p) for p in command_paths() if command_title(p) not in headings]
    assert not missing, (
        "docs/cli.md has no heading for: "
        + ", ".join(missing)
        + f"; run {REGENERATE} (it adds the --help reference) and describe the command in the guide part"
    )


def test_every_command_has_help() -> None:
    silent = [command_title(p) for p in command_paths()[1:] if not _command(p).help]
    assert not silent, f"these commands have no docstring/help text: {', '.join(silent)}"


def _command(path: tuple[str, ...]) -> click.Command:
    cmd: click.Command = cli_main
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    return cmd


# ---------------------------------------------------------------------------------------------------------
# Error codes: found in the source by reading its syntax tree, then looked up in docs/errors.md.
# ---------------------------------------------------------------------------------------------------------


def documented_error_codes() -> dict[str, int | None]:
    """`### code` headings of docs/errors.md, each with the status on the first line below it (`**404** …`)."""
    lines = read_doc("errors.md").splitlines()
    found: dict[str, int | None] = {}
    for i, line in enumerate(lines):
        if line.startswith("### ") and SLUG.match(line[4:].strip()):
            below = next((x for x in lines[i + 1 :] if x.strip()), "")
            m = re.match(r"\*\*(\d{3})", below)
            found[line[4:].strip()] = int(m.group(1)) if m else None
    return found


def test_source_scan_finds_known_codes() -> None:
    """Guards the scanner itself: each kind of site it reads must still yield codes."""
    codes = source_error_codes()
    for code in ("edit-window-closed", "text-empty", "name-required", "malformed-json", "not-found"):
        assert code in codes, f"the scanner no longer finds {code!r}"
    assert codes["edit-window-closed"].statuses == {403}
    assert codes["text-empty"].statuses == {422}
    assert 405 in codes["method-not-allowed"].statuses


def test_every_error_code_is_documented() -> None:
    documented = documented_error_codes()
    missing = {code: use for code, use in source_error_codes().items() if code not in documented}
    assert not missing, (
        "docs/errors.md lacks a section for these codes:\n"
        + "\n".join(
            f"  ### {code}   (status {'/'.join(map(str, sorted(use.statuses))) or '?'}; "
            f"raised at {', '.join(use.places[:3])})"
            for code, use in sorted(missing.items())
        )
        + "\nAdd each heading with the status on the next line (`**404** ...`) and say what a person should do."
    )


def test_documented_statuses_match_the_source() -> None:
    documented = documented_error_codes()
    wrong = []
    for code, use in source_error_codes().items():
        status = documented.get(code)
        if code in documented and status is None and use.statuses:
            wrong.append(f"{code}: put the status on the first line under its heading, like **404**")
        elif status is not None and use.statuses and status not in use.statuses:
            wrong.append(f"{code}: documented as {status}, the source answers {sorted(use.statuses)}")
    assert not wrong, "docs/errors.md:\n  " + "\n  ".join(wrong)


def test_codes_built_at_run_time_are_documented() -> None:
    # Only codes no literal accounts for count: `session-expired` must not vouch for `f"{purpose}-expired"`.
    only_built = set(documented_error_codes()) - set(source_error_codes())
    unmatched = [
        f"{pattern} (built at {', '.join(places)})"
        for pattern, places in sorted(source_code_templates().items())
        if not any(re.match(pattern, code) for code in only_built)
    ]
    assert not unmatched, (
        "these error codes are built at run time, and docs/errors.md documents no code they can produce:\n  "
        + "\n  ".join(unmatched)
        + "\nDocument every value they can take, or better, pass literal codes so that this test sees them."
    )


def test_no_documented_code_is_stale() -> None:
    known = set(source_error_codes())
    templates = list(source_code_templates())
    stale = sorted(
        code
        for code in set(documented_error_codes()) - known
        if not any(re.match(pattern, code) for pattern in templates)
    )
    assert not stale, f"docs/errors.md documents codes the server no longer emits: {stale}; remove them"


# ---------------------------------------------------------------------------------------------------------
# The HTTP API: every route documented, and every JSON example shaped like a real response.
# ---------------------------------------------------------------------------------------------------------


def _normal_path(path: str) -> str:
    """`/api/comments/{comment_id:str}` → `/api/comments/{}`; `/embed.4b76c77abc16.js` → `/embed.{}.js`."""
    path = path.split("?", 1)[0]
    path = re.sub(r"\.[0-9a-f]{8,}\.", ".{}.", path)
    return re.sub(r"\{[^}]*\}", "{}", path)


def app_routes(db_url: str) -> set[str]:
    """`METHOD /path` for every route the app serves (Swagger UI's own sub-pages left out)."""
    app = create_app(make_settings(db_url))
    routes: set[str] = set()
    for route in app.litestar.routes:
        if route.path.startswith("/api/docs/"):
            continue
        methods = getattr(route, "methods", None) or {"GET"}
        for method in set(methods) - {"OPTIONS", "HEAD"}:
            routes.add(f"{method} {_normal_path(route.path)}")
    return routes


ROUTE = r"`?(GET|POST|PUT|PATCH|DELETE) (/[^` ]*)`?"


def documented_prefixes() -> set[str]:
    """`/admin/*` in docs/api.md stands for every route under /admin (pages explained elsewhere)."""
    return {m.group(1) for m in re.finditer(r"`(/[a-z0-9/_-]*?)/\*`", read_doc("api.md"))}


def documented_routes() -> tuple[set[str], set[str]]:
    """Routes with a heading of their own in docs/api.md, and every route the page names anywhere."""
    headings, named = set(), set()
    text = read_doc("api.md")
    for line in text.splitlines():
        m = re.match(r"^#{2,4} " + ROUTE, line)
        if m:
            headings.add(f"{m.group(1)} {_normal_path(m.group(2))}")
    for m in re.finditer("`" + ROUTE, text):
        named.add(f"{m.group(1)} {_normal_path(m.group(2))}")
    return headings, named | headings


def is_api(route: str) -> bool:
    path = route.split(" ", 1)[1]
    return path.startswith("/api/") or path in ("/healthz", "/livez")


def test_every_route_is_documented(tmp_path: Path) -> None:
    served = app_routes(f"sqlite:///{tmp_path / 'routes.db'}")
    headings, named = documented_routes()
    missing = sorted(r for r in served if is_api(r) and r not in headings)
    assert not missing, (
        "docs/api.md has no `### METHOD /path` section for: "
        + ", ".join(missing)
        + " (add one with parameters, responses, status codes and a real example)"
    )
    prefixes = documented_prefixes()
    unnamed = sorted(
        r
        for r in served
        if not is_api(r)
        and r not in named
        and not any(
            r.split(" ", 1)[1] in (p, p + "/") or r.split(" ", 1)[1].startswith(p + "/") for p in prefixes
        )
    )
    assert not unnamed, (
        "docs/api.md does not list these pages and files: "
        + ", ".join(unnamed)
        + " (add a row to the table of routes outside /api, linking to the page that explains them)"
    )
    stale = sorted(headings - served)
    assert not stale, f"docs/api.md documents routes the app does not serve: {', '.join(stale)}"


def shape(value: Any) -> Any:
    """The structure of a JSON value: object keys and list element shapes, with scalars left out."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "*"


def same_shape(doc: Any, real: Any, where: str = "$") -> list[str]:
    problems: list[str] = []
    if isinstance(real, dict) and isinstance(doc, dict):
        for key in sorted(set(real) - set(doc)):
            problems.append(f"{where}.{key} is in the response but not in the example")
        for key in sorted(set(doc) - set(real)):
            problems.append(f"{where}.{key} is in the example but not in the response")
        for key in sorted(set(doc) & set(real)):
            problems += same_shape(doc[key], real[key], f"{where}.{key}")
    elif isinstance(real, list) and isinstance(doc, list):
        if real and doc:
            problems += same_shape(doc[0], real[0], f"{where}[0]")
    elif isinstance(real, dict | list) or isinstance(doc, dict | list):
        problems.append(f"{where}: the example has {type(doc).__name__}, the response {type(real).__name__}")
    return problems


def documented_examples() -> dict[str, Any]:
    """JSON blocks of docs/api.md that follow an `<!-- example: NAME -->` marker."""
    text = read_doc("api.md")
    found: dict[str, Any] = {}
    for m in re.finditer(r"<!-- example: ([a-z0-9-]+) -->\s*```json\n(.*?)\n```", text, re.S):
        name = m.group(1)
        assert name not in found, f"docs/api.md has two examples named {name}"
        try:
            found[name] = json.loads(m.group(2))
        except json.JSONDecodeError as exc:
            raise AssertionError(f"docs/api.md example {name} is not valid JSON: {exc}") from None
    return found


VISITOR = "docs-visitor-0123456789"


@pytest.fixture(scope="module")
def real_responses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One request per documented example, against a real app on SQLite."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'rejoinder.db'}"
    run_cli(db_url, "site", "add", "blog", "--origin", ORIGIN)
    out: dict[str, Any] = {}
    browser = {"Origin": ORIGIN}
    secret = tmp_path_factory.mktemp("secrets") / "github"
    secret.write_text("not-a-real-secret", encoding="utf-8")
    providers = {"github": {"client_id": "Iv1.example", "client_secret_file": str(secret)}, "mastodon": {}}
    # An SMTP server that is not there: subscriptions are offered, and their emails wait in the outbox.
    email = {"host": "127.0.0.1", "port": 9, "sender": "comments@blog.example", "starttls": False}
    settings = make_settings(db_url, auth={"providers": providers}, email=email)
    app: Any = create_app(settings)  # the Rejoinder ASGI wrapper, which TestClient accepts
    with TestClient(app=app, base_url="http://rejoinder.test") as c:
        out["thread-empty"] = c.get("/api/threads", params={"url": ARTICLE}).json()
        posted = c.post(
            "/api/comments",
            json={
                "url": ARTICLE,
                "title": "A post",
                "text": "Nice *piece*.",
                "author": {"name": "Ann", "email": "ann@example.org", "website": "https://ann.example"},
            },
            headers={**browser, "Rejoinder-Visitor": VISITOR},
        )
        assert posted.status_code == 201, posted.text
        out["comment-posted"] = first = posted.json()
        out["subscribed"] = c.post(
            "/api/subscriptions",
            json={
                "url": ARTICLE,
                "kinds": ["replies", "thread"],
                "comment": first["id"],
                "email": "ann@example.org",
            },
            headers=browser,
        ).json()
        reply = c.post(
            "/api/comments",
            json={"url": ARTICLE, "parent": first["id"], "text": "Agreed.", "author": {"name": "Bo"}},
            headers=browser,
        ).json()
        edited = c.patch(
            f"/api/comments/{reply['id']}",
            json={"text": "Agreed, mostly."},
            headers={**browser, "Rejoinder-Edit-Token": reply["edit_token"]},
        )
        out["comment-edited"] = edited.json()
        likes = {**browser, "Rejoinder-Visitor": VISITOR}
        out["comment-liked"] = c.put(f"/api/comments/{first['id']}/like", headers=likes).json()
        out["thread-liked"] = c.put(
            "/api/threads/like", params={"url": ARTICLE}, json={"name": "Cy"}, headers=likes
        ).json()
        out["thread"] = c.get("/api/threads", params={"url": ARTICLE}).json()
        out["comment-page"] = c.get(f"/api/comments/{reply['id']}/page").json()
        out["comment-replies"] = c.get(f"/api/comments/{first['id']}/replies").json()
        out["counts"] = c.get(
            "/api/counts", params=[("url", ARTICLE), ("url", ORIGIN + "/2026/12/next")]
        ).json()
        out["viewer"] = c.get("/api/viewer", params={"url": ARTICLE}, headers=likes).json()
        out["healthz"] = c.get("/healthz").json()
        out["form-token"] = c.get("/api/form-token").json()
        out["problem-field"] = c.post(
            "/api/comments", json={"url": ARTICLE, "text": " ", "author": {"name": "Ann"}}, headers=browser
        ).json()
        out["problem"] = c.patch(
            f"/api/comments/{reply['id']}", json={"text": "x"}, headers={"Rejoinder-Edit-Token": "wrong"}
        ).json()
        c.delete(f"/api/comments/{first['id']}", headers={"Rejoinder-Edit-Token": first["edit_token"]})
        out["thread-with-placeholder"] = c.get("/api/threads", params={"url": ARTICLE}).json()
        out.update(signed_in_responses(c, app))
    return out


def signed_in_responses(c: TestClient[Any], app: Any) -> dict[str, Any]:
    """Sign-in endpoints: readers are signed in through the service (a provider round trip is what
    tests/auth covers), then everything else goes over HTTP."""
    from rejoinder.domain.identity import Profile
    from rejoinder.services import accounts

    def sign_in(provider: str, subject: str, name: str, label: str) -> Any:
        profile = Profile(
            provider=provider, subject=subject, name=name, email="ann@example.org", email_verified=True
        )

        async def go() -> Any:
            return await accounts.sign_in_with_profile(app.ctx, profile, label=label)

        with c.portal() as portal:
            return portal.call(go)

    out: dict[str, Any] = {}
    out["providers"] = c.get("/api/auth/providers", params={"site": "blog"}).json()
    ann = {
        "Authorization": f"Bearer {sign_in('github', '4242', 'Ann Example', 'GitHub').token}",
        "Origin": ORIGIN,
    }
    out["link-ticket"] = c.post("/api/me/link-ticket", headers=ann).json()
    offer = sign_in(
        "gitlab", "77", "ann", "GitLab"
    ).offer  # same verified email: an offer, not a second identity
    assert offer is not None
    out["me"] = c.post(f"/api/link-offers/{offer.offer}/accept", headers=ann).json()
    out["me-patched"] = c.patch(
        "/api/me", json={"display_name": "Ann E.", "show_in_likes": True}, headers=ann
    ).json()
    other = sign_in("mastodon:example.social", "9", "ann", "@ann@example.social").offer
    assert other is not None
    out["session"] = c.post(f"/api/link-offers/{other.offer}/decline").json()
    assert c.post("/api/logout", headers=ann).status_code == 204
    out["problem-session"] = c.get("/api/me", headers=ann).json()
    return out


def test_api_examples_match_real_responses(real_responses: dict[str, Any]) -> None:
    examples = documented_examples()
    absent = sorted(set(real_responses) - set(examples))
    assert not absent, (
        f"docs/api.md lacks these examples: {absent}; add `<!-- example: NAME -->` before a ```json block"
    )
    unknown = sorted(set(examples) - set(real_responses))
    assert not unknown, f"docs/api.md has examples no test produces: {unknown}; add them to real_responses"
    problems = [
        f"{name}: {p}" for name in sorted(examples) for p in same_shape(examples[name], real_responses[name])
    ]
    assert not problems, "docs/api.md examples differ from real responses:\n  " + "\n  ".join(problems)


def test_same_shape_notices_differences() -> None:
    assert same_shape({"a": 1, "b": [{"c": 1}]}, {"a": 2, "b": [{"c": 3}]}) == []
    assert same_shape({"a": 1}, {"a": 1, "b": 2}) == ["$.b is in the response but not in the example"]
    assert same_shape({"b": [{"c": 1}]}, {"b": [{"d": 1}]}) != []


# ---------------------------------------------------------------------------------------------------------
# Links: every relative link between our Markdown files points at a file that exists.
# ---------------------------------------------------------------------------------------------------------

LINKED_DOCS = ["README.md", "CHANGELOG.md", *(f"docs/{p.name}" for p in sorted(DOCS.glob("*.md")))]
OWNED_ELSEWHERE = {"docs/embedding.md", "docs/noscript.md", "docs/benchmarks.md", "docs/sign-in.md"}


@pytest.mark.parametrize("doc", LINKED_DOCS)
def test_relative_links_resolve(doc: str) -> None:
    path = ROOT / doc
    if not path.exists():
        pytest.skip(f"{doc} does not exist yet")
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        file_part = target.split("#", 1)[0]
        resolved = (path.parent / file_part).resolve()
        rel = resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(resolved)
        if not resolved.exists() and rel not in OWNED_ELSEWHERE:
            broken.append(target)
    assert not broken, f"{doc} links to files that do not exist: {broken}"


def test_readme_has_the_two_newcomer_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test"):
        assert f"make {target}" in readme, f"README.md must show `make {target}`"
        assert re.search(rf"^{target}:", makefile, re.M), f"the Makefile has no `{target}` target"


def main() -> None:
    """Rewrite the generated sections of docs/ from the code."""
    for (doc, name), build in sorted(GENERATED.items()):
        path = DOCS / doc
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if generated_body(text, name) is None:
            sys.exit(f"docs/{doc}: add the lines\n{begin_marker(name)}\n{end_marker(name)}\nwhere it belongs")
        new = regenerate(text, name, build())
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated docs/{doc} ({name})")
        else:
            print(f"docs/{doc} ({name}) is current")


if __name__ == "__main__":
    main()


# ---------------------------------------------------------------------------------------------------------
# Worked examples: code blocks marked `<!-- code: PATH -->` must appear verbatim in that file.
# ---------------------------------------------------------------------------------------------------------

CODE_BLOCK = re.compile(r"<!-- code: (?P<path>[^ ]+) -->\n```[a-z-]*\n(?P<body>.*?)\n```", re.S)


@pytest.mark.parametrize("doc", ["contributing.md", "static-sites.md"])
def test_worked_examples_are_the_real_code(doc: str) -> None:
    blocks = list(CODE_BLOCK.finditer(read_doc(doc)))
    assert blocks, f"docs/{doc} has no marked code examples"
    for block in blocks:
        source = (ROOT / block["path"]).read_text(encoding="utf-8")
        assert block["body"] in source, (
            f"docs/{doc}: this example is no longer in {block['path']}:\n{block['body']}"
        )


# ---------------------------------------------------------------------------------------------------------
# docs/wordpress.md against the plugin's PHP: its options, filters and claims, and the licence of every file.
# ---------------------------------------------------------------------------------------------------------

WORDPRESS_PLUGIN = ROOT / "integrations" / "wordpress" / "rejoinder"


def _plugin_source() -> dict[str, str]:
    return {
        p.relative_to(WORDPRESS_PLUGIN).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(WORDPRESS_PLUGIN.rglob("*.php"))
    }


def test_wordpress_doc_names_every_option_and_filter() -> None:
    source = _plugin_source()
    defaults = re.search(
        r"function rejoinder_option_defaults\(\) \{(.*?)\n\}", source["includes/options.php"], re.S
    )
    assert defaults, "includes/options.php has no rejoinder_option_defaults()"
    options = set(re.findall(r"'(rejoinder_[a-z_]+)'\s*=>", defaults[1]))
    assert {"rejoinder_url", "rejoinder_site", "rejoinder_sso_secret"} <= options
    filters = {m for text in source.values() for m in re.findall(r"apply_filters\(\s*'([a-z_]+)'", text)}
    assert filters, "the plugin has no filters?"
    doc = read_doc("wordpress.md")
    missing = sorted(name for name in options | filters if f"`{name}`" not in doc)
    assert not missing, f"docs/wordpress.md does not name: {missing}"
    # Every option has a field on the settings page, and every documented option exists.
    page = source["includes/settings-page.php"]
    assert not [o for o in options if f"'{o}'" not in page], "an option has no register_setting()"
    settings = doc[doc.index("## Settings") :]
    settings = settings[: settings.index("\n## ")]
    documented = set(re.findall(r"\| `(rejoinder_[a-z_]+)` \|", settings))
    assert documented == options, f"docs/wordpress.md's settings table: {sorted(documented ^ options)}"


def test_wordpress_doc_lists_the_sso_claims_the_plugin_sends() -> None:
    sso = _plugin_source()["includes/sso.php"]
    body = re.search(r"function rejoinder_sso_claims\(.*?\n\}", sso, re.S)
    assert body
    sent = set(re.findall(r"'([a-z_]+)'\s*=>", body[0])) | set(
        re.findall(r"\$claims\['([a-z_]+)'\]", body[0])
    )
    doc = read_doc("wordpress.md")
    table = doc[doc.index("| Claim | Value |") :]
    table = table[: table.index("\n\n")]
    listed = {
        name
        for cell in re.findall(r"^\| ([^|]+) \|", table, re.M)
        for name in re.findall(r"`([a-z_]+)`", cell)
    }
    assert listed == sent, f"claims sent {sorted(sent)}, documented {sorted(listed)}"


def test_wordpress_plugin_is_gpl() -> None:
    source = _plugin_source()
    assert re.search(r"^ \* License:\s+GPL-2\.0-or-later$", source["rejoinder.php"], re.M)
    unlicensed = [
        name
        for name, text in source.items()
        if "GPL-2.0-or-later" not in text[:1500] and name != "rejoinder.php"
    ]
    assert not unlicensed, f"PHP files without a GPL-2.0-or-later header: {unlicensed}"


def test_static_sites_names_every_integration_file() -> None:
    """docs/static-sites.md tells publishers which files to copy: each file of integrations/hugo and
    integrations/jekyll is named there (a partial or include by its name under partials/ or _includes/)."""
    text = read_doc("static-sites.md")
    missing = []
    for path in sorted(p for kind in ("hugo", "jekyll") for p in (ROOT / "integrations" / kind).rglob("*")):
        if path.is_file():
            rel = path.relative_to(ROOT / "integrations")
            short = "/".join(rel.parts[-2:])  # e.g. rejoinder/count.html, _plugins/rejoinder.rb
            if short not in text:
                missing.append(rel.as_posix())
    assert not missing, f"docs/static-sites.md does not mention {missing}"
