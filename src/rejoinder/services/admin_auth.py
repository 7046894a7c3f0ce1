"""Signing in to /admin: the configured admin account (password hashed with scrypt, or argon2 when
installed) or an identity with a staff role (through a sign-in provider), the sessions of /admin, the
CSRF tokens of its forms and the password attempts' rate limit.

Sessions of /admin are their own short-lived rows (auth_tickets, purpose `admin-session`), never the
widget's bearer tokens: a moderator's reader session lives in article pages' localStorage for weeks.
Each row remembers what it was made from: a keyed fingerprint of the admin account's name and password
hash, or the identity's credential and staff roles at sign-in. Every request compares them with the
current ones, so that a changed password, a removed credential or a removed or reduced role ends the
sessions made before (`staff_of_session`), with no schema of its own.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import limits
import msgspec

from rejoinder.auth.providers.base import Provider
from rejoinder.auth.sessions import token_hash
from rejoinder.config import Settings
from rejoinder.errors import (
    AdminSessionInvalid,
    CsrfInvalid,
    Invalid,
    NotAModerator,
    NotAnAdmin,
    RateLimited,
    StateInvalid,
    Unauthorized,
)
from rejoinder.moderation.actions import Actor
from rejoinder.moderation.rules import STAFF, Role
from rejoinder.ratelimit import limits_storage
from rejoinder.services import signin_flows
from rejoinder.services.context import Context
from rejoinder.services.credentials import credential_id
from rejoinder.store import engine as store_engine
from rejoinder.store import identities as identity_store
from rejoinder.store import roles as role_store
from rejoinder.store import sessions as session_store

US = 1_000_000
SESSION = "admin-session"
FLOW = "admin-flow"
FLOW_SECONDS = 600
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

# --- passwords of the configured admin account ---------------------------------------------------------

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """`scrypt$n=…,r=…,p=…$salt$hash` (hashlib.scrypt, RFC 7914), or an argon2id hash when argon2-cffi
    is installed. What `rejoinder user set-password` prints for [admin] password_hash."""
    if not password or len(password) < 10:
        raise Invalid.field("password", "password-too-short", "Use a password of at least 10 characters")
    try:
        from argon2 import PasswordHasher  # type: ignore[import-not-found]
    except ImportError:
        salt = secrets.token_bytes(16)
        digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return f"scrypt$n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}${_b64(salt)}${_b64(digest)}"
    return str(PasswordHasher().hash(password))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r * p + 2**20, dklen=32
    )


def verify_password(stored: str, password: str) -> bool:
    """Constant-time check of a password against a stored hash; False for any malformed hash."""
    if stored.startswith("$argon2"):
        try:
            from argon2 import PasswordHasher
            from argon2.exceptions import VerificationError  # type: ignore[import-not-found]
        except ImportError:
            return False
        try:
            return bool(PasswordHasher().verify(stored, password))
        except (VerificationError, ValueError):
            return False
    try:
        scheme, params, salt, digest = stored.split("$")
        cost = dict(part.split("=", 1) for part in params.split(","))
        n, r, p = int(cost["n"]), int(cost["r"]), int(cost["p"])
        if scheme != "scrypt" or not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        expected = _unb64(digest)
        actual = _scrypt(password, _unb64(salt), n, r, p)
    except (ValueError, KeyError):
        return False
    return hmac.compare_digest(expected, actual)


# A hash to check when the name is wrong, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = "scrypt$n=32768,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"


# --- who is signed in to /admin ------------------------------------------------------------------------


class Staff(msgspec.Struct, frozen=True):
    """A signed-in user of /admin: the actor that acts, and how they signed in."""

    actor: Actor
    name: str
    kind: Literal["account", "identity"]
    identity_id: str | None
    session_hash: str
    expires: int
    via: str  # "password" or the provider's label

    def is_admin_anywhere(self) -> bool:
        return any(r is Role.ADMIN for _, r in self.actor.roles)

    def is_global_admin(self) -> bool:
        return self.actor.is_admin_everywhere()


def account_actor(username: str) -> Actor:
    """The configured admin account acts as an admin of every site."""
    return Actor(id=f"admin:{username}"[:64], roles=((None, Role.ADMIN),))


async def identity_actor(ctx: Context, conn: Any, identity_id: str) -> Actor:
    return Actor(id=identity_id, roles=tuple(await role_store.select_all_roles(conn, identity_id)))


def is_staff(actor: Actor) -> bool:
    return actor.system or any(r in STAFF for _, r in actor.roles)


def account_fingerprint(secret: bytes, username: str, password_hash: str) -> str:
    """What an account session remembers of the credential it was made with: a keyed digest of the name
    and the password hash (never the hash itself), so that a new hash in the config ends the session."""
    mac = hmac.new(
        secret, f"rejoinder-admin-account\x00{username}\x00{password_hash}".encode(), hashlib.sha256
    )
    return _b64(mac.digest()[:24])


def roles_of(actor: Actor) -> list[list[Any]]:
    """The staff roles an identity session was made with, as stored in its row: [[site_id, role], …]."""
    return sorted(([s, r.value] for s, r in actor.roles if r in STAFF), key=lambda x: (x[0] or 0, x[1]))


def _lost_roles(signed: Any, actor: Actor) -> bool:
    """Whether a staff role the session was made with is no longer held (removed, or reduced: an admin
    made a moderator). Roles added since are kept: they take effect at once."""
    if not isinstance(signed, list):
        return True
    held = {(s, r.value) for s, r in actor.roles}
    for entry in signed:
        if not (isinstance(entry, list) and len(entry) == 2) or (entry[0], entry[1]) not in held:
            return True
    return False


def check_token_shape(token: str | None) -> str | None:
    """A session or link token as rejoinder issues it (URL-safe, 32–128 characters), else None."""
    if not token or not 32 <= len(token) <= 128 or not set(token) <= TOKEN_CHARS:
        return None
    return token


async def _open_session(
    ctx: Context, *, identity_id: str | None, username: str | None, via: str, made_from: dict[str, Any]
) -> tuple[str, int]:
    token = ctx.token(32)
    now = ctx.clock()
    expires = now + ctx.settings.admin.session_hours * 3600 * US
    async with store_engine.write(ctx.engine) as conn:
        await session_store.insert_ticket(
            conn,
            token_hash(token),
            purpose=SESSION,
            identity_id=identity_id,
            payload={"username": username, "via": via, **made_from},
            now=now,
            expires=expires,
        )
        await session_store.delete_expired_tickets(conn, now)
    return token, expires


async def sign_in_with_password(ctx: Context, username: str, password: str) -> tuple[str, int]:
    """A session of the configured admin account. Raises Unauthorized with one message for a wrong name
    and a wrong password alike."""
    admin = ctx.settings.admin
    name_ok = bool(admin.username) and hmac.compare_digest(
        username.encode("utf-8", "replace"), admin.username.encode("utf-8")
    )
    password_ok = verify_password(admin.password_hash if name_ok else _DUMMY_HASH, password)
    if not (name_ok and password_ok and admin.password_hash):
        raise Unauthorized("The name or the password is wrong", code="admin-login-failed")
    made_from = {"credential": account_fingerprint(ctx.secret, admin.username, admin.password_hash)}
    return await _open_session(
        ctx, identity_id=None, username=admin.username, via="password", made_from=made_from
    )


async def begin_identity_flow(
    ctx: Context, provider: Provider, *, binding: str, redirect_uri: str, server: str | None
) -> str:
    """Start signing a moderator in at a provider; returns the provider URL. The flow is kept server-side
    (one-time, bound to this browser's cookie) like the widget's, under its own purpose."""
    state, url, saved = await signin_flows.begin_at_provider(
        ctx, provider, redirect_uri=redirect_uri, server=server
    )
    payload = {"provider": provider.name, "saved": saved}
    await signin_flows.keep_flow(ctx, state, payload, binding, purpose=FLOW, seconds=FLOW_SECONDS)
    return url


async def finish_identity_flow(
    ctx: Context,
    provider: Provider,
    *,
    state: str | None,
    binding: str | None,
    params: Mapping[str, str],
    redirect_uri: str,
) -> tuple[str, int]:
    """Complete a moderator's sign-in: only an existing identity with a staff role gets a session (no
    account is created here; a new moderator signs in once through a comment form first)."""
    payload = await signin_flows.take_flow(ctx, state, binding, purpose=FLOW, again="sign in again")
    if payload.get("provider") != provider.name:
        raise StateInvalid("This sign-in is unknown or was already used; sign in again")
    profile = await provider.complete(params=params, redirect_uri=redirect_uri, saved=payload["saved"])
    async with store_engine.read(ctx.engine) as conn:
        credential = await identity_store.select_credential(conn, *profile.credential)
        actor = await identity_actor(ctx, conn, credential.identity_id) if credential else None
    if credential is None or actor is None or not is_staff(actor):
        raise NotAModerator(
            "This account is not a moderator here. Ask an admin for the role, then sign in again"
        )
    return await open_identity_session(
        ctx,
        credential.identity_id,
        credential_ref=credential_id(ctx.id_key, credential),
        actor=actor,
        via=provider.session_label(profile),
    )


async def open_identity_session(
    ctx: Context, identity_id: str, *, credential_ref: str, actor: Actor, via: str
) -> tuple[str, int]:
    """An /admin session of an identity that signed in with the credential `credential_ref`
    (services.credentials.credential_id) holding `actor`'s staff roles: it lasts while both do."""
    made_from = {"credential": credential_ref, "roles": roles_of(actor)}
    return await _open_session(ctx, identity_id=identity_id, username=None, via=via, made_from=made_from)


