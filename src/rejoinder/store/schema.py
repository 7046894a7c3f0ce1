"""MetaData and every Table. Column comments say what each value means."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    comment="Instance-wide values, e.g. the generated secret key when none is configured",
)

sites = sa.Table(
    "sites",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column(
        "origins", sa.JSON, nullable=False, comment="List of allowed origins, e.g. https://example.org"
    ),
    sa.Column("settings", sa.JSON, nullable=False, comment="Per-site options (domain.sites.SiteOptions)"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
)

threads = sa.Table(
    "threads",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("uri", sa.String(2048), nullable=True, comment="Normalised canonical article URL"),
    sa.Column("key", sa.String(200), nullable=True, comment="Explicit thread key from the page, if any"),
    sa.Column("title", sa.String(500), nullable=True),
    sa.Column("comment_count", sa.Integer, nullable=False, server_default="0", comment="Public comments"),
    sa.Column("like_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column(
        "closed",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="true: a moderator closed the thread; it takes no new comments",
    ),
    sa.Column("closed_at", sa.BigInteger, nullable=True, comment="When it was closed; NULL = open"),
    sa.Column(
        "auto_close",
        sa.Boolean,
        nullable=False,
        server_default=sa.true(),
        comment="false: the site's close-after-N-days rule does not apply (a moderator reopened it)",
    ),
    sa.Index("ix_threads_site_uri", "site_id", "uri"),
    sa.Index("uq_threads_site_key", "site_id", "key", unique=True),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True, comment="Public random id, not a sequence"),
    sa.Column("thread_id", sa.BigInteger, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    sa.Column("parent_id", sa.String(24), sa.ForeignKey("comments.id"), nullable=True),
    sa.Column("depth", sa.Integer, nullable=False, server_default="0"),
    sa.Column(
        "status",
        sa.String(16),
        nullable=False,
        comment="published: public, unreviewed | approved: public, reviewed | pending: held, author only | "
        "spam, rejected: hidden | deleted: placeholder",
    ),
    sa.Column("text", sa.Text, nullable=False, comment="Markdown as written"),
    sa.Column("html", sa.Text, nullable=False, comment="Sanitised HTML rendered from text at write time"),
    sa.Column("author_name", sa.String(200), nullable=False),
    sa.Column("author_email", sa.String(254), nullable=True, comment="Never returned by a public endpoint"),
    sa.Column("author_website", sa.String(2048), nullable=True),
    sa.Column("author_key", sa.String(40), nullable=False, comment="Opaque per-site author id for avatars"),
    sa.Column("visitor_hash", sa.String(64), nullable=True, comment="Keyed hash of the posting visitor id"),
    sa.Column("edit_token_hash", sa.String(64), nullable=True, comment="SHA-256 of the author's edit token"),
    sa.Column("ip", sa.String(64), nullable=True, comment="Anonymised client address (/24 or /56)"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("edited", sa.BigInteger, nullable=True),
    sa.Column("likes", sa.Integer, nullable=False, server_default="0"),
    sa.Column(
        "identity_id",
        sa.String(24),
        sa.ForeignKey("identities.id", ondelete="SET NULL"),
        nullable=True,
        comment="The signed-in author; NULL for a guest. author_name follows the identity's name",
    ),
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false(), comment="Shown first"),
    sa.Column(
        "featured", sa.Boolean, nullable=False, server_default=sa.false(), comment="Picked by a moderator"
    ),
    sa.Column(
        "staff",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="Written by a moderator or admin of the site: shown with a staff badge",
    ),
    sa.Column(
        "flagged",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="A check asked a moderator to look (still public while published)",
    ),
    sa.Column(
        "status_reason",
        sa.String(64),
        nullable=True,
        comment="Why it is pending, rejected or spam: a reason code (docs/moderation.md), shown to its author",
    ),
    sa.Column("moderated", sa.BigInteger, nullable=True, comment="When a moderator last decided on it"),
    sa.Column("moderated_by", sa.String(64), nullable=True, comment="Identity id, 'cli' or 'system'"),
    sa.Column(
        "revision", sa.Integer, nullable=False, server_default="0", comment="0 as posted, n after n edits"
    ),
    sa.Column(
        "report_count", sa.Integer, nullable=False, server_default="0", comment="Open (unresolved) reports"
    ),
    sa.Column("spam_score", sa.Float, nullable=True, comment="Latest classifier spam probability (0-1)"),
    sa.Column(
        "text_hash",
        sa.String(32),
        nullable=True,
        comment="Digest of the normalised text, to find the same text posted again",
    ),
    sa.Column(
        "appeal", sa.Text, nullable=True, comment="The author's one appeal against a hold or rejection"
    ),
    sa.Column("appealed", sa.BigInteger, nullable=True),
    sa.Column(
        "images",
        sa.Text,
        nullable=True,
        comment="JSON list of the attached images as shown: name, width, height, alt (comment_images)",
    ),
    sa.Column(
        "moderator_edited",
        sa.BigInteger,
        nullable=True,
        comment="When a moderator last changed its text (shown as 'edited by a moderator'); NULL: never",
    ),
    sa.Column(
        "moderator_note", sa.String(500), nullable=True, comment="The moderator's public note on their edit"
    ),
    sa.Index("ix_comments_thread_created", "thread_id", "created"),
    sa.Index("ix_comments_parent", "parent_id"),
    sa.Index("ix_comments_visitor", "thread_id", "visitor_hash"),
    sa.Index("ix_comments_identity", "identity_id"),
    sa.Index("ix_comments_status_created", "status", "created"),
    sa.Index("ix_comments_author_created", "author_key", "created"),
    sa.Index("ix_comments_ip_created", "ip", "created"),
    sa.Index("ix_comments_text_hash", "text_hash"),
)

likes = sa.Table(
    "likes",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("thread_id", sa.BigInteger, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "comment_id",
        sa.String(24),
        nullable=False,
        comment="The liked comment's id; empty string = the article",
    ),
    sa.Column("liker", sa.String(64), nullable=False, comment="Keyed hash of the visitor (or identity)"),
    sa.Column("name", sa.String(200), nullable=True, comment="Shown in 'people like this' when set"),
    sa.Column("avatar_key", sa.String(40), nullable=True),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column(
        "identity_id",
        sa.String(24),
        sa.ForeignKey("identities.id", ondelete="CASCADE"),
        nullable=True,
        comment="The signed-in liker; NULL for a visitor. name is set only if the identity shows in likes",
    ),
    sa.UniqueConstraint("thread_id", "comment_id", "liker"),
    sa.Index("ix_likes_liker", "liker", "thread_id"),
    sa.Index("ix_likes_identity", "identity_id"),
)

reactions = sa.Table(
    "reactions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("thread_id", sa.BigInteger, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "comment_id",
        sa.String(24),
        nullable=False,
        comment="The comment reacted to; empty string = the article",
    ),
    sa.Column("kind", sa.String(16), nullable=False, comment="A kind of domain/reactions.CATALOG"),
    sa.Column("reactor", sa.String(64), nullable=False, comment="Keyed hash of the visitor (or identity)"),
    sa.Column("name", sa.String(200), nullable=True, comment="Shown in 'people reacted' when set"),
    sa.Column("avatar_key", sa.String(40), nullable=True),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column(
        "identity_id",
        sa.String(24),
        sa.ForeignKey("identities.id", ondelete="CASCADE"),
        nullable=True,
        comment="The signed-in reactor; NULL for a visitor. name is set only if the identity shows in likes",
    ),
    sa.UniqueConstraint("thread_id", "comment_id", "kind", "reactor"),
    sa.Index("ix_reactions_reactor", "reactor", "thread_id"),
    sa.Index("ix_reactions_identity", "identity_id"),
    comment="One row per reader, kind and thing reacted to (services/reactions.py)",
)

mutes = sa.Table(
    "mutes",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("author_key", sa.String(40), nullable=False, comment="The muted commenter's author key"),
    sa.Column(
        "name", sa.String(200), nullable=False, comment="Their name when muted (for the settings list)"
    ),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("identity_id", "author_key"),
    comment="Commenters a signed-in reader muted; applied by the widget, never to the shared thread",
)

authors = sa.Table(
    "authors",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "email_md5", sa.String(32), nullable=True, comment="For the opt-in Gravatar lookup; never public"
    ),
    sa.Column("image", sa.LargeBinary, nullable=True, comment="Cached Gravatar image, if fetched"),
    sa.Column("image_type", sa.String(40), nullable=True),
    sa.Column("fetched", sa.BigInteger, nullable=True),
)

# --- Sign-in (auth/, services/accounts.py): identities, credentials, sessions, one-time tickets ----------

identities = sa.Table(
    "identities",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True, comment="Public random id, not a sequence"),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254), nullable=True, comment="Verified address only; never public"),
    sa.Column("profile_url", sa.String(2048), nullable=True),
    sa.Column(
        "show_in_likes",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="true: name and avatar may appear in 'people like this'",
    ),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Index("ix_identities_email", "email"),
)

credentials = sa.Table(
    "credentials",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(16), nullable=False, comment="oidc | email | passkey | sso"),
    sa.Column("provider", sa.String(300), nullable=False, comment="Provider name, Mastodon server, RP id…"),
    sa.Column("subject", sa.String(500), nullable=False, comment="The provider's stable account id"),
    sa.Column("label", sa.String(300), nullable=False, comment="Shown as 'via …': handle, name or email"),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("email_verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("data", sa.JSON, nullable=True, comment="Kind-specific data, e.g. a passkey's public key"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("last_used", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("kind", "provider", "subject"),
    sa.Index("ix_credentials_identity", "identity_id"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True, comment="SHA-256 of the bearer token (hex)"),
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("provider", sa.String(300), nullable=False, comment="Provider name the session came from"),
    sa.Column("label", sa.String(300), nullable=False, comment="Provider label shown as 'via …'"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("expires", sa.BigInteger, nullable=False),
    sa.Column("revoked", sa.BigInteger, nullable=True, comment="When it was logged out; NULL = active"),
    sa.Index("ix_sessions_identity", "identity_id"),
)

auth_tickets = sa.Table(
    "auth_tickets",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True, comment="SHA-256 of the ticket (state, offer…)"),
    sa.Column(
        "purpose",
        sa.String(32),
        nullable=False,
        comment="flow: a pending OAuth flow | link-offer: a credential waiting to be linked | "
        "link-ticket: lets a popup add a credential to a signed-in identity",
    ),
    sa.Column("binding_hash", sa.String(64), nullable=True, comment="SHA-256 of the browser-binding cookie"),
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("payload", sa.JSON, nullable=False, comment="Purpose-specific, e.g. PKCE verifier and nonce"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("expires", sa.BigInteger, nullable=False),
    sa.Index("ix_auth_tickets_expires", "expires"),
)

oauth_apps = sa.Table(
    "oauth_apps",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("server", sa.String(300), nullable=False, comment="Base URL of a fediverse server"),
    sa.Column("redirect_uri", sa.String(2048), nullable=False),
    sa.Column("client_id", sa.String(500), nullable=False),
    sa.Column("client_secret", sa.String(500), nullable=True, comment="Issued by the server at registration"),
    sa.Column("data", sa.JSON, nullable=False, comment="The server's endpoints and scopes as discovered"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("server", "redirect_uri"),
    comment="Apps rejoinder registered dynamically (Mastodon POST /api/v1/apps or RFC 7591)",
)

# --- Moderation (moderation/, services/moderation/): check results, reports, bans, roles, the log ------

comment_revisions = sa.Table(
    "comment_revisions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("comment_id", sa.String(24), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, comment="0 as posted, n for the n-th edit"),
    sa.Column("text", sa.Text, nullable=False, comment="The text as checked (Markdown)"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column(
        "decision",
        sa.String(8),
        nullable=False,
        comment="pass | flag | hold: the pipeline's verdict (reject and nudge refuse the text: never stored)",
    ),
    sa.Column("status", sa.String(16), nullable=False, comment="The comment status this revision led to"),
    sa.Column(
        "reasons", sa.JSON, nullable=False, comment="List of {check, action, code, detail} from the checks"
    ),
    sa.Column("spam_score", sa.Float, nullable=True, comment="Classifier spam probability (0-1)"),
    sa.Column("abuse_score", sa.Float, nullable=True, comment="Classifier abuse probability (0-1)"),
    sa.Column(
        "classifier",
        sa.JSON,
        nullable=True,
        comment="The classifier's explanation: {model, reasons: [{target, kind, feature, value, contribution}]}",
    ),
    sa.Column("external", sa.JSON, nullable=True, comment="What external checks answered, by check name"),
    sa.Column("elapsed_us", sa.Integer, nullable=False, comment="Time the checks took, in microseconds"),
    sa.UniqueConstraint("comment_id", "revision"),
    comment="One row per checked version of a comment: what each check decided and why",
)

reports = sa.Table(
    "reports",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("comment_id", sa.String(24), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("reason", sa.String(16), nullable=False, comment="spam | abuse | off-topic | illegal | other"),
    sa.Column("note", sa.String(500), nullable=True, comment="The reporter's own words, optional"),
    sa.Column(
        "reporter",
        sa.String(64),
        nullable=False,
        comment="Keyed hash of the reporting identity, visitor or network: one report each per comment",
    ),
    sa.Column(
        "identity_id",
        sa.String(24),
        sa.ForeignKey("identities.id", ondelete="SET NULL"),
        nullable=True,
        comment="The signed-in reporter, if any",
    ),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("resolved", sa.BigInteger, nullable=True, comment="When a moderator decided; NULL = open"),
    sa.Column(
        "resolution",
        sa.String(16),
        nullable=True,
        comment="upheld: the comment was removed | dismissed: the comment stays",
    ),
    sa.Column("resolved_by", sa.String(64), nullable=True),
    sa.UniqueConstraint("comment_id", "reporter"),
    sa.Index("ix_reports_comment_resolved", "comment_id", "resolved"),
    comment="Readers' reports of comments",
)

bans = sa.Table(
    "bans",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "site_id",
        sa.BigInteger,
        sa.ForeignKey("sites.id", ondelete="CASCADE"),
        nullable=True,
        comment="The site the ban applies to; NULL = every site",
    ),
    sa.Column(
        "identity_id",
        sa.String(24),
        sa.ForeignKey("identities.id", ondelete="CASCADE"),
        nullable=True,
        comment="A banned signed-in identity",
    ),
    sa.Column(
        "email_hash", sa.String(64), nullable=True, comment="Keyed hash of a banned (lower-cased) email"
    ),
    sa.Column("ip_range", sa.String(64), nullable=True, comment="A banned network in CIDR form"),
    sa.Column("reason", sa.String(500), nullable=True),
    sa.Column(
        "reject_all",
        sa.Boolean,
        nullable=False,
        server_default=sa.false(),
        comment="true: the author's existing comments were rejected when the ban was made",
    ),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("until", sa.BigInteger, nullable=True, comment="End of a suspension; NULL = permanent"),
    sa.Column("lifted", sa.BigInteger, nullable=True, comment="When a moderator lifted it early"),
    sa.Column("lifted_by", sa.String(64), nullable=True),
    sa.CheckConstraint(
        "identity_id IS NOT NULL OR email_hash IS NOT NULL OR ip_range IS NOT NULL", name="has_target"
    ),
    sa.Index("ix_bans_site", "site_id"),
    sa.Index("ix_bans_identity", "identity_id"),
    sa.Index("ix_bans_email_hash", "email_hash"),
    comment="Bans and suspensions by identity, email or network",
)

roles = sa.Table(
    "roles",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "site_id",
        sa.BigInteger,
        sa.ForeignKey("sites.id", ondelete="CASCADE"),
        nullable=True,
        comment="The site the role is for; NULL = every site",
    ),
    sa.Column(
        "role",
        sa.String(16),
        nullable=False,
        comment="admin: everything | moderator: moderates | trusted: skips pre-moderation",
    ),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.UniqueConstraint("identity_id", "site_id", "role"),
    comment="Roles of signed-in identities",
)

moderation_log = sa.Table(
    "moderation_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "site_id",
        sa.BigInteger,
        nullable=True,
        comment="The site acted on (no foreign key: the log outlives what it is about)",
    ),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False, comment="Identity id, 'cli', 'system' or 'reports'"),
    sa.Column("action", sa.String(32), nullable=False, comment="approve, reject, spam, delete, ban, …"),
    sa.Column("target_kind", sa.String(16), nullable=False, comment="comment | thread | identity | ban"),
    sa.Column("target_id", sa.String(64), nullable=False),
    sa.Column("reason_code", sa.String(64), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("data", sa.JSON, nullable=True, comment="Action-specific details, e.g. the previous status"),
    sa.Index("ix_moderation_log_site_created", "site_id", "created"),
    sa.Index("ix_moderation_log_target", "target_kind", "target_id"),
    comment="Append-only record of every moderation decision: who, when, what, why",
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "uid", sa.String(32), nullable=False, unique=True, comment="Public event id, stable on retries"
    ),
    sa.Column(
        "kind", sa.String(40), nullable=False, comment="events.kinds.EventKind value, e.g. comment.posted"
    ),
    sa.Column(
        "site_id", sa.BigInteger, nullable=True, comment="No foreign key: events outlive what they name"
    ),
    sa.Column("thread_id", sa.BigInteger, nullable=True),
    sa.Column(
        "subject", sa.String(64), nullable=True, comment="What it is about: a comment id, identity id…"
    ),
    sa.Column("data", sa.JSON, nullable=False, comment="Kind-specific details (events.kinds.Event.data)"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Index("ix_events_thread_created", "thread_id", "created"),
    comment="Domain events, written in the same transaction as the change they announce (the outbox)",
)

event_deliveries = sa.Table(
    "event_deliveries",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.BigInteger, sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    sa.Column("handler", sa.String(40), nullable=False, comment="The registered handler's name"),
    sa.Column(
        "queue",
        sa.String(40),
        nullable=False,
        comment="Ordering key: deliveries of one handler and queue run in id order (t:THREAD, s:SITE or -)",
    ),
    sa.Column(
        "state",
        sa.String(8),
        nullable=False,
        comment="pending: to deliver (or retrying) | done: delivered | dead: gave up, /admin can retry",
    ),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_at", sa.BigInteger, nullable=False, comment="Not before this time (backoff)"),
    sa.Column("lease_until", sa.BigInteger, nullable=True, comment="A dispatcher holds it until then"),
    sa.Column("lease_owner", sa.String(40), nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("finished", sa.BigInteger, nullable=True, comment="When it was delivered or given up"),
    sa.UniqueConstraint("event_id", "handler"),
    sa.Index("ix_event_deliveries_state_next_at", "state", "next_at"),
    sa.Index("ix_event_deliveries_handler_queue_state", "handler", "queue", "state"),
    comment="One row per event and handler: the outbox's delivery state",
)

classifier_decisions = sa.Table(
    "classifier_decisions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "event_uid",
        sa.String(32),
        nullable=False,
        unique=True,
        comment="The decision's event (events.uid): a redelivered event adds no second row",
    ),
    sa.Column(
        "comment_id",
        sa.String(64),
        nullable=False,
        comment="A later decision on the same comment replaces an earlier one in training",
    ),
    sa.Column(
        "label",
        sa.String(8),
        nullable=False,
        comment="ham: approved | spam: marked as spam | abuse: rejected as abuse, harassment or hate",
    ),
    sa.Column("text", sa.Text, nullable=False, comment="The comment's text as it was decided on"),
    sa.Column("author_name", sa.String(200), nullable=False),
    sa.Column("website", sa.String(500), nullable=False),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Index("ix_classifier_decisions_site_id", "site_id", "id"),
    comment="Moderators' decisions the learning classifier trains on, shared by every host",
)

classifier_models = sa.Table(
    "classifier_models",
    metadata,
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False, comment="Counts the site's trainings from 1"),
    sa.Column(
        "decisions_seen",
        sa.BigInteger,
        nullable=False,
        comment="The last classifier_decisions.id the model was trained with (it used every row up to it)",
    ),
    sa.Column("trained_at", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Column("feature_version", sa.Integer, nullable=False, comment="features.FEATURE_VERSION at training"),
    comment="The newest per-site model: a host whose loaded model is older loads or refits this version",
)

imported_comments = sa.Table(
    "imported_comments",
    metadata,
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "format", sa.String(16), primary_key=True, comment="The importer's name: wxr, disqus, commento…"
    ),
    sa.Column(
        "source_id", sa.String(200), primary_key=True, comment="The comment's id in the exporting system"
    ),
    sa.Column(
        "comment_id",
        sa.String(24),
        sa.ForeignKey("comments.id", ondelete="CASCADE"),
        nullable=False,
        comment="Our comment made from it: it was imported, and sends no notification",
    ),
    sa.Column(
        "digest", sa.String(32), nullable=False, comment="Of the record as last imported: unchanged = skip it"
    ),
    sa.Column("imported", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Index("ix_imported_comments_comment_id", "comment_id"),
    comment="Source ids of imported comments: importing the same file again adds nothing",
)

import_jobs = sa.Table(
    "import_jobs",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True, comment="Public random id, not a sequence"),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("format", sa.String(16), nullable=False, comment="The importer's name"),
    sa.Column("file_name", sa.String(255), nullable=False, comment="As uploaded, for the page"),
    sa.Column("size", sa.BigInteger, nullable=False, comment="Bytes uploaded"),
    sa.Column("dry_run", sa.Boolean, nullable=False),
    sa.Column(
        "state",
        sa.String(16),
        nullable=False,
        comment="running; done (read to the end); stopped (the file stopped making sense); failed",
    ),
    sa.Column("records", sa.Integer, nullable=False, comment="Comments read so far"),
    sa.Column("started_by", sa.String(200), nullable=False, comment="The staff member's name"),
    sa.Column("summary", sa.Text, nullable=True, comment="The summary's lines (JSON), when finished"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Column("updated", sa.BigInteger, nullable=False, comment="Last progress written, µs UTC"),
    sa.Index("ix_import_jobs_site_id_created", "site_id", "created"),
    comment="Imports started from /admin: they run in the background of the worker that took the upload",
)

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.String(2000), nullable=False, comment="Where events are POSTed (https, public)"),
    sa.Column(
        "events", sa.JSON, nullable=False, comment="Webhook event types it wants, e.g. comment.created"
    ),
    sa.Column("description", sa.String(200), nullable=False, server_default=""),
    sa.Column(
        "secret", sa.String(100), nullable=False, comment="whsec_…: signs every delivery (HMAC-SHA256)"
    ),
    sa.Column(
        "previous_secret", sa.String(100), nullable=True, comment="The secret before the last rotation"
    ),
    sa.Column(
        "previous_until",
        sa.BigInteger,
        nullable=True,
        comment="Deliveries are signed with the previous secret too until then (rotation overlap)",
    ),
    sa.Column(
        "state",
        sa.String(8),
        nullable=False,
        comment="active: receives events | disabled: gave up after a day of failures, or turned off",
    ),
    sa.Column("disabled_reason", sa.String(500), nullable=True),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Index("ix_webhook_endpoints_site_id", "site_id"),
    comment="A site's webhook subscriptions (notify/webhooks.py signs, services/webhooks.py delivers)",
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "endpoint_id",
        sa.BigInteger,
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("event_uid", sa.String(32), nullable=False, comment="events.uid, sent as webhook-id"),
    sa.Column("event_type", sa.String(40), nullable=False, comment="The webhook event type sent"),
    sa.Column("attempted", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Column("status_code", sa.Integer, nullable=True, comment="The receiver's answer; None: no answer"),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("error", sa.String(500), nullable=True, comment="Why it failed; None: delivered (2xx)"),
    sa.Index("ix_webhook_attempts_endpoint_id", "endpoint_id", "id"),
    comment="Every attempt to deliver an event to a webhook endpoint: the delivery log /admin shows",
)

email_addresses = sa.Table(
    "email_addresses",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "email", sa.String(254), nullable=False, comment="Normalised (lower-cased) address; never returned"
    ),
    sa.Column("language", sa.String(16), nullable=False, comment="Language of the emails sent to it"),
    sa.Column(
        "confirmed",
        sa.BigInteger,
        nullable=True,
        comment="When its owner confirmed it (a link, or a provider's verified address); NULL: not yet",
    ),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Index("uq_email_addresses_site_id_email", "site_id", "email", unique=True),
    comment="A reader's address on one site for notification email (services/subscriptions.py)",
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "address_id",
        sa.BigInteger,
        sa.ForeignKey("email_addresses.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "kind",
        sa.String(8),
        nullable=False,
        comment="replies: replies to one comment | thread: new comments on one article | "
        "site: every new public comment of the site (moderators)",
    ),
    sa.Column(
        "target",
        sa.String(40),
        nullable=False,
        comment="What it follows, unique per address: c:<comment id> | t:<thread id> | s:<site id>",
    ),
    sa.Column("thread_id", sa.BigInteger, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=True),
    sa.Column("comment_id", sa.String(24), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
    sa.Column("mode", sa.String(10), nullable=False, comment="immediate: batched per minute | digest: daily"),
    sa.Column(
        "state", sa.String(8), nullable=False, comment="pending: its address is not confirmed yet | active"
    ),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Index("uq_subscriptions_address_id_target", "address_id", "target", unique=True),
    sa.Index("ix_subscriptions_comment_id", "comment_id"),
    sa.Index("ix_subscriptions_thread_id", "thread_id"),
    comment="What an address is told about by email: replies, a thread, or a whole site",
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "address_id",
        sa.BigInteger,
        sa.ForeignKey("email_addresses.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "subscription_id",
        sa.BigInteger,
        sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("comment_id", sa.String(24), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("mode", sa.String(10), nullable=False, comment="immediate | digest: the email that carries it"),
    sa.Column("due", sa.BigInteger, nullable=False, comment="When the email that carries it is sent"),
    sa.Column("sent", sa.BigInteger, nullable=True, comment="When it was mailed; NULL: waiting"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Index("uq_notifications_address_id_comment_id", "address_id", "comment_id", unique=True),
    sa.Index("ix_notifications_address_id_sent", "address_id", "sent"),
    comment="One comment to tell one address about: batched into one email per minute or per day",
)

suppressions = sa.Table(
    "suppressions",
    metadata,
    sa.Column("email", sa.String(254), primary_key=True, comment="Normalised (lower-cased) address"),
    sa.Column("reason", sa.String(500), nullable=False, comment="The mail server's permanent (5xx) answer"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    comment="Addresses no notification is sent to any more: their mail server refused them for good",
)

comment_images = sa.Table(
    "comment_images",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True, comment="Random id the uploader attaches it by"),
    sa.Column(
        "name",
        sa.String(64),
        nullable=False,
        comment="Stored and served name: content hash, random part, extension (immutable)",
    ),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "comment_id",
        sa.String(24),
        sa.ForeignKey("comments.id", ondelete="SET NULL"),
        nullable=True,
        comment="The comment it belongs to; NULL: not attached yet, or its comment was removed",
    ),
    sa.Column(
        "state",
        sa.String(12),
        nullable=False,
        comment="uploaded: waits to be attached | attached: shown with its comment | "
        "discarded: its bytes are being deleted",
    ),
    sa.Column("media_type", sa.String(32), nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("frames", sa.Integer, nullable=False, server_default="1"),
    sa.Column("size", sa.Integer, nullable=False, comment="Bytes stored (after re-encoding)"),
    sa.Column("alt", sa.String(300), nullable=False, server_default="", comment="Text alternative"),
    sa.Column("position", sa.Integer, nullable=False, server_default="0", comment="Order in its comment"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Index("uq_comment_images_name", "name", unique=True),
    sa.Index("ix_comment_images_comment_id", "comment_id"),
    sa.Index("ix_comment_images_state_created", "state", "created"),
    comment="Images attached to comments (bytes in the image storage, media/); public only while the "
    "comment is",
)

# --- the moderation desk (migration 0013): full-text search is built beside these, outside the metadata:
# SQLite's FTS5 table `comments_fts` (+ `comments_fts_ids`) and PostgreSQL's generated `comments.search`
# tsvector with its GIN index (store/search.py). SEARCH_OBJECTS names them for the schema comparisons.

comment_edits = sa.Table(
    "comment_edits",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("comment_id", sa.String(24), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("previous_text", sa.Text, nullable=False, comment="The Markdown before this edit"),
    sa.Column("text", sa.Text, nullable=False, comment="The Markdown the moderator wrote"),
    sa.Column("note", sa.String(500), nullable=True, comment="The public note shown with the comment"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Column("created_by", sa.String(64), nullable=False, comment="The moderator (log actor id)"),
    sa.Index("ix_comment_edits_comment_id", "comment_id"),
    comment="Every moderator edit of a comment's text: who, when, the text before and after",
)

commenter_warnings = sa.Table(
    "commenter_warnings",
    metadata,
    sa.Column("id", sa.String(24), primary_key=True, comment="Public random id, shown to the warned only"),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("email_hash", sa.String(64), nullable=True, comment="Keyed hash of a guest's email (as bans)"),
    sa.Column("message", sa.Text, nullable=False, comment="What the commenter reads before posting again"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("acknowledged", sa.BigInteger, nullable=True, comment="When they acknowledged; NULL: not yet"),
    sa.CheckConstraint("identity_id IS NOT NULL OR email_hash IS NOT NULL", name="has_target"),
    sa.Index("ix_commenter_warnings_site_id_identity_id", "site_id", "identity_id"),
    sa.Index("ix_commenter_warnings_site_id_email_hash", "site_id", "email_hash"),
    comment="Warnings a commenter must acknowledge before posting again on the site",
)

premoderated_commenters = sa.Table(
    "premoderated_commenters",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("email_hash", sa.String(64), nullable=True, comment="Keyed hash of a guest's email (as bans)"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.CheckConstraint("identity_id IS NOT NULL OR email_hash IS NOT NULL", name="has_target"),
    sa.Index("ix_premoderated_commenters_site_id_identity_id", "site_id", "identity_id"),
    sa.Index("ix_premoderated_commenters_site_id_email_hash", "site_id", "email_hash"),
    comment="Commenters whose new comments are always held for review on the site, whatever the checks say",
)

commenter_notes = sa.Table(
    "commenter_notes",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("email_hash", sa.String(64), nullable=True, comment="Keyed hash of a guest's email (as bans)"),
    sa.Column(
        "author_key", sa.String(40), nullable=True, comment="A guest without an email: their author key"
    ),
    sa.Column("text", sa.Text, nullable=False, comment="Seen by the site's moderators only"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Index("ix_commenter_notes_site_id_identity_id", "site_id", "identity_id"),
    sa.Index("ix_commenter_notes_site_id_email_hash", "site_id", "email_hash"),
    comment="Moderators' notes on a commenter, shared between the site's moderators",
)

saved_filters = sa.Table(
    "saved_filters",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(64), nullable=False, comment="The moderator who saved it (log actor id)"),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("query", sa.JSON, nullable=False, comment="The search's parameters (services/admin_desk.py)"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Index("uq_saved_filters_owner_name", "owner", "name", unique=True),
    comment="Named comment searches a moderator can run again",
)

SEARCH_OBJECTS = frozenset({"comments_fts", "comments_fts_ids", "search", "ix_comments_search"})


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """For Alembic comparisons: the full-text search objects of migration 0013 (and FTS5's shadow tables)
    are not in the metadata on purpose (virtual table, triggers, a generated tsvector column)."""
    if name is None:
        return True
    return not (name in SEARCH_OBJECTS or name.startswith("comments_fts"))


# --- Digital Services Act (services/moderation/notices.py): notices of illegal content, statements of
# reasons, and when each reader last opened their inbox (services/inbox.py) -------------------------------

legal_notices = sa.Table(
    "legal_notices",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "comment_id",
        sa.String(24),
        nullable=False,
        comment="The comment noticed; no foreign key: the record outlives the comment (transparency report)",
    ),
    sa.Column(
        "location", sa.String(2048), nullable=False, comment="The exact URL of the comment (Art. 16(2)(b))"
    ),
    sa.Column(
        "category", sa.String(32), nullable=False, comment="What kind of illegality (moderation/notices.py)"
    ),
    sa.Column(
        "explanation", sa.Text, nullable=False, comment="Why the notifier holds it illegal (Art. 16(2)(a))"
    ),
    sa.Column(
        "notifier_name", sa.String(200), nullable=True, comment="NULL only for child sexual abuse material"
    ),
    sa.Column("notifier_email", sa.String(254), nullable=True, comment="Never public; NULL only for CSAM"),
    sa.Column("good_faith", sa.Boolean, nullable=False, comment="The Art. 16(2)(d) statement was confirmed"),
    sa.Column("language", sa.String(16), nullable=False, comment="Language of the emails to the notifier"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Column("decided", sa.BigInteger, nullable=True, comment="When a moderator decided; NULL: open"),
    sa.Column("decision", sa.String(16), nullable=True, comment="remove | restrict | none (no action)"),
    sa.Column(
        "ground", sa.String(500), nullable=True, comment="The law or terms clause the decision rests on"
    ),
    sa.Column("reasons", sa.Text, nullable=True, comment="The moderator's reasons, sent to the notifier"),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Index("ix_legal_notices_site_id_decided", "site_id", "decided"),
    sa.Index("ix_legal_notices_comment_id", "comment_id"),
    comment="Notices of illegal content (DSA Art. 16) and the decisions on them",
)

statements = sa.Table(
    "statements",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("comment_id", sa.String(24), nullable=False, comment="The restricted comment (no foreign key)"),
    sa.Column(
        "identity_id",
        sa.String(24),
        sa.ForeignKey("identities.id", ondelete="SET NULL"),
        nullable=True,
        comment="The signed-in author, who sees it in the inbox; NULL for a guest",
    ),
    sa.Column("restriction", sa.String(16), nullable=False, comment="removed | restricted"),
    sa.Column(
        "action", sa.String(20), nullable=False, comment="The moderation action (reject, spam, delete, hold)"
    ),
    sa.Column("reason_code", sa.String(64), nullable=True, comment="The reject reason code, if any"),
    sa.Column("facts", sa.Text, nullable=True, comment="The moderator's own words on the facts"),
    sa.Column("automated", sa.Boolean, nullable=False, comment="An automated check flagged or held it"),
    sa.Column("ground_kind", sa.String(8), nullable=False, comment="legal | terms"),
    sa.Column(
        "ground", sa.String(500), nullable=True, comment="The law or terms clause, as the moderator wrote it"
    ),
    sa.Column("notice_id", sa.BigInteger, nullable=True, comment="The notice it answers, if any"),
    sa.Column("created", sa.BigInteger, nullable=False, comment="Microseconds since the epoch, UTC"),
    sa.Column("emailed", sa.BigInteger, nullable=True, comment="When it was mailed to the author; NULL: not"),
    sa.Column(
        "automated_check",
        sa.String(32),
        nullable=True,
        comment="The automated check that held the comment by itself (no person); NULL: a moderator",
    ),
    sa.Column(
        "reversed",
        sa.BigInteger,
        nullable=True,
        comment="When a moderator approved the comment again (the restriction lifted); NULL: in force",
    ),
    sa.Index("ix_statements_identity_id_created", "identity_id", "created"),
    sa.Index("ix_statements_site_id_created", "site_id", "created"),
    sa.Index("ix_statements_comment_id", "comment_id"),
    comment="Statements of reasons (DSA Art. 17) given to authors whose comments were removed or restricted",
)

inbox_reads = sa.Table(
    "inbox_reads",
    metadata,
    sa.Column(
        "identity_id", sa.String(24), sa.ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("seen", sa.BigInteger, nullable=False, comment="When the reader last opened the inbox"),
    comment="A signed-in reader's inbox: replies newer than `seen` are counted as new",
)


# --- ActivityPub (services/activitypub/): site keys, remote actors, followers, remote objects ----------

ap_keys = sa.Table(
    "ap_keys",
    metadata,
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("public_pem", sa.Text, nullable=False, comment="The site actor's RSA public key (PEM)"),
    sa.Column("private_pem", sa.Text, nullable=False, comment="Its private key (PEM); never logged or shown"),
    sa.Column("created", sa.BigInteger, nullable=False),
    comment="One signing key per site actor, made the first time the actor is needed",
)

ap_actors = sa.Table(
    "ap_actors",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("uri", sa.String(2048), nullable=False, unique=True, comment="The remote actor's id (URL)"),
    sa.Column("key_id", sa.String(2048), nullable=False, comment="Its public key's id (URL)"),
    sa.Column("public_pem", sa.Text, nullable=False),
    sa.Column("inbox", sa.String(2048), nullable=False),
    sa.Column("shared_inbox", sa.String(2048), nullable=True),
    sa.Column("domain", sa.String(255), nullable=False, comment="Host of the actor's id (lower case)"),
    sa.Column(
        "handle", sa.String(300), nullable=False, comment="@user@domain, shown as the comment's origin"
    ),
    sa.Column("name", sa.String(200), nullable=False, comment="Its display name (plain text)"),
    sa.Column("profile_url", sa.String(2048), nullable=True, comment="Its profile page"),
    sa.Column("icon_url", sa.String(2048), nullable=True, comment="Its avatar, fetched by rejoinder only"),
    sa.Column(
        "identity_id",
        sa.String(24),
        sa.ForeignKey("identities.id", ondelete="SET NULL"),
        nullable=True,
        comment="The identity its comments are posted as (made on its first reply)",
    ),
    sa.Column("fetched", sa.BigInteger, nullable=False, comment="When the actor document was last fetched"),
    sa.Index("ix_ap_actors_key_id", "key_id"),
    sa.Index("ix_ap_actors_identity", "identity_id"),
    comment="Remote fediverse actors seen by an inbox: their keys (cache, refetched on rotation) and inboxes",
)

ap_followers = sa.Table(
    "ap_followers",
    metadata,
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("actor_id", sa.BigInteger, sa.ForeignKey("ap_actors.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("follow_uri", sa.String(2048), nullable=False, comment="The Follow activity's id"),
    sa.Column("created", sa.BigInteger, nullable=False),
    comment="Remote actors following a site actor (their Follow was accepted)",
)

ap_objects = sa.Table(
    "ap_objects",
    metadata,
    sa.Column("uri", sa.String(2048), primary_key=True, comment="The remote Note's id (URL)"),
    sa.Column("comment_id", sa.String(24), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("actor_id", sa.BigInteger, sa.ForeignKey("ap_actors.id", ondelete="CASCADE"), nullable=False),
    sa.Column("thread_id", sa.BigInteger, sa.ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.String(2048), nullable=True, comment="Where the Note is shown on its server"),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Index("ix_ap_objects_comment", "comment_id"),
    sa.Index("ix_ap_objects_thread", "thread_id"),
    comment="Comments that came from the fediverse: the remote Note each one is",
)

ap_deliveries = sa.Table(
    "ap_deliveries",
    metadata,
    sa.Column(
        "comment_id", sa.String(24), sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("actor_id", sa.BigInteger, sa.ForeignKey("ap_actors.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created", sa.BigInteger, nullable=False, comment="When its Create reached the actor's inbox"),
    comment="Local comments delivered to the fediverse: the remote actors whose inbox took each one's Create",
)

ap_blocked_domains = sa.Table(
    "ap_blocked_domains",
    metadata,
    sa.Column("domain", sa.String(255), primary_key=True, comment="Lower case; covers its subdomains"),
    sa.Column("reason", sa.String(500), nullable=True),
    sa.Column("created", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    comment="Fediverse instances whose activities every inbox refuses",
)


# --- Webmention (services/webmentions.py, docs/federation.md) --------------------------------------------

webmentions = sa.Table(
    "webmentions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.BigInteger, sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "pair", sa.String(64), nullable=False, comment="SHA-256 of source and target: one row per pair"
    ),
    sa.Column("source", sa.String(2048), nullable=False, comment="The page that mentions the target"),
    sa.Column("target", sa.String(2048), nullable=False, comment="Our article's normalised URL"),
    sa.Column(
        "state",
        sa.String(12),
        nullable=False,
        comment="pending: to verify | verified: taken | removed: source gone or no longer linking | "
        "refused: not taken (see error)",
    ),
    sa.Column(
        "kind",
        sa.String(12),
        nullable=True,
        comment="reply (a comment) | like | repost (both a like of the article) | mention; NULL until verified",
    ),
    sa.Column(
        "comment_id",
        sa.String(24),
        sa.ForeignKey("comments.id", ondelete="SET NULL"),
        nullable=True,
        comment="The comment a reply became",
    ),
    sa.Column("liker", sa.String(64), nullable=True, comment="The likes.liker a like or repost counts as"),
    sa.Column("author_name", sa.String(200), nullable=True, comment="From the source's h-card"),
    sa.Column("author_url", sa.String(2048), nullable=True),
    sa.Column("error", sa.String(500), nullable=True, comment="Why it was refused or removed"),
    sa.Column("received", sa.BigInteger, nullable=False, comment="Last request for it, µs UTC"),
    sa.Column("verified", sa.BigInteger, nullable=True, comment="Last verification, µs UTC"),
    sa.Index("uq_webmentions_pair", "pair", unique=True),
    sa.Index("ix_webmentions_comment_id", "comment_id"),
    sa.Index("ix_webmentions_site_id_received", "site_id", "received"),
    comment="Webmentions received: each verified in the background through the outbox",
)

webmention_sends = sa.Table(
    "webmention_sends",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("comment_id", sa.String(24), sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pair", sa.String(64), nullable=False, comment="SHA-256 of comment id and target"),
    sa.Column("source", sa.String(2048), nullable=False, comment="The comment's page on this server"),
    sa.Column("target", sa.String(2048), nullable=False, comment="A page the comment links to"),
    sa.Column(
        "state",
        sa.String(12),
        nullable=False,
        comment="pending: to send | sent | no-endpoint: the target advertises none | failed: refused or given up",
    ),
    sa.Column("endpoint", sa.String(2048), nullable=True, comment="The endpoint discovered"),
    sa.Column("status_code", sa.Integer, nullable=True, comment="The endpoint's last answer"),
    sa.Column("error", sa.String(500), nullable=True),
    sa.Column("updated", sa.BigInteger, nullable=False, comment="µs UTC"),
    sa.Index("uq_webmention_sends_pair", "pair", unique=True),
    sa.Index("ix_webmention_sends_comment_id", "comment_id"),
    comment="Webmentions sent for links in published comments (per site, [webmention] sending)",
)
