"""Everything the running bot holds, opened in the entry point and passed into the Bot.

Start-up order: the service (knowledge, rates, gifts, templates) is loaded; the database is opened
and migrated; each server's rate overrides and FAQ entries are loaded into memory, so answering
never waits on the database; then, once the bot is connected, explainers whose content changed
while it was down (a knowledge update) are queued for an edit.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

from bot import db
from bot.explainers import ExplainerManager
from bot.service import Service, build_service

if TYPE_CHECKING:
    from bot.client import LiveTallyBot
    from bot.settings import Settings

log = logging.getLogger("livetally.resources")


@dataclass
class Resources:
    service: Service
    conn: aiosqlite.Connection | None = None
    question_log: db.QuestionLogBuffer | None = None
    explainers: ExplainerManager | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, repr=False)

    @property
    def has_database(self) -> bool:
        return self.conn is not None

    async def load_server_state(self) -> None:
        """Every server's rate overrides and FAQ entries, from the database into memory."""
        if self.conn is None:
            return
        for guild_id in await db.guilds_with_overrides(self.conn):
            self.service.set_overrides(guild_id, await db.get_rate_overrides(self.conn, guild_id))
        by_guild: dict[int, list[db.FaqEntry]] = {}
        for entry in await db.all_faq(self.conn):
            by_guild.setdefault(entry.guild_id, []).append(entry)
        for guild_id, entries in by_guild.items():
            self.service.set_faq(guild_id, entries)

    def log_question(self, guild_id: int | None, question: str, topic: str | None, kind: str) -> None:
        """Queue a question for insights (no user ids; never waits on the database)."""
        if self.question_log is not None:
            self.question_log.add(guild_id, question, topic, kind if kind in db.QUESTION_KINDS else "unknown")

    async def start(self, bot: LiveTallyBot) -> None:
        """Called from `setup_hook`, after the extensions are loaded."""
        if self.question_log is not None:
            self.question_log.start()
        if self.explainers is not None:
            self.explainers.start(bot)
            self._tasks.append(bot.loop.create_task(self._refresh_after_ready(bot), name="explainers-after-restart"))

    async def _refresh_after_ready(self, bot: LiveTallyBot) -> None:
        await bot.wait_until_ready()
        assert self.explainers is not None
        queued = await self.explainers.refresh()
        if queued:
            log.info("queued %d explainer edit(s) for content that changed while the bot was down", queued)

    async def stop(self) -> None:
        """Called when the bot closes: stop editing, flush the question log, close the database."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        if self.explainers is not None:
            await self.explainers.stop()
        if self.question_log is not None:
            await self.question_log.aclose()
        if self.conn is not None:
            await db.close_db(self.conn)
            self.conn = None


async def open_resources(settings: Settings, *, with_database: bool = True) -> Resources:
    service = build_service()
    if not with_database:
        return Resources(service=service)
    return await _with_database(service, settings.db_path)


async def open_test_resources(service: Service, db_path: Path, **explainer_options: float) -> Resources:
    """The same resources around an already-loaded service (tests reuse one across many bots)."""
    service.clear_server_state()
    return await _with_database(service, db_path, **explainer_options)


async def _with_database(service: Service, db_path: Path, **explainer_options: float) -> Resources:
    conn = await db.open_db(db_path)
    resources = Resources(service=service, conn=conn, question_log=db.QuestionLogBuffer(conn),
                          explainers=ExplainerManager(conn, service, **explainer_options))
    await resources.load_server_state()
    return resources
