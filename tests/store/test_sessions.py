"""store/sessions.py on SQLite and PostgreSQL: sessions by token hash, logged out one by one or everywhere,
purged after expiry; one-time tickets taken once, peeked without being used up, and purged."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from rejoinder.auth.sessions import Session
from rejoinder.store import engine as store_engine
from rejoinder.store import sessions as store
from tests.store.contract import an_identity, run


def test_sessions_are_revoked_and_purged(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            await an_identity(conn, "ann")
            for token, expires in (("h1", 100), ("h2", 100), ("h3", 50)):
                await store.insert_session(
                    conn,
                    token,
                    identity_id="ann",
                    provider="email",
                    label="ann@example.org",
                    now=1,
                    expires=expires,
                )
        async with store_engine.read(engine) as conn:
            read = await store.select_session(conn, "h1")
            unknown = await store.select_session(conn, "nope")
        async with store_engine.write(engine) as conn:
            one = await store.revoke_session(conn, "h1", now=5)
            one_again = await store.revoke_session(conn, "h1", now=6)
            everywhere = await store.revoke_identity_sessions(conn, "ann", now=7)
            purged = await store.delete_expired_sessions(conn, before=60)
        async with store_engine.read(engine) as conn:
            after = {h: await store.select_session(conn, h) for h in ("h1", "h2", "h3")}
        return {
            "read": read,
            "unknown": unknown,
            "revoked": (one, one_again, everywhere),
            "purged": purged,
            "revoked_at": {h: s.revoked if s else "gone" for h, s in after.items()},
        }

    assert run(db_url, work) == {
        "read": Session(
            identity_id="ann", provider="email", label="ann@example.org", created=1, expires=100, revoked=None
        ),
        "unknown": None,
        "revoked": (True, False, 2),  # h1 was already logged out: h2 and h3 were still active
        "purged": 1,
        "revoked_at": {"h1": 5, "h2": 7, "h3": "gone"},
    }


def test_a_ticket_is_taken_once(db_url: str) -> None:
    async def work(engine: AsyncEngine) -> dict[str, object]:
        async with store_engine.write(engine) as conn:
            await an_identity(conn, "ann")
            await store.insert_ticket(
                conn, "t1", purpose="flow", payload={"provider": "x"}, now=1, expires=10, binding_hash="b"
            )
            await store.insert_ticket(
                conn, "t2", purpose="offer", payload={}, now=1, expires=5, identity_id="ann"
            )
        async with store_engine.read(engine) as conn:
            peeked = await store.peek_ticket(conn, "t1", "flow")
            wrong_purpose = await store.peek_ticket(conn, "t1", "offer")
        async with store_engine.write(engine) as conn:
            taken = await store.take_ticket(conn, "t1", "flow")
            taken_again = await store.take_ticket(conn, "t1", "flow")
            purged = await store.delete_expired_tickets(conn, before=6)
        async with store_engine.read(engine) as conn:
            left = await store.peek_ticket(conn, "t2", "offer")
        return {
            "peeked": peeked,
            "wrong_purpose": wrong_purpose,
            "taken": taken,
            "taken_again": taken_again,
            "purged": purged,
            "left": left,
        }

    flow = store.Ticket(binding_hash="b", identity_id=None, payload={"provider": "x"}, expires=10)
    assert run(db_url, work) == {
        "peeked": flow,
        "wrong_purpose": None,
        "taken": flow,
        "taken_again": None,
        "purged": 1,
        "left": None,
    }
