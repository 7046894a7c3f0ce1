"""POST /api/comments/{id}/report over HTTP on SQLite and PostgreSQL: one report per reader, N reports hold a
published comment (not an approved one), bad input, and reporters are rate limited."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from rejoinder.domain.identity import Profile
from rejoinder.moderation.actions import ModAction
from rejoinder.services import accounts
from rejoinder.services import moderation as service
from tests.moderation.test_pipeline import SYSTEM, call, moderated_client, post, shown_ids, thread_count


def report(client: TestClient[Any], comment_id: str, *, ip: str, reason: str = "spam", **extra: Any) -> Any:
    headers = {"X-Forwarded-For": ip, **extra.pop("headers", {})}
    return client.post(
        f"/api/comments/{comment_id}/report", json={"reason": reason, **extra}, headers=headers
    )


def test_three_readers_reporting_hold_a_published_comment(site_db: str) -> None:
    with moderated_client(site_db, reports_to_hold=3) as client:
        target = post(client, "A comment some readers dislike").json()
        other = post(client, "Another comment", ip="192.0.2.1", name="Bob").json()
        first = report(client, target["id"], ip="203.0.113.1", note="Advertising a shop")
        assert first.status_code == 201, first.text
        assert first.json() == {"reported": True}
        again = report(client, target["id"], ip="203.0.113.1", reason="abuse")  # the same reader again
        assert again.status_code == 200
        assert again.json() == {"reported": False}
        assert report(client, target["id"], ip="203.0.113.2", reason="off-topic").status_code == 201
        assert target["id"] in shown_ids(client)  # two readers: still up
        assert report(client, target["id"], ip="203.0.113.3", reason="abuse").status_code == 201
        assert shown_ids(client) == [other["id"]]
        assert thread_count(client) == 1
        detail = call(client, lambda ctx: service.comment_detail(ctx, SYSTEM, target["id"]))
        assert (detail.comment.status.value, detail.comment.status_reason) == ("pending", "reports")
        assert detail.comment.report_count == 3
        assert sorted(r.reason.value for r in detail.reports) == ["abuse", "off-topic", "spam"]
        assert [r.note for r in detail.reports if r.reason.value == "spam"] == ["Advertising a shop"]
        log = call(client, lambda ctx: service.moderation_log(ctx, SYSTEM))
        assert [(e["actor"], e["action"], e["target_id"]) for e in log] == [("reports", "hold", target["id"])]
        # A held comment cannot be reported any more.
        assert report(client, target["id"], ip="203.0.113.4").json()["code"] == "comment-not-found"


def test_an_approved_comment_stays_up_however_often_it_is_reported(site_db: str) -> None:
    with moderated_client(site_db, reports_to_hold=2) as client:
        target = post(client, "Reviewed and fine").json()
        call(client, lambda ctx: service.decide(ctx, SYSTEM, target["id"], ModAction.APPROVE))
        for n in range(3):
            assert report(client, target["id"], ip=f"203.0.113.{n + 10}").status_code == 201
        assert shown_ids(client) == [target["id"]]
        counts = call(client, lambda ctx: service.queue_counts(ctx, SYSTEM))
        assert counts["reported"] == 1


def test_visitors_and_signed_in_readers_count_once_each(site_db: str) -> None:
    with moderated_client(site_db, reports_to_hold=3) as client:
        target = post(client, "Reported from one network by three people").json()
        same_ip = "203.0.113.50"
        as_visitor = report(
            client, target["id"], ip=same_ip, headers={"Rejoinder-Visitor": "visitor-0000000000000001"}
        )
        assert as_visitor.status_code == 201
        profile = Profile(provider="test", subject="rita", name="Rita", email=None, email_verified=False)
        signed = call(client, lambda ctx: accounts.sign_in_with_profile(ctx, profile, label="Test"))
        bearer = {"Authorization": f"Bearer {signed.token}"}
        assert report(client, target["id"], ip=same_ip, headers=bearer).status_code == 201
        assert report(client, target["id"], ip=same_ip, headers=bearer).status_code == 200
        assert target["id"] in shown_ids(client)
        assert report(client, target["id"], ip=same_ip).status_code == 201  # by network
        assert shown_ids(client) == []


def test_bad_reports_are_refused_precisely(site_db: str) -> None:
    with moderated_client(site_db) as client:
        target = post(client, "Hello").json()
        ip = "203.0.113.9"
        cases = [
            (report(client, target["id"], ip=ip, reason="boring"), 422, "report-reason-invalid"),
            (report(client, target["id"], ip=ip, note="x" * 501), 422, "note-too-long"),
            (report(client, "no-such-comment", ip=ip), 404, "comment-not-found"),
            (
                client.post(f"/api/comments/{target['id']}/report", json={"note": "why"}),
                400,
                "invalid-request",
            ),
            (
                client.post(
                    f"/api/comments/{target['id']}/report",
                    content=b"{",
                    headers={"Content-Type": "application/json"},
                ),
                400,
                "malformed-json",
            ),
            (
                report(client, target["id"], ip=ip, headers={"Rejoinder-Visitor": "short"}),
                422,
                "visitor-invalid",
            ),
            (report(client, target["id"], ip=ip, headers={"Authorization": "Bearer nope"}), 401, None),
        ]
        for response, status, code in cases:
            assert response.status_code == status, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            if code is not None:
                assert response.json()["code"] == code


def test_reporters_are_rate_limited(site_db: str) -> None:
    with moderated_client(site_db, report_limit_ip="3/minute", reports_to_hold=100) as client:
        ids = [
            post(client, f"Comment number {n} with enough words to be unique", ip=f"192.0.2.{n}").json()["id"]
            for n in range(5)
        ]
        answers = [report(client, cid, ip="203.0.113.77").status_code for cid in ids]
        assert answers == [201, 201, 201, 429, 429]
        limited = report(client, ids[4], ip="203.0.113.77")
        assert limited.json()["code"] == "rate-limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert report(client, ids[4], ip="203.0.113.78").status_code == 201  # another reader is served
