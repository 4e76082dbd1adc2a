"""Starting the bot and registering its commands: the entry point opens every resource and
passes it in (nothing is opened at import time)."""

from __future__ import annotations

import asyncio
import logging
import signal

import discord

from bot.client import LiveTallyBot, apply_endpoints
from bot.logs import configure_logging
from bot.resources import open_resources
from bot.settings import Settings

log = logging.getLogger("livetally")


def run_bot(settings: Settings) -> int:
    """Run until stopped (Ctrl-C or SIGTERM). Raises SettingsError without a token."""
    token = settings.require_token()
    configure_logging(settings.log_level, secrets=[token])
    apply_endpoints(settings)
    try:
        asyncio.run(_run(settings, token))
    except discord.LoginFailure:
        log.error("Discord refused the token (401). Check DISCORD_TOKEN.")
        return 1
    return 0


async def _run(settings: Settings, token: str) -> None:
    resources = await open_resources(settings)
    bot = LiveTallyBot(resources=resources, tune_heap=True)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(token)


def sync_commands(settings: Settings, guild_id: int | None) -> int:
    """Register the slash commands: globally, or in one server (instant) with `--guild`."""
    token = settings.require_token()
    configure_logging(settings.log_level, secrets=[token])
    apply_endpoints(settings)
    registered = asyncio.run(_sync(settings, token, guild_id))
    where = f"server {guild_id}" if guild_id else "globally (may take up to an hour to appear)"
    print(f"registered {len(registered)} commands {where}: {', '.join('/' + c.name for c in registered)}")
    return 0


async def _sync(settings: Settings, token: str, guild_id: int | None) -> list[discord.app_commands.AppCommand]:
    resources = await open_resources(settings, with_database=False)
    bot = LiveTallyBot(resources=resources)
    async with bot:
        await bot.login(token)
        if guild_id is None:
            return await bot.tree.sync()
        guild = discord.Object(id=guild_id)
        bot.tree.copy_global_to(guild=guild)
        return await bot.tree.sync(guild=guild)