async def staff_of_session(ctx: Context, token: str | None) -> Staff:
    """The signed-in user of an /admin session cookie.

    A session lasts only while what it was made from does: the configured account's name and password
    hash (a new hash in the config ends every session signed in with the old one), or the identity's
    credential and every staff role it held at sign-in (a role removed or reduced ends the session; one
    added since takes effect at once). An ended session's row is deleted.

    Raises:
        Unauthorized: no, malformed, unknown (forged) or expired session; a configured account that
            is no longer configured or whose password changed; an identity whose credential or roles
            changed since the sign-in.
        Forbidden: an identity that no longer has a staff role.
    """
    token = check_token_shape(token)
    if token is None:
        raise Unauthorized("Sign in to moderate", code="admin-session-required")
    digest = token_hash(token)
    now = ctx.clock()
    async with store_engine.read(ctx.engine) as conn:
        ticket = await session_store.peek_ticket(conn, digest, SESSION)
        if ticket is None:
            raise AdminSessionInvalid()
        if ticket.expires <= now:
            raise Unauthorized("Your sign-in has expired; sign in again", code="admin-session-expired")
        via = str(ticket.payload.get("via") or "")
        if ticket.identity_id is None:
            username = ticket.payload.get("username")
            admin = ctx.settings.admin
            if not admin.username or username != admin.username:
                raise AdminSessionInvalid()
            expected = account_fingerprint(ctx.secret, admin.username, admin.password_hash)
            if not hmac.compare_digest(str(ticket.payload.get("credential") or ""), expected):
                await _end(ctx, digest)
                raise AdminSessionInvalid("The admin password was changed since this sign-in; sign in again")
            return Staff(
                actor=account_actor(username),
                name=username,
                kind="account",
                identity_id=None,
                session_hash=digest,
                expires=ticket.expires,
                via=via,
            )
        identity = await identity_store.select_identity(conn, ticket.identity_id)
        actor = await identity_actor(ctx, conn, ticket.identity_id)
        refs = {
            credential_id(ctx.id_key, c)
            for c in await identity_store.select_credentials(conn, ticket.identity_id)
        }
    if identity is None:
        raise AdminSessionInvalid()
    if ticket.payload.get("credential") not in refs or _lost_roles(ticket.payload.get("roles"), actor):
        await _end(ctx, digest)
        raise AdminSessionInvalid(
            "Your moderator roles or sign-in methods changed since this sign-in; sign in again"
        )
    if not is_staff(actor):
        raise NotAModerator("You are not a moderator of any site here")
    return Staff(
        actor=actor,
        name=identity.display_name,
        kind="identity",
        identity_id=identity.id,
        session_hash=digest,
        expires=ticket.expires,
        via=via,
    )


