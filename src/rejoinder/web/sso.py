"""POST /api/auth/sso: exchange a publisher's signed token (publisher SSO) for a session.

The widget takes the token from `data-sso-token` or `rejoinder.sso(jwt)` and posts it here; the answer
has the shape of every other session hand-back (web/signin_pages.py SessionOut).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, post
from litestar.params import JSONBody

from rejoinder.services import sso as service
from rejoinder.web.signin_pages import SessionOut, registry_of, session_out
from rejoinder.web.wire import ctx_of


class SsoIn(msgspec.Struct, forbid_unknown_fields=True):
    site: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=16384)]
    provider: Annotated[str, msgspec.Meta(min_length=1, max_length=40)] | None = None


@post("/api/auth/sso", summary="Sign in with the publisher's token (SSO)", tags=["sign-in"], status_code=200)
async def sso_sign_in(request: Request[Any, Any, Any], data: JSONBody[SsoIn]) -> Response[SessionOut]:
    """Check the publisher's JWT for `site` (docs/sign-in.md, "Publisher SSO") and answer a session:
    `{token, identity, provider}`. `provider` is needed only when the site has several SSO providers."""
    ctx = ctx_of(request)
    outcome = await service.sign_in_with_token(
        ctx,
        registry_of(request),
        site_name=data.site,
        token=data.token,
        provider_name=data.provider,
        origin=request.headers.get("origin"),
    )
    return Response(session_out(request, outcome), headers={"Cache-Control": "no-store"})


ROUTES: list[Any] = [sso_sign_in]
