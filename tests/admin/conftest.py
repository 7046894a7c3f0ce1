"""The moderation pages' fixtures live in tests/fixtures/admin.py (a plugin every directory gets) and their tests
in tests/web/admin/; this re-export keeps `from tests.admin.conftest import …` working for the admin sign-in
tests that still live here (their owner moves them)."""

from __future__ import annotations

from tests.fixtures.admin import (
    HTML,
    PASSWORD,
    Admin,
    Sink,
    csrf_of,
    email_settings,
    open_admin,
    password_hash,
    settings_for,
    smtp_sink,
)

__all__ = [
    "HTML",
    "PASSWORD",
    "Admin",
    "Sink",
    "csrf_of",
    "email_settings",
    "open_admin",
    "password_hash",
    "settings_for",
    "smtp_sink",
]
