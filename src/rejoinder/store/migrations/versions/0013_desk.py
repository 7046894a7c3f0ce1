"""the moderation desk: full-text search over comments (SQLite FTS5 / PostgreSQL tsvector + GIN, backfilled),
moderator edits with their revisions, warnings, always-premoderated commenters, notes and saved filters

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# SQLite: an FTS5 table keyed by a stable integer of its own (comments have a text id, and the implicit
# rowid of such a table may change on VACUUM), kept up to date by triggers, so that every writer (the
# server, the CLI, an import) keeps it right without knowing it exists.
SQLITE_UP = [
    "CREATE TABLE comments_fts_ids (id INTEGER PRIMARY KEY, comment_id TEXT NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE comments_fts USING fts5(author_name, text, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    """CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments BEGIN
        INSERT INTO comments_fts_ids (comment_id) VALUES (new.id);
        INSERT INTO comments_fts (rowid, author_name, text)
            VALUES ((SELECT id FROM comments_fts_ids WHERE comment_id = new.id), new.author_name, new.text);
    END""",
    """CREATE TRIGGER comments_fts_update AFTER UPDATE OF text, author_name ON comments BEGIN
        DELETE FROM comments_fts WHERE rowid = (SELECT id FROM comments_fts_ids WHERE comment_id = old.id);
        INSERT INTO comments_fts (rowid, author_name, text)
            VALUES ((SELECT id FROM comments_fts_ids WHERE comment_id = new.id), new.author_name, new.text);
    END""",
    """CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments BEGIN
        DELETE FROM comments_fts WHERE rowid = (SELECT id FROM comments_fts_ids WHERE comment_id = old.id);
        DELETE FROM comments_fts_ids WHERE comment_id = old.id;
    END""",
    # The backfill of the comments already there.
    "INSERT INTO comments_fts_ids (comment_id) SELECT id FROM comments ORDER BY created",
    "INSERT INTO comments_fts (rowid, author_name, text) "
    "SELECT i.id, c.author_name, c.text FROM comments c JOIN comments_fts_ids i ON i.comment_id = c.id",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS comments_fts_insert",
    "DROP TRIGGER IF EXISTS comments_fts_update",
    "DROP TRIGGER IF EXISTS comments_fts_delete",
    "DROP TABLE IF EXISTS comments_fts",
    "DROP TABLE IF EXISTS comments_fts_ids",
]
# PostgreSQL: a stored generated column (computed for every existing row as it is added: the backfill)
# with a GIN index. The 'simple' configuration: comments come in every language, so no stemming.
PG_UP = [
    "ALTER TABLE comments ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(author_name, '')), 'B') || "
    "to_tsvector('simple', coalesce(text, ''))) STORED",
    "CREATE INDEX ix_comments_search ON comments USING gin (search)",
]
PG_DOWN = ["DROP INDEX IF EXISTS ix_comments_search", "ALTER TABLE comments DROP COLUMN IF EXISTS search"]


def _subject_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("identity_id", sa.String(length=24), nullable=True),
        sa.Column(
            "email_hash",
            sa.String(length=64),
            nullable=True,
            comment="Keyed hash of a guest's email (as bans)",
        ),
    ]


def _subject_keys(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f(f"fk_{table}_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f(f"fk_{table}_identity_id_identities"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(
            sa.Column(
                "moderator_edited",
                sa.BigInteger(),
                nullable=True,
                comment="When a moderator last changed its text (shown as 'edited by a moderator'); NULL: never",
            )
        )
        batch.add_column(
            sa.Column(
                "moderator_note",
                sa.String(length=500),
                nullable=True,
                comment="The moderator's public note on their edit",
            )
        )
    op.create_table(
        "comment_edits",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("comment_id", sa.String(length=24), nullable=False),
        sa.Column("previous_text", sa.Text(), nullable=False, comment="The Markdown before this edit"),
        sa.Column("text", sa.Text(), nullable=False, comment="The Markdown the moderator wrote"),
        sa.Column(
            "note", sa.String(length=500), nullable=True, comment="The public note shown with the comment"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.Column("created_by", sa.String(length=64), nullable=False, comment="The moderator (log actor id)"),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_edits_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_edits")),
        comment="Every moderator edit of a comment's text: who, when, the text before and after",
    )
    op.create_index("ix_comment_edits_comment_id", "comment_edits", ["comment_id"])
    op.create_table(
        "commenter_warnings",
        sa.Column(
            "id", sa.String(length=24), nullable=False, comment="Public random id, shown to the warned only"
        ),
        *_subject_columns(),
        sa.Column(
            "message", sa.Text(), nullable=False, comment="What the commenter reads before posting again"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "acknowledged", sa.BigInteger(), nullable=True, comment="When they acknowledged; NULL: not yet"
        ),
        sa.CheckConstraint(
            "identity_id IS NOT NULL OR email_hash IS NOT NULL", name=op.f("ck_commenter_warnings_has_target")
        ),
        *_subject_keys("commenter_warnings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commenter_warnings")),
        comment="Warnings a commenter must acknowledge before posting again on the site",
    )
    op.create_index(
        "ix_commenter_warnings_site_id_identity_id", "commenter_warnings", ["site_id", "identity_id"]
    )
    op.create_index(
        "ix_commenter_warnings_site_id_email_hash", "commenter_warnings", ["site_id", "email_hash"]
    )
    op.create_table(
        "premoderated_commenters",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        *_subject_columns(),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "identity_id IS NOT NULL OR email_hash IS NOT NULL",
            name=op.f("ck_premoderated_commenters_has_target"),
        ),
        *_subject_keys("premoderated_commenters"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premoderated_commenters")),
        comment="Commenters whose new comments are always held for review on the site, whatever the checks say",
    )
    op.create_index(
        "ix_premoderated_commenters_site_id_identity_id",
        "premoderated_commenters",
        ["site_id", "identity_id"],
    )
    op.create_index(
        "ix_premoderated_commenters_site_id_email_hash", "premoderated_commenters", ["site_id", "email_hash"]
    )
    op.create_table(
        "commenter_notes",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        *_subject_columns(),
        sa.Column(
            "author_key",
            sa.String(length=40),
            nullable=True,
            comment="A guest without an email: their author key",
        ),
        sa.Column("text", sa.Text(), nullable=False, comment="Seen by the site's moderators only"),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        *_subject_keys("commenter_notes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commenter_notes")),
        comment="Moderators' notes on a commenter, shared between the site's moderators",
    )
    op.create_index("ix_commenter_notes_site_id_identity_id", "commenter_notes", ["site_id", "identity_id"])
    op.create_index("ix_commenter_notes_site_id_email_hash", "commenter_notes", ["site_id", "email_hash"])
    op.create_table(
        "saved_filters",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column(
            "owner", sa.String(length=64), nullable=False, comment="The moderator who saved it (log actor id)"
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "query", sa.JSON(), nullable=False, comment="The search's parameters (services/admin_desk.py)"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        comment="Named comment searches a moderator can run again",
    )
    op.create_index("uq_saved_filters_owner_name", "saved_filters", ["owner", "name"], unique=True)
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else PG_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else PG_DOWN
    for statement in statements:
        op.execute(statement)
    op.drop_index("uq_saved_filters_owner_name", table_name="saved_filters")
    op.drop_table("saved_filters")
    op.drop_index("ix_commenter_notes_site_id_email_hash", table_name="commenter_notes")
    op.drop_index("ix_commenter_notes_site_id_identity_id", table_name="commenter_notes")
    op.drop_table("commenter_notes")
    op.drop_index("ix_premoderated_commenters_site_id_email_hash", table_name="premoderated_commenters")
    op.drop_index("ix_premoderated_commenters_site_id_identity_id", table_name="premoderated_commenters")
    op.drop_table("premoderated_commenters")
    op.drop_index("ix_commenter_warnings_site_id_email_hash", table_name="commenter_warnings")
    op.drop_index("ix_commenter_warnings_site_id_identity_id", table_name="commenter_warnings")
    op.drop_table("commenter_warnings")
    op.drop_index("ix_comment_edits_comment_id", table_name="comment_edits")
    op.drop_table("comment_edits")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("moderator_note")
        batch.drop_column("moderator_edited")
