"""Rate explainers: standing channel messages the bot posts and keeps right by itself.

Each posted explainer remembers the hash of what it showed. Whenever what it would show changes
(a `/rates set` or `/rates reset`, a knowledge update noticed at start-up), it is queued for an
edit. One worker drains the queue, paced under Discord's limits, and handles what can go wrong:
a message deleted by hand (10008) is marked gone; the separate limit on editing old messages
(30046), rate limits and server errors are retried with exponential backoff; a channel the bot
lost access to (50001/50013) is marked gone with the reason, shown in `/explainer list`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import discord

from bot import db
from bot.render import Card
from bot.sender import NO_MENTIONS, to_embed

if TYPE_CHECKING:
    import aiosqlite

    from bot.service import Service

log = logging.getLogger("livetally.explainers")

RATE_CARD = "rates"
UNKNOWN_MESSAGE = 10008
UNKNOWN_CHANNEL = 10003
OLD_MESSAGE_EDITS = 30046
NO_ACCESS = (50001, 50013)
EDIT_INTERVAL = 0.25        # seconds between edits: at most 4 a second across all servers
CHANNEL_INTERVAL = 1.2      # and at most one edit a channel every 1.2 s (Discord allows 5 per 5 s)
BACKOFF_START, BACKOFF_MAX = 30.0, 3600.0
REFRESH_BATCH = 50          # a refresh lets other work run after every this many explainers
MAX_FAILURES = 8            # then the explainer is marked gone rather than retried forever


class ExplainerError(Exception):
    """Posting failed for a reason the moderator can fix; the message says how."""


@dataclass(frozen=True)
class Rendered:
    card: Card
    digest: str


@lru_cache(maxsize=4096)
def digest(card: Card) -> str:
    """The content hash of what an explainer shows: edits happen only when it changes (cached per
    card: a refresh hashes the same server's card for each of its explainers)."""
    return hashlib.sha256(json.dumps(card.to_embed_dict(), sort_keys=True).encode()).hexdigest()


class ExplainerManager:
    """Posts explainers, and keeps every posted one up to date through a paced edit queue."""

    def __init__(self, conn: aiosqlite.Connection, service: Service, *, clock: Callable[[], float] = time.monotonic,
                 edit_interval: float = EDIT_INTERVAL, channel_interval: float = CHANNEL_INTERVAL,
                 backoff_start: float = BACKOFF_START) -> None:
        self.conn = conn
        self.service = service
        self.clock = clock
        self.edit_interval = edit_interval
        self.channel_interval = channel_interval
        self.backoff_start = backoff_start
        self._queue: dict[int, float] = {}  # explainer id → earliest time to try
        self._wake = asyncio.Event()
        self._last_edit: dict[int, float] = {}  # channel id → time of the last edit
        self._task: asyncio.Task[None] | None = None
        self._client: discord.Client | None = None
        self._in_flight = 0
        self._next_request_at = float("-inf")  # time.monotonic() when the next edit may go out
        self.edits = 0

    # --- rendering ---------------------------------------------------------------------------

    def render(self, guild_id: int, topic: str, guild_name: str | None = None) -> Rendered:
        """What an explainer for `topic` shows in this server now ('rates' is the rate card)."""
        if topic == RATE_CARD:
            card = self.service.rate_card(guild_id, guild_name)
        else:
            found = self.service.kb.get(topic)
            if found is None:
                raise ExplainerError(f"There's no topic {topic!r}. Use `rates` or a topic id from `/topic`.")
            card = self.service.topic_reply(found).card  # the renderer's cards are fitted already
        return Rendered(card, digest(card))

    # --- posting -----------------------------------------------------------------------------

    async def post(self, channel: discord.abc.Messageable, guild_id: int, topic: str,
                   guild_name: str | None = None) -> db.Explainer:
        rendered = self.render(guild_id, topic, guild_name)
        try:
            message = await channel.send(embed=to_embed(rendered.card),
                                         allowed_mentions=NO_MENTIONS)
        except discord.Forbidden as exc:
            raise ExplainerError("I can't post in that channel: give me **View Channel**, **Send Messages** and "
                                 "**Embed Links** there, then try again.") from exc
        except discord.NotFound as exc:
            raise ExplainerError("That channel no longer exists.") from exc
        return await db.add_explainer(self.conn, guild_id=guild_id, channel_id=message.channel.id,
                                      message_id=message.id, topic=topic, content_hash=rendered.digest)

    # --- keeping them right --------------------------------------------------------------------

    async def refresh(self, guild_id: int | None = None, *, topic: str | None = None, force: bool = False) -> int:
        """Queue an edit for every active explainer (of a server, of a topic) whose content changed.
        Returns how many were queued."""
        queued = 0
        for n, explainer in enumerate(await db.list_explainers(self.conn, guild_id, topic=topic), 1):
            if n % REFRESH_BATCH == 0:
                await asyncio.sleep(0)  # let interactions through: thousands of explainers never hold the loop
            try:
                rendered = self.render(explainer.guild_id, explainer.topic, self._guild_name(explainer.guild_id))
            except ExplainerError as exc:
                await db.mark_explainer_gone(self.conn, explainer.id, str(exc)[:200])
                continue
            if force or rendered.digest != explainer.content_hash:
                self._queue.setdefault(explainer.id, self.clock())
                queued += 1
        if queued:
            self._wake.set()
        return queued

    def start(self, client: discord.Client) -> None:
        self._client = client
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="explainer-edits")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def pending(self) -> int:
        """Explainers waiting for an edit or being edited now."""
        return len(self._queue) + self._in_flight

    async def drain(self, timeout: float) -> bool:
        """Wait until nothing is pending (tests and benchmarks); False if it wasn't within `timeout`."""
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return not self.pending

    async def _run(self) -> None:
        while True:
            due = self._next_due()
            if due is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            explainer_id, wait = due
            if wait > 0:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)
                continue
            self._queue.pop(explainer_id, None)
            self._in_flight += 1
            try:
                await self._edit(explainer_id)
            except Exception:  # never let one explainer stop the worker
                log.exception("explainer %s: unexpected error", explainer_id)
            finally:
                self._in_flight -= 1

    def _next_due(self) -> tuple[int, float] | None:
        if not self._queue:
            return None
        explainer_id, at = min(self._queue.items(), key=lambda item: item[1])
        return explainer_id, at - self.clock()

    async def _pace(self) -> None:
        """Wait for this request's turn: at most one edit every `edit_interval` across all servers."""
        wait = self._next_request_at - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._next_request_at = time.monotonic() + self.edit_interval

    async def _edit(self, explainer_id: int) -> None:
        """Edit one explainer if it is still due (one put back for its channel's pacing costs no turn)."""
        explainer = await db.get_explainer(self.conn, explainer_id)
        if explainer is None or explainer.status != "active":
            return
        since = self.clock() - self._last_edit.get(explainer.channel_id, float("-inf"))
        if since < self.channel_interval:
            self._queue[explainer_id] = self.clock() + self.channel_interval - since
            return
        rendered = self.render(explainer.guild_id, explainer.topic, self._guild_name(explainer.guild_id))
        if rendered.digest == explainer.content_hash:
            return
        await self._pace()
        assert self._client is not None
        message = self._client.get_partial_messageable(explainer.channel_id).get_partial_message(explainer.message_id)
        self._last_edit[explainer.channel_id] = self.clock()
        try:
            await message.edit(embed=to_embed(rendered.card), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            await self._failed(explainer, exc)
            return
        await db.record_explainer_edit(self.conn, explainer.id, rendered.digest)
        self.edits += 1

    async def _failed(self, explainer: db.Explainer, exc: discord.HTTPException) -> None:
        code = getattr(exc, "code", 0)
        if code in (UNKNOWN_MESSAGE, UNKNOWN_CHANNEL):
            await db.mark_explainer_gone(self.conn, explainer.id, "the message was deleted")
            log.info("explainer %s: message deleted by hand; marked gone", explainer.id)
            return
        if code in NO_ACCESS:
            await db.mark_explainer_gone(self.conn, explainer.id, "I lost access to that channel")
            log.info("explainer %s: no access to channel %s; marked gone", explainer.id, explainer.channel_id)
            return
        failures = await db.record_explainer_failure(self.conn, explainer.id)
        if failures >= MAX_FAILURES:
            await db.mark_explainer_gone(self.conn, explainer.id, f"edits kept failing ({exc.status} {code})")
            log.warning("explainer %s: gave up after %d failures", explainer.id, failures)
            return
        delay = min(BACKOFF_MAX, self.backoff_start * 2 ** (failures - 1))
        self._queue[explainer.id] = self.clock() + delay
        self._wake.set()
        log.info("explainer %s: edit failed (%s %s), retry in %.0f s", explainer.id, exc.status, code, delay)

    def _guild_name(self, guild_id: int) -> str | None:
        guild = self._client.get_guild(guild_id) if self._client else None
        return guild.name if guild else None


def describe(explainer: db.Explainer) -> dict[str, Any]:
    """One explainer for `/explainer list`."""
    return {"id": explainer.id, "topic": explainer.topic, "channel_id": explainer.channel_id,
            "message_id": explainer.message_id, "status": explainer.status, "reason": explainer.gone_reason}
