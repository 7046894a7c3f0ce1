"""What can happen: the kinds of domain events and the event itself. Pure types, no I/O.

An event is written in the same transaction as the change it announces (events/outbox.py) and delivered
after commit to every handler registered for its kind (events/registry.py), at least once.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

import msgspec

from rejoinder.domain.comments import CommentStatus


class EventKind(enum.StrEnum):
    COMMENT_POSTED = "comment.posted"
    COMMENT_EDITED = "comment.edited"
    COMMENT_DELETED = "comment.deleted"
    COMMENT_STATUS_CHANGED = "comment.status_changed"
    COMMENT_PINNED = "comment.pinned"  # pinned or unpinned: data["pinned"]
    COMMENT_FEATURED = "comment.featured"  # featured or not: data["featured"]
    LIKE_ADDED = "like.added"
    LIKE_REMOVED = "like.removed"
    # A reader reacted to the article (data["target"] "article") or a comment (subject), or took it back:
    # data["reaction"] is the kind, data["count"] how many of that kind it has now (services/reactions.py).
    REACTION_ADDED = "reaction.added"
    REACTION_REMOVED = "reaction.removed"
    THREAD_CLOSED = "thread.closed"
    THREAD_OPENED = "thread.opened"
    THREAD_CHANGED = "thread.changed"  # anything else that changes how a thread reads (a renamed author…)
    REPORT_FILED = "report.filed"
    IDENTITY_LINKED = "identity.linked"
    IDENTITY_CHANGED = "identity.changed"  # renamed, or its likes shown or hidden: data["threads"] it touched
    SITE_CHANGED = "site.changed"
    # A reader asked for an email subscription with an address not yet confirmed on the site: the
    # confirmation email goes out through the outbox (subject: the address id; services/subscriptions.py).
    SUBSCRIPTION_REQUESTED = "subscription.requested"
    # Comments an import added or changed in a thread (one per thread and batch): it refreshes the cached
    # reads and nothing else. Imported comments send no mail, notification or webhook (docs/importing.md),
    # so it is deliberately not in THREAD_KINDS, which reactions to new comments subscribe to.
    COMMENTS_IMPORTED = "comments.imported"
    # The moderation desk's actions on a commenter (services/admin_desk.py; subject: the warning's id, or
    # none). A moderator's edit of a comment's text is a COMMENT_EDITED with data["by"] = "moderator".
    COMMENTER_WARNED = "commenter.warned"
    WARNING_ACKNOWLEDGED = "commenter.warning_acknowledged"
    COMMENTER_PREMODERATED = "commenter.premoderated"  # turned on or off: data["on"]
    COMMENTER_NOTED = "commenter.noted"
    # Digital Services Act (services/moderation/notices.py): a notice of illegal content was filed (subject:
    # the notice id; the notifier is sent an acknowledgement), a moderator decided on one (the notifier is
    # sent the decision with its reasons), and a statement of reasons was given to the author of a removed
    # or restricted comment (subject: the statement id; mailed when the author has a confirmed address).
    NOTICE_FILED = "notice.filed"
    NOTICE_DECIDED = "notice.decided"
    STATEMENT_ISSUED = "statement.issued"
    # An activity an ActivityPub inbox accepted (its signature verified): data["activity"], data["actor"]
    # (the verified signer) and data["site"] (the addressed site actor's name, or None for the shared inbox).
    ACTIVITY_RECEIVED = "activitypub.received"
    # A Webmention was received (or received again: an update): verify its source in the background
    # (subject: the webmentions row id; services/webmentions.py).
    WEBMENTION_RECEIVED = "webmention.received"


# The kinds that change what a thread's public reads show.
THREAD_KINDS = frozenset(
    {
        EventKind.COMMENT_POSTED,
        EventKind.COMMENT_EDITED,
        EventKind.COMMENT_DELETED,
        EventKind.COMMENT_STATUS_CHANGED,
        EventKind.COMMENT_PINNED,
        EventKind.COMMENT_FEATURED,
        EventKind.LIKE_ADDED,
        EventKind.LIKE_REMOVED,
        EventKind.REACTION_ADDED,
        EventKind.REACTION_REMOVED,
        EventKind.THREAD_CLOSED,
        EventKind.THREAD_OPENED,
        EventKind.THREAD_CHANGED,
    }
)


def status_change(
    status: CommentStatus,
    previous: CommentStatus,
    action: str,
    *,
    reason: str | None,
    actor: str,
    by: Literal["moderator", "reports"] = "moderator",
) -> dict[str, Any]:
    """The data of a comment event a moderation action causes (COMMENT_STATUS_CHANGED, or COMMENT_DELETED by
    a moderator): the new and the previous status, the action (a moderation.actions.ModAction value) and its
    reason code, who took it (an identity id, or "reports"), and `by` what."""
    return {
        "status": status.value,
        "previous": previous.value,
        "action": str(action),
        "reason": reason,
        "actor": actor,
        "by": by,
    }


class ThreadOf(msgspec.Struct, frozen=True):
    """The thread an event is about, as the cache and the readers name it."""

    id: int
    site_id: int
    uri: str | None
    key: str | None


class Event(msgspec.Struct, frozen=True):
    """One thing that happened. `uid` is stable across redeliveries: handlers deduplicate by it.

    `data` holds kind-specific details: for comment events `status` (and `previous` for a status change),
    `actor` for moderator actions; for thread events `uri` and `key`; for site changes the site's `name`.
    """

    uid: str
    kind: EventKind
    created: int
    site_id: int | None = None
    thread_id: int | None = None
    subject: str | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    # The routes the outbox wrote a delivery for (some skip events they have nothing to do for: Route.needed);
    # None when not known, as for an event read back from the store.
    routes: tuple[str, ...] | None = None

    @property
    def subject_id(self) -> int | None:
        """The subject as a row id (a notice, a statement, an address…); None when it is not one."""
        if self.subject is None or not self.subject.isdigit():
            return None
        return int(self.subject)

    @property
    def queue(self) -> str:
        """The ordering key: a handler sees one thread's (or else one site's) events in order."""
        if self.thread_id is not None:
            return f"t:{self.thread_id}"
        if self.site_id is not None:
            return f"s:{self.site_id}"
        return "-"
