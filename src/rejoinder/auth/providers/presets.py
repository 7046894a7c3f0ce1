"""Sign-in presets: everything rejoinder needs to know about a provider except the publisher's client id
and secret. Pure data; adding a standard OpenID provider is one entry in OAUTH_PRESETS here (docs/sign-in.md
says how). The other kinds declare their presets in their own modules (`Kind.presets`); the table of them
all is PRESETS in auth/providers/__init__.py.

`protocol = "oidc"` providers are found by issuer (discovery) and return a signed ID token;
`protocol = "oauth2"` providers give explicit endpoints and a user-info API whose fields the claim map names.
"""

# ruff: noqa: S105, S106  (token_url / token_auth are endpoint names, not passwords)
from __future__ import annotations

from typing import Literal

import msgspec


class ClaimMap(msgspec.Struct, frozen=True):
    """Where each part of the profile is in the ID token / user-info document: dotted paths, first hit wins."""

    subject: tuple[str, ...] = ("sub",)
    name: tuple[str, ...] = ("name", "preferred_username", "nickname")
    email: tuple[str, ...] = ("email",)
    email_verified: tuple[str, ...] = ("email_verified",)
    profile_url: tuple[str, ...] = ("profile",)
    username: tuple[str, ...] = ()
    picture: tuple[str, ...] = ("picture",)  # an image URL (or, with Preset.picture_template, part of one)


class Preset(msgspec.Struct, frozen=True):
    name: str
    label: str
    icon: str
    protocol: str  # one of the `protocols` of the kind that builds it (auth/providers/kinds.py Kind)
    register_at: str  # where a publisher registers rejoinder as an app (printed by `provider test`)
    issuer: str = ""  # oidc: may hold {tenant} (Microsoft) or {base_url} (self-hosted GitLab)
    authorize_url: str = ""
    token_url: str = ""
    userinfo_url: str = ""
    emails_url: str = ""  # GitHub: the verified addresses live in a second API
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    claims: ClaimMap = ClaimMap()
    auth_params: tuple[tuple[str, str], ...] = ()  # extra authorization-request parameters
    token_auth: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic"
    # Some providers return an address without saying whether it is verified. Such an address never
    # counts as verified (it could be anyone's: the "nOAuth" mistake), unless the preset says the
    # provider only ever returns verified addresses.
    email_always_verified: bool = False
    profile_template: str = ""  # e.g. "https://x.com/{username}" when the API has no profile URL
    # When the API gives an image id rather than a URL (Discord's avatar hash): {subject} and {picture}.
    picture_template: str = ""
    needs_client: bool = True  # False: rejoinder registers itself (Mastodon)
    notes: str = ""

    @classmethod
    def own(cls, name: str, label: str, *, nothing_to_register: str) -> Preset:
        """The preset of a kind that asks no provider for scopes or a client (email links, passkeys,
        publisher SSO): its name is its icon and protocol; `nothing_to_register` says why."""
        return cls(
            name=name,
            label=label,
            icon=name,
            protocol=name,
            scopes=(),
            needs_client=False,
            register_at=f"nothing to register: {nothing_to_register}",
        )


_OIDC_CLAIMS = ClaimMap()

