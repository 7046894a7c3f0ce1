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
    sa.Index("ix_comments_thread_created", "thread_id", "created"),
    sa.Index("ix_comments_parent", "parent_id"),
    sa.Index("ix_comments_visitor", "thread_id", "visitor_hash"),
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
    sa.UniqueConstraint("thread_id", "comment_id", "liker"),
    sa.Index("ix_likes_liker", "liker", "thread_id"),
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
