"""The no-JS thread page in every language, over HTTP: `?lang=` then Accept-Language then server.language,
`<html lang dir>`, translated words, plural forms and error messages, and the language kept in links and
the form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient
from markupsafe import escape

from rejoinder.i18n import LANGUAGES, Translator, direction, translator
from tests.fixtures.app import ARTICLE, new_client, post_comment
from tests.web.test_pages import HTML_ACCEPT, parse, submit, the_form


def page(client: TestClient[Any], headers: dict[str, str] | None = None, **params: Any) -> str:
    response = client.get(
        "/thread", params={"url": ARTICLE, **params}, headers={**HTML_ACCEPT, **(headers or {})}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == re.search(r'<html lang="([a-z]+)"', response.text).group(1)  # type: ignore[union-attr]
    return response.text


def html_tag(text: str) -> dict[str, str]:
    return parse(text).tags[0][1]


def test_the_page_in_every_language(client: TestClient[Any]) -> None:
    root = post_comment(client, "First", title="Bridges")
    post_comment(client, "Second", parent=root["id"], author={"name": "Bo"})
    client.put("/api/threads/like", params={"url": ARTICLE}, headers={"Rejoinder-Visitor": "v" * 20})
    english = translator("en")
    for lang in LANGUAGES:
        tr = translator(lang)

        def t(key: str, n: int | None = None, tr: Translator = tr) -> str:
            return str(escape(tr(key) if n is None else tr.plural(key, n)))  # as Jinja writes it

        text = page(client, lang=lang)
        assert html_tag(text) == {"lang": lang, "dir": direction(lang)}
        assert f'<p class="rj-kicker">{t("page.kicker")}</p>' in text, lang
        assert f'<h2 class="rj-count" id="rj-count">{t("responses", 2)}</h2>' in text, lang
        assert f"<title>{t('responses', 2)} · Bridges</title>" in text, lang
        assert f'<p class="rj-likes-text">{t("likes", 1)}</p>' in text, lang
        assert f'<label for="rj-text">{t("text")}</label>' in text, lang
        assert f'<button type="submit" class="rj-submit">{t("post")}</button>' in text, lang
        assert f'<h2 class="rj-form-title">{t("leave")}</h2>' in text, lang
        assert t("page.footer") in text and t("emailNote") in text and t("page.back") in text, lang
        for key in ("page.kicker", "page.footer", "leave", "post", "emailNote", "page.sortLabel", "reply"):
            if lang != "en" and tr(key) != english(key):  # a word may be the same (French "Discussion")
                assert f">{escape(english(key))}<" not in text, (lang, key)
        # The language stays in every link (sort, reply) and in the form.
        assert (
            f'href="/thread?url={ARTICLE.replace(":", "%3A").replace("/", "%2F")}&amp;lang={lang}&amp;sort=newest"'
            in text
        ), lang
        assert f"lang={lang}&amp;reply={root['id']}#reply" in text, lang
        assert the_form(text)["lang"] == lang


def test_arabic_is_right_to_left_with_arabic_words(client: TestClient[Any]) -> None:
    post_comment(client, "مرحبا", title="جسور")
    text = page(client, lang="ar")
    assert html_tag(text) == {"lang": "ar", "dir": "rtl"}
    assert "رد واحد" in text  # "one response": Arabic names the number in the word
    assert "اكتب تعليقًا" in text and "نشر التعليق" in text


def test_polish_plural_forms(client: TestClient[Any]) -> None:
    for n in range(5):
        post_comment(client, f"Komentarz {n}")
        text = page(client, lang="pl")
        expected = {
            1: "1 odpowiedź",
            2: "2 odpowiedzi",
            3: "3 odpowiedzi",
            4: "4 odpowiedzi",
            5: "5 odpowiedzi",
        }
        assert f'<h2 class="rj-count" id="rj-count">{expected[n + 1]}</h2>' in text
    liked = post_comment(client, "Polub")
    for n in range(5):
        client.put(f"/api/comments/{liked['id']}/like", headers={"Rejoinder-Visitor": f"visitor-{n:012d}"})
    assert '<span class="rj-comment-likes">5 polubień</span>' in page(client, lang="pl")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("da, sv;q=0.8", "sv"),
        ("pt-BR", "pt"),
        ("tlh, *;q=0.1", "en"),
    ],
)
def test_accept_language_picks_the_page_language(client: TestClient[Any], header: str, lang: str) -> None:
    text = page(client, headers={"Accept-Language": header})
    assert html_tag(text)["lang"] == lang
    assert translator(lang)("page.kicker") in text
    assert "&amp;lang=" not in text  # a language from the browser is not written into the links
    assert "lang" not in the_form(text)


def test_lang_parameter_wins_and_odd_values_are_ignored(client: TestClient[Any]) -> None:
    assert html_tag(page(client, {"Accept-Language": "ja"}, lang="nl"))["lang"] == "nl"
    for odd in ("xx", "<script>", "nl-" + "x" * 60, ""):
        text = page(client, {"Accept-Language": "it"}, lang=odd)
        assert html_tag(text)["lang"] == "it"
        assert "<script>" not in text and "&amp;lang=" not in text


def test_server_language_is_the_default(site_db: str) -> None:
    with new_client(site_db, server={"language": "sv"}) as client:
        text = page(client)
        assert html_tag(text) == {"lang": "sv", "dir": "ltr"}
        assert "Inga kommentarer än" in text and "Bli först att kommentera." in text
        assert html_tag(page(client, {"Accept-Language": "de"}))["lang"] == "de"


def test_errors_are_shown_in_the_page_language(client: TestClient[Any]) -> None:
    fields = the_form(page(client, lang="pl"))
    response = submit(client, fields, text="Coś", name="", email="nie-email")
    assert response.status_code == 422
    text = response.text
    assert html_tag(text) == {"lang": "pl", "dir": "ltr"}
    assert "Twój komentarz nie został opublikowany" in text
    assert "Podaj imię lub pseudonim, aby komentować jako gość." in text
    assert "Podaj prawidłowy adres e-mail, np. anna@example.org." in text
    assert "Enter a name" not in text and the_form(text)["lang"] == "pl"

    again = submit(client, the_form(text), text="Poprawiony", name="Ania", email="")
    assert again.status_code == 303
    assert re.search(r"^/thread\?url=[^&#]+&lang=pl#comment-[\w-]+$", again.headers["location"])


def test_error_pages_follow_the_language(client: TestClient[Any]) -> None:
    response = client.get(
        "/thread", params={"url": "https://elsewhere.example/x", "lang": "ja"}, headers=HTML_ACCEPT
    )
    assert response.status_code == 403
    assert html_tag(response.text) == {"lang": "ja", "dir": "ltr"}
    assert translator("ja")("errors.origin-not-allowed") in response.text
    assert "<code>origin-not-allowed</code>" in response.text


def test_fragment_takes_lang(client: TestClient[Any]) -> None:
    post_comment(client, "Hej")
    response = client.get("/thread/fragment", params={"url": ARTICLE, "lang": "sv"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div class="rj-static" lang="sv" dir="ltr">')
    assert "1 kommentar" in response.text and "Skriv en kommentar" in response.text
    assert "&amp;lang=sv" in response.text
