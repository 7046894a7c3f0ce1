"""outbox: domain events written with the change they announce, and their delivery state per handler

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("uid", sa.String(length=32), nullable=False, comment="Public event id, stable on retries"),
        sa.Column(
            "kind",
            sa.String(length=40),
            nullable=False,
            comment="events.kinds.EventKind value, e.g. comment.posted",
        ),
        sa.Column(
            "site_id", sa.BigInteger(), nullable=True, comment="No foreign key: events outlive what they name"
        ),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "subject",
            sa.String(length=64),
            nullable=True,
            comment="What it is about: a comment id, identity id…",
        ),
        sa.Column(
            "data", sa.JSON(), nullable=False, comment="Kind-specific details (events.kinds.Event.data)"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("uid", name=op.f("uq_events_uid")),
        comment="Domain events, written in the same transaction as the change they announce (the outbox)",
    )
    op.create_table(
        "event_deliveries",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("handler", sa.String(length=40), nullable=False, comment="The registered handler's name"),
        sa.Column(
            "queue",
            sa.String(length=40),
            nullable=False,
            comment="Ordering key: deliveries of one handler and queue run in id order (t:THREAD, s:SITE or -)",
        ),
        sa.Column(
            "state",
            sa.String(length=8),
            nullable=False,
            comment="pending: to deliver (or retrying) | done: delivered | dead: gave up, /admin can retry",
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_at", sa.BigInteger(), nullable=False, comment="Not before this time (backoff)"),
        sa.Column("lease_until", sa.BigInteger(), nullable=True, comment="A dispatcher holds it until then"),
        sa.Column("lease_owner", sa.String(length=40), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("finished", sa.BigInteger(), nullable=True, comment="When it was delivered or given up"),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_event_deliveries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_deliveries")),
        sa.UniqueConstraint("event_id", "handler", name=op.f("uq_event_deliveries_event_id_handler")),
        comment="One row per event and handler: the outbox's delivery state",
    )
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_event_deliveries_state_next_at", ["state", "next_at"], unique=False)
        batch_op.create_index(
            "ix_event_deliveries_handler_queue_state", ["handler", "queue", "state"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_event_deliveries_handler_queue_state")
        batch_op.drop_index("ix_event_deliveries_state_next_at")
    op.drop_table("event_deliveries")
    op.drop_table("events")
