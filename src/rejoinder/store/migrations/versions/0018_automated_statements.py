"""statements: the automated check that restricted a comment by itself, and when a statement was reversed

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "automated_check",
                sa.String(length=32),
                nullable=True,
                comment="The automated check that held the comment by itself (no person); NULL: a moderator",
            )
        )
        batch_op.add_column(
            sa.Column(
                "reversed",
                sa.BigInteger(),
                nullable=True,
                comment="When a moderator approved the comment again (the restriction lifted); NULL: in force",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_column("reversed")
        batch_op.drop_column("automated_check")
