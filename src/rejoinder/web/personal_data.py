"""A signed-in reader's data rights over HTTP: GET /api/me/data (everything held about them, as a JSON
download) and DELETE /api/me (erase the account, removing or anonymising their comments)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Request, Response, delete, get
from litestar.params import FromQuery

from rejoinder.services import accounts
from rejoinder.services import personal_data as service
from rejoinder.web.params import AuthHeader
from rejoinder.web.wire import ctx_of

NO_STORE = {"Cache-Control": "private, no-store"}


def attachment(document: dict[str, Any], filename: str) -> Response[Any]:
    """A data download: the JSON document as a file to save, never cached anywhere."""
    return Response(
        document,
        media_type="application/json",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


class ErasedOut(msgspec.Struct):
    comments_removed: int
    comments_anonymised: int
    likes_removed: int
    account_deleted: bool


@get("/api/me/data", summary="Download everything held about the signed-in reader", tags=["data rights"])
async def download_my_data(
    request: Request[Any, Any, Any], authorization: AuthHeader = None
) -> Response[Any]:
    """A JSON document (an attachment) of the reader's account, sign-in methods (no secrets), sessions,
    comments with every revision, likes, reports filed, and moderation data about them (docs/data.md)."""
    ctx = ctx_of(request)
    reader = await accounts.authenticate(ctx, authorization)
    document = await service.collect(ctx, identity=reader.identity)
    return attachment(document, f"rejoinder-data-{reader.identity.id}.json")


@delete("/api/me", summary="Delete the signed-in reader's account", tags=["data rights"], status_code=200)
async def delete_my_account(
    request: Request[Any, Any, Any],
    comments: FromQuery[Literal["remove", "anonymise"]],
    authorization: AuthHeader = None,
) -> Response[ErasedOut]:
    """Erase the account with its sign-in methods, sessions, likes and roles. `comments=remove` wipes the
    reader's comments (a placeholder stays only where replies depend on one); `comments=anonymise` keeps
    their text under the name "Deleted user", with nothing that leads back to the reader."""
    ctx = ctx_of(request)
    reader = await accounts.authenticate(ctx, authorization)
    erased = await service.erase(
        ctx, service.KeepComments(comments), actor=reader.identity.id, identity_id=reader.identity.id
    )
    out = ErasedOut(
        comments_removed=erased.comments_removed,
        comments_anonymised=erased.comments_anonymised,
        likes_removed=erased.likes_removed,
        account_deleted=erased.identity_deleted,
    )
    return Response(out, headers=NO_STORE)


ROUTES: list[Any] = [download_my_data, delete_my_account]
