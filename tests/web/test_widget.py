"""The widget's files and the rules they keep (no browser needed): served bytes and headers, the gzip
budgets, locales complete, and the source rules that make the widget safe under a strict CSP."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.auth.providers import PRESETS
from rejoinder.web.static import (
    ASSETS,
    BUILT,
    ICONS,
    LOCALES,
    PACKAGE,
    hashed_path,
    load_assets,
)

SOURCE = PACKAGE / "widget" / "src"
TS = {path.name: path.read_text(encoding="utf-8") for path in sorted(SOURCE.glob("*.ts"))}
CSS = "".join(path.read_text(encoding="utf-8") for path in sorted(SOURCE.glob("*.css")))
PARTS = sorted(name for name in ASSETS if name.startswith("embed-") and name.endswith(".js"))
KB = 1024


def wire(name: str) -> int:
    """What the server sends for a file, gzipped."""
    return len(ASSETS[name].gzip_body)


def test_first_paint_is_at_most_10_kb_gzipped() -> None:
    """embed.js and embed.css are all a reader waits for before the comments are painted."""
    size = wire("embed.js") + wire("embed.css")
    assert size <= 10 * KB, size
    assert len(gzip.decompress(ASSETS["embed.js"].gzip_body)) == len(ASSETS["embed.js"].body)


def test_every_lazily_loaded_part_is_at_most_6_kb_gzipped() -> None:
    assert {re.sub(r"\.[0-9a-f]{12}\.js$", "", name) for name in PARTS} == {
        "embed-write",
        "embed-signin",
        "embed-actions",
    }
    for name in PARTS:
        # Their styles are in embed.css, which the first paint loaded.
        assert wire(name) <= 6 * KB, (name, wire(name))
    assert not [name for name in ASSETS if name.endswith(".css") and name != "embed.css"]


def whole_widget() -> int:
    return sum(wire(name) for name in ASSETS if name.startswith("embed"))


def test_the_whole_widget_is_at_most_24_kb_gzipped() -> None:
    """Everything a reader may ever load (first paint and every part): 24,506 bytes (issue #12; 26,751
    before the actions, report, live and social parts became one and the forms' rules joined embed.css)."""
    size = whole_widget()
    assert size <= 24 * KB, size


def test_embed_js_names_the_hashed_stylesheet_and_parts() -> None:
    body = ASSETS["embed.js"].body.decode()
    assert f'"{hashed_path("embed.css")}"' in body
    for name in PARTS:
        assert f'"/{name}"' in body and hashed_path(name) == f"/{name}"
        assert name.split(".")[1] == ASSETS[name].digest
    assert hashed_path("embed.js") == f"/embed.{ASSETS['embed.js'].digest}.js"


def test_a_build_that_does_not_hold_together_is_refused(tmp_path: Path) -> None:
    """The server starts only with a build whose names match its bytes (scripts/build-widget makes one)."""
    for path in BUILT.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert load_assets(tmp_path).keys() == ASSETS.keys()
    css = tmp_path / "embed.css"
    css.write_bytes(css.read_bytes() + b".rj-root{--rj-radius:4px}")
    with pytest.raises(RuntimeError, match=r"embed\.js does not name /embed"):
        load_assets(tmp_path)
    css.write_bytes((BUILT / "embed.css").read_bytes())
    part = tmp_path / PARTS[0]
    part.write_bytes(part.read_bytes() + b"\n")
    with pytest.raises(RuntimeError, match="does not match its content"):
        load_assets(tmp_path)


@pytest.mark.parametrize(
    ("path", "media", "cache"),
    [
        ("/embed.js", "text/javascript; charset=utf-8", "public, max-age=300, stale-while-revalidate=86400"),
        (hashed_path("embed.js"), "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        ("/embed.css", "text/css; charset=utf-8", "public, max-age=300, stale-while-revalidate=86400"),
        (hashed_path("embed.css"), "text/css; charset=utf-8", "public, max-age=31536000, immutable"),
        ("/count.js", "text/javascript; charset=utf-8", "public, max-age=300, stale-while-revalidate=86400"),
        (hashed_path("count.js"), "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        (hashed_path(PARTS[0]), "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        ("/locales/de.json", "application/json", "public, max-age=3600, stale-while-revalidate=86400"),
        ("/locales/de.errors.json", "application/json", "public, max-age=3600, stale-while-revalidate=86400"),
        ("/auth/icons/github.svg", "image/svg+xml", "public, max-age=3600, stale-while-revalidate=86400"),
    ],
)
def test_files_are_served_with_etag_and_cache_headers(
    client: TestClient[Any], path: str, media: str, cache: str
) -> None:
    r = client.get(path, headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    assert r.headers["cache-control"] == cache
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["access-control-allow-origin"] == "*"
    assert "content-encoding" not in r.headers
    revalidated = client.get(
        path, headers={"Accept-Encoding": "identity", "If-None-Match": r.headers["etag"]}
    )
    assert revalidated.status_code == 304
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] != r.headers["etag"]
    assert zipped.content == r.content  # the test client decodes gzip


@pytest.mark.parametrize(
    "path",
    [
        "/locales/xx.json",
        "/locales/de",
        "/locales/xx.errors.json",
        "/locales/de.errors",
        "/locales/de.server.json",
        "/locales/..%2Fembed.js",
        "/embed.0.js",
        "/embed-write.000000000000.js",
        "/embed-write.js",
        "/auth/icons/github.png",
        "/auth/icons/..%2Fembed.js",
        "/auth/icons/GitHub.svg",
    ],
)
def test_unknown_files_are_precise_404_problems(client: TestClient[Any], path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


def test_a_missing_locale_lists_the_available_ones(client: TestClient[Any]) -> None:
    problem = client.get("/locales/xx.json").json()
    assert problem["code"] == "locale-not-found"
    assert (
        "ar.json, de.json, en.json, es.json, fr.json, it.json, ja.json, nl.json, pl.json" in problem["detail"]
    )


ROOT = PACKAGE.parents[1]


def _builtin_english() -> dict[str, Any]:
    """The English in the widget's sources: every exported `*_STRINGS` object (strings.ts for the first
    paint, the rest beside the part that shows it), bundled by esbuild and printed by node."""
    blocks = {
        name.removesuffix(".ts"): re.findall(r"^export const (\w+_STRINGS) =", source, re.M)
        for name, source in TS.items()
    }
    entry = "".join(
        f'import {{ {", ".join(names)} }} from "./{module}";\n' for module, names in blocks.items() if names
    )
    every = ", ".join(n for names in blocks.values() for n in names)
    entry += f"console.log(JSON.stringify(Object.assign({{}}, {every})));\n"
    bundled = subprocess.run(
        [
            str(ROOT / "node_modules/.bin/esbuild"),
            "--bundle",
            "--platform=node",
            "--loader=ts",
            "--sourcefile=x.ts",
            "--define:LANGUAGE_CODES=[]",
        ],
        input=entry,
        cwd=SOURCE,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    printed = subprocess.run(
        ["node"], input=bundled.stdout, capture_output=True, text=True, timeout=60, check=True
    )
    result: dict[str, Any] = json.loads(printed.stdout)
    return result


def test_en_json_is_the_english_built_into_the_widget() -> None:
    builtin = _builtin_english()
    english = json.loads(LOCALES["en"].body)
    # `reasons` is not built in: in English the widget shows the server's own `reason` sentence; `errors`
    # starts empty and is filled from /locales/<lang>.errors.json.
    assert builtin["errors"] == {}
    assert set(builtin) == set(english) - {"reasons"} | {"errors"}
    for key, value in english.items():
        if key not in ("errors", "reasons"):
            assert builtin[key] == value, key


def test_widget_sets_no_inline_style_and_inserts_only_server_html() -> None:
    sources = {**TS, **{name: ASSETS[name].body.decode() for name in ("embed.js", "count.js", *PARTS)}}
    for name, source in sources.items():
        assert not re.search(r"\.style\b", source), name
        assert '"style"' not in source and "'style'" not in source, name
        assert "insertAdjacentHTML" not in source and "document.write" not in source, name
        assert "eval(" not in source and "new Function" not in source, name
        assert "outerHTML" not in source, name
    assignments = [a for source in TS.values() for a in re.findall(r"\.innerHTML = ([^;]+);", source)]
    assert sorted(assignments) == ["comment.html", "saved.html"]  # what the server sanitised
    assert "innerHTML" not in TS["count.ts"]


def test_every_class_is_prefixed() -> None:
    source = "\n".join(TS.values())
    in_js = set(re.findall(r'class: [`"]([^"`]+)[`"]', source)) | set(
        re.findall(r'classList\.\w+\([`"]([^"`]+)[`"]', source)
    )
    classes = {re.sub(r"\$\{.*?\}", "x", c) for group in in_js for c in group.split()}
    assert classes and all(c.startswith("rj-") for c in classes), sorted(classes)
    in_css = set(re.findall(r"\.([a-zA-Z][\w-]*)", re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)))
    assert all(c.startswith("rj-") for c in in_css), sorted(c for c in in_css if not c.startswith("rj-"))


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to parse the served scripts")
@pytest.mark.parametrize("name", ["embed.js", "count.js", *PARTS])
def test_served_scripts_parse(tmp_path: Any, name: str) -> None:
    """A slip of the build is found without a browser: the entry scripts are classic scripts, the parts
    ES modules (checked as .mjs)."""
    path = tmp_path / (name if name in ("embed.js", "count.js") else name.replace(".js", ".mjs"))
    path.write_bytes(ASSETS[name].body)
    checked = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    if name in ("embed.js", "count.js"):
        assert not re.search(rb"^\s*(import|export)\b", ASSETS[name].body, re.M)


def test_every_preset_and_kind_has_an_icon(client: TestClient[Any]) -> None:
    wanted = {p.icon for p in PRESETS.values()} | {"email", "passkey", "mastodon", "sso", "generic"}
    assert wanted <= set(ICONS), wanted - set(ICONS)
    for name, asset in ICONS.items():
        svg = asset.body.decode()
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and len(svg) < 1024, name
        assert "<script" not in svg and "href" not in svg and " on" not in svg, name
    mine = client.get("/auth/icons/my-company.svg")  # a configured icon without a drawing
    assert mine.status_code == 200 and mine.content == ICONS["generic"].body
