"""moderation: check results per comment revision, reader reports, bans, roles, the append-only moderation
log; closed threads; moderation columns on comments (pinned, featured, staff, flagged, status reason…)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 16:08:59.254737
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD_STATUS_COMMENT = (
    "published: public, unreviewed | pending: held, author only | spam: hidden | deleted: placeholder"
)
STATUS_COMMENT = (
    "published: public, unreviewed | approved: public, reviewed | pending: held, author only | "
    "spam, rejected: hidden | deleted: placeholder"
)


def upgrade() -> None:
    op.create_table(
        "moderation_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "site_id",
            sa.BigInteger(),
            nullable=True,
            comment="The site acted on (no foreign key: the log outlives what it is about)",
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column(
            "actor", sa.String(length=64), nullable=False, comment="Identity id, 'cli', 'system' or 'reports'"
        ),
        sa.Column(
            "action", sa.String(length=32), nullable=False, comment="approve, reject, spam, delete, ban, …"
        ),
        sa.Column(
            "target_kind", sa.String(length=16), nullable=False, comment="comment | thread | identity | ban"
        ),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("reason_code", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "data", sa.JSON(), nullable=True, comment="Action-specific details, e.g. the previous status"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
        comment="Append-only record of every moderation decision: who, when, what, why",
    )
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_log_site_created", ["site_id", "created"], unique=False)
        batch_op.create_index("ix_moderation_log_target", ["target_kind", "target_id"], unique=False)

    op.create_table(
        "bans",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column(
            "site_id",
            sa.BigInteger(),
            nullable=True,
            comment="The site the ban applies to; NULL = every site",
        ),
        sa.Column("identity_id", sa.String(length=24), nullable=True, comment="A banned signed-in identity"),
        sa.Column(
            "email_hash",
            sa.String(length=64),
            nullable=True,
            comment="Keyed hash of a banned (lower-cased) email",
        ),
        sa.Column("ip_range", sa.String(length=64), nullable=True, comment="A banned network in CIDR form"),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column(
            "reject_all",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
            comment="true: the author's existing comments were rejected when the ban was made",
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("until", sa.BigInteger(), nullable=True, comment="End of a suspension; NULL = permanent"),
        sa.Column("lifted", sa.BigInteger(), nullable=True, comment="When a moderator lifted it early"),
        sa.Column("lifted_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "identity_id IS NOT NULL OR email_hash IS NOT NULL OR ip_range IS NOT NULL",
            name=op.f("ck_bans_has_target"),
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_bans_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_bans_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bans")),
        comment="Bans and suspensions by identity, email or network",
    )
    with op.batch_alter_table("bans", schema=None) as batch_op:
        batch_op.create_index("ix_bans_email_hash", ["email_hash"], unique=False)
        batch_op.create_index("ix_bans_identity", ["identity_id"], unique=False)
        batch_op.create_index("ix_bans_site", ["site_id"], unique=False)

    op.create_table(
        "roles",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("identity_id", sa.String(length=24), nullable=False),
        sa.Column(
            "site_id", sa.BigInteger(), nullable=True, comment="The site the role is for; NULL = every site"
        ),
        sa.Column(
            "role",
            sa.String(length=16),
            nullable=False,
            comment="admin: everything | moderator: moderates | trusted: skips pre-moderation",
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_roles_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_roles_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("identity_id", "site_id", "role", name=op.f("uq_roles_identity_id_site_id_role")),
        comment="Roles of signed-in identities",
    )
    op.create_table(
        "comment_revisions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("comment_id", sa.String(length=24), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False, comment="0 as posted, n for the n-th edit"),
        sa.Column("text", sa.Text(), nullable=False, comment="The text as checked (Markdown)"),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column(
            "decision",
            sa.String(length=8),
            nullable=False,
            comment="pass | flag | hold: the pipeline's verdict (reject and nudge refuse the text: never stored)",
        ),
        sa.Column(
            "status", sa.String(length=16), nullable=False, comment="The comment status this revision led to"
        ),
        sa.Column(
            "reasons",
            sa.JSON(),
            nullable=False,
            comment="List of {check, action, code, detail} from the checks",
        ),
        sa.Column("spam_score", sa.Float(), nullable=True, comment="Classifier spam probability (0-1)"),
        sa.Column("abuse_score", sa.Float(), nullable=True, comment="Classifier abuse probability (0-1)"),
        sa.Column(
            "classifier",
            sa.JSON(),
            nullable=True,
            comment="The classifier's explanation: {model, reasons: [{target, kind, feature, value, contribution}]}",
        ),
        sa.Column(
            "external", sa.JSON(), nullable=True, comment="What external checks answered, by check name"
        ),
        sa.Column(
            "elapsed_us", sa.Integer(), nullable=False, comment="Time the checks took, in microseconds"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_revisions_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_revisions")),
        sa.UniqueConstraint("comment_id", "revision", name=op.f("uq_comment_revisions_comment_id_revision")),
        comment="One row per checked version of a comment: what each check decided and why",
    )
    op.create_table(
        "reports",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("comment_id", sa.String(length=24), nullable=False),
        sa.Column(
            "reason",
            sa.String(length=16),
            nullable=False,
            comment="spam | abuse | off-topic | illegal | other",
        ),
        sa.Column("note", sa.String(length=500), nullable=True, comment="The reporter's own words, optional"),
        sa.Column(
            "reporter",
            sa.String(length=64),
            nullable=False,
            comment="Keyed hash of the reporting identity, visitor or network: one report each per comment",
        ),
        sa.Column(
            "identity_id", sa.String(length=24), nullable=True, comment="The signed-in reporter, if any"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column(
            "resolved", sa.BigInteger(), nullable=True, comment="When a moderator decided; NULL = open"
        ),
        sa.Column(
            "resolution",
            sa.String(length=16),
            nullable=True,
            comment="upheld: the comment was removed | dismissed: the comment stays",
        ),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comments.id"], name=op.f("fk_reports_comment_id_comments"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_reports_identity_id_identities"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("comment_id", "reporter", name=op.f("uq_reports_comment_id_reporter")),
        comment="Readers' reports of comments",
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_comment_resolved", ["comment_id", "resolved"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "pinned", sa.Boolean(), server_default=sa.false(), nullable=False, comment="Shown first"
            )
        )
        batch_op.add_column(
            sa.Column(
                "featured",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="Picked by a moderator",
            )
        )
        batch_op.add_column(
            sa.Column(
                "staff",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="Written by a moderator or admin of the site: shown with a staff badge",
            )
        )
        batch_op.add_column(
            sa.Column(
                "flagged",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="A check asked a moderator to look (still public while published)",
            )
        )
        batch_op.add_column(
            sa.Column(
                "status_reason",
                sa.String(length=64),
                nullable=True,
                comment="Why it is pending, rejected or spam: a reason code (docs/moderation.md), shown to its author",
            )
        )
        batch_op.add_column(
            sa.Column(
                "moderated", sa.BigInteger(), nullable=True, comment="When a moderator last decided on it"
            )
        )
        batch_op.add_column(
            sa.Column(
                "moderated_by", sa.String(length=64), nullable=True, comment="Identity id, 'cli' or 'system'"
            )
        )
        batch_op.add_column(
            sa.Column(
                "revision",
                sa.Integer(),
                server_default="0",
                nullable=False,
                comment="0 as posted, n after n edits",
            )
        )
        batch_op.add_column(
            sa.Column(
                "report_count",
                sa.Integer(),
                server_default="0",
                nullable=False,
                comment="Open (unresolved) reports",
            )
        )
        batch_op.add_column(
            sa.Column(
                "spam_score", sa.Float(), nullable=True, comment="Latest classifier spam probability (0-1)"
            )
        )
        batch_op.add_column(
            sa.Column(
                "text_hash",
                sa.String(length=32),
                nullable=True,
                comment="Digest of the normalised text, to find the same text posted again",
            )
        )
        batch_op.add_column(
            sa.Column(
                "appeal",
                sa.Text(),
                nullable=True,
                comment="The author's one appeal against a hold or rejection",
            )
        )
        batch_op.add_column(sa.Column("appealed", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_comments_author_created", ["author_key", "created"], unique=False)
        batch_op.create_index("ix_comments_ip_created", ["ip", "created"], unique=False)
        batch_op.create_index("ix_comments_status_created", ["status", "created"], unique=False)
        batch_op.create_index("ix_comments_text_hash", ["text_hash"], unique=False)

    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "closed",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
                comment="true: a moderator closed the thread; it takes no new comments",
            )
        )
        batch_op.add_column(
            sa.Column("closed_at", sa.BigInteger(), nullable=True, comment="When it was closed; NULL = open")
        )
        batch_op.add_column(
            sa.Column(
                "auto_close",
                sa.Boolean(),
                server_default=sa.true(),
                nullable=False,
                comment="false: the site's close-after-N-days rule does not apply (a moderator reopened it)",
            )
        )

    if op.get_bind().dialect.name != "sqlite":  # SQLite keeps no column comments; no table rebuild for one
        op.alter_column(
            "comments",
            "status",
            existing_type=sa.String(length=16),
            existing_nullable=False,
            comment=STATUS_COMMENT,
            existing_comment=OLD_STATUS_COMMENT,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "comments",
            "status",
            existing_type=sa.String(length=16),
            existing_nullable=False,
            comment=OLD_STATUS_COMMENT,
            existing_comment=STATUS_COMMENT,
        )
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_column("auto_close")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("closed")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_text_hash")
        batch_op.drop_index("ix_comments_status_created")
        batch_op.drop_index("ix_comments_ip_created")
        batch_op.drop_index("ix_comments_author_created")
        batch_op.drop_column("appealed")
        batch_op.drop_column("appeal")
        batch_op.drop_column("text_hash")
        batch_op.drop_column("spam_score")
        batch_op.drop_column("report_count")
        batch_op.drop_column("revision")
        batch_op.drop_column("moderated_by")
        batch_op.drop_column("moderated")
        batch_op.drop_column("status_reason")
        batch_op.drop_column("flagged")
        batch_op.drop_column("staff")
        batch_op.drop_column("featured")
        batch_op.drop_column("pinned")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_comment_resolved")

    op.drop_table("reports")
    op.drop_table("comment_revisions")
    op.drop_table("roles")
    with op.batch_alter_table("bans", schema=None) as batch_op:
        batch_op.drop_index("ix_bans_site")
        batch_op.drop_index("ix_bans_identity")
        batch_op.drop_index("ix_bans_email_hash")

    op.drop_table("bans")
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_log_target")
        batch_op.drop_index("ix_moderation_log_site_created")

    op.drop_table("moderation_log")
