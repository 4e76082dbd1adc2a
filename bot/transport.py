"""Interaction callbacks over kept-alive HTTP/1.1 connections.

Every interaction LiveTally answers ends in one POST to `/interactions/{id}/{token}/callback`, and
Discord answers it with 204 No Content. Through aiohttp (as discord.py sends it) that request cost
the bot about as much CPU as working out a cold answer: URL parsing, headers merged from several
places, cookies, tracing hooks, timers and a response object, none of which a callback needs
(docs/benchmarks.md). `CallbackTransport` writes the request itself and reads only the status line
and headers of the answer.

Only the happy path is handled here. `post` returns Discord's `Answer`, or None when the callback
could not be delivered. Anything but a 2xx goes on to discord.py (`bot.sender.ReplyAdapter`): after
the wait discord.py itself would make before trying again (`Answer.wait`), the callback is sent
through its own request, which handles retries, rate limits and errors exactly as it always does.
A refused callback created nothing, so sending it again is safe.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import aiohttp
import discord

log = logging.getLogger("livetally.transport")

# aiohttp's own default: a connection idle this long may be closed by the other end at any moment.
KEEPALIVE_SECONDS = 15.0
# Idle connections kept per host; more are closed when they come back (bursts open as many as needed).
MAX_IDLE = 64
# Past this the interaction is long expired (Discord allows 3 s); the error is the caller's.
TIMEOUT_SECONDS = 10.0
SWEEP_SECONDS = 0.5  # how often deadlines are checked: a timeout fires up to this much late
MAX_HEAD_BYTES = 64 * 1024
USER_AGENT = (f"DiscordBot (https://github.com/Rapptz/discord.py {discord.__version__}) "
              f"Python/{sys.version_info[0]}.{sys.version_info[1]} aiohttp/{aiohttp.__version__}")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where requests go: scheme, host and port, as one URL's start."""

    secure: bool
    host: str
    port: int

    @classmethod
    def split(cls, url: str) -> tuple[Origin, str]:
        """(origin, path with query) of an absolute http(s) URL. Raises ValueError otherwise."""
        scheme, sep, rest = url.partition("://")
        if not sep or scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url[:40]!r}")
        netloc, slash, path = rest.partition("/")
        if netloc.startswith("["):  # an IPv6 address
            host, _, port = netloc[1:].partition("]")
            port = port.removeprefix(":")
        else:
            host, _, port = netloc.partition(":")
        if not host or not (port.isdigit() or not port):
            raise ValueError(f"no host and port in {url[:40]!r}")
        secure = scheme == "https"
        return cls(secure, host, int(port) if port else (443 if secure else 80)), slash + path

    @property
    def host_header(self) -> str:
        default = 443 if self.secure else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


