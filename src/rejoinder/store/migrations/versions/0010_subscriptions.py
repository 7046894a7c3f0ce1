"""subscriptions: readers' addresses per site, what they follow by email, the comments waiting to be mailed
and the addresses mail servers refused for good

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
US = "Microseconds since the epoch, UTC"


def upgrade() -> None:
    op.create_table(
        "email_addresses",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "email",
            sa.String(length=254),
            nullable=False,
            comment="Normalised (lower-cased) address; never returned",
        ),
        sa.Column(
            "language", sa.String(length=16), nullable=False, comment="Language of the emails sent to it"
        ),
        sa.Column(
            "confirmed",
            sa.BigInteger(),
            nullable=True,
            comment="When its owner confirmed it (a link, or a provider's verified address); NULL: not yet",
        ),
        sa.Column("created", sa.BigInteger(), nullable=False, comment=US),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_email_addresses_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_addresses")),
        comment="A reader's address on one site for notification email (services/subscriptions.py)",
    )
    op.create_index("uq_email_addresses_site_id_email", "email_addresses", ["site_id", "email"], unique=True)
    op.create_table(
        "subscriptions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("address_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.String(length=8),
            nullable=False,
            comment="replies: replies to one comment | thread: new comments on one article | "
            "site: every new public comment of the site (moderators)",
        ),
        sa.Column(
            "target",
            sa.String(length=40),
            nullable=False,
            comment="What it follows, unique per address: c:<comment id> | t:<thread id> | s:<site id>",
        ),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("comment_id", sa.String(length=24), nullable=True),
        sa.Column(
            "mode",
            sa.String(length=10),
            nullable=False,
            comment="immediate: batched per minute | digest: daily",
        ),
        sa.Column(
            "state",
            sa.String(length=8),
            nullable=False,
            comment="pending: its address is not confirmed yet | active",
        ),
        sa.Column("created", sa.BigInteger(), nullable=False, comment=US),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["email_addresses.id"],
            name=op.f("fk_subscriptions_address_id_email_addresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_subscriptions_thread_id_threads"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_subscriptions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        comment="What an address is told about by email: replies, a thread, or a whole site",
    )
    op.create_index(
        "uq_subscriptions_address_id_target", "subscriptions", ["address_id", "target"], unique=True
    )
    op.create_index("ix_subscriptions_comment_id", "subscriptions", ["comment_id"])
    op.create_index("ix_subscriptions_thread_id", "subscriptions", ["thread_id"])
    op.create_table(
        "notifications",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("address_id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("comment_id", sa.String(length=24), nullable=False),
        sa.Column(
            "mode",
            sa.String(length=10),
            nullable=False,
            comment="immediate | digest: the email that carries it",
        ),
        sa.Column("due", sa.BigInteger(), nullable=False, comment="When the email that carries it is sent"),
        sa.Column("sent", sa.BigInteger(), nullable=True, comment="When it was mailed; NULL: waiting"),
        sa.Column("created", sa.BigInteger(), nullable=False, comment=US),
        sa.ForeignKeyConstraint(
            ["address_id"],
            ["email_addresses.id"],
            name=op.f("fk_notifications_address_id_email_addresses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_notifications_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_notifications_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        comment="One comment to tell one address about: batched into one email per minute or per day",
    )
    op.create_index(
        "uq_notifications_address_id_comment_id", "notifications", ["address_id", "comment_id"], unique=True
    )
    op.create_index("ix_notifications_address_id_sent", "notifications", ["address_id", "sent"])
    op.create_table(
        "suppressions",
        sa.Column("email", sa.String(length=254), nullable=False, comment="Normalised (lower-cased) address"),
        sa.Column(
            "reason",
            sa.String(length=500),
            nullable=False,
            comment="The mail server's permanent (5xx) answer",
        ),
        sa.Column("created", sa.BigInteger(), nullable=False, comment=US),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_suppressions")),
        comment="Addresses no notification is sent to any more: their mail server refused them for good",
    )


def downgrade() -> None:
    op.drop_table("suppressions")
    op.drop_table("notifications")
    op.drop_table("subscriptions")
    op.drop_table("email_addresses")
