"""classifier: moderators' decisions the classifier learns from, and the newest model version per site

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "classifier_decisions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "event_uid",
            sa.String(length=32),
            nullable=False,
            comment="The decision's event (events.uid): a redelivered event adds no second row",
        ),
        sa.Column(
            "comment_id",
            sa.String(length=64),
            nullable=False,
            comment="A later decision on the same comment replaces an earlier one in training",
        ),
        sa.Column(
            "label",
            sa.String(length=8),
            nullable=False,
            comment="ham: approved | spam: marked as spam | abuse: rejected as abuse, harassment or hate",
        ),
        sa.Column("text", sa.Text(), nullable=False, comment="The comment's text as it was decided on"),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_classifier_decisions_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classifier_decisions")),
        sa.UniqueConstraint("event_uid", name=op.f("uq_classifier_decisions_event_uid")),
        comment="Moderators' decisions the learning classifier trains on, shared by every host",
    )
    with op.batch_alter_table("classifier_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_classifier_decisions_site_id", ["site_id", "id"], unique=False)
    op.create_table(
        "classifier_models",
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="Counts the site's trainings from 1"),
        sa.Column(
            "decisions_seen",
            sa.BigInteger(),
            nullable=False,
            comment="The last classifier_decisions.id the model was trained with (it used every row up to it)",
        ),
        sa.Column("trained_at", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.Column(
            "feature_version", sa.Integer(), nullable=False, comment="features.FEATURE_VERSION at training"
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_classifier_models_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_classifier_models")),
        comment="The newest per-site model: a host whose loaded model is older loads or refits this version",
    )


def downgrade() -> None:
    op.drop_table("classifier_models")
    with op.batch_alter_table("classifier_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_classifier_decisions_site_id")
    op.drop_table("classifier_decisions")
