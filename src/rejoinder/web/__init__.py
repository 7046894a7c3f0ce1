"""HTTP only: parse → call a service → shape the response. ROUTES is what create_app registers."""

from __future__ import annotations

from typing import Any

from rejoinder.web import (
    account,
    appeals,
    avatars,
    comments,
    counts,
    data_request,
    feeds,
    health,
    likes,
    live,
    metrics,
    pages,
    personal_data,
    reports,
    sso,
    static,
    subscriptions,
    threads,
    viewer,
    webmentions,
)
from rejoinder.web.admin import ROUTES as ADMIN_ROUTES

ROUTES: list[Any] = [
    threads.get_thread,
    threads.locate_comment,
    threads.get_replies,
    *live.ROUTES,
    comments.create_comment,
    comments.edit_comment,
    comments.delete_comment,
    comments.form_token,
    reports.report_comment,
    appeals.appeal_comment,
    likes.like_thread,
    likes.unlike_thread,
    likes.like_comment,
    likes.unlike_comment,
    counts.get_counts,
    viewer.get_viewer,
    avatars.get_avatar,
    health.healthz,
    health.livez,
    metrics.metrics_endpoint,
    *account.ROUTES,
    *personal_data.ROUTES,
    *data_request.ROUTES,
    *sso.ROUTES,
    *subscriptions.ROUTES,
    *feeds.ROUTES,
    webmentions.receive_webmention,
    *pages.ROUTES,
    *static.HANDLERS,
    *ADMIN_ROUTES,
]
