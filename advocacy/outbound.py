"""The one safe outbound HTTP client: every request the server makes (feed sources, link previews
and images, webhooks, chat posts) goes through `fetch()`.

What it refuses, and why (server-side request forgery: a URL someone typed must not make the
server talk to the machines behind the firewall):
- anything but http(s), user names or passwords in the URL, and hosts spelt as unusual numbers
  ("2130706433", "0x7f.1", "0177.0.0.1", "127.1": resolvers read them as addresses);
- any address that is not public: loopback, private, link-local (cloud metadata), shared,
  multicast, reserved, unspecified, and the same inside IPv4-mapped or 6to4 IPv6 addresses.
The host is resolved here and the connection goes to the very address that was checked (a
network backend of httpcore's), so a name that resolves to a public address for the check and a
private one for the connection (DNS rebinding) gets nowhere. Every redirect hop is checked again,
and followed only as far as the use allows (webhooks and chat: not at all). Sizes and times are
capped per use: the body stops at `max_bytes`, reading stops at a deadline however slowly the
other side trickles.

Intranet targets are a deliberate choice: `OUTBOUND_ALLOW` (hosts, `*.suffix` patterns or CIDRs,
separated by commas or spaces) lets an operator allow them. The default allows none.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin, urlsplit

import certifi
import httpcore
from flask import Flask, current_app
from werkzeug.datastructures import Headers

from advocacy.config import ConfigError

USER_AGENT = "Advocacy/1.0 (+self-hosted employee advocacy)"
REDIRECTS = {301, 302, 303, 307, 308}
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)
_DOTTED_QUAD = re.compile(
    r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$"
)


class OutboundRefused(Exception):  # noqa: N818 - it reads as what happened
    """The URL or the address it leads to is not allowed; `reason` says why, for the admin."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class HostNotFound(OutboundRefused):
    """The host name does not resolve."""


class OutboundFailed(Exception):  # noqa: N818
    """The request was allowed but did not succeed; `kind` is one of "timeout", "connection",
    "too_large", "redirects", for callers that word it their own way."""

    def __init__(self, reason: str, kind: str = "connection"):
        super().__init__(reason)
        self.reason, self.kind = reason, kind


@dataclass(frozen=True)
class Use:
    """What one kind of fetch may do."""

    name: str
    max_bytes: int
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_seconds: float = 30.0
    redirects: int = 0  # hops followed; with 0 a 3xx is handed back as it is
    truncate: bool = False  # a body over max_bytes is cut (webhook excerpts) instead of refused


@dataclass(frozen=True)
class Fetched:
    """An answer: its status, headers, body (at most the use's max_bytes) and final URL."""

    status: int
    headers: Headers
    body: bytes
    url: str
    reason: str = ""
    truncated: bool = False
    elapsed_ms: int = 0

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass(frozen=True)
class Allowance:
    """The operator's OUTBOUND_ALLOW: hosts (exact, or `*.suffix`) and networks."""

    hosts: frozenset[str]
    suffixes: tuple[str, ...]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def parse(cls, setting: str | Iterable[str] | None) -> Allowance:
        """Read the setting; a malformed entry is a configuration error, said at start-up."""
        if isinstance(setting, str) or setting is None:
            entries = re.split(r"[,\s]+", setting or "")
        else:
            entries = list(setting)
        hosts, suffixes, networks = set(), [], []
        for entry in (e.strip().lower() for e in entries):
            if not entry:
                continue
            if entry.startswith("*."):
                suffixes.append(entry[1:])
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                if not re.fullmatch(r"[a-z0-9.-]+", entry):
                    raise ValueError(f"OUTBOUND_ALLOW: {entry!r} is not a host or a CIDR") from None
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(suffixes), tuple(networks))

    def allows_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.hosts or any(host.endswith(suffix) for suffix in self.suffixes)

    def allows_address(self, address) -> bool:
        return any(address in network for network in self.networks)


def init_app(app: Flask) -> None:
    """Read OUTBOUND_ALLOW once, at start-up: a malformed entry stops the app with its name."""
    try:
        app.extensions["outbound_allow"] = Allowance.parse(app.config.get("OUTBOUND_ALLOW", ""))
    except ValueError as error:
        raise ConfigError(str(error)) from None


def allowance() -> Allowance:
    """The running app's allowance."""
    return current_app.extensions["outbound_allow"]


