"""Sign-in by emailed link: which addresses are accepted, and what a pending link holds (pure rules;
sending is services/email_links.py, the pages are web/email_link.py)."""

from __future__ import annotations

import re

import msgspec

from rejoinder.errors import Invalid

ADDRESS_MAX = 254  # RFC 5321 §4.5.3.1.3 (a path of 256 octets, less the angle brackets)
LOCAL_MAX = 64  # RFC 5321 §4.5.3.1.1
# RFC 5322 §3.2.3 atext, as dot-atom: what nearly every real address uses. Quoted local parts ("a b"@x)
# and address literals (a@[192.0.2.1]) are refused: no mailbox a reader signs in with needs them, and
# each is a way to smuggle spaces or brackets into a header.
_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def check_address(raw: str | None, field: str = "email") -> str:
    """The address a reader typed, checked and normalized: trimmed, lower-cased, the domain in its ASCII
    (IDNA) form. Only this form is stored, rate-limited and mailed to.

    Raises:
        Invalid: email-required or email-invalid, on `field`.
    """
    value = (raw or "").strip()
    if not value:
        raise Invalid.field(field, "email-required", "Enter your email address")
    if len(value) > ADDRESS_MAX:
        raise Invalid.field(field, "email-invalid", f"An email address has at most {ADDRESS_MAX} characters")
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain:
        raise _invalid(field, "An email address looks like name@example.org")
    if len(local) > LOCAL_MAX or not _ATOM.match(local):
        raise _invalid(field, "The part before @ has characters an address cannot use here")
    ascii_domain = _ascii_domain(domain.rstrip(".").lower())
    if ascii_domain is None:
        raise _invalid(field, "The part after @ is not a domain name")
    address = f"{local.lower()}@{ascii_domain}"
    if len(address) > ADDRESS_MAX:
        raise Invalid.field(field, "email-invalid", f"An email address has at most {ADDRESS_MAX} characters")
    return address


def _invalid(field: str, message: str) -> Invalid:
    return Invalid.field(field, "email-invalid", message)


def _ascii_domain(domain: str) -> str | None:
    """The domain as ASCII labels (internationalized names through IDNA), or None if it cannot be one:
    at least two labels, each 1-63 letters, digits or inner hyphens, and a top-level label that is not a
    number (so no IP addresses)."""
    if not domain or any(ch.isspace() or ord(ch) < 32 for ch in domain):
        return None
    try:
        ascii_form = domain if domain.isascii() else domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = ascii_form.split(".")
    if len(labels) < 2 or len(ascii_form) > 253:
        return None
    if not all(_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return None
    return ascii_form


class PendingLink(msgspec.Struct, frozen=True):
    """What an emailed link stands for, kept server-side under the SHA-256 of its token until it is used.

    The link signs in on `site` only and hands the session back to `return_url` (checked against the
    site's allowed origins when sent and again when used). With `link_identity` it adds the address to
    that signed-in identity instead, and then only in the browser that asked (`browser`).
    """

    provider: str  # the configured provider's name (/auth/NAME/verify)
    site: str
    email: str  # normalized by check_address
    return_url: str
    deadline: int  # microseconds since the epoch: usable until then
    name: str | None = None  # display name for a new identity
    link_identity: str | None = None
    browser: str | None = None  # SHA-256 of the browser-binding cookie of the page that asked
    lang: str = "en"  # the language of the page that asked: the email's and the link page's

    def expired(self, now: int) -> bool:
        return now >= self.deadline