async def _end(ctx: Context, digest: str) -> None:
    async with store_engine.write(ctx.engine) as conn:
        await session_store.take_ticket(conn, digest, SESSION)


async def end_identity_sessions(conn: Any, identity_id: str) -> int:
    """Delete every /admin session of an identity, inside the caller's transaction (a role taken away)."""
    return await session_store.delete_identity_tickets(conn, identity_id, SESSION)


async def sign_out(ctx: Context, token: str | None) -> None:
    token = check_token_shape(token)
    if token is None:
        return
    async with store_engine.write(ctx.engine) as conn:
        await session_store.take_ticket(conn, token_hash(token), SESSION)


def form_token(secret: bytes, purpose: str, binding: str) -> str:
    """The CSRF token of a form: an HMAC of the session (or pre-sign-in cookie, or email link) it belongs
    to, so that a page on another site cannot know it."""
    mac = hmac.new(secret, f"rejoinder-admin-form\x00{purpose}\x00{binding}".encode(), hashlib.sha256)
    return _b64(mac.digest()[:24])


def check_form_token(keys: Sequence[bytes], purpose: str, binding: str, given: str | None) -> None:
    """Raises CsrfInvalid unless `given` is the form token made with one of `keys` (current secret first)."""
    if not given:
        raise CsrfInvalid()
    token = given.encode("utf-8", "replace")
    if not any(hmac.compare_digest(form_token(key, purpose, binding).encode(), token) for key in keys):
        raise CsrfInvalid()


