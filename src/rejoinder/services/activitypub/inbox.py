"""The inboxes (one per site actor, and the shared one): every activity is checked here, before it is
accepted, and processed later through the outbox (activities.py):

1. the body's size and form (a JSON object with an id, a type and an actor);
2. the HTTP signature (RFC 9421 when the request has a Signature-Input, else draft-cavage; rsa-sha256 in
   both): the parts it covers, the Date (a replay is refused),
   the Digest of the body, then the signature itself with the key of the signer, fetched through the SSRF
   guard and cached; a failed check refetches the signer once (the key may have rotated), at most once per
   REFETCH_COOLDOWN_SECONDS per actor (a flood of forged requests costs its victim one fetch);
3. the signer is the activity's `actor` (a forged actor is refused) and its instance is not blocked;
4. a site's inbox takes only activities about that site.

Then a domain event (ACTIVITY_RECEIVED) is written and the inbox answers 202 at once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urlsplit

import msgspec

from rejoinder.errors import BadRequest, Forbidden, PayloadTooLarge
from rejoinder.events.kinds import EventKind
from rejoinder.federation.activitypub import documents as docs
from rejoinder.federation.activitypub import message_signatures as rfc9421
from rejoinder.federation.activitypub import signatures as sig
from rejoinder.federation.activitypub.client import Client, FetchFailed, Signer
from rejoinder.services.activitypub.actors import client_for, local_target, signer_for, site_named
from rejoinder.services.context import Context
from rejoinder.store import activitypub as store
from rejoinder.store import comments as comment_store
from rejoinder.store import engine as store_engine
from rejoinder.store import threads as thread_store

log = logging.getLogger("rejoinder.activitypub")
REFETCH_COOLDOWN_SECONDS = 60
US = 1_000_000


class InstanceBlocked(Forbidden):
    default_code = "instance-blocked"
    default_detail = "This server does not take activities from your instance"


class NotForThisSite(Forbidden):
    default_code = "activity-not-for-this-site"
    default_detail = "This activity is about another site's actor or articles; send it to that inbox"


def domain_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


async def _blocked(ctx: Context, domain: str) -> bool:
    async with store_engine.read(ctx.engine) as conn:
        return await store.is_blocked(conn, domain)


async def fetch_signer(ctx: Context, site_name: str | None) -> Signer | None:
    """The key our fetches of remote actors are signed with (servers in secure mode, "authorized fetch",
    answer only signed GETs): the addressed site's actor, else (the shared inbox) the first site's."""
    site = await ctx.sites.by_name(site_name) if site_name else None
    if site is None:
        sites = await ctx.sites.all()
        if not sites:
            return None
        site = min(sites, key=lambda s: s.id)
    return await signer_for(ctx, site)


async def remote_actor(
    ctx: Context,
    client: Client,
    *,
    key_id: str | None = None,
    uri: str | None = None,
    refresh: bool = False,
    signer: Signer | None = None,
) -> store.RemoteActor:
    """The remote actor that owns `key_id` (or whose id is `uri`): from the cache, else fetched (each GET
    signed by `signer`, a site actor, for servers in secure mode) and stored. Raises SignatureInvalid when
    it cannot be had."""
    allow_http = ctx.settings.activitypub.allow_private
    if not refresh:
        async with store_engine.read(ctx.engine) as conn:
            cached = (
                await store.select_actor(conn, key_id=key_id)
                if key_id
                else await store.select_actor(conn, uri=uri)
            )
        if cached is not None:
            return cached
    where = urldefrag(key_id)[0] if key_id else uri
    assert where is not None
    if await _blocked(ctx, domain_of(where)):
        raise InstanceBlocked()
    try:
        doc = await client.get_json(where, signer=signer)
        if isinstance(doc, dict) and "inbox" not in doc and isinstance(doc.get("owner"), str):
            owner = doc["owner"]  # the key id names a Key document: its owner is the actor
            if domain_of(owner) != domain_of(where):
                raise sig.SignatureInvalid("The key's owner is on another server than the key")
            where = owner
            doc = await client.get_json(owner, signer=signer)
        actor = docs.read_actor(doc, fetched_from=where, allow_http=allow_http)
    except FetchFailed as exc:
        log.info("[rejoinder] activitypub: the signer's key could not be fetched: %s", exc)
        raise sig.SignatureInvalid(
            "The signer's key could not be fetched", code="signature-key-unavailable"
        ) from None
    except docs.DocumentInvalid as exc:
        raise sig.SignatureInvalid(f"The signer's actor document is unusable: {exc}") from None
    if key_id is not None and actor.key_id != key_id:
        raise sig.SignatureInvalid("The signer's actor does not publish this key")
    async with store_engine.write(ctx.engine) as conn:
        return await store.upsert_actor(
            conn,
            uri=actor.uri,
            key_id=actor.key_id,
            public_pem=actor.public_pem,
            inbox=actor.inbox,
            shared_inbox=actor.shared_inbox,
            domain=actor.domain,
            handle=actor.handle,
            name=actor.name,
            profile_url=actor.profile,
            icon_url=actor.icon,
            now=ctx.clock(),
        )


@dataclass(frozen=True)
class CheckedSignature:
    """A request's signature whose form, date and digest are checked: the key it names, and how to verify it
    with that key. `scheme` is "rfc9421" or "draft-cavage"."""

    key_id: str
    scheme: str
    verify: Callable[[str], bool]


def checked_signature(
    ctx: Context, method: str, target: str, headers: Mapping[str, str], body: bytes
) -> CheckedSignature:
    """Read the signature of a POST: RFC 9421 (Signature-Input and Signature) when the request has one,
    else draft-cavage (Signature); check what it covers, its time and the body's digest."""
    window, now = ctx.settings.activitypub.signature_window_seconds, ctx.clock()
    if "signature-input" in headers:
        found = rfc9421.parse(headers.get("signature-input"), headers.get("signature"))
        rfc9421.check_covered(found, has_body=True)
        rfc9421.check_created(found, now, window)
        if "date" in found.components:
            sig.check_date(headers.get("date"), now, window)
        rfc9421.check_content_digest(headers.get("content-digest"), body)
        uri = target_uri(ctx, headers, target)
        return CheckedSignature(
            found.key_id, "rfc9421", lambda pem: rfc9421.verify(found, method, uri, headers, pem)
        )
    params = sig.parse_signature(headers.get("signature"))
    sig.check_signed_headers(params, has_body=True)
    sig.check_date(headers.get("date"), now, window)
    sig.check_digest(headers.get("digest"), body)
    return CheckedSignature(
        params.key_id, "draft-cavage", lambda pem: sig.verify(params, method, target, headers, pem)
    )


