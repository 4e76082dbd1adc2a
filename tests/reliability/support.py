"""Tools the reliability suite shares: concurrent invocations grouped per interaction, timestamps on
what the bot sends, event-loop watchdogs, and checks every outgoing message must pass."""

from __future__ import annotations

import asyncio
import gc
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands

from bot.client import settle_heap
from tests.harness import Harness, Result, Sent

# Text that must never reach a user: our own bug reports, Python's, and raw pings.
INTERNAL_ERROR_MARKERS = ("Something went wrong on my side", "Error code", "Traceback", 'File "', "Exception")
RAW_PINGS = re.compile(r"@everyone|@here|<@[!&]?\d+>")


@dataclass
class Stamped:
    """A request the bot sent through the webhook adapter, with when it was sent."""

    at: float
    sent: Sent

    @property
    def token(self) -> str:
        """The interaction token in /interactions/{id}/{token}/callback or /webhooks/{app}/{token}/..."""
        return self.sent.path.split("/")[3]


class Clock:
    """Stamps every request the harness's webhook adapter records (wraps `adapter.request`)."""

    def __init__(self, harness: Harness) -> None:
        self.stamped: list[Stamped] = []
        adapter = harness.adapter
        inner = adapter.request

        async def request(route: Any, session: Any, **kwargs: Any) -> Any:
            before = len(adapter.sent)
            result = await inner(route, session, **kwargs)
            now = time.monotonic()
            self.stamped += [Stamped(now, s) for s in adapter.sent[before:]]
            return result

        adapter.request = request  # type: ignore[method-assign]

    def for_token(self, token: str) -> list[Stamped]:
        return [s for s in self.stamped if s.token == token]


async def invoke(harness: Harness, payload: dict[str, Any]) -> None:
    """What discord.py does with an INTERACTION_CREATE (`CommandTree._from_interaction`), awaited."""
    interaction = discord.Interaction(data=payload, state=harness.bot._connection)
    try:
        await harness.bot.tree._call(interaction)
    except app_commands.AppCommandError as error:
        await harness.bot.tree._dispatch_error(interaction, error)


@dataclass(frozen=True)
class Call:
    """One command to invoke: `/path` with options, as a member or a moderator (or autocomplete)."""

    path: str
    options: Mapping[str, Any] = field(default_factory=dict)
    moderator: bool = False
    focused: str | None = None

    def payload(self, harness: Harness) -> dict[str, Any]:
        return harness.payload(self.path, dict(self.options), moderator=self.moderator, focused=self.focused)


async def run_concurrently(harness: Harness, calls: Iterable[Call]) -> dict[str, tuple[Call, Result]]:
    """Invoke every call at once (each as its own task, as discord.py does); results by interaction token."""
    harness.install()
    planned = [(call, call.payload(harness)) for call in calls]
    before = len(harness.adapter.sent)
    await asyncio.gather(*(asyncio.ensure_future(invoke(harness, payload)) for _, payload in planned))
    await asyncio.sleep(0)
    by_token: dict[str, list[Sent]] = defaultdict(list)
    for sent in harness.adapter.sent[before:]:
        by_token[sent.path.split("/")[3]].append(sent)
    return {payload["token"]: (call, Result(by_token.get(payload["token"], []))) for call, payload in planned}


def message_problems(result: Result) -> list[str]:
    """What is wrong with what one interaction sent, by the rules every message must keep."""
    problems = []
    if result.responses != 1:
        problems.append(f"{result.responses} initial responses (must be exactly 1)")
    for message in result.messages:
        mentions = message.get("allowed_mentions")
        if mentions is None or mentions.get("parse") != [] or mentions.get("users") or mentions.get("roles"):
            problems.append(f"allowed_mentions is {mentions!r}, not {{'parse': []}}")
    text = result.text
    for marker in INTERNAL_ERROR_MARKERS:
        if marker in text:
            problems.append(f"shows {marker!r}: {text[:300]!r}")
            break
    ping = RAW_PINGS.search(text)
    if ping:
        problems.append(f"contains a raw ping {ping.group(0)!r}")
    deferred = any(s.path.endswith("/callback") and (s.payload or {}).get("type") == 5 for s in result.sent)
    if deferred and not result.messages:
        problems.append("deferred but never followed up")
    return problems


def is_error_reply(result: Result) -> bool:
    """Errors go out as plain text through `send_text`; answers carry an embed."""
    return bool(result.messages) and not any(m.get("embeds") for m in result.messages)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """What `LiveTallyBot(tune_heap=True)` does after start-up (`settle_heap`), undone afterwards."""
    previous = settle_heap()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*previous)


class LoopWatch:
    """Measures how long the event loop is held: every callback's run time, and a ticker's gaps.

    `longest_callback` is the CPU time of each `Handle._run` (task steps included) on the loop's
    thread, which is exactly "one piece of work that blocked the loop" and, unlike wall time, is not
    inflated when a shared machine preempts the process. `longest_gap` is what a periodic timer
    observed in wall time (work queued behind it and the machine's own noise included): a figure to
    print, not to assert on.
    """

    def __init__(self, tick: float = 0.005) -> None:
        self.tick = tick
        self.longest_callback = 0.0
        self.longest_callback_what = ""
        self.gaps: list[float] = []
        self._task: asyncio.Task[None] | None = None

    @contextmanager
    def timing_callbacks(self) -> Iterator[LoopWatch]:
        handle_run = asyncio.events.Handle._run
        watch = self

        def timed_run(handle: asyncio.events.Handle) -> None:
            start = time.thread_time()
            try:
                handle_run(handle)
            finally:
                took = time.thread_time() - start
                if took > watch.longest_callback:
                    watch.longest_callback = took
                    watch.longest_callback_what = repr(handle)[:300]

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
        try:
            yield self
        finally:
            asyncio.events.Handle._run = handle_run  # type: ignore[method-assign]

    async def __aenter__(self) -> LoopWatch:
        self._stop = asyncio.Event()

        async def ticker() -> None:
            last = time.perf_counter()
            while not self._stop.is_set():
                await asyncio.sleep(self.tick)
                now = time.perf_counter()
                self.gaps.append(now - last - self.tick)
                last = now

        self._task = asyncio.create_task(ticker())
        await asyncio.sleep(self.tick * 2)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.sleep(self.tick * 2)
        self._stop.set()
        assert self._task is not None
        await self._task

    @property
    def longest_gap(self) -> float:
        return max(self.gaps, default=0.0)