class LoginLimiter:
    """Password sign-in attempts per client network ([admin] login_limit), counted with the `limits`
    library in Redis when [redis] url is set (shared by workers), else in this process."""

    def __init__(self, settings: Settings) -> None:
        from limits.aio.strategies import MovingWindowRateLimiter

        self.items = (
            limits.parse_many(settings.admin.login_limit) if settings.admin.login_limit.strip() else []
        )
        self.storage = limits_storage(settings.redis.url, "rejoinder-admin")
        self.strategy = MovingWindowRateLimiter(self.storage)

    async def hit(self, network: str | None) -> None:
        from limits.errors import StorageError

        key = hashlib.blake2b((network or "unknown").encode(), digest_size=12).hexdigest()
        for item in self.items:
            try:
                allowed = await self.strategy.hit(item, "admin-login", key)
            except StorageError:
                return  # fail open: the password hash's cost still slows guessing down
            if not allowed:
                raise RateLimited(
                    "Too many sign-in attempts from your network; wait a few minutes",
                    code="admin-login-limited",
                    retry_after=item.get_expiry(),
                )

    async def close(self) -> None:
        timer = getattr(self.storage, "timer", None)
        if timer is not None and not timer.done():
            timer.cancel()
        client = getattr(getattr(self.storage, "bridge", None), "storage", None)
        if client is not None and hasattr(client, "aclose"):
            with contextlib.suppress(Exception):  # a broken connection must not fail the shutdown
                await client.aclose()


async def admin_site_ids(ctx: Context, actor: Actor, refusal: str) -> list[int] | None:
    """The sites `actor` is an admin of: None for an admin of every site. Raises NotAnAdmin with `refusal`
    when there is none (what a site's admins do in /admin and a moderator may not: webhooks, imports)."""
    if any(site is None and role is Role.ADMIN for site, role in actor.roles):
        return None
    ids = [s.id for s in await ctx.sites.all() if actor.is_admin(s.id)]
    if not ids:
        raise NotAnAdmin(refusal)
    return ids
