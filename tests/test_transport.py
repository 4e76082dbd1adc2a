"""Interaction callbacks over kept-alive connections (`bot.transport`), against small HTTP servers on
127.0.0.1 that answer as scripted; and how `ReplyAdapter` hands anything but a 2xx to discord.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import ssl
import subprocess
import time
from collections.abc import AsyncIterator, Callable

import pytest
from discord.http import Route
from discord.webhook import async_ as webhook_async

from bot import transport as transport_module
from bot.sender import ReplyAdapter, callback_url
from bot.transport import USER_AGENT, Answer, CallbackTransport, Origin

NO_CONTENT = b"HTTP/1.1 204 No Content\r\nDate: Sat, 05 Dec 2026 20:00:00 GMT\r\n\r\n"
PATH = "/api/v10/interactions/123/a-token/callback"


class Server:
    """Reads requests (head and Content-Length body) and answers each with the next scripted reply:
    bytes to write, or a callable given the server's writer (to close, stall or split)."""

    def __init__(self, replies: list[bytes | Callable[[asyncio.StreamWriter], object]] | None = None) -> None:
        self.replies = list(replies or [])
        self.requests: list[tuple[bytes, bytes]] = []  # (head, body)
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.port = 0
        self.ssl: ssl.SSLContext | None = None
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ssl)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self.writers:
            writer.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"{'https' if self.ssl else 'http'}://127.0.0.1:{self.port}{PATH}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        # Cancelled when the test ends: the end of this connection, not an error to report.
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                body = await reader.readexactly(length)
                self.requests.append((head, body))
                reply = self.replies.pop(0) if self.replies else NO_CONTENT
                if callable(reply):
                    result = reply(writer)
                    if asyncio.iscoroutine(result):
                        await result
                else:
                    writer.write(reply)
                await writer.drain()


@contextlib.asynccontextmanager
async def serving(*replies: bytes | Callable[[asyncio.StreamWriter], object]) -> AsyncIterator[Server]:
    async with Server(list(replies)) as server:
        yield server


async def test_a_callback_is_posted_as_json_and_the_connection_kept():
    transport = CallbackTransport()
    async with serving() as server:
        body = json.dumps({"type": 4, "data": {"content": "hé"}}).encode()
        assert await transport.post(server.url, body) == Answer(204)
        assert (await transport.post(server.url, b"{}")).ok
        assert server.connections == 1 and transport.opened == 1
        head, sent = server.requests[0]
        lines = head.decode().split("\r\n")
        assert lines[0] == f"POST {PATH} HTTP/1.1"
        headers = dict(line.split(": ", 1) for line in lines[1:] if line)
        assert headers == {"Host": f"127.0.0.1:{server.port}", "User-Agent": USER_AGENT,
                           "Content-Type": "application/json", "Content-Length": str(len(body))}
        assert sent == body
    transport.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
async def test_https_is_spoken_over_tls_and_kept_alive_too(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    transport = CallbackTransport(ssl_context=ssl.create_default_context(cafile=str(cert)))
    server = Server()
    server.ssl = server_side
    async with server:
        assert (await transport.post(server.url, b"{}")).ok
        assert (await transport.post(server.url, b"{}")).ok
        assert server.connections == 1 and server.requests[0][0].startswith(b"POST /api/v10/")
    untrusting = CallbackTransport()  # the system's roots do not know this certificate
    async with server:
        assert await untrusting.post(server.url, b"{}") is None
    transport.close()


async def test_a_body_of_known_length_is_skipped_even_in_pieces():
    async def in_pieces(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"id\":")
        await writer.drain()
        await asyncio.sleep(0.01)
        writer.write(b" \"12345\"}")

    transport = CallbackTransport()
    async with serving(in_pieces) as server:
        assert await transport.post(server.url, b"{}") == Answer(200)
        assert await transport.post(server.url, b"{}") == Answer(204)  # not read as the rest of the body
        assert server.connections == 1
    transport.close()


@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
    b"HTTP/1.0 204 No Content\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n\r\n{}",  # a body that ends when the connection does
    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}{}",  # more than it said: out of step
])
async def test_a_connection_whose_answer_has_no_known_end_is_not_used_again(reply):
    transport = CallbackTransport()
    async with serving(reply) as server:
        assert (await transport.post(server.url, b"{}")).ok
        assert (await transport.post(server.url, b"{}")).ok
        assert server.connections == 2
    transport.close()


