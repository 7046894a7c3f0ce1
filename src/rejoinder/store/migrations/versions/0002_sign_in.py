"""sign-in: identities, credentials, sessions, one-time tickets, registered apps; comments and likes
reference the identity of a signed-in author

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:46:14.551397
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("id", sa.String(length=24), nullable=False, comment="Public random id, not a sequence"),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column(
            "email", sa.String(length=254), nullable=True, comment="Verified address only; never public"
        ),
        sa.Column("profile_url", sa.String(length=2048), nullable=True),
        sa.Column(
            "show_in_likes",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
            comment="true: name and avatar may appear in 'people like this'",
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index("ix_identities_email", ["email"], unique=False)

    op.create_table(
        "oauth_apps",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("server", sa.String(length=300), nullable=False, comment="Base URL of a fediverse server"),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column(
            "client_secret",
            sa.String(length=500),
            nullable=True,
            comment="Issued by the server at registration",
        ),
        sa.Column(
            "data", sa.JSON(), nullable=False, comment="The server's endpoints and scopes as discovered"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_apps")),
        sa.UniqueConstraint("server", "redirect_uri", name=op.f("uq_oauth_apps_server_redirect_uri")),
        comment="Apps rejoinder registered dynamically (Mastodon POST /api/v1/apps or RFC 7591)",
    )
    op.create_table(
        "auth_tickets",
        sa.Column(
            "id_hash", sa.String(length=64), nullable=False, comment="SHA-256 of the ticket (state, offer…)"
        ),
        sa.Column(
            "purpose",
            sa.String(length=32),
            nullable=False,
            comment="flow: a pending OAuth flow | link-offer: a credential waiting to be linked | link-ticket: lets a popup add a credential to a signed-in identity",
        ),
        sa.Column(
            "binding_hash",
            sa.String(length=64),
            nullable=True,
            comment="SHA-256 of the browser-binding cookie",
        ),
        sa.Column("identity_id", sa.String(length=24), nullable=True),
        sa.Column(
            "payload", sa.JSON(), nullable=False, comment="Purpose-specific, e.g. PKCE verifier and nonce"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_auth_tickets_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_auth_tickets")),
    )
    with op.batch_alter_table("auth_tickets", schema=None) as batch_op:
        batch_op.create_index("ix_auth_tickets_expires", ["expires"], unique=False)

    op.create_table(
        "credentials",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("identity_id", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="oidc | email | passkey | sso"),
        sa.Column(
            "provider",
            sa.String(length=300),
            nullable=False,
            comment="Provider name, Mastodon server, RP id…",
        ),
        sa.Column(
            "subject", sa.String(length=500), nullable=False, comment="The provider's stable account id"
        ),
        sa.Column(
            "label", sa.String(length=300), nullable=False, comment="Shown as 'via …': handle, name or email"
        ),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("email_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "data", sa.JSON(), nullable=True, comment="Kind-specific data, e.g. a passkey's public key"
        ),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("last_used", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_credentials_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("kind", "provider", "subject", name=op.f("uq_credentials_kind_provider_subject")),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index("ix_credentials_identity", ["identity_id"], unique=False)

    op.create_table(
        "sessions",
        sa.Column(
            "token_hash", sa.String(length=64), nullable=False, comment="SHA-256 of the bearer token (hex)"
        ),
        sa.Column("identity_id", sa.String(length=24), nullable=False),
        sa.Column(
            "provider", sa.String(length=300), nullable=False, comment="Provider name the session came from"
        ),
        sa.Column("label", sa.String(length=300), nullable=False, comment="Provider label shown as 'via …'"),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.Column("revoked", sa.BigInteger(), nullable=True, comment="When it was logged out; NULL = active"),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_sessions_identity_id_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_identity", ["identity_id"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "identity_id",
                sa.String(length=24),
                nullable=True,
                comment="The signed-in author; NULL for a guest. author_name follows the identity's name",
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_comments_identity_id_identities"),
            "identities",
            ["identity_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_comments_identity", ["identity_id"], unique=False)

    with op.batch_alter_table("likes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "identity_id",
                sa.String(length=24),
                nullable=True,
                comment="The signed-in liker; NULL for a visitor. name is set only if the identity shows in likes",
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_likes_identity_id_identities"),
            "identities",
            ["identity_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_likes_identity", ["identity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("likes", schema=None) as batch_op:
        batch_op.drop_index("ix_likes_identity")
        batch_op.drop_constraint(batch_op.f("fk_likes_identity_id_identities"), type_="foreignkey")
        batch_op.drop_column("identity_id")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_identity")
        batch_op.drop_constraint(batch_op.f("fk_comments_identity_id_identities"), type_="foreignkey")
        batch_op.drop_column("identity_id")

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_identity")

    op.drop_table("sessions")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_credentials_identity")

    op.drop_table("credentials")
    with op.batch_alter_table("auth_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_auth_tickets_expires")

    op.drop_table("auth_tickets")
    op.drop_table("oauth_apps")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index("ix_identities_email")

    op.drop_table("identities")