def address_refusal(address: str) -> str | None:
    """Why connecting to this address is refused by default (None: it is public)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return address_refusal(str(embedded))
    for test, what in (
        (ip.is_loopback, "a loopback address (this machine)"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address (cloud metadata lives there)"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address (inside the network)"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    ):
        if test:
            return what
    return None


def url_problem(url: str) -> str | None:
    """What is wrong with the URL's form (None: fine). No network is used."""
    try:
        parts = urlsplit((url or "").strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return "This is not a valid web address."
    if parts.scheme not in ("http", "https"):
        return "Use an http:// or https:// address."
    if not host:
        return "The address has no host name."
    if parts.username is not None or parts.password is not None:
        return "Leave user names and passwords out of the address."
    if port is not None and not 0 < port < 65536:
        return "The port is not valid."
    if _NUMERIC_HOST.match(host) and not _DOTTED_QUAD.match(host):
        return "Write a numeric address as four decimal numbers (like 203.0.113.9)."
    return None


def destination_refusal(url: str, allow: Allowance | None = None) -> str | None:
    """Why fetching `url` would be refused (its form, or where its host resolves: checked when
    an admin saves a URL, and again at each fetch), or None."""
    problem = url_problem(url)
    if problem:
        return problem
    host = urlsplit(url.strip()).hostname
    try:
        _allowed_addresses(host, 443, allow or allowance())
    except HostNotFound:
        return None  # it may exist by the time it is used (each fetch checks again)
    except OutboundRefused as refused:
        return refused.reason
    return None


def _allowed_addresses(host: str, port: int, allow: Allowance) -> list[str]:
    """The addresses of `host` that may be connected to; OutboundRefused when none may."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise HostNotFound(f"The host {host} cannot be found.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if allow.allows_host(host):
        return addresses
    allowed, refusals = [], []
    for address in addresses:
        reason = address_refusal(address)
        if reason is None or allow.allows_address(ipaddress.ip_address(address.split("%")[0])):
            allowed.append(address)
        else:
            refusals.append(f"{address} is {reason}")
    if not allowed:
        raise OutboundRefused(
            f"{host} leads to {'; '.join(refusals)}. Intranet addresses are refused unless an "
            "operator allows them (OUTBOUND_ALLOW)."
        )
    return allowed


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host itself and connects only to an address it checked."""

    def __init__(self, allow: Allowance):
        self.allow = allow

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last_error: Exception | None = None
        for address in _allowed_addresses(host, port, self.allow):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as error:  # try the host's next address
                last_error = error
        raise last_error or httpcore.ConnectError(f"Could not connect to {host}")


@cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process (loading the CA bundle costs more than a local request)."""
    return ssl.create_default_context(cafile=certifi.where())


def fetch(
    url: str,
    use: Use,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Fetched:
    """Make the request within `use`'s limits, following (and checking) redirects as far as it
    allows. OutboundRefused: not allowed; OutboundFailed: allowed, but it did not work."""
    allow = allowance()
    started = time.monotonic()
    deadline = started + use.total_seconds
    current, hops = url.strip(), 0
    while True:
        problem = url_problem(current)
        if problem:
            raise OutboundRefused(
                problem if hops == 0 else f"A redirect led to {current}: {problem}"
            )
        answer = _request(current, use, method, headers, body, allow, deadline, started)
        if answer.status not in REDIRECTS or not answer.location or use.redirects == 0:
            return answer
        hops += 1
        if hops > use.redirects:
            raise OutboundFailed(
                f"The address redirects more than {use.redirects} times.", "redirects"
            )
        current = urljoin(current, answer.location)
        if answer.status in (301, 302, 303):
            method, body = "GET", None


def _request(url, use, method, headers, body, allow, deadline, started) -> Fetched:
    parts = urlsplit(url)
    sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
    sent["Host"] = parts.netloc.rsplit("@", 1)[-1]
    if body is not None:
        sent["Content-Length"] = str(len(body))
    timeouts = {
        "connect": use.connect_timeout,
        "read": use.read_timeout,
        "write": use.read_timeout,
        "pool": use.connect_timeout,
    }
    pool = httpcore.ConnectionPool(
        ssl_context=tls_context(), network_backend=_CheckedBackend(allow), retries=0
    )
    try:
        with (
            pool,
            pool.stream(
                method,
                url,
                headers=list(sent.items()),
                content=body,
                extensions={"timeout": timeouts},
            ) as response,
        ):
            chunks, size, truncated = [], 0, False
            for chunk in response.iter_stream():
                size += len(chunk)
                if size > use.max_bytes:
                    if not use.truncate:
                        raise OutboundFailed(
                            f"The answer is larger than {_size(use.max_bytes)}.", "too_large"
                        )
                    chunks.append(chunk[: len(chunk) - (size - use.max_bytes)])
                    truncated = True
                    break
                chunks.append(chunk)
                if time.monotonic() >= deadline:
                    if not use.truncate:
                        raise OutboundFailed(
                            f"The answer took longer than {use.total_seconds:g} seconds.",
                            "timeout",
                        )
                    truncated = True
                    break
            answer_headers = Headers([(k.decode("latin-1"), v.decode("latin-1"))
                                      for k, v in response.headers])  # fmt: skip
            reason = response.extensions.get("reason_phrase", b"").decode("latin-1")
            return Fetched(
                response.status, answer_headers, b"".join(chunks), url, reason, truncated,
                int((time.monotonic() - started) * 1000),
            )  # fmt: skip
    except httpcore.ConnectTimeout:
        raise OutboundFailed(f"Timed out connecting to {parts.hostname}.", "timeout") from None
    except httpcore.TimeoutException:
        raise OutboundFailed("Timed out waiting for a reply.", "timeout") from None
    except (httpcore.ConnectError, httpcore.NetworkError, httpcore.ProtocolError) as error:
        raise OutboundFailed(
            f"Could not reach {parts.hostname}: {error or type(error).__name__}"
        ) from None
    except ssl.SSLError as error:
        raise OutboundFailed(f"The secure connection to {parts.hostname} failed: {error}") from None


def _size(limit: int) -> str:
    return f"{limit // 1024 // 1024} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
