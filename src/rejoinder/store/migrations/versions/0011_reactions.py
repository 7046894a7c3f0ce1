"""reactions and mutes: readers' reactions to articles and comments, and the commenters a signed-in reader
muted (issue #19)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reactions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "comment_id",
            sa.String(length=24),
            nullable=False,
            comment="The comment reacted to; empty string = the article",
        ),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="A kind of domain/reactions.CATALOG"),
        sa.Column(
            "reactor", sa.String(length=64), nullable=False, comment="Keyed hash of the visitor (or identity)"
        ),
        sa.Column("name", sa.String(length=200), nullable=True, comment="Shown in 'people reacted' when set"),
        sa.Column("avatar_key", sa.String(length=40), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column(
            "identity_id",
            sa.String(length=24),
            nullable=True,
            comment="The signed-in reactor; NULL for a visitor. name is set only if the identity shows in likes",
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_reactions_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_reactions_thread_id_threads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reactions")),
        sa.UniqueConstraint(
            "thread_id",
            "comment_id",
            "kind",
            "reactor",
            name=op.f("uq_reactions_thread_id_comment_id_kind_reactor"),
        ),
        comment="One row per reader, kind and thing reacted to (services/reactions.py)",
    )
    op.create_index("ix_reactions_reactor", "reactions", ["reactor", "thread_id"])
    op.create_index("ix_reactions_identity", "reactions", ["identity_id"])
    op.create_table(
        "mutes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("identity_id", sa.String(length=24), nullable=False),
        sa.Column(
            "author_key", sa.String(length=40), nullable=False, comment="The muted commenter's author key"
        ),
        sa.Column(
            "name",
            sa.String(length=200),
            nullable=False,
            comment="Their name when muted (for the settings list)",
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_mutes_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mutes")),
        sa.UniqueConstraint("identity_id", "author_key", name=op.f("uq_mutes_identity_id_author_key")),
        comment="Commenters a signed-in reader muted; applied by the widget, never to the shared thread",
    )


def downgrade() -> None:
    op.drop_table("mutes")
    op.drop_index("ix_reactions_identity", table_name="reactions")
    op.drop_index("ix_reactions_reactor", table_name="reactions")
    op.drop_table("reactions")
