"""webhooks: a site's webhook endpoints and the log of every attempt to deliver to them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "url", sa.String(length=2000), nullable=False, comment="Where events are POSTed (https, public)"
        ),
        sa.Column(
            "events", sa.JSON(), nullable=False, comment="Webhook event types it wants, e.g. comment.created"
        ),
        sa.Column("description", sa.String(length=200), server_default="", nullable=False),
        sa.Column(
            "secret",
            sa.String(length=100),
            nullable=False,
            comment="whsec_…: signs every delivery (HMAC-SHA256)",
        ),
        sa.Column(
            "previous_secret",
            sa.String(length=100),
            nullable=True,
            comment="The secret before the last rotation",
        ),
        sa.Column(
            "previous_until",
            sa.BigInteger(),
            nullable=True,
            comment="Deliveries are signed with the previous secret too until then (rotation overlap)",
        ),
        sa.Column(
            "state",
            sa.String(length=8),
            nullable=False,
            comment="active: receives events | disabled: gave up after a day of failures, or turned off",
        ),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_webhook_endpoints_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
        comment="A site's webhook subscriptions (notify/webhooks.py signs, services/webhooks.py delivers)",
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_endpoints_site_id", ["site_id"], unique=False)
    op.create_table(
        "webhook_attempts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("endpoint_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "event_uid", sa.String(length=32), nullable=False, comment="events.uid, sent as webhook-id"
        ),
        sa.Column("event_type", sa.String(length=40), nullable=False, comment="The webhook event type sent"),
        sa.Column("attempted", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.Column(
            "status_code", sa.Integer(), nullable=True, comment="The receiver's answer; None: no answer"
        ),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column(
            "error", sa.String(length=500), nullable=True, comment="Why it failed; None: delivered (2xx)"
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_attempts_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
        comment="Every attempt to deliver an event to a webhook endpoint: the delivery log /admin shows",
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_attempts_endpoint_id", ["endpoint_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_attempts_endpoint_id")
    op.drop_table("webhook_attempts")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_endpoints_site_id")
    op.drop_table("webhook_endpoints")
