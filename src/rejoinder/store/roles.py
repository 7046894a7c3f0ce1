"""Staff and trusted roles of identities, per site or instance-wide: read, granted, taken away. The
listing moderators read is in store/admin.py."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from rejoinder.moderation.rules import Role
from rejoinder.store.schema import roles

_ROLES = {r.value: r for r in Role}


async def select_roles(conn: AsyncConnection, identity_id: str, site_id: int) -> frozenset[Role]:
    rows = await conn.execute(
        sa.select(roles.c.role).where(
            roles.c.identity_id == identity_id, sa.or_(roles.c.site_id == site_id, roles.c.site_id.is_(None))
        )
    )
    return frozenset(_ROLES[r[0]] for r in rows if r[0] in _ROLES)


async def select_all_roles(conn: AsyncConnection, identity_id: str) -> list[tuple[int | None, Role]]:
    rows = await conn.execute(
        sa.select(roles.c.site_id, roles.c.role).where(roles.c.identity_id == identity_id)
    )
    return [(r[0], _ROLES[r[1]]) for r in rows if r[1] in _ROLES]


async def insert_role(
    conn: AsyncConnection, identity_id: str, site_id: int | None, role: Role, *, now: int, by: str
) -> bool:
    """Grant a role; False when the identity already had it (NULL site ids are not unique in SQL, so this
    checks first)."""
    site_match = roles.c.site_id.is_(None) if site_id is None else roles.c.site_id == site_id
    exists = (
        await conn.execute(
            sa.select(roles.c.id).where(
                roles.c.identity_id == identity_id, roles.c.role == role.value, site_match
            )
        )
    ).first()
    if exists:
        return False
    await conn.execute(
        sa.insert(roles).values(
            identity_id=identity_id, site_id=site_id, role=role.value, created=now, created_by=by[:64]
        )
    )
    return True


async def delete_role(conn: AsyncConnection, identity_id: str, site_id: int | None, role: Role) -> bool:
    site_match = roles.c.site_id.is_(None) if site_id is None else roles.c.site_id == site_id
    result = await conn.execute(
        sa.delete(roles).where(roles.c.identity_id == identity_id, roles.c.role == role.value, site_match)
    )
    return bool(result.rowcount)
