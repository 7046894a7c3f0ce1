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
        comment="published: public, unreviewed | pending: held, author only | spam: hidden | deleted: placeholder",
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
    sa.Index("ix_comments_thread_created", "thread_id", "created"),
    sa.Index("ix_comments_parent", "parent_id"),
    sa.Index("ix_comments_visitor", "thread_id", "visitor_hash"),
    sa.Index("ix_comments_identity", "identity_id"),
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
