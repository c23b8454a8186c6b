"""Refuse URLs that would make the crawler reach internal services (SSRF guard for links found in content).

A link taken from a feed or a page (full-text article fetches, html listings) must be http(s) and must not resolve
to a private, loopback, link-local, multicast, reserved or unspecified address, unless its host or one of its
addresses is in ``[crawl] allow_private_hosts`` (host names, IP addresses or networks such as ``10.0.0.0/8``).
The check runs on every redirect hop. Configured source URLs are trusted and not checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedURL(Exception):
    """The URL must not be fetched; the message is a readable reason."""


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, if any: IPv4-mapped (``::ffff:a.b.c.d``), 6to4
    (``2002:AABB:CCDD::``), Teredo (``2001:0::/32``, the client address) or NAT64 (``64:ff9b::a.b.c.d``)."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr.teredo is not None:
        return addr.teredo[1]
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


def is_public_address(addr: IPAddress) -> bool:
    """True only for globally routable unicast addresses; an IPv6 address that embeds an IPv4 address (mapped,
    6to4, Teredo, NAT64) is public only if that IPv4 address is."""
    if isinstance(addr, ipaddress.IPv6Address):
        inner = embedded_ipv4(addr)
        if inner is not None:
            return is_public_address(inner)
    return not (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    )


class NetGuard:
    """Checks URLs against the private-address policy, with an allow-list."""

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self.allowed_hosts: set[str] = set()
        self.allowed_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for item in allow:
            item = item.strip().lower()
            try:
                self.allowed_networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                self.allowed_hosts.add(item.rstrip("."))

    def _address_allowed(self, addr: IPAddress) -> bool:
        return is_public_address(addr) or any(addr in net for net in self.allowed_networks)

    async def check(self, url: str) -> None:
        """Raise :class:`BlockedURL` unless ``url`` may be fetched (resolves the host name)."""
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower().rstrip(".")
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise BlockedURL(f"invalid URL: {url[:200]}") from None
        if parts.scheme not in ("http", "https"):
            raise BlockedURL(f"only http and https links are fetched, not {parts.scheme or 'a relative link'}:")
        if not host:
            raise BlockedURL("URL has no host")
        if host in self.allowed_hosts:
            return
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
                raise BlockedURL(f"private address: {host} is a local name (allow it in [crawl] allow_private_hosts)")
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError, OSError) as exc:
                raise BlockedURL(f"DNS: cannot resolve {host} ({exc})") from None
            addresses = []
            for info in infos:
                try:
                    addresses.append(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
                except ValueError:
                    continue
        for addr in addresses:
            if str(addr) in self.allowed_hosts:
                continue
            if not self._address_allowed(addr):
                where = f"{host} is" if literal is not None else f"{host} resolves to {addr}, which is"
                raise BlockedURL(f"private address: {where} not public (allow it in [crawl] allow_private_hosts)")
