"""comment images: the images readers attach to comments, and the comment's list of them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(
            sa.Column(
                "images",
                sa.Text(),
                nullable=True,
                comment="JSON list of the attached images as shown: name, width, height, alt (comment_images)",
            )
        )
    op.create_table(
        "comment_images",
        sa.Column(
            "id", sa.String(length=24), nullable=False, comment="Random id the uploader attaches it by"
        ),
        sa.Column(
            "name",
            sa.String(length=64),
            nullable=False,
            comment="Stored and served name: content hash, random part, extension (immutable)",
        ),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "comment_id",
            sa.String(length=24),
            nullable=True,
            comment="The comment it belongs to; NULL: not attached yet, or its comment was removed",
        ),
        sa.Column(
            "state",
            sa.String(length=12),
            nullable=False,
            comment="uploaded: waits to be attached | attached: shown with its comment | "
            "discarded: its bytes are being deleted",
        ),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("frames", sa.Integer(), server_default="1", nullable=False),
        sa.Column("size", sa.Integer(), nullable=False, comment="Bytes stored (after re-encoding)"),
        sa.Column(
            "alt", sa.String(length=300), server_default="", nullable=False, comment="Text alternative"
        ),
        sa.Column(
            "position", sa.Integer(), server_default="0", nullable=False, comment="Order in its comment"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_images_comment_id_comments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_comment_images_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_images")),
        comment="Images attached to comments (bytes in the image storage, media/); public only while the "
        "comment is",
    )
    op.create_index("uq_comment_images_name", "comment_images", ["name"], unique=True)
    op.create_index("ix_comment_images_comment_id", "comment_images", ["comment_id"], unique=False)
    op.create_index("ix_comment_images_state_created", "comment_images", ["state", "created"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_comment_images_state_created", table_name="comment_images")
    op.drop_index("ix_comment_images_comment_id", table_name="comment_images")
    op.drop_index("uq_comment_images_name", table_name="comment_images")
    op.drop_table("comment_images")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("images")