OAUTH_PRESETS: dict[str, Preset] = {
    "google": Preset(
        name="google",
        label="Google",
        icon="google",
        protocol="oidc",
        issuer="https://accounts.google.com",
        register_at="https://console.cloud.google.com/apis/credentials (OAuth client ID, type Web application)",
    ),
    "microsoft": Preset(
        name="microsoft",
        label="Microsoft",
        icon="microsoft",
        protocol="oidc",
        # For common/organizations/consumers the discovered issuer is a template with {tenantid}; each
        # token's `iss` is checked against it with the token's own `tid` filled in.
        issuer="https://login.microsoftonline.com/{tenant}/v2.0",
        register_at="https://entra.microsoft.com → App registrations → New registration (platform Web)",
        # Microsoft's `email` claim is not verified by Microsoft for every account type: never trusted. Its
        # `picture` (user-info) is a Microsoft Graph URL that answers only with the reader's access token.
        claims=ClaimMap(email_verified=(), picture=()),
    ),
    "apple": Preset(
        name="apple",
        label="Apple",
        icon="apple",
        protocol="oidc",
        issuer="https://appleid.apple.com",
        scopes=("openid", "email", "name"),
        # Apple answers with a form POST when name or email are asked for.
        auth_params=(("response_mode", "form_post"),),
        token_auth="client_secret_post",
        register_at="https://developer.apple.com/account/resources/identifiers (Services ID + Sign in with Apple key)",
        notes="Apple's client secret is a JWT you sign with your key (valid up to 6 months); put it in the secret file.",
    ),
    "github": Preset(
        name="github",
        label="GitHub",
        icon="github",
        protocol="oauth2",
        authorize_url="https://github.com/login/oauth/authorize",
        token_url="https://github.com/login/oauth/access_token",
        userinfo_url="https://api.github.com/user",
        emails_url="https://api.github.com/user/emails",
        scopes=("read:user", "user:email"),
        claims=ClaimMap(
            subject=("id",),
            name=("name", "login"),
            email=(),
            email_verified=(),
            profile_url=("html_url",),
            username=("login",),
            picture=("avatar_url",),
        ),
        token_auth="client_secret_post",
        register_at="https://github.com/settings/developers → OAuth Apps → New OAuth App",
    ),
    "gitlab": Preset(
        name="gitlab",
        label="GitLab",
        icon="gitlab",
        protocol="oidc",
        issuer="{base_url}",  # https://gitlab.com unless `issuer` names a self-hosted instance
        scopes=("openid", "profile", "email"),
        claims=ClaimMap(profile_url=("profile",), username=("nickname",)),
        register_at="{base_url}/-/user_settings/applications (scopes openid, profile, email)",
    ),
    "facebook": Preset(
        name="facebook",
        label="Facebook",
        icon="facebook",
        protocol="oauth2",
        authorize_url="https://www.facebook.com/v21.0/dialog/oauth",
        token_url="https://graph.facebook.com/v21.0/oauth/access_token",
        userinfo_url="https://graph.facebook.com/v21.0/me?fields=id,name,email,link,picture",
        scopes=("public_profile", "email"),
        claims=ClaimMap(
            subject=("id",),
            name=("name",),
            email=("email",),
            email_verified=(),
            profile_url=("link",),
            picture=("picture.data.url",),
        ),
        token_auth="client_secret_post",
        register_at="https://developers.facebook.com/apps → Create app → Facebook Login",
    ),
    "discord": Preset(
        name="discord",
        label="Discord",
        icon="discord",
        protocol="oauth2",
        authorize_url="https://discord.com/oauth2/authorize",
        token_url="https://discord.com/api/oauth2/token",
        userinfo_url="https://discord.com/api/users/@me",
        scopes=("identify", "email"),
        claims=ClaimMap(
            subject=("id",),
            name=("global_name", "username"),
            email=("email",),
            email_verified=("verified",),
            profile_url=(),
            username=("username",),
            picture=("avatar",),  # a hash; no avatar (null) means Discord's default: the identicon instead
        ),
        picture_template="https://cdn.discordapp.com/avatars/{subject}/{picture}.png",
        register_at="https://discord.com/developers/applications → New Application → OAuth2",
    ),
    "wordpress": Preset(
        name="wordpress",
        label="WordPress.com",
        icon="wordpress",
        protocol="oauth2",
        authorize_url="https://public-api.wordpress.com/oauth2/authorize",
        token_url="https://public-api.wordpress.com/oauth2/token",
        userinfo_url="https://public-api.wordpress.com/rest/v1.1/me",
        scopes=("auth",),
        claims=ClaimMap(
            subject=("ID",),
            name=("display_name", "username"),
            email=("email",),
            email_verified=("email_verified",),
            profile_url=("profile_URL",),
            username=("username",),
            picture=("avatar_URL",),
        ),
        token_auth="client_secret_post",
        register_at="https://developer.wordpress.com/apps/ → Create New Application",
    ),
    "x": Preset(
        name="x",
        label="X",
        icon="x",
        protocol="oauth2",
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        userinfo_url="https://api.x.com/2/users/me?user.fields=profile_image_url",
        scopes=("users.read", "tweet.read"),
        claims=ClaimMap(
            subject=("data.id",),
            name=("data.name", "data.username"),
            email=(),
            email_verified=(),
            profile_url=(),
            username=("data.username",),
            picture=("data.profile_image_url",),
        ),
        profile_template="https://x.com/{username}",
        register_at="https://developer.x.com/en/portal/dashboard → Project → App → User authentication settings",
        notes="X/Twitter's API access is a paid plan on their side; OAuth 2.0 with PKCE, confidential client.",
    ),
    "oidc": Preset(
        name="oidc",
        label="OpenID Connect",
        icon="openid",
        protocol="oidc",
        issuer="{issuer}",
        register_at="your OpenID provider's client registration",
    ),
    "oauth2": Preset(
        name="oauth2",
        label="OAuth 2.0",
        icon="key",
        protocol="oauth2",
        scopes=(),
        claims=ClaimMap(
            subject=("sub", "id"),
            email_verified=("email_verified", "verified"),
            picture=("picture", "avatar_url", "avatar"),
        ),
        register_at="your OAuth 2.0 provider's client registration",
    ),
}


# Twitter is X's old name: the same preset under both names.
OAUTH_PRESETS["twitter"] = msgspec.structs.replace(OAUTH_PRESETS["x"], name="twitter", label="X (Twitter)")
