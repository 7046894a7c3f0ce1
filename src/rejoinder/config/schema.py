"""The settings schema: one msgspec Struct per section, each setting declared once with its type, default and
one-line help (the `help` metadata). Not here: reading files or the environment (loading.py), validation across
settings (loading.py), the commented example (example.py) or redaction (redaction.py).
"""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec

from rejoinder.domain.sites import PremoderationMode
from rejoinder.domain.urls import DROPPED_PARAMS


def _h(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class LogLevel(enum.StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class LogFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


class HttpServer(enum.StrEnum):
    """[server] server: the ASGI server `rejoinder serve` runs."""

    GRANIAN = "granian"
    UVICORN = "uvicorn"


class RepeatAction(enum.StrEnum):
    """[moderation] repeat_action: what a repeat of one's own comment gets (a moderation.rules.Action)."""

    FLAG = "flag"
    HOLD = "hold"
    REJECT = "reject"


class SuspectAction(enum.StrEnum):
    """[moderation] suspect_action: what a suspect word gets (a moderation.rules.Action)."""

    FLAG = "flag"
    HOLD = "hold"
    NUDGE = "nudge"


class FailureAction(enum.StrEnum):
    """[moderation] external_failure: what a comment gets when an external check fails (a
    moderation.rules.Action)."""

    PASS = "pass"  # noqa: S105 (not a password)
    FLAG = "flag"
    HOLD = "hold"


class ServerSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    host: Annotated[str, _h("Address to listen on")] = "127.0.0.1"
    port: Annotated[int, _h("TCP port to listen on"), msgspec.Meta(ge=0, le=65535)] = 8080
    workers: Annotated[int, _h("Worker processes"), msgspec.Meta(ge=1, le=64)] = 1
    server: Annotated[HttpServer, _h("HTTP server: granian or uvicorn")] = HttpServer.GRANIAN
    public_url: Annotated[
        str,
        _h("Public base URL of this rejoinder, for links; needed unless it listens on loopback only"),
    ] = ""
    max_body_bytes: Annotated[int, _h("Largest request body accepted, in bytes"), msgspec.Meta(ge=1024)] = (
        65536
    )
    stop_timeout: Annotated[
        int,
        _h("Seconds workers get to stop after SIGTERM before they are killed"),
        msgspec.Meta(ge=1, le=600),
    ] = 10
    language: Annotated[
        str, _h("Language of pages and emails when the reader's is unknown (see docs/embedding.md#languages)")
    ] = "en"
    log_level: Annotated[LogLevel, _h("Lowest level of log lines written: debug, info, warning or error")] = (
        LogLevel.INFO
    )
    log_format: Annotated[
        LogFormat, _h("Log lines as text (timestamped) or json (one object a line, for log collectors)")
    ] = LogFormat.TEXT
    access_log: Annotated[bool, _h("Log one line per request (method, path, status, time, request id)")] = (
        True
    )
    metrics_token: Annotated[
        str,
        _h(
            "Bearer token for GET /metrics (Prometheus); empty: /metrics answers 404 and requests are not counted"
        ),
    ] = ""


class DatabaseSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    url: Annotated[str, _h("sqlite:///path.db or postgresql://user@host/db")] = "sqlite:///rejoinder.db"
    sqlite_synchronous: Annotated[
        str, _h("SQLite synchronous pragma: FULL (durable on power loss) or NORMAL")
    ] = "FULL"
    auto_migrate: Annotated[bool, _h("Apply pending migrations when the server starts")] = True
    pool_size: Annotated[int, _h("PostgreSQL connection pool size"), msgspec.Meta(ge=1, le=200)] = 10


class SecuritySettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    secret_key: Annotated[
        str, _h("Secret for keyed hashes and tokens; empty = generated and kept in the DB")
    ] = ""
    previous_secret_keys: Annotated[
        list[str],
        _h("Keys replaced by secret_key, still accepted for what they signed until removed (rotation)"),
    ] = msgspec.field(default_factory=list)


class CommentSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    edit_window_seconds: Annotated[int, _h("How long an author may edit or delete"), msgspec.Meta(ge=0)] = 900
    max_text_length: Annotated[int, _h("Longest comment text, in characters"), msgspec.Meta(ge=1)] = 10000
    max_name_length: Annotated[int, _h("Longest author name, in characters"), msgspec.Meta(ge=1)] = 80
    max_url_length: Annotated[int, _h("Longest website or article URL"), msgspec.Meta(ge=16)] = 2048
    max_depth: Annotated[int, _h("Deepest reply nesting stored"), msgspec.Meta(ge=1)] = 64
    page_size: Annotated[int, _h("Top-level comments per page by default"), msgspec.Meta(ge=1, le=1000)] = 50
    replies_per_page: Annotated[
        int,
        _h("Replies of one conversation per page, and per batch of more replies"),
        msgspec.Meta(ge=1, le=1000),
    ] = 100
    drop_query_params: Annotated[
        list[str],
        _h("Query parameters removed from article URLs (tracking and credentials; a trailing * = prefix)"),
    ] = msgspec.field(default_factory=lambda: list(DROPPED_PARAMS))


class CacheSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    max_entries: Annotated[int, _h("Thread responses kept in memory per worker"), msgspec.Meta(ge=0)] = 2000
    max_age: Annotated[
        int, _h("Seconds a CDN may serve a thread before revalidating"), msgspec.Meta(ge=0)
    ] = 5
    generation_file: Annotated[
        str, _h("File shared by workers to invalidate caches; empty = beside the DB")
    ] = ""
    comment_fragments: Annotated[
        int, _h("Encoded comments kept per worker to rebuild threads fast"), msgspec.Meta(ge=0)
    ] = 50000


class AvatarSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    gravatar_url: Annotated[
        str, _h("Gravatar base URL for sites that opt in (fetched by the server, never by readers)")
    ] = "https://www.gravatar.com"
    provider_pictures: Annotated[
        bool, _h("Show signed-in readers' provider pictures (fetched by the server, never by readers)")
    ] = True
    picture_timeout: Annotated[
        int, _h("Seconds a provider picture may take to download"), msgspec.Meta(ge=1, le=60)
    ] = 5
    pictures_allow_private: Annotated[
        bool, _h("Fetch provider pictures from loopback/private addresses or plain http (tests only)")
    ] = False


class RedisSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    url: Annotated[str, _h("redis://host:port/db for cross-host cache invalidation; empty = off")] = ""
    prefix: Annotated[
        str,
        _h(
            "Namespace of this installation in Redis (pub/sub channels, rate-limit counters); give each "
            "installation sharing one Redis its own"
        ),
        msgspec.Meta(pattern=r"^[A-Za-z0-9_.-]{1,64}$"),
    ] = "rejoinder"


class EventSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    poll_seconds: Annotated[
        float, _h("How often each worker looks for undelivered events"), msgspec.Meta(gt=0, le=60)
    ] = 1.0
    grace_seconds: Annotated[
        float, _h("How long other workers leave a new event to the worker that wrote it"), msgspec.Meta(ge=0)
    ] = 5.0
    lease_seconds: Annotated[
        int, _h("How long a worker may take to deliver what it claimed"), msgspec.Meta(ge=5, le=3600)
    ] = 120
    max_attempts: Annotated[
        int, _h("Attempts before a delivery becomes a dead letter (/admin/events)"), msgspec.Meta(ge=1)
    ] = 12
    retry_base_seconds: Annotated[
        float, _h("First retry delay; each retry doubles it"), msgspec.Meta(gt=0, le=3600)
    ] = 2.0
    retry_max_seconds: Annotated[
        float, _h("Longest delay between two retries"), msgspec.Meta(gt=0, le=86400)
    ] = 3600.0
    keep_days: Annotated[
        int, _h("Days delivered events are kept before they are purged"), msgspec.Meta(ge=1)
    ] = 7


class RetentionSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    ip_days: Annotated[
        int,
        _h(
            "Days a comment keeps its author's (anonymised) network address; 0 = keep it as long as the comment"
        ),
        msgspec.Meta(ge=0, le=36500),
    ] = 90
    moderation_days: Annotated[
        int,
        _h("Days the moderation log, decided reports and ended bans are kept; 0 = keep them for ever"),
        msgspec.Meta(ge=0, le=36500),
    ] = 365
    webhook_log_days: Annotated[
        int,
        _h("Days the webhook delivery log (every attempt, shown in /admin) is kept; 0 = keep it for ever"),
        msgspec.Meta(ge=0, le=36500),
    ] = 30


class SsoKey(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One HS256 key of a publisher-SSO provider: its `kid` and where its secret is (never the secret)."""

    kid: str
    secret_env: str = ""
    secret_file: str = ""


class ProviderSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One sign-in provider, as `[auth.providers.NAME]`; NAME appears in /auth/NAME/callback."""

    preset: Annotated[
        str,
        _h(
            "google, microsoft, apple, github, gitlab, facebook, discord, wordpress, x, mastodon, "
            "oidc (any OpenID provider by issuer), oauth2 (explicit endpoints), email (emailed "
            "sign-in links), passkey (WebAuthn) or sso (the publisher's own sign-in); empty = NAME"
        ),
    ] = ""
    label: Annotated[str, _h("Name shown to readers; empty = the preset's")] = ""
    icon: Annotated[str, _h("Icon name for the widget; empty = the preset's")] = ""
    client_id: Annotated[str, _h("Client id registered at the provider (not needed for mastodon)")] = ""
    client_secret_env: Annotated[str, _h("Environment variable holding the client secret")] = ""
    client_secret_file: Annotated[str, _h("File holding the client secret (e.g. a mounted secret)")] = ""
    issuer: Annotated[
        str,
        _h(
            "Issuer URL for preset oidc; base URL of a self-hosted GitLab for preset gitlab; "
            "for preset sso the `iss` tokens must carry (empty = not checked)"
        ),
    ] = ""
    tenant: Annotated[str, _h("Microsoft tenant: common, organizations, consumers or a tenant id")] = "common"
    authorize_url: Annotated[str, _h("Authorization endpoint (preset oauth2 only)")] = ""
    token_url: Annotated[str, _h("Token endpoint (preset oauth2 only)")] = ""
    userinfo_url: Annotated[str, _h("User-info endpoint (preset oauth2 only)")] = ""
    scopes: Annotated[list[str], _h("Scopes to ask for; empty = the preset's")] = msgspec.field(
        default_factory=list
    )
    sites: Annotated[list[str], _h("Sites offering this provider; empty = every site")] = msgspec.field(
        default_factory=list
    )
    keys: Annotated[
        list[SsoKey],
        _h("Preset sso: HS256 keys as {kid, secret_env or secret_file} tables; several while rotating"),
    ] = msgspec.field(default_factory=list)
    jwks_url: Annotated[str, _h("Preset sso: URL of the publisher's JWKS (RS256, ES256, EdDSA keys)")] = ""
    audience: Annotated[str, _h("Preset sso: the `aud` tokens must carry; empty = the site's name")] = ""
    max_age: Annotated[
        int,
        _h("Preset sso: longest life of a token (exp - now, now - iat), in seconds"),
        msgspec.Meta(ge=10, le=3600),
    ] = 300
    login_url: Annotated[
        str, _h("Preset sso: the publisher's login page; when set, the widget offers it as a button")
    ] = ""


class AuthSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    session_days: Annotated[
        int, _h("Days a sign-in lasts before the reader signs in again"), msgspec.Meta(ge=1)
    ] = 30
    purge_interval: Annotated[
        int,
        _h("Seconds between deletions of expired sessions and sign-in tickets (0 = `rejoinder purge` only)"),
        msgspec.Meta(ge=0, le=604800),
    ] = 3600
    flow_seconds: Annotated[
        int, _h("Seconds a reader has to finish signing in at a provider"), msgspec.Meta(ge=30, le=3600)
    ] = 600
    link_offer_seconds: Annotated[
        int,
        _h("Seconds an offer to link a new sign-in to an existing account stays open"),
        msgspec.Meta(ge=60),
    ] = 1800
    http_timeout: Annotated[
        int, _h("Seconds to wait for a provider's server"), msgspec.Meta(ge=1, le=120)
    ] = 10
    email_link_minutes: Annotated[
        int, _h("Minutes an emailed sign-in link stays usable (it works once)"), msgspec.Meta(ge=1, le=1440)
    ] = 15
    fediverse_app_name: Annotated[str, _h("Name rejoinder registers under at Mastodon servers")] = "rejoinder"
    fediverse_allow_private: Annotated[
        bool,
        _h("Let readers name fediverse servers on loopback/private addresses or plain http (tests only)"),
    ] = False
    providers: Annotated[
        dict[str, ProviderSettings],
        _h("Sign-in providers as [auth.providers.NAME] tables; see docs/sign-in.md"),
    ] = msgspec.field(default_factory=dict)


# The moderation checks in their default order, and so the registry of them: each name is a module of
# moderation/checks/ that declares its CHECK (moderation.checks.CHECKS is built from this list).
MODERATION_CHECKS = (
    "limits",
    "honeypot",
    "repeats",
    "links",
    "words",
    "premoderation",
    "classifier",
    "akismet",
    "hook",
)
PREMODERATION_MODES = tuple(mode.value for mode in PremoderationMode)
Percent = msgspec.Meta(ge=0, le=100)


class ModerationSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """[moderation]: the checks every new or edited comment goes through, and the rate limits.
    Sites may override some of these (domain.sites.SiteModeration); docs/moderation.md explains each."""

    enabled: Annotated[bool, _h("Run new and edited comments through the moderation pipeline")] = True
    checks: Annotated[
        list[str], _h("Checks in the order they run; leave one out to turn it off (external ones run last)")
    ] = msgspec.field(default_factory=lambda: list(MODERATION_CHECKS))
    min_seconds: Annotated[
        int, _h("Seconds a reader must have had the form before posting (0 = off)"), msgspec.Meta(ge=0)
    ] = 3
    require_form_token: Annotated[
        bool, _h("Refuse comments without the token from GET /api/form-token (when every client sends it)")
    ] = False
    repeat_window: Annotated[
        int, _h("Seconds back that repeat-post detection looks (0 = off)"), msgspec.Meta(ge=0)
    ] = 86400
    repeat_similarity: Annotated[
        int, _h("How alike two texts must be, in percent, to count as a repeat"), msgspec.Meta(ge=50, le=100)
    ] = 85
    repeat_action: Annotated[
        RepeatAction, _h("What a repeat of one's own comment gets: flag, hold or reject")
    ] = RepeatAction.REJECT
    same_text_authors: Annotated[
        int,
        _h("Hold a text that this many other authors posted within the repeat window (0 = off)"),
        msgspec.Meta(ge=0),
    ] = 3
    max_links: Annotated[int, _h("Hold a comment with more links than this"), msgspec.Meta(ge=0)] = 3
    blocked_domains: Annotated[
        list[str], _h("Links to these domains or their subdomains refuse a comment")
    ] = msgspec.field(default_factory=list)
    blocked_words: Annotated[
        list[str], _h("Words or phrases that refuse a comment (normalised match; a trailing * = prefix)")
    ] = msgspec.field(default_factory=list)
    suspect_words: Annotated[
        list[str], _h("Words or phrases that get the suspect action (normalised match; trailing * = prefix)")
    ] = msgspec.field(default_factory=list)
    suspect_action: Annotated[SuspectAction, _h("What a suspect word gets: flag, hold or nudge")] = (
        SuspectAction.FLAG
    )
    match_timeout_ms: Annotated[
        int, _h("Longest time one word-list match may take, in milliseconds"), msgspec.Meta(ge=1, le=1000)
    ] = 25
    premoderation: Annotated[
        PremoderationMode,
        _h("Hold for review: off, all, first (a new commenter's first ones), guests or links"),
    ] = PremoderationMode.OFF
    premoderate_first: Annotated[
        int, _h("With premoderation = first: approved comments a commenter needs first"), msgspec.Meta(ge=1)
    ] = 1
    spam_flag: Annotated[int, _h("Flag at this classifier spam score, in percent (100 = never)"), Percent] = (
        50
    )
    spam_hold: Annotated[int, _h("Hold at this classifier spam score, in percent (100 = never)"), Percent] = (
        85
    )
    abuse_flag: Annotated[
        int, _h("Flag at this classifier abuse score, in percent (100 = never)"), Percent
    ] = 50
    abuse_nudge: Annotated[
        int, _h("Ask the writer to revise at this abuse score, in percent (100 = never)"), Percent
    ] = 70
    abuse_hold: Annotated[
        int, _h("Hold at this classifier abuse score, in percent (100 = never)"), Percent
    ] = 90
    akismet_key: Annotated[str, _h("Akismet API key for every site without its own; empty = off")] = ""
    akismet_url: Annotated[str, _h("Akismet API base URL")] = "https://rest.akismet.com"
    hook_url: Annotated[str, _h("URL of a signed HTTP check hook (docs/moderation.md); empty = off")] = ""
    hook_secret: Annotated[str, _h("Shared secret the hook's HMAC-SHA256 signature is made with")] = ""
    external_timeout_ms: Annotated[
        int, _h("Milliseconds to wait for Akismet or the hook"), msgspec.Meta(ge=100, le=30000)
    ] = 2000
    external_failure: Annotated[
        FailureAction, _h("What a comment gets when an external check fails or times out: pass, flag or hold")
    ] = FailureAction.PASS
    model_dir: Annotated[
        str,
        _h(
            "Where the classifier's model files live; empty = beside a SQLite file (its name + .models), "
            "else rejoinder-models in the working directory"
        ),
    ] = ""
    reports_to_hold: Annotated[
        int, _h("Open reader reports that hold a published comment"), msgspec.Meta(ge=1)
    ] = 3
    close_after_days: Annotated[
        int, _h("Close threads this many days after they start (0 = never)"), msgspec.Meta(ge=0)
    ] = 0
    trusted_proxies: Annotated[
        list[str],
        _h(
            "Proxies (addresses or CIDR networks) whose Forwarded / X-Forwarded-For, -Proto and -Host "
            "headers are believed (client address, scheme, host)"
        ),
    ] = msgspec.field(default_factory=list)
    rate_limits: Annotated[bool, _h("Apply the rate limits below")] = True
    comment_limit_ip: Annotated[str, _h("Comments per client network (IPv4 address, IPv6 /56)")] = (
        "30/minute;300/hour"
    )
    comment_limit_identity: Annotated[str, _h("Comments per signed-in identity")] = "30/minute;300/hour"
    comment_limit_thread: Annotated[str, _h("Comments per thread, from everyone")] = "120/minute"
    like_limit_ip: Annotated[str, _h("Likes and unlikes per client network")] = "120/minute;2000/hour"
    like_limit_identity: Annotated[str, _h("Likes and unlikes per signed-in identity")] = "120/minute"
    report_limit_ip: Annotated[str, _h("Reports per client network")] = "10/minute;60/day"
    report_limit_identity: Annotated[str, _h("Reports per signed-in identity")] = "10/minute;60/day"
    magic_link_limit_ip: Annotated[str, _h("Sign-in link emails per client network")] = "5/minute;30/hour"
    magic_link_limit_email: Annotated[str, _h("Sign-in link emails per address")] = "3/10minutes;10/day"
    subscribe_limit_ip: Annotated[str, _h("Subscription requests per client network")] = "10/minute;60/hour"
    subscribe_limit_email: Annotated[str, _h("Subscription confirmation emails per address")] = (
        "3/10minutes;10/day"
    )
    webmention_limit_domain: Annotated[
        str, _h("Webmentions received per source domain (POST /webmention; 429 past it)")
    ] = "20/minute;200/day"
    sign_in_limit_ip: Annotated[str, _h("Sign-in pages started (/auth/NAME/start) per client network")] = (
        "30/minute;300/hour"
    )
    image_limit_ip: Annotated[str, _h("Image uploads per client network")] = "20/minute;200/hour"
    image_limit_identity: Annotated[str, _h("Image uploads per signed-in identity")] = "20/minute;200/hour"
    ipv6_aggregate_factor: Annotated[
        int,
        _h("Each per-network limit also applies, this many times over, to the IPv6 /48 around it; 0 = off"),
        msgspec.Meta(ge=0, le=65536),
    ] = 0
    ipv6_aggregate_prefix: Annotated[
        int,
        _h("The prefix length of that wider IPv6 network (32 to 55; 48 = a /48)"),
        msgspec.Meta(ge=32, le=55),
    ] = 48


class AdminSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """[admin]: the configured admin account of /admin (identities with a role sign in there too)."""

    username: Annotated[
        str, _h("Name of the configured admin account of /admin; empty = only identities with a role")
    ] = ""
    password_hash: Annotated[
        str, _h("Its password hash, from `rejoinder user set-password` (never the password itself)")
    ] = ""
    email: Annotated[str, _h("Where the configured admin gets moderation emails; empty = none")] = ""
    display_name: Annotated[str, _h("Name shown on staff replies the configured admin writes")] = "Moderator"
    session_hours: Annotated[int, _h("Hours a sign-in to /admin lasts"), msgspec.Meta(ge=1, le=720)] = 12
    login_limit: Annotated[str, _h("Password sign-in attempts per client network")] = "10/minute;50/hour"
    import_max_bytes: Annotated[
        int, _h("Largest export file an admin may upload to /admin/imports, in bytes"), msgspec.Meta(ge=1024)
    ] = 1024**3


class EmailSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """[email]: the SMTP server rejoinder sends through (moderation emails)."""

    host: Annotated[str, _h("SMTP server host; empty = send no email")] = ""
    port: Annotated[int, _h("SMTP server port"), msgspec.Meta(ge=1, le=65535)] = 587
    sender: Annotated[str, _h("From address of the emails, e.g. comments@example.org")] = ""
    starttls: Annotated[bool, _h("Upgrade the connection with STARTTLS (port 587)")] = True
    tls: Annotated[bool, _h("Connect with TLS from the start (port 465) instead of STARTTLS")] = False
    username: Annotated[str, _h("SMTP user name; empty = no authentication")] = ""
    password_env: Annotated[str, _h("Environment variable holding the SMTP password")] = ""
    timeout: Annotated[int, _h("Seconds to wait for the SMTP server"), msgspec.Meta(ge=1, le=300)] = 10
    keep_alive: Annotated[
        int,
        _h("Seconds an idle SMTP connection is kept for the next email; 0 = a new connection for each"),
        msgspec.Meta(ge=0, le=300),
    ] = 30
    notify_pending: Annotated[bool, _h("Email moderators about comments waiting for review (needs host)")] = (
        True
    )
    notify_interval: Annotated[
        int,
        _h("Ignored: held comments are mailed as they are held (kept so old files load)"),
        msgspec.Meta(ge=1, le=3600),
    ] = 30
    link_hours: Annotated[
        int, _h("Hours an approve/reject link in a moderation email stays usable"), msgspec.Meta(ge=1, le=720)
    ] = 72
    mailbox: Annotated[
        str,
        _h(
            "Directory where sign-in emails are written as files instead of sent (the demo's mailbox page); "
            "empty = send through host"
        ),
    ] = ""


class LiveSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    enabled: Annotated[
        bool, _h("Serve live updates of threads (GET /api/threads/live, Server-Sent Events)")
    ] = True
    max_streams: Annotated[
        int, _h("Live connections one worker holds at most"), msgspec.Meta(ge=1, le=1_000_000)
    ] = 10000
    max_streams_per_ip: Annotated[
        int, _h("Live connections from one network address (IPv6: its /56) per worker"), msgspec.Meta(ge=1)
    ] = 32
    heartbeat_seconds: Annotated[
        float, _h("Seconds between keep-alive comments on an idle stream"), msgspec.Meta(gt=0, le=300)
    ] = 15.0
    check_ms: Annotated[
        int,
        _h("How often a worker looks for changes in the threads it streams (ms), besides on each write"),
        msgspec.Meta(ge=10),
    ] = 100
    immediate: Annotated[
        bool,
        _h(
            "Look at once when a write is announced (this worker's, other hosts' through Redis); false: "
            "only every check_ms (fewer database reads on very busy threads)"
        ),
    ] = True
    resume_seconds: Annotated[
        int,
        _h("How far back a reconnecting client is caught up (Last-Event-ID); older: refetch"),
        msgspec.Meta(ge=0),
    ] = 3600
    queue: Annotated[
        int, _h("Messages waiting for one slow client before it is disconnected"), msgspec.Meta(ge=1)
    ] = 256
    max_seconds: Annotated[
        int, _h("A stream ends after this long (the browser reconnects and resumes)"), msgspec.Meta(ge=10)
    ] = 900


class WebhookSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """[webhooks]: signed HTTP callbacks a site's admins subscribe to (docs/notifications.md)."""

    timeout_seconds: Annotated[
        float, _h("Seconds a webhook receiver may take to answer"), msgspec.Meta(gt=0, le=60)
    ] = 10.0
    max_attempts: Annotated[
        int, _h("Attempts per event before an endpoint is disabled (31 = about a day)"), msgspec.Meta(ge=1)
    ] = 31
    retry_base_seconds: Annotated[
        float, _h("First retry delay of a webhook; each retry doubles it"), msgspec.Meta(gt=0, le=3600)
    ] = 30.0
    retry_max_seconds: Annotated[
        float, _h("Longest delay between two webhook retries"), msgspec.Meta(gt=0, le=86400)
    ] = 3600.0
    rotation_overlap_hours: Annotated[
        float,
        _h("Hours a rotated secret still signs deliveries beside the new one"),
        msgspec.Meta(ge=0, le=720),
    ] = 24.0
    allow_private: Annotated[
        bool, _h("Let webhook URLs be plain http or reach loopback/private addresses (tests only)")
    ] = False


class WebmentionSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """[webmention]: receiving Webmentions at POST /webmention and sending them for links in comments
    (docs/federation.md)."""

    receive: Annotated[bool, _h("Accept Webmentions at POST /webmention and advertise the endpoint")] = True
    blocked_domains: Annotated[
        list[str], _h("Source domains whose Webmentions are refused (subdomains included), for every site")
    ] = msgspec.field(default_factory=list)
    timeout_seconds: Annotated[
        float, _h("Seconds a source or a target page may take to answer"), msgspec.Meta(gt=0, le=60)
    ] = 10.0
    max_bytes: Annotated[
        int, _h("Largest source or target page read, in bytes"), msgspec.Meta(ge=1024, le=16_000_000)
    ] = 1_000_000
    max_redirects: Annotated[
        int, _h("Redirects followed when fetching a page (each hop checked)"), msgspec.Meta(ge=0, le=10)
    ] = 5
    max_attempts: Annotated[
        int, _h("Attempts to verify or send one Webmention before giving up"), msgspec.Meta(ge=1)
    ] = 8
    retry_base_seconds: Annotated[
        float, _h("First retry delay of a Webmention; each retry doubles it"), msgspec.Meta(gt=0, le=3600)
    ] = 60.0
    retry_max_seconds: Annotated[
        float, _h("Longest delay between two Webmention retries"), msgspec.Meta(gt=0, le=86400)
    ] = 3600.0
    allow_private: Annotated[
        bool,
        _h("Let sources, targets and endpoints be plain http or on loopback/private addresses (tests only)"),
    ] = False


class SubscriptionSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """[subscriptions]: readers' reply and thread notifications by email (docs/notifications.md)."""

    enabled: Annotated[bool, _h("Offer email subscriptions under the comment form (needs [email] host)")] = (
        True
    )
    batch_seconds: Annotated[
        int,
        _h("Notifications of one address within this many seconds go out as one email"),
        msgspec.Meta(ge=0, le=3600),
    ] = 60
    digest_hour: Annotated[
        int, _h("Hour of the day (UTC) the daily digests are sent"), msgspec.Meta(ge=0, le=23)
    ] = 7
    confirm_hours: Annotated[
        int, _h("Hours a confirmation link stays usable"), msgspec.Meta(ge=1, le=720)
    ] = 48
    link_days: Annotated[
        int,
        _h("Days the unsubscribe and manage links of an email stay usable"),
        msgspec.Meta(ge=1, le=3650),
    ] = 90
    max_attempts: Annotated[
        int, _h("Attempts to send one notification email before it is a dead letter"), msgspec.Meta(ge=1)
    ] = 12


class ImageStorage(enum.StrEnum):
    """[images] storage: where the re-encoded images of comments are kept (media/)."""

    LOCAL = "local"  # a directory on this machine
    S3 = "s3"  # an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph…)


class ImageSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Where images attached to comments are stored. Whether a site takes them, and its limits, are the
    site's settings (/admin → the site → Images; docs/embedding.md#images)."""

    storage: Annotated[ImageStorage, _h("Where images are stored: local (a directory) or s3")] = (
        ImageStorage.LOCAL
    )
    directory: Annotated[str, _h("Directory of the local storage (created if missing)")] = "images"
    max_upload_bytes: Annotated[
        int,
        _h("Largest image upload this server accepts, in bytes, whatever a site allows"),
        msgspec.Meta(ge=1024, le=100_000_000),
    ] = 10_000_000
    max_pixels: Annotated[
        int,
        _h("Most pixels (width × height × frames) an upload may decode to, whatever a site allows"),
        msgspec.Meta(ge=1, le=500_000_000),
    ] = 50_000_000
    upload_ttl_seconds: Annotated[
        int, _h("Uploads not attached to a comment within this many seconds are deleted"), msgspec.Meta(ge=60)
    ] = 3600
    s3_endpoint: Annotated[str, _h("S3 endpoint URL; empty = AWS's endpoint for s3_region")] = ""
    s3_region: Annotated[str, _h("S3 region")] = "us-east-1"
    s3_bucket: Annotated[str, _h("S3 bucket (it must exist)")] = ""
    s3_prefix: Annotated[str, _h("Prefix of the object keys in the bucket")] = "rejoinder/"
    s3_access_key: Annotated[str, _h("S3 access key id; empty = the environment's AWS credentials")] = ""
    s3_secret_key: Annotated[str, _h("S3 secret access key")] = ""


class ActivityPubSettings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """[activitypub]: each site as a fediverse actor; replies from the fediverse as comments
    (docs/federation.md). Needs server.public_url (the actors' ids are built from it)."""

    enabled: Annotated[
        bool, _h("Serve WebFinger, actors, NodeInfo and inboxes (needs server.public_url)")
    ] = True
    max_body_bytes: Annotated[
        int, _h("Largest activity an inbox accepts, in bytes"), msgspec.Meta(ge=1024, le=1048576)
    ] = 65536
    signature_window_seconds: Annotated[
        int,
        _h("How far a signed request's Date may be from now, in seconds (older ones are replays)"),
        msgspec.Meta(ge=30, le=86400),
    ] = 3600
    timeout_seconds: Annotated[
        float,
        _h("Seconds a remote server may take to answer a fetch or a delivery"),
        msgspec.Meta(gt=0, le=60),
    ] = 10.0
    max_attempts: Annotated[
        int, _h("Attempts to deliver one activity to one inbox before giving up"), msgspec.Meta(ge=1)
    ] = 15
    deliver_to_followers: Annotated[
        bool, _h("Also deliver published local comments to the site actor's followers")
    ] = False
    allow_private: Annotated[
        bool, _h("Fetch from and deliver to loopback/private addresses over plain http (tests only)")
    ] = False


class Settings(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    server: ServerSettings = msgspec.field(default_factory=ServerSettings)
    database: DatabaseSettings = msgspec.field(default_factory=DatabaseSettings)
    security: SecuritySettings = msgspec.field(default_factory=SecuritySettings)
    comments: CommentSettings = msgspec.field(default_factory=CommentSettings)
    cache: CacheSettings = msgspec.field(default_factory=CacheSettings)
    redis: RedisSettings = msgspec.field(default_factory=RedisSettings)
    events: EventSettings = msgspec.field(default_factory=EventSettings)
    auth: AuthSettings = msgspec.field(default_factory=AuthSettings)
    avatars: AvatarSettings = msgspec.field(default_factory=AvatarSettings)
    moderation: ModerationSettings = msgspec.field(default_factory=ModerationSettings)
    admin: AdminSettings = msgspec.field(default_factory=AdminSettings)
    email: EmailSettings = msgspec.field(default_factory=EmailSettings)
    live: LiveSettings = msgspec.field(default_factory=LiveSettings)
    webhooks: WebhookSettings = msgspec.field(default_factory=WebhookSettings)
    retention: RetentionSettings = msgspec.field(default_factory=RetentionSettings)
    subscriptions: SubscriptionSettings = msgspec.field(default_factory=SubscriptionSettings)
    images: ImageSettings = msgspec.field(default_factory=ImageSettings)
    activitypub: ActivityPubSettings = msgspec.field(default_factory=ActivityPubSettings)
    webmention: WebmentionSettings = msgspec.field(default_factory=WebmentionSettings)


SECTIONS: dict[str, type[msgspec.Struct]] = {
    "server": ServerSettings,
    "database": DatabaseSettings,
    "security": SecuritySettings,
    "comments": CommentSettings,
    "cache": CacheSettings,
    "redis": RedisSettings,
    "events": EventSettings,
    "auth": AuthSettings,
    "avatars": AvatarSettings,
    "moderation": ModerationSettings,
    "admin": AdminSettings,
    "email": EmailSettings,
    "live": LiveSettings,
    "webhooks": WebhookSettings,
    "retention": RetentionSettings,
    "subscriptions": SubscriptionSettings,
    "images": ImageSettings,
    "activitypub": ActivityPubSettings,
    "webmention": WebmentionSettings,
}
