"""imports: the source id of every imported comment, so that importing a file again adds nothing

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_comments",
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "format",
            sa.String(length=16),
            nullable=False,
            comment="The importer's name: wxr, disqus, commento…",
        ),
        sa.Column(
            "source_id",
            sa.String(length=200),
            nullable=False,
            comment="The comment's id in the exporting system",
        ),
        sa.Column(
            "comment_id",
            sa.String(length=24),
            nullable=False,
            comment="Our comment made from it: it was imported, and sends no notification",
        ),
        sa.Column(
            "digest",
            sa.String(length=32),
            nullable=False,
            comment="Of the record as last imported: unchanged = skip it",
        ),
        sa.Column("imported", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_imported_comments_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_imported_comments_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "format", "source_id", name=op.f("pk_imported_comments")),
        comment="Source ids of imported comments: importing the same file again adds nothing",
    )
    with op.batch_alter_table("imported_comments", schema=None) as batch_op:
        batch_op.create_index("ix_imported_comments_comment_id", ["comment_id"], unique=False)


def downgrade() -> None:
    op.drop_table("imported_comments")
