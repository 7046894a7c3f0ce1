"""/admin/webhooks over HTTP: an admin adds an endpoint (the secret is shown once, never listed), sees its
delivery log after events were sent to the loopback receiver, redelivers, rotates, turns it off and
removes it; bad URLs and unknown actions are precise 4xx pages; moderators and forged forms are refused."""

from __future__ import annotations

import html
import re

from rejoinder.moderation.rules import Role
from tests.fixtures.admin import HTML, open_admin
from tests.fixtures.webhooks import Receiver

SECRET = re.compile(r'<code class="rj-secret">(whsec_[^<]+)</code>')


def test_an_admin_manages_an_endpoint_and_its_log(admin_db: str, receiver: Receiver) -> None:
    admin = open_admin(admin_db, webhooks={"allow_private": True})
    with admin.client:
        admin.login()
        empty = admin.page("/admin/webhooks")
        assert empty.status_code == 200 and "No webhook endpoints yet." in empty.text
        made = admin.submit(
            "/admin/webhooks",
            {
                "site": "blog",
                "url": receiver.url,
                "events": ["comment.created"],
                "description": "Chat bridge",
            },
        )
        assert made.status_code == 200, made.text[:500]
        assert made.headers["cache-control"] == "no-store"
        [secret] = SECRET.findall(made.text)
        endpoint = re.search(r'href="/admin/webhooks/(\d+)"', made.text)
        assert endpoint
        path = f"/admin/webhooks/{endpoint.group(1)}"
        listing = admin.page("/admin/webhooks")
        assert receiver.url in html.unescape(listing.text) and secret not in listing.text
        admin.post_comment("Sent to the hook")
        dispatcher = admin.app.dispatcher
        assert dispatcher is not None
        admin.run(dispatcher.settle)
        [sent] = receiver.received
        assert sent.verified(secret)["data"]["text"] == "Sent to the hook"
        detail = admin.page(path)
        assert "comment.created" in detail.text and sent.headers["webhook-id"] in detail.text
        assert "delivered" in detail.text and secret not in detail.text
        again = admin.submit(
            path, {"action": "redeliver", "event": sent.headers["webhook-id"]}, csrf_from=path
        )
        assert again.status_code == 303 and again.headers["location"] == f"{path}?done=webhook-redeliver"
        admin.run(dispatcher.settle)
        assert [r.headers["webhook-id"] for r in receiver.received] == [sent.headers["webhook-id"]] * 2
        rotated = admin.submit(path, {"action": "rotate"}, csrf_from=path)
        [new] = SECRET.findall(rotated.text)
        assert rotated.status_code == 200 and new != secret and "still signs until" in rotated.text
        off = admin.submit(path, {"action": "disable"}, csrf_from=path)
        assert off.status_code == 303
        assert "disabled: turned off by an admin" in admin.page(path).text
        bad = admin.submit(path, {"action": "explode"}, csrf_from=path)
        assert bad.status_code == 422 and "Choose rotate, enable, disable, remove or redeliver" in bad.text
        unknown = admin.submit(path, {"action": "redeliver", "event": "nope"}, csrf_from=path)
        assert unknown.status_code == 404
        gone = admin.submit(path, {"action": "remove"}, csrf_from=path)
        assert gone.headers["location"] == "/admin/webhooks?done=webhook-remove"
        assert admin.client.get(path, headers=HTML).status_code == 404
        assert "No webhook endpoints yet." in admin.page("/admin/webhooks").text


def test_bad_urls_are_refused_with_their_message(admin_db: str) -> None:
    admin = open_admin(admin_db)
    with admin.client:
        admin.login()
        for url, status, message in [
            ("http://hooks.example/x", 422, "A webhook endpoint must be an https:// URL"),
            ("https://127.0.0.1/x", 403, "That server is not on the public internet"),
            ("https://169.254.169.254/latest", 403, "That server is not on the public internet"),
            ("https://[::1]/x", 403, "That server is not on the public internet"),
            ("https://localhost/x", 403, "That server is not on the public internet"),
            ("not a url", 422, "A webhook endpoint must be an https:// URL"),
        ]:
            refused = admin.submit("/admin/webhooks", {"site": "blog", "url": url})
            assert (refused.status_code, message in html.unescape(refused.text)) == (status, True), url
        unknown = admin.submit("/admin/webhooks", {"site": "nosuch", "url": "https://hooks.example/x"})
        assert unknown.status_code == 404
        events = admin.submit(
            "/admin/webhooks",
            {"site": "blog", "url": "https://hooks.example/x", "events": ["comment.exploded"]},
        )
        assert events.status_code == 422 and "Unknown event type comment.exploded" in events.text
        assert "No webhook endpoints yet." in admin.page("/admin/webhooks").text


def test_moderators_and_forged_forms_are_refused(admin_db: str) -> None:
    admin = open_admin(admin_db, webhooks={"allow_private": True})
    with admin.client:
        admin.login()
        forged = admin.client.post(
            "/admin/webhooks",
            data={"csrf": "forged", "site": "blog", "url": "http://127.0.0.1:9/"},
            headers=HTML,
        )
        assert forged.status_code == 403
        admin.moderator("blog", Role.MODERATOR)  # signs in as a moderator of blog
        page = admin.client.get("/admin/webhooks", headers=HTML)
        assert page.status_code == 403 and "Only a site&#39;s admins manage its webhooks" in page.text
