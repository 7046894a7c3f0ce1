"""ap_deliveries: the remote actors each local comment's Create reached (its Update and Delete follow it)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ap_deliveries",
        sa.Column("comment_id", sa.String(length=24), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created", sa.BigInteger(), nullable=False, comment="When its Create reached the actor's inbox"
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["ap_actors.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("comment_id", "actor_id"),
        comment="Local comments delivered to the fediverse: the remote actors whose inbox took each one's Create",
    )


def downgrade() -> None:
    op.drop_table("ap_deliveries")