@pytest.mark.parametrize(("reply", "answer", "wait"), [
    (b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nVia: 1.1 google\r\nContent-Length: 2\r\n\r\n{}",
     Answer(429, 2.0), 2.0),
    (b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n", Answer(429), 1.0),
    (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", Answer(503), 1.0),
    (b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}", Answer(404), 0.0),
    (b"HTTP/1.1 400 Bad Request\r\nRetry-After: soon\r\nContent-Length: 2\r\n\r\n{}", Answer(400), 0.0),
])
async def test_an_answer_that_is_not_2xx_says_how_long_discord_py_would_wait(reply, answer, wait):
    transport = CallbackTransport()
    async with serving(reply) as server:
        got = await transport.post(server.url, b"{}")
        assert got == answer and not got.ok and got.wait == wait
    transport.close()


async def test_a_connection_the_server_closed_while_idle_is_not_used():
    transport = CallbackTransport()
    async with serving() as server:
        assert (await transport.post(server.url, b"{}")).ok
        server.writers[0].close()
        await asyncio.sleep(0.05)
        assert (await transport.post(server.url, b"{}")).ok
        assert server.connections == 2
    transport.close()


async def test_a_connection_idle_past_the_keepalive_is_not_used():
    now = [0.0]
    transport = CallbackTransport(keepalive=15.0, clock=lambda: now[0])
    async with serving() as server:
        assert (await transport.post(server.url, b"{}")).ok
        now[0] = 14.0
        assert (await transport.post(server.url, b"{}")).ok
        assert server.connections == 1
        now[0] = 29.5
        assert (await transport.post(server.url, b"{}")).ok
        assert server.connections == 2
    transport.close()


async def test_undelivered_callbacks_are_none_for_the_caller_to_send_another_way():
    async with serving() as server:
        port = server.port
    transport = CallbackTransport()
    assert await transport.post(f"http://127.0.0.1:{port}{PATH}", b"{}") is None  # nothing listens
    assert await transport.post("ftp://127.0.0.1/x", b"{}") is None

    async def hang_up(writer: asyncio.StreamWriter) -> None:
        writer.close()

    async with serving(hang_up, b"FTP 200 what\r\n\r\n", b"HTTP/1.1 100 Continue\r\n\r\n") as server:
        for _ in range(3):
            assert await transport.post(server.url, b"{}") is None
        assert (await transport.post(server.url, b"{}")).ok  # each failure closed its connection
        assert server.connections == 4
    transport.close()


async def test_headers_that_never_end_are_cut_off():
    async def endless(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * (transport_module.MAX_HEAD_BYTES + 10))

    transport = CallbackTransport()
    async with serving(endless) as server:
        assert await transport.post(server.url, b"{}") is None
    transport.close()


async def test_no_answer_times_out(monkeypatch):
    monkeypatch.setattr(transport_module, "SWEEP_SECONDS", 0.02)

    async def stall(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    transport = CallbackTransport(timeout=0.1)
    async with serving(stall) as server:
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="did not answer"):
            await transport.post(server.url, b"{}")
        assert time.monotonic() - started < 1.0
        assert transport._sweeper is None or not transport._waiting
    transport.close()


async def test_close_closes_idle_connections_and_refuses_more():
    transport = CallbackTransport()
    async with serving() as server:
        assert (await transport.post(server.url, b"{}")).ok
        (kept,) = transport._idle[Origin(False, "127.0.0.1", server.port)]
        transport.close()
        assert kept.closed and kept.transport.is_closing()
        assert await transport.post(server.url, b"{}") is None
        assert len(server.requests) == 1


async def test_bursts_open_what_they_need_and_keep_a_bounded_number():
    transport = CallbackTransport(max_idle=4)
    async with serving() as server:
        answers = await asyncio.gather(*(transport.post(server.url, b"{}") for _ in range(20)))
        assert all(a is not None and a.ok for a in answers)
        assert server.connections == 20
        assert len(transport._idle[Origin(False, "127.0.0.1", server.port)]) == 4
    transport.close()


@pytest.mark.parametrize(("url", "origin", "path"), [
    ("http://127.0.0.1:8080/api/v10/x", Origin(False, "127.0.0.1", 8080), "/api/v10/x"),
    ("https://discord.com/api/v10/x?y=1", Origin(True, "discord.com", 443), "/api/v10/x?y=1"),
    ("http://[::1]:9000/a", Origin(False, "::1", 9000), "/a"),
    ("https://example.org", Origin(True, "example.org", 443), ""),
])
def test_origins(url, origin, path):
    assert Origin.split(url) == (origin, path)


@pytest.mark.parametrize("url", ["discord.com/api", "ws://x/y", "http://:80/x", "http://host:port/x"])
def test_urls_that_are_not_http_are_refused(url):
    with pytest.raises(ValueError):
        Origin.split(url)


def test_host_header():
    assert Origin(True, "discord.com", 443).host_header == "discord.com"
    assert Origin(False, "127.0.0.1", 80).host_header == "127.0.0.1"
    assert Origin(False, "::1", 81).host_header == "[::1]:81"


@pytest.mark.parametrize("token", ["aW50ZXJhY3Rpb246MTIz.abc-_", "a/b?c d%", "ü"])
def test_the_callback_url_is_the_one_discord_py_builds(token):
    route = Route("POST", "/interactions/{webhook_id}/{webhook_token}/callback", webhook_id=42, webhook_token=token)
    assert callback_url(42, token) == route.url


class FakeTransport:
    def __init__(self, answer: Answer | None) -> None:
        self.answer = answer
        self.posted: list[tuple[str, bytes]] = []

    async def post(self, url: str, body: bytes) -> Answer | None:
        self.posted.append((url, body))
        return self.answer


@pytest.mark.parametrize(("answer", "through_discord_py", "slept"), [
    (Answer(204), False, None),
    (None, True, None),
    (Answer(429, 0.03), True, 0.03),
    (Answer(502), True, 1.0),
    (Answer(404), True, 0.0),
])
async def test_the_adapter_sends_through_discord_py_what_the_transport_did_not_deliver(
        monkeypatch, answer, through_discord_py, slept):
    slept_for: list[float] = []

    async def sleep(seconds: float) -> None:
        slept_for.append(seconds)

    monkeypatch.setattr("bot.sender.asyncio.sleep", sleep)

    class Adapter(ReplyAdapter):
        sent: list[dict] = []

        async def request(self, route, session, **kwargs):
            self.sent.append(kwargs["payload"])
            return None

    fake = FakeTransport(answer)
    adapter = Adapter(fake)  # type: ignore[arg-type]
    params = webhook_async.interaction_response_params(4, {"content": "hi"})
    await adapter.create_interaction_response(7, "tok", session=None, params=params)
    (url, body), = fake.posted
    assert url == callback_url(7, "tok") and json.loads(body) == {"type": 4, "data": {"content": "hi"}}
    assert Adapter.sent == ([{"type": 4, "data": {"content": "hi"}}] if through_discord_py else [])
    assert slept_for == ([] if slept is None else [slept])


async def test_the_adapter_without_a_transport_or_behind_a_proxy_uses_discord_py():
    class Adapter(ReplyAdapter):
        async def request(self, route, session, **kwargs):
            self.kwargs = kwargs
            return None

    fake = FakeTransport(Answer(204))
    params = webhook_async.interaction_response_params(4, {"content": "hi"})
    adapter = Adapter(fake)  # type: ignore[arg-type]
    await adapter.create_interaction_response(7, "tok", session=None, proxy="http://proxy:3128", params=params)
    assert adapter.kwargs["proxy"] == "http://proxy:3128" and fake.posted == []
    plain = Adapter()
    await plain.create_interaction_response(7, "tok", session=None, params=params)
    assert plain.kwargs["payload"] == {"type": 4, "data": {"content": "hi"}}
