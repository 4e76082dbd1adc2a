"""CPU per interaction callback: discord.py's own request (aiohttp) against `bot.transport`.

    .venv/bin/python -m bench.callbacks [--runs 3] [--n 20000] [--in-flight 50]

A small HTTP server in a child process on 127.0.0.1 answers every POST with 204 No Content, as
Discord answers a callback sent without `with_response`. This process sends it the /likes card's
callback body `--n` times with `--in-flight` requests open at once, two ways, in turn within each
run: through discord.py's `AsyncWebhookAdapter.request` on an aiohttp session (how every discord.py
bot sends it, LiveTally before `bot.transport`), and through `CallbackTransport.post` (how
LiveTally sends it now). Reported: this process's CPU time per callback (the server's is not
counted), medians over the runs, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import fmt, machine, median, table

_NO_CONTENT = b"HTTP/1.1 204 No Content\r\nDate: Sat, 05 Dec 2026 20:00:00 GMT\r\n\r\n"


class _Server(asyncio.Protocol):
    """Answers each request (head, then a Content-Length body) with 204."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = 0
            for line in self.buffer[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.transport.write(_NO_CONTENT)  # type: ignore[attr-defined]


async def serve() -> None:
    server = await asyncio.get_running_loop().create_server(_Server, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def callback_body() -> dict:
    """The body LiveTally sends to answer /likes."""
    from bot.sender import to_embed
    from bot.service import build_service

    service = build_service()
    embed = to_embed(service.topic_reply(service.kb["likes_pay"]).card)
    return {"type": 4, "data": {"embeds": [embed.to_dict()], "allowed_mentions": {"parse": []}}}


async def cpu_per_call(send: Callable[[int], Awaitable[object]], n: int, in_flight: int) -> float:
    """CPU µs of this process per `send`, with `in_flight` open at once."""
    left = [n]

    async def worker() -> None:
        while left[0] > 0:
            left[0] -= 1
            await send(left[0])

    start = time.process_time()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return (time.process_time() - start) / n * 1e6


async def one_run(port: int, n: int, in_flight: int) -> dict[str, float]:
    import aiohttp
    import orjson
    from discord.http import Route
    from discord.webhook.async_ import AsyncWebhookAdapter

    from bot.sender import callback_url
    from bot.transport import CallbackTransport

    body = callback_body()
    Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OmV4YW1wbGU" * 2
    adapter, transport = AsyncWebhookAdapter(), CallbackTransport()
    figures = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def through_discord_py(i: int) -> object:
            route = Route("POST", "/interactions/{webhook_id}/{webhook_token}/callback", webhook_id=10**17 + i,
                          webhook_token=token)
            return await adapter.request(route, session, payload=body)

        async def through_transport(i: int) -> object:
            answer = await transport.post(callback_url(10**17 + i, token), orjson.dumps(body))
            if answer is None or not answer.ok:
                raise RuntimeError(f"callback not accepted: {answer}")
            return answer

        for name, send in (("discord.py (aiohttp)", through_discord_py), ("bot.transport", through_transport)):
            await cpu_per_call(send, min(n, 500), in_flight)  # connections opened, code warm
            figures[name] = await cpu_per_call(send, n, in_flight)
    transport.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=20_000, help="callbacks per way and run")
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve())
        return 0
    server = subprocess.Popen([sys.executable, "-m", "bench.callbacks", "--serve"], stdout=subprocess.PIPE,
                              cwd=Path(__file__).resolve().parent.parent, text=True)
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        runs = [asyncio.run(one_run(port, args.n, args.in_flight)) for _ in range(args.runs)]
    finally:
        server.kill()
        server.wait()
    base = median(r["discord.py (aiohttp)"] for r in runs)
    rows = []
    for name in runs[0]:
        values = [r[name] for r in runs]
        rows.append([name, fmt(median(values), 1), f"{fmt(min(values), 1)}–{fmt(max(values), 1)}",
                     fmt(median(values) / base)])
    print(f"CPU per interaction callback, {args.n} per way and run, {args.in_flight} in flight; "
          f"median of {args.runs} runs\nmachine: {machine()}\n")
    print(table(["piece", "CPU µs per callback", "range", "÷ discord.py"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
