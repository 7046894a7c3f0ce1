"""webmentions: Webmentions received (verified through the outbox) and sent for links in comments

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webmentions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "pair",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of source and target: one row per pair",
        ),
        sa.Column(
            "source", sa.String(length=2048), nullable=False, comment="The page that mentions the target"
        ),
        sa.Column("target", sa.String(length=2048), nullable=False, comment="Our article's normalised URL"),
        sa.Column(
            "state",
            sa.String(length=12),
            nullable=False,
            comment="pending: to verify | verified: taken | removed: source gone or no longer linking | "
            "refused: not taken (see error)",
        ),
        sa.Column(
            "kind",
            sa.String(length=12),
            nullable=True,
            comment="reply (a comment) | like | repost (both a like of the article) | mention; NULL until verified",
        ),
        sa.Column("comment_id", sa.String(length=24), nullable=True, comment="The comment a reply became"),
        sa.Column(
            "liker", sa.String(length=64), nullable=True, comment="The likes.liker a like or repost counts as"
        ),
        sa.Column("author_name", sa.String(length=200), nullable=True, comment="From the source's h-card"),
        sa.Column("author_url", sa.String(length=2048), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True, comment="Why it was refused or removed"),
        sa.Column("received", sa.BigInteger(), nullable=False, comment="Last request for it, µs UTC"),
        sa.Column("verified", sa.BigInteger(), nullable=True, comment="Last verification, µs UTC"),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_webmentions_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_webmentions_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webmentions")),
        comment="Webmentions received: each verified in the background through the outbox",
    )
    with op.batch_alter_table("webmentions", schema=None) as batch_op:
        batch_op.create_index("uq_webmentions_pair", ["pair"], unique=True)
        batch_op.create_index("ix_webmentions_comment_id", ["comment_id"], unique=False)
        batch_op.create_index("ix_webmentions_site_id_received", ["site_id", "received"], unique=False)
    op.create_table(
        "webmention_sends",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("comment_id", sa.String(length=24), nullable=False),
        sa.Column("pair", sa.String(length=64), nullable=False, comment="SHA-256 of comment id and target"),
        sa.Column(
            "source", sa.String(length=2048), nullable=False, comment="The comment's page on this server"
        ),
        sa.Column("target", sa.String(length=2048), nullable=False, comment="A page the comment links to"),
        sa.Column(
            "state",
            sa.String(length=12),
            nullable=False,
            comment="pending: to send | sent | no-endpoint: the target advertises none | failed: refused or given up",
        ),
        sa.Column("endpoint", sa.String(length=2048), nullable=True, comment="The endpoint discovered"),
        sa.Column("status_code", sa.Integer(), nullable=True, comment="The endpoint's last answer"),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("updated", sa.BigInteger(), nullable=False, comment="µs UTC"),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_webmention_sends_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webmention_sends")),
        comment="Webmentions sent for links in published comments (per site, [webmention] sending)",
    )
    with op.batch_alter_table("webmention_sends", schema=None) as batch_op:
        batch_op.create_index("uq_webmention_sends_pair", ["pair"], unique=True)
        batch_op.create_index("ix_webmention_sends_comment_id", ["comment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webmention_sends", schema=None) as batch_op:
        batch_op.drop_index("ix_webmention_sends_comment_id")
        batch_op.drop_index("uq_webmention_sends_pair")
    op.drop_table("webmention_sends")
    with op.batch_alter_table("webmentions", schema=None) as batch_op:
        batch_op.drop_index("ix_webmentions_site_id_received")
        batch_op.drop_index("ix_webmentions_comment_id")
        batch_op.drop_index("uq_webmentions_pair")
    op.drop_table("webmentions")
