"""Reading the forms of /admin: urlencoded bodies only, every field checked for type and length, lists
kept (bulk actions send many `ids`), and the `back` address limited to pages of /admin."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from litestar import Request
from litestar.exceptions import HTTPException

from rejoinder.domain.urls import check_text_field
from rejoinder.errors import BadRequest, Invalid

MAX_FIELDS = 400


class Form:
    """A submitted form: each name with its values in order."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.values: dict[str, list[str]] = {}
        for name, value in pairs:
            self.values.setdefault(name, []).append(value)

    def get(self, name: str, default: str = "", *, limit: int = 1000) -> str:
        found = self.values.get(name)
        value = found[0] if found else default
        check_text_field(value, name)
        if len(value) > limit:
            raise Invalid.field(name, "field-too-long", f"{name} is longer than {limit} characters")
        return value

    def optional(self, name: str, *, limit: int = 1000) -> str | None:
        value = self.get(name, limit=limit).strip()
        return value or None

    def all(self, name: str, *, limit: int = 100) -> list[str]:
        values = self.values.get(name, [])
        for value in values:
            check_text_field(value, name)
            if len(value) > limit:
                raise Invalid.field(name, "field-too-long", f"{name} is longer than {limit} characters")
        return values

    def flag(self, name: str) -> bool:
        return self.get(name, limit=10) in ("on", "true", "1", "yes")

    def number(self, name: str, *, low: int, high: int, default: int | None = None) -> int | None:
        raw = self.get(name, limit=12).strip()
        if not raw:
            return default
        if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
            raise Invalid.field(name, "number-invalid", f"{name} must be a whole number from {low} to {high}")
        return int(raw)

    def lines(self, name: str, *, limit: int = 20000) -> tuple[str, ...]:
        """A textarea with one entry per line (blank lines and surrounding spaces dropped)."""
        return tuple(
            dict.fromkeys(line.strip() for line in self.get(name, limit=limit).splitlines() if line.strip())
        )


async def read_form(request: Request[Any, Any, Any]) -> Form:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not media and not body:
        return Form([])  # an empty POST: an empty form (which then lacks its CSRF token)
    if media != "application/x-www-form-urlencoded":
        raise HTTPException(
            status_code=415, detail="Send the form as application/x-www-form-urlencoded, as browsers do"
        )
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FIELDS,
            encoding="utf-8",
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The form could not be read: it is not valid UTF-8 or has too many fields") from None
    return Form(pairs)


def local_path(raw: str | None, default: str = "/admin") -> str:
    """Where to go after a form or sign-in: only a path under /admin on this server (never another
    host, scheme or a protocol-relative `//evil`)."""
    if not raw or len(raw) > 2000 or not raw.isascii() or any(ord(ch) < 32 or ch == "\\" for ch in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/admin") or raw.startswith("//"):
        return default
    if parts.path != "/admin" and not parts.path.startswith("/admin/"):
        return default
    return raw
