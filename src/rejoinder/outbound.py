"""The SSRF guard of every outbound request rejoinder makes on a URL someone else chose (fediverse servers,
provider pictures, webhook endpoints): https only, and only to public addresses, checked on every hop.
No HTTP client of its own beyond the guarding transport; callers decide about redirects."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import httpx2  # Authlib 1.9 builds its clients on httpx2; the guard is a transport of that library

from rejoinder.errors import Invalid, ServerNotPublic

NOT_PUBLIC = "That server is not on the public internet; rejoinder will not contact it"


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, reserved…)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)


async def public_address(host: str, port: int, *, field: str = "server") -> str:
    """One address of `host`, after checking that every address it resolves to is public.

    Raises:
        Forbidden: server-not-public. Invalid: the name does not resolve (reported on `field`).
    """
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Invalid.field(field, "server-unknown", "That server name does not resolve") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses or not all(is_public(a) for a in addresses):
        raise ServerNotPublic(NOT_PUBLIC)
    return addresses[0]


async def check_reachable(url: str, *, allow_private: bool, field: str = "server") -> None:
    """Refuse a URL that is not https or whose host is not public (see public_address)."""
    if allow_private:
        return
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ServerNotPublic()
    await public_address(parts.hostname, parts.port or 443, field=field)


class PublicOnlyTransport(httpx2.AsyncBaseTransport):
    """Sends a request only to a public address, and to the very address that was checked: the host name
    is resolved once here and the connection made to that IP (TLS still verifies the certificate for the
    name, through SNI), so DNS cannot answer differently between the check and the connection. Every
    request goes through it, so a client that follows redirects has each hop checked."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if not self.allow_private:
            url = request.url
            if url.scheme != "https" or not url.host:
                raise ServerNotPublic()
            address = await public_address(url.host, url.port or 443)
            request.extensions = {**request.extensions, "sni_hostname": url.host}
            request.url = url.copy_with(host=address)  # the Host header keeps the name
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
