"""legal notices: notices of illegal content (DSA Art. 16), statements of reasons (Art. 17) and when each
reader last opened their inbox

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
US = "Microseconds since the epoch, UTC"


def upgrade() -> None:
    op.create_table(
        "legal_notices",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "comment_id",
            sa.String(length=24),
            nullable=False,
            comment="The comment noticed; no foreign key: the record outlives the comment (transparency report)",
        ),
        sa.Column(
            "location",
            sa.String(length=2048),
            nullable=False,
            comment="The exact URL of the comment (Art. 16(2)(b))",
        ),
        sa.Column(
            "category",
            sa.String(length=32),
            nullable=False,
            comment="What kind of illegality (moderation/notices.py)",
        ),
        sa.Column(
            "explanation",
            sa.Text(),
            nullable=False,
            comment="Why the notifier holds it illegal (Art. 16(2)(a))",
        ),
        sa.Column(
            "notifier_name",
            sa.String(length=200),
            nullable=True,
            comment="NULL only for child sexual abuse material",
        ),
        sa.Column(
            "notifier_email", sa.String(length=254), nullable=True, comment="Never public; NULL only for CSAM"
        ),
        sa.Column(
            "good_faith", sa.Boolean(), nullable=False, comment="The Art. 16(2)(d) statement was confirmed"
        ),
        sa.Column(
            "language", sa.String(length=16), nullable=False, comment="Language of the emails to the notifier"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False, comment=US),
        sa.Column("decided", sa.BigInteger(), nullable=True, comment="When a moderator decided; NULL: open"),
        sa.Column(
            "decision", sa.String(length=16), nullable=True, comment="remove | restrict | none (no action)"
        ),
        sa.Column(
            "ground",
            sa.String(length=500),
            nullable=True,
            comment="The law or terms clause the decision rests on",
        ),
        sa.Column(
            "reasons", sa.Text(), nullable=True, comment="The moderator's reasons, sent to the notifier"
        ),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_legal_notices_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_notices")),
        comment="Notices of illegal content (DSA Art. 16) and the decisions on them",
    )
    op.create_index("ix_legal_notices_site_id_decided", "legal_notices", ["site_id", "decided"])
    op.create_index("ix_legal_notices_comment_id", "legal_notices", ["comment_id"])
    op.create_table(
        "statements",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "comment_id",
            sa.String(length=24),
            nullable=False,
            comment="The restricted comment (no foreign key)",
        ),
        sa.Column(
            "identity_id",
            sa.String(length=24),
            nullable=True,
            comment="The signed-in author, who sees it in the inbox; NULL for a guest",
        ),
        sa.Column("restriction", sa.String(length=16), nullable=False, comment="removed | restricted"),
        sa.Column(
            "action",
            sa.String(length=20),
            nullable=False,
            comment="The moderation action (reject, spam, delete, hold)",
        ),
        sa.Column(
            "reason_code", sa.String(length=64), nullable=True, comment="The reject reason code, if any"
        ),
        sa.Column("facts", sa.Text(), nullable=True, comment="The moderator's own words on the facts"),
        sa.Column("automated", sa.Boolean(), nullable=False, comment="An automated check flagged or held it"),
        sa.Column("ground_kind", sa.String(length=8), nullable=False, comment="legal | terms"),
        sa.Column(
            "ground",
            sa.String(length=500),
            nullable=True,
            comment="The law or terms clause, as the moderator wrote it",
        ),
        sa.Column("notice_id", sa.BigInteger(), nullable=True, comment="The notice it answers, if any"),
        sa.Column("created", sa.BigInteger(), nullable=False, comment=US),
        sa.Column(
            "emailed", sa.BigInteger(), nullable=True, comment="When it was mailed to the author; NULL: not"
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_statements_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_statements_identity_id_identities"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
        comment="Statements of reasons (DSA Art. 17) given to authors whose comments were removed or restricted",
    )
    op.create_index("ix_statements_identity_id_created", "statements", ["identity_id", "created"])
    op.create_index("ix_statements_site_id_created", "statements", ["site_id", "created"])
    op.create_index("ix_statements_comment_id", "statements", ["comment_id"])
    op.create_table(
        "inbox_reads",
        sa.Column("identity_id", sa.String(length=24), nullable=False),
        sa.Column("seen", sa.BigInteger(), nullable=False, comment="When the reader last opened the inbox"),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_inbox_reads_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("identity_id", name=op.f("pk_inbox_reads")),
        comment="A signed-in reader's inbox: replies newer than `seen` are counted as new",
    )


def downgrade() -> None:
    op.drop_table("inbox_reads")
    op.drop_table("statements")
    op.drop_table("legal_notices")
