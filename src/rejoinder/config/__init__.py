"""Settings: one msgspec Struct with nested sections (schema.py), loaded from defaults < TOML file < REJOINDER_* env
< flags (loading.py, the only reader of REJOINDER_*), written out as a commented example (example.py) and shown with
secrets redacted (redaction.py). This package re-exports the public names; it holds no logic of its own.
"""

from __future__ import annotations

from rejoinder.config.example import describe_settings, example_toml
from rejoinder.config.loading import ENV_PREFIX, load, require_public_url
from rejoinder.config.redaction import SECRET_KEYS, redacted
from rejoinder.config.schema import (
    MODERATION_CHECKS,
    PREMODERATION_MODES,
    SECTIONS,
    ActivityPubSettings,
    AdminSettings,
    AuthSettings,
    AvatarSettings,
    CacheSettings,
    CommentSettings,
    DatabaseSettings,
    EmailSettings,
    EventSettings,
    FailureAction,
    HttpServer,
    LiveSettings,
    ModerationSettings,
    Percent,
    ProviderSettings,
    RedisSettings,
    RepeatAction,
    RetentionSettings,
    SecuritySettings,
    ServerSettings,
    Settings,
    SsoKey,
    SubscriptionSettings,
    SuspectAction,
    WebhookSettings,
    WebmentionSettings,
)
from rejoinder.errors import ConfigError

__all__ = [
    "ENV_PREFIX",
    "MODERATION_CHECKS",
    "PREMODERATION_MODES",
    "SECRET_KEYS",
    "SECTIONS",
    "ActivityPubSettings",
    "AdminSettings",
    "AuthSettings",
    "AvatarSettings",
    "CacheSettings",
    "CommentSettings",
    "ConfigError",
    "DatabaseSettings",
    "EmailSettings",
    "EventSettings",
    "FailureAction",
    "HttpServer",
    "LiveSettings",
    "ModerationSettings",
    "Percent",
    "ProviderSettings",
    "RedisSettings",
    "RepeatAction",
    "RetentionSettings",
    "SecuritySettings",
    "ServerSettings",
    "Settings",
    "SsoKey",
    "SubscriptionSettings",
    "SuspectAction",
    "WebhookSettings",
    "WebmentionSettings",
    "describe_settings",
    "example_toml",
    "load",
    "redacted",
    "require_public_url",
]
