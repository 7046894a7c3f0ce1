"""The sign-in pages and the sign-in email in the reader's language, over HTTP with the loopback SMTP server:
`lang` of /auth/NAME/start (as the widget passes it) is kept through the forms, the email and the page its
link opens; Japanese and Arabic pages (right to left), a Polish email."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from markupsafe import escape

from rejoinder.i18n import translator
from tests.admin.conftest import Sink
from tests.auth.helpers import bearer
from tests.auth.test_email_link import (
    HTML,
    fragment,
    hidden_fields,
    open_app,
    open_link,
    press,
    start,
)
from tests.auth.test_email_link import smtp_sink as smtp_sink
from tests.auth.test_email_link import two_sites as two_sites  # fixtures used here
from tests.fixtures.app import ORIGIN

LINK = re.compile(r"(http://rejoinder\.test/auth/email/verify\?token=[A-Za-z0-9_-]+&lang=([a-z]+))")
PROVIDERS = {"providers": {"email": {"preset": "email"}, "mastodon": {}}}


@pytest.fixture
def app(two_sites: str, smtp_sink: Sink) -> Iterator[TestClient[Any]]:
    with open_app(two_sites, smtp_sink, auth=PROVIDERS) as client:
        yield client


def html_attrs(text: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', text)
    assert found, text[:200]
    return found.group(1), found.group(2)


def t(lang: str, key: str, **values: object) -> str:
    return str(escape(translator(lang)(key, **values)))


def send(client: TestClient[Any], page: Any, email: str = "ann@example.org") -> Any:
    form = {**hidden_fields(page), "email": email, "name": ""}
    return client.post("/auth/email/send", data=form, headers={**HTML, "X-Forwarded-For": "192.0.2.30"})


def test_the_email_sign_in_pages_in_japanese(app: TestClient[Any], smtp_sink: Sink) -> None:
    page = start(app, lang="ja")
    assert page.status_code == 200
    assert html_attrs(page.text) == ("ja", "ltr")
    assert f"<h1>{t('ja', 'signInWith', name='Email')}</h1>" in page.text  # メールでログイン
    assert f'<label for="rj-email">{t("ja", "auth.yourEmail")}</label>' in page.text
    assert f'<button type="submit">{t("ja", "auth.emailMe")}</button>' in page.text
    assert hidden_fields(page)["lang"] == "ja"

    wrong = send(app, page, "not-an-address")
    assert wrong.status_code == 422 and html_attrs(wrong.text) == ("ja", "ltr")
    assert t("ja", "errors.email-invalid") in wrong.text  # the field's error, in Japanese

    sent = send(app, page)
    assert sent.status_code == 200
    assert html_attrs(sent.text) == ("ja", "ltr")
    assert t("ja", "auth.checkInbox") in sent.text and "受信トレイを確認してください" in sent.text
    assert '<strong id="rj-email">ann@example.org</strong>' in sent.text and "15分間有効です" in sent.text
    [message] = smtp_sink.wait_for(1)
    assert message["Subject"] == "blog.exampleでコメントするためのログイン"


def test_the_sign_in_pages_in_arabic_are_right_to_left(app: TestClient[Any]) -> None:
    page = start(app, lang="ar")
    assert html_attrs(page.text) == ("ar", "rtl")
    assert "عنوان بريدك الإلكتروني" in page.text  # "Your email address"
    css = re.sub(r"/\*.*?\*/", "", page.text.split("<style>")[1].split("</style>")[0], flags=re.S)
    assert "margin-block-start" in css and not re.search(r"-(left|right)\b|:\s*(left|right)\b", css)

    server = start(app, "mastodon", lang="ar")  # the page asking for the reader's server
    assert server.status_code == 200 and html_attrs(server.text) == ("ar", "rtl")
    assert t("ar", "auth.serverLabel") in server.text and hidden_fields(server)["lang"] == "ar"

    failed = app.get(
        "/auth/email/start",
        params={"site": "nowhere", "origin": ORIGIN, "return": "https://blog.example/x", "lang": "ar"},
        headers=HTML,
    )
    assert failed.status_code == 404 and html_attrs(failed.text) == ("ar", "rtl")
    assert f'<h1 role="alert">{t("ar", "auth.failedWith", name="Email")}</h1>' in failed.text
    assert t("ar", "errors.provider-not-found") in failed.text
    assert '<code id="rj-code">provider-not-found</code>' in failed.text


def test_accept_language_and_the_default_when_the_widget_says_nothing(app: TestClient[Any]) -> None:
    page = app.get(
        "/auth/email/start",
        params={"site": "blog", "origin": ORIGIN, "mode": "popup", "return": "https://blog.example/a"},
        headers={**HTML, "Accept-Language": "nl-BE, nl;q=0.9"},
    )
    assert html_attrs(page.text) == ("nl", "ltr") and "Je e-mailadres" in page.text
    assert html_attrs(start(app).text) == ("en", "ltr")
    assert html_attrs(start(app, lang="x<y").text) == ("en", "ltr")


def test_the_sign_in_email_in_polish(app: TestClient[Any], smtp_sink: Sink) -> None:
    page = start(app, lang="pl")
    sent = send(app, page)
    assert sent.status_code == 200 and html_attrs(sent.text) == ("pl", "ltr")
    assert "Działa jeden raz, przez 15 minut." in sent.text

    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "ann@example.org"
    assert message["Subject"] == "Zaloguj się, aby komentować w blog.example"
    body = message.get_content()
    assert "Ktoś poprosił o zalogowanie się do komentarzy w blog.example za pomocą" in body
    assert "Aby się zalogować, otwórz ten link i naciśnij przycisk na stronie:" in body
    assert "Link działa jeden raz, przez 15 minut (do " in body
    assert "Jeśli to nie ty, zignoruj tę wiadomość" in body
    assert "sign in" not in body.lower() and "Someone" not in body
    assert all(len(line) <= 72 or "://" in line for line in body.splitlines())  # wrapped for mail programs
    found = LINK.search(body)
    assert found and found.group(2) == "pl"

    opened = open_link(app, found.group(1))  # the page the link opens speaks Polish too
    assert opened.status_code == 200 and html_attrs(opened.text) == ("pl", "ltr")
    assert "Zalogować się, aby komentować w blog.example?" in opened.text
    assert 'action="/auth/email/verify?lang=pl"' in opened.text
    session = fragment(press(app, opened))["rejoinder-session"]
    assert app.get("/api/me", headers=bearer(session)).json()["identity"]["display_name"]

    used = open_link(app, found.group(1))  # once used, the error page is Polish as well
    assert used.status_code == 410 and html_attrs(used.text) == ("pl", "ltr")
    assert t("pl", "errors.sign-in-link-used") in used.text


def test_the_api_takes_lang_for_the_email(app: TestClient[Any], smtp_sink: Sink) -> None:
    body = {"site": "blog", "email": "bo@example.org", "return": "https://blog.example/a", "lang": "sv"}
    response = app.post("/api/auth/email/send", json=body, headers={"X-Forwarded-For": "192.0.2.40"})
    assert response.status_code == 202, response.text
    [message] = smtp_sink.wait_for(1)
    assert message["Subject"] == "Logga in för att kommentera på blog.example"
    assert "Länken fungerar en gång, i 15 minuter" in message.get_content()
