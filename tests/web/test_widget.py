"""The widget's files and the rules they keep (no browser needed): served bytes and headers, the gzip
budget, locales complete, and the source rules that make the widget safe under a strict CSP."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from typing import Any

import pytest
from litestar.testing import TestClient

from rejoinder.auth.providers.presets import PRESETS
from rejoinder.web.widget import (
    ASSETS,
    ICONS,
    LOCALES,
    STATIC,
    hashed_path,
    load_assets,
    minify_css,
    minify_js,
)

JS = (STATIC / "embed.js").read_text(encoding="utf-8")
CSS = (STATIC / "embed.css").read_text(encoding="utf-8")
COUNT = (STATIC / "count.js").read_text(encoding="utf-8")


def test_embed_js_and_css_fit_in_15_kb_gzipped() -> None:
    size = len(ASSETS["embed.js"].gzip_body) + len(ASSETS["embed.css"].gzip_body)
    assert size <= 15 * 1024, size
    assert len(gzip.decompress(ASSETS["embed.js"].gzip_body)) == len(ASSETS["embed.js"].body)


def test_embed_js_names_the_hashed_stylesheet() -> None:
    body = ASSETS["embed.js"].body.decode()
    assert f'const CSS="{hashed_path("embed.css")}";' in body
    assert hashed_path("embed.js") == f"/embed.{ASSETS['embed.js'].digest}.js"


def test_a_changed_stylesheet_changes_both_hashes(tmp_path: Any) -> None:
    for name in ("embed.js", "embed.css", "count.js"):
        (tmp_path / name).write_text((STATIC / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "embed.css").write_text(CSS + "\n.rj-root { --rj-radius: 4px; }\n", encoding="utf-8")
    changed = load_assets(tmp_path)
    assert changed["embed.css"].digest != ASSETS["embed.css"].digest
    assert changed["embed.js"].digest != ASSETS["embed.js"].digest
    assert changed["count.js"].digest == ASSETS["count.js"].digest


@pytest.mark.parametrize(
    ("path", "media", "cache"),
    [
        ("/embed.js", "text/javascript; charset=utf-8", "public, max-age=300, stale-while-revalidate=86400"),
        (hashed_path("embed.js"), "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        ("/embed.css", "text/css; charset=utf-8", "public, max-age=300, stale-while-revalidate=86400"),
        (hashed_path("embed.css"), "text/css; charset=utf-8", "public, max-age=31536000, immutable"),
        ("/count.js", "text/javascript; charset=utf-8", "public, max-age=300, stale-while-revalidate=86400"),
        (hashed_path("count.js"), "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
        ("/locales/de.json", "application/json", "public, max-age=3600, stale-while-revalidate=86400"),
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
        "/locales/..%2Fembed.js",
        "/embed.0.js",
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


def test_en_json_is_the_english_built_into_embed_js() -> None:
    block = JS[JS.index("const EN = {") : JS.index("  };", JS.index("const EN = {"))]
    builtin = set(re.findall(r"(?:^\s*|, |\{ )(\w+): [\"{]", block, re.M)) - {"one", "other"}
    english = json.loads(LOCALES["en"].body)
    # `reasons` is not built in: in English the widget shows the server's own `reason` sentence.
    assert builtin == set(english) - {"reasons"}
    for key, value in english.items():
        if isinstance(value, str):
            assert json.dumps(value, ensure_ascii=False) in block, key


def test_widget_sets_no_inline_style_and_inserts_only_server_html() -> None:
    for source in (JS, COUNT):
        assert ".style" not in source
        assert '"style"' not in source and "'style'" not in source
        assert "insertAdjacentHTML" not in source and "document.write" not in source
        assert "eval(" not in source and "new Function" not in source
    assignments = re.findall(r"\.innerHTML = ([^;]+);", JS)
    assert assignments and set(assignments) == {"c.html"}
    assert "innerHTML" not in COUNT


def test_every_class_is_prefixed() -> None:
    in_js = set(re.findall(r'class: "([^"]+)"', JS)) | set(re.findall(r'classList\.\w+\("([^"]+)"', JS))
    classes = {c for group in in_js for c in group.split()}
    assert classes and all(c.startswith("rj-") for c in classes), sorted(classes)
    in_css = set(re.findall(r"\.([a-zA-Z][\w-]*)", re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)))
    assert all(c.startswith("rj-") for c in in_css), sorted(c for c in in_css if not c.startswith("rj-"))


def test_served_files_are_minified_without_touching_strings_or_regexes() -> None:
    source = (
        b'/* head\n   comment */\nconst a = "x // y"; // why\n  // a note\n  if (a) {\n'
        b'    b("https://e.org/*", /[/*]+\\//g.test(a) ? 1 : 2); /* gone */\n  }\n'
        b"  let c = a\n  ++d\n"  # ASI: the line break is kept
    )
    assert minify_js(source) == (
        b'const a="x // y";if(a){b("https://e.org/*",/[/*]+\\//g.test(a)?1:2);}\nlet c=a\n++d'
    )
    assert minify_css(b"/* c */\n.rj-a ,\n .rj-b {\n  color : red ;\n}\n") == b".rj-a,.rj-b{color:red}"
    served = ASSETS["embed.js"].body.decode()
    assert "  " not in re.sub(r'"[^"\n]*"', "", served)  # no indentation left outside strings
    assert "/* rejoinder comment widget" not in served and len(served) < len(JS) * 0.75
    css = ASSETS["embed.css"].body.decode()
    assert "/*" not in css and "\n" not in css


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to parse the served script")
@pytest.mark.parametrize("name", ["embed.js", "count.js"])
def test_served_scripts_parse(tmp_path: Any, name: str) -> None:
    """The browser tests run the served embed.js; this finds a minifier slip without a browser."""
    path = tmp_path / name
    path.write_bytes(ASSETS[name].body)
    checked = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr


def test_every_preset_and_kind_has_an_icon(client: TestClient[Any]) -> None:
    wanted = {p.icon for p in PRESETS.values()} | {"email", "passkey", "mastodon", "sso", "generic"}
    assert wanted <= set(ICONS), wanted - set(ICONS)
    for name, asset in ICONS.items():
        svg = asset.body.decode()
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and len(svg) < 1024, name
        assert "<script" not in svg and "href" not in svg and " on" not in svg, name
    mine = client.get("/auth/icons/my-company.svg")  # a configured icon without a drawing
    assert mine.status_code == 200 and mine.content == ICONS["generic"].body
