"""import jobs: imports started from /admin, their progress and summary, readable from every worker

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(length=24), nullable=False, comment="Public random id, not a sequence"),
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False, comment="The importer's name"),
        sa.Column("file_name", sa.String(length=255), nullable=False, comment="As uploaded, for the page"),
        sa.Column("size", sa.BigInteger(), nullable=False, comment="Bytes uploaded"),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.String(length=16),
            nullable=False,
            comment="running; done (read to the end); stopped (the file stopped making sense); failed",
        ),
        sa.Column("records", sa.Integer(), nullable=False, comment="Comments read so far"),
        sa.Column("started_by", sa.String(length=200), nullable=False, comment="The staff member's name"),
        sa.Column("summary", sa.Text(), nullable=True, comment="The summary's lines (JSON), when finished"),
        sa.Column("created", sa.BigInteger(), nullable=False, comment="Microseconds since the epoch, UTC"),
        sa.Column("updated", sa.BigInteger(), nullable=False, comment="Last progress written, µs UTC"),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_import_jobs_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        comment="Imports started from /admin: they run in the background of the worker that took the upload",
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_import_jobs_site_id_created", ["site_id", "created"], unique=False)


def downgrade() -> None:
    op.drop_table("import_jobs")
