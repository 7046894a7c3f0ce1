"""activitypub: site actors' keys, remote actors, followers, remote Notes and blocked instances

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ap_keys",
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("public_pem", sa.Text(), nullable=False, comment="The site actor's RSA public key (PEM)"),
        sa.Column(
            "private_pem", sa.Text(), nullable=False, comment="Its private key (PEM); never logged or shown"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_ap_keys_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_ap_keys")),
        comment="One signing key per site actor, made the first time the actor is needed",
    )
    op.create_table(
        "ap_actors",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("uri", sa.String(length=2048), nullable=False, comment="The remote actor's id (URL)"),
        sa.Column("key_id", sa.String(length=2048), nullable=False, comment="Its public key's id (URL)"),
        sa.Column("public_pem", sa.Text(), nullable=False),
        sa.Column("inbox", sa.String(length=2048), nullable=False),
        sa.Column("shared_inbox", sa.String(length=2048), nullable=True),
        sa.Column(
            "domain", sa.String(length=255), nullable=False, comment="Host of the actor's id (lower case)"
        ),
        sa.Column(
            "handle",
            sa.String(length=300),
            nullable=False,
            comment="@user@domain, shown as the comment's origin",
        ),
        sa.Column("name", sa.String(length=200), nullable=False, comment="Its display name (plain text)"),
        sa.Column("profile_url", sa.String(length=2048), nullable=True, comment="Its profile page"),
        sa.Column(
            "icon_url", sa.String(length=2048), nullable=True, comment="Its avatar, fetched by rejoinder only"
        ),
        sa.Column(
            "identity_id",
            sa.String(length=24),
            nullable=True,
            comment="The identity its comments are posted as (made on its first reply)",
        ),
        sa.Column(
            "fetched", sa.BigInteger(), nullable=False, comment="When the actor document was last fetched"
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_ap_actors_identity_id_identities"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ap_actors")),
        sa.UniqueConstraint("uri", name=op.f("uq_ap_actors_uri")),
        comment="Remote fediverse actors seen by an inbox: their keys (cache, refetched on rotation) and inboxes",
    )
    op.create_index("ix_ap_actors_key_id", "ap_actors", ["key_id"])
    op.create_index("ix_ap_actors_identity", "ap_actors", ["identity_id"])
    op.create_table(
        "ap_followers",
        sa.Column("site_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("follow_uri", sa.String(length=2048), nullable=False, comment="The Follow activity's id"),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_ap_followers_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["ap_actors.id"],
            name=op.f("fk_ap_followers_actor_id_ap_actors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "actor_id", name=op.f("pk_ap_followers")),
        comment="Remote actors following a site actor (their Follow was accepted)",
    )
    op.create_table(
        "ap_objects",
        sa.Column("uri", sa.String(length=2048), nullable=False, comment="The remote Note's id (URL)"),
        sa.Column("comment_id", sa.String(length=24), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "url", sa.String(length=2048), nullable=True, comment="Where the Note is shown on its server"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_ap_objects_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["ap_actors.id"], name=op.f("fk_ap_objects_actor_id_ap_actors"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_ap_objects_thread_id_threads"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("uri", name=op.f("pk_ap_objects")),
        comment="Comments that came from the fediverse: the remote Note each one is",
    )
    op.create_index("ix_ap_objects_comment", "ap_objects", ["comment_id"])
    op.create_index("ix_ap_objects_thread", "ap_objects", ["thread_id"])
    op.create_table(
        "ap_blocked_domains",
        sa.Column(
            "domain", sa.String(length=255), nullable=False, comment="Lower case; covers its subdomains"
        ),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_ap_blocked_domains")),
        comment="Fediverse instances whose activities every inbox refuses",
    )


def downgrade() -> None:
    op.drop_table("ap_blocked_domains")
    op.drop_index("ix_ap_objects_thread", table_name="ap_objects")
    op.drop_index("ix_ap_objects_comment", table_name="ap_objects")
    op.drop_table("ap_objects")
    op.drop_table("ap_followers")
    op.drop_index("ix_ap_actors_identity", table_name="ap_actors")
    op.drop_index("ix_ap_actors_key_id", table_name="ap_actors")
    op.drop_table("ap_actors")
    op.drop_table("ap_keys")