def target_uri(ctx: Context, headers: Mapping[str, str], target: str) -> str:
    """The URL the sender requested, as RFC 9421's @target-uri names it: the scheme of server.public_url
    (a proxy in front may have ended TLS), the Host the request carried, and the path and query."""
    scheme = urlsplit(ctx.settings.server.public_url).scheme or "https"
    return f"{scheme}://{headers.get('host', '')}{target}"


async def _claim_refetch(ctx: Context, actor: store.RemoteActor) -> bool:
    """Whether this request may refetch `actor` (its key failed): only when its last fetch is older than the
    cooldown. The claim moves the actor's fetch time to now in one statement, so that of many requests at
    once (and across workers) only one refetches; the memory this takes is the actor's row."""
    now = ctx.clock()
    async with store_engine.write(ctx.engine) as conn:
        return await store.claim_refetch(
            conn, actor.id, now=now, older_than=now - REFETCH_COOLDOWN_SECONDS * US
        )


def subject_of(activity_id: str | None) -> str | None:
    """The event's subject for an activity: its id, or (longer than events.subject holds, as many are: a
    Mastodon Update's id has the status URL and a fragment) its SHA-256; the activity itself is in the data."""
    if activity_id is None or len(activity_id) <= 64:
        return activity_id
    return hashlib.sha256(activity_id.encode("utf-8", "surrogatepass")).hexdigest()


def read_activity(body: bytes, limit: int) -> dict[str, Any]:
    if len(body) > limit:
        raise PayloadTooLarge(f"An activity may have at most {limit} bytes")
    try:
        activity = msgspec.json.decode(body)
    except msgspec.DecodeError:
        raise BadRequest("The body is not JSON", code="activity-invalid") from None
    if not isinstance(activity, dict):
        raise BadRequest("An activity is a JSON object", code="activity-invalid")
    for field in ("type", "actor"):
        if docs.id_of(activity.get(field)) is None:
            raise BadRequest(f"The activity has no {field}", code="activity-invalid")
    return activity


async def check_for_site(ctx: Context, site_name: str, activity: dict[str, Any]) -> None:
    """A site's inbox refuses an activity whose object is another site's actor, article or comment."""
    site = await site_named(ctx, site_name)
    obj = activity.get("object")
    candidates = [docs.id_of(obj)]
    if isinstance(obj, dict):
        candidates.append(docs.id_of(obj.get("inReplyTo")))
        candidates.append(docs.id_of(obj.get("object")))
    for url in filter(None, candidates):
        target = local_target(ctx, url)
        if target is None:
            continue
        kind, value = target
        if kind in ("actor", "article") and value.split("\n", 1)[0] != site.name:
            raise NotForThisSite()
        if kind == "comment":
            async with store_engine.read(ctx.engine) as conn:
                found = await comment_store.select_comment(conn, value)
                thread = await thread_store.select_thread_by_id(conn, found[0].thread_id) if found else None
            if thread is not None and thread.site_id != site.id:
                raise NotForThisSite()


async def receive(
    ctx: Context,
    *,
    site_name: str | None,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
) -> None:
    """Check an incoming activity (see the module's docstring) and queue it; raises the refusal."""
    settings = ctx.settings.activitypub
    activity = read_activity(body, settings.max_body_bytes)
    if site_name is not None:
        await site_named(ctx, site_name)
    check = checked_signature(ctx, method, target, headers, body)
    if await _blocked(ctx, domain_of(check.key_id)):
        raise InstanceBlocked()
    client = client_for(ctx)
    ours = await fetch_signer(ctx, site_name)
    before = ctx.clock()
    signer = await remote_actor(ctx, client, key_id=check.key_id, signer=ours)
    if not check.verify(signer.public_pem):
        if signer.fetched >= before or not await _claim_refetch(ctx, signer):
            # fetched just now, or within the cooldown: refetching cannot help, or would help a flood
            raise sig.SignatureInvalid("The signature does not match the signer's key")
        # a rotated key?
        signer = await remote_actor(ctx, client, key_id=check.key_id, refresh=True, signer=ours)
        if not check.verify(signer.public_pem):
            raise sig.SignatureInvalid("The signature does not match the signer's key")
    if docs.id_of(activity.get("actor")) != signer.uri:
        raise sig.SignatureInvalid("The activity's actor is not the one who signed it", code="actor-mismatch")
    if await _blocked(ctx, signer.domain):
        raise InstanceBlocked()
    if site_name is not None:
        await check_for_site(ctx, site_name, activity)
    async with store_engine.write(ctx.engine) as conn:
        event = await ctx.outbox.add(
            conn,
            EventKind.ACTIVITY_RECEIVED,
            subject=subject_of(docs.id_of(activity.get("id"))),
            data={"activity": activity, "actor": signer.uri, "site": site_name, "signature": check.scheme},
        )
    ctx.outbox.committed(event)