class Answer(NamedTuple):
    """The part of Discord's answer to a callback that matters: its status, and its Retry-After."""

    status: int
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def wait(self) -> float:
        """Seconds discord.py waits after this answer before trying again: a 429's Retry-After,
        a second after a server error, none after anything else (it raises at once)."""
        if self.status == 429:
            return self.retry_after if self.retry_after is not None else 1.0
        return 1.0 if self.status >= 500 else 0.0


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: one request at a time, answers read up to their headers (and a
    body of known length, skipped) so the connection can carry the next request."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[Answer, bool]] | None = None
        self._skip = 0  # body bytes of the last answer still to come

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._skip:
            taken = min(self._skip, len(data))
            self._skip -= taken
            data = data[taken:]
        self._buffer += data
        if self._waiter is not None and not self._waiter.done():
            self._read_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ConnectionResetError("connection closed before Discord answered"))

    # requests

    def send(self, request: bytes, loop: asyncio.AbstractEventLoop) -> asyncio.Future[tuple[Answer, bool]]:
        """Write `request`; the future gives (status, whether the connection can be used again)."""
        assert self.transport is not None
        self._waiter = loop.create_future()
        self._buffer.clear()
        self.transport.write(request)
        return self._waiter

    def _read_head(self) -> None:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                self._fail("answer headers too long")
            return
        lines = bytes(self._buffer[:end]).split(b"\r\n")
        rest = len(self._buffer) - end - 4
        self._buffer.clear()
        status_line = lines[0].split(b" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1.") or not status_line[1].isdigit():
            self._fail("not an HTTP/1.x answer")
            return
        status = int(status_line[1])
        if status < 200:  # an interim answer: never asked for (no "Expect: 100-continue")
            self._fail("interim answer")
            return
        length: int | None = 0 if status in (204, 304) else None
        reusable = status_line[0] == b"HTTP/1.1"
        retry_after: float | None = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            if name == b"content-length" and length is None:
                length = int(value) if value.isdigit() else None
            elif name == b"connection" and b"close" in value.lower():
                reusable = False
            elif name == b"transfer-encoding":
                length = None
            elif name == b"retry-after":
                retry_after = _seconds(value)
        if length is None or rest > length:  # a body whose end is not known up front (or more than one)
            reusable = False
        else:
            self._skip = length - rest
        assert self._waiter is not None
        self._waiter.set_result((Answer(status, retry_after), reusable))

    def _fail(self, why: str) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ConnectionError(why))
        self.close()

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class CallbackTransport:
    """POSTs JSON to Discord over connections it keeps open between requests.

    `post` never raises for a callback that could not be delivered: it returns None and the
    caller sends it the slow way. The one exception is a timeout, after which there is nothing
    left to answer."""

    def __init__(self, *, keepalive: float = KEEPALIVE_SECONDS, max_idle: int = MAX_IDLE,
                 timeout: float = TIMEOUT_SECONDS, ssl_context: ssl.SSLContext | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._keepalive = keepalive
        self._max_idle = max_idle
        self._timeout = timeout
        self._ssl = ssl_context
        self._clock = clock
        self._idle: dict[Origin, collections.deque[_Connection]] = {}
        self._origins: dict[str, tuple[Origin, str]] = {}  # the start of a URL → its origin and path prefix
        self.opened = 0  # connections opened so far (for tests and benchmarks)
        # Answers awaited, with their deadlines: one timer checks them all (a timer per request
        # cost more than writing the request).
        self._waiting: dict[asyncio.Future[tuple[Answer, bool]], float] = {}
        self._sweeper: asyncio.TimerHandle | None = None
        self._closed = False

    async def post(self, url: str, body: bytes) -> Answer | None:
        """POST `body` (JSON) to `url`: Discord's answer, or None when it could not be delivered."""
        if self._closed:
            return None
        try:
            origin, path = self._split(url)
        except ValueError:
            return None
        request = (f"POST {path} HTTP/1.1\r\nHost: {origin.host_header}\r\nUser-Agent: {USER_AGENT}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode("latin-1") + body
        loop = asyncio.get_running_loop()
        connection = self._take(origin)
        fresh = connection is None
        try:
            if connection is None:
                connection = await self._open(origin, loop)
            answer = connection.send(request, loop)
            self._waiting[answer] = self._clock() + self._timeout
            if self._sweeper is None:
                self._sweeper = loop.call_later(SWEEP_SECONDS, self._sweep, loop)
            try:
                result, reusable = await answer
            finally:
                del self._waiting[answer]
        except TimeoutError:
            if connection is not None:
                connection.close()
            raise TimeoutError(f"Discord did not answer an interaction callback within {self._timeout:g} s") from None
        except OSError as exc:  # ConnectionError and ssl.SSLError included
            if connection is not None:
                connection.close()
            log.debug("callback not delivered over %s connection (%s); sending through discord.py",
                      "a new" if fresh else "a kept", type(exc).__name__)
            return None
        if reusable:
            self._put_back(origin, connection)
        else:
            connection.close()
        return result

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = self._clock()
        for answer, deadline in self._waiting.items():
            if deadline <= now and not answer.done():
                answer.set_exception(TimeoutError())
        self._sweeper = loop.call_later(SWEEP_SECONDS, self._sweep, loop) if self._waiting else None

    def close(self) -> None:
        """Close every idle connection; later posts return None."""
        self._closed = True
        for pool in self._idle.values():
            while pool:
                pool.pop().close()

    def _split(self, url: str) -> tuple[Origin, str]:
        start, found, _ = url.partition("/interactions/")
        if not found:
            return Origin.split(url)
        try:
            origin, prefix = self._origins[start]
        except KeyError:
            origin, prefix = self._origins.setdefault(start, Origin.split(start))
        return origin, prefix + url[len(start):]

    def _take(self, origin: Origin) -> _Connection | None:
        pool = self._idle.get(origin)
        now = self._clock()
        while pool:
            connection = pool.pop()  # the most recently used: the least likely to have been closed
            if not connection.closed and now - connection.idle_since < self._keepalive:
                return connection
            connection.close()
        return None

    def _put_back(self, origin: Origin, connection: _Connection) -> None:
        if connection.closed:
            return
        pool = self._idle.setdefault(origin, collections.deque())
        if len(pool) >= self._max_idle or self._closed:
            connection.close()
            return
        connection.idle_since = self._clock()
        pool.append(connection)

    async def _open(self, origin: Origin, loop: asyncio.AbstractEventLoop) -> _Connection:
        context: ssl.SSLContext | None = None
        if origin.secure:
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        _, connection = await asyncio.wait_for(
            loop.create_connection(_Connection, origin.host, origin.port, ssl=context,
                                   server_hostname=origin.host if context else None),
            self._timeout)
        self.opened += 1
        return connection


def _seconds(value: bytes) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < 86_400 else None


