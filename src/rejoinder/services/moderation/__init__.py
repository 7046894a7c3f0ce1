"""Moderation use cases, one module per concern: runtime (the parts a running app shares, rate limits),
forms (the comment form's token), judging (the pipeline around posting and editing), reports, decisions
(moderators' actions on comments and threads), learning (the classifier learns from decisions), bans (and roles), queue (what moderators read), appeals
(the author's one appeal against a hold or rejection).

Everything is re-exported here, so `from rejoinder.services import moderation; moderation.decide(...)`
works for callers that do not care where a use case lives.
"""

from __future__ import annotations

from rejoinder.services.moderation.appeals import Appealed, appeal_comment
from rejoinder.services.moderation.bans import BanResult, ban, lift_ban, set_role
from rejoinder.services.moderation.decisions import (
    actor_for,
    decide,
    load_comment,
    mark,
    moderated,
    set_thread_closed,
)
from rejoinder.services.moderation.forms import (
    FORM_TOKEN_MAX_AGE,
    FORM_TOKEN_SKEW,
    issue_form_token,
    read_form_token,
)
from rejoinder.services.moderation.judging import (
    email_hash_of,
    judge,
    load_facts,
    reason_text,
    record,
    refuse,
    status_after,
    text_hash_of,
)
from rejoinder.services.moderation.learning import ABUSIVE_REASONS, ClassifierSink
from rejoinder.services.moderation.queue import comment_detail, list_queue, moderation_log, queue_counts
from rejoinder.services.moderation.reports import Reported, report_comment
from rejoinder.services.moderation.runtime import (
    BAN_CACHE_SECONDS,
    Decision,
    DecisionSink,
    Moderation,
    admit,
    moderation_of,
)
from rejoinder.services.moderation.site_words import SiteWords, learned_words

__all__ = [
    "ABUSIVE_REASONS",
    "BAN_CACHE_SECONDS",
    "FORM_TOKEN_MAX_AGE",
    "FORM_TOKEN_SKEW",
    "Appealed",
    "BanResult",
    "ClassifierSink",
    "Decision",
    "DecisionSink",
    "Moderation",
    "Reported",
    "SiteWords",
    "actor_for",
    "admit",
    "appeal_comment",
    "ban",
    "comment_detail",
    "decide",
    "email_hash_of",
    "issue_form_token",
    "judge",
    "learned_words",
    "lift_ban",
    "list_queue",
    "load_comment",
    "load_facts",
    "mark",
    "moderated",
    "moderation_log",
    "moderation_of",
    "queue_counts",
    "read_form_token",
    "reason_text",
    "record",
    "refuse",
    "report_comment",
    "set_role",
    "set_thread_closed",
    "status_after",
    "text_hash_of",
]
