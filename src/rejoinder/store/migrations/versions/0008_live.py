"""live: an index to read a thread's recent events (live updates and their resumption)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 07:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_thread_created", "events", ["thread_id", "created"])


def downgrade() -> None:
    op.drop_index("ix_events_thread_created", table_name="events")
