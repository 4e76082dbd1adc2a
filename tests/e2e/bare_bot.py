"""A bare discord.py bot with one slash command, /ping: the baseline LiveTally is measured against.

    python tests/e2e/bare_bot.py         run the bot
    python tests/e2e/bare_bot.py sync    register /ping with Discord, then exit

Environment: DISCORD_TOKEN (required); DISCORD_API_BASE and DISCORD_GATEWAY_URL send the REST
calls and the gateway connection elsewhere, e.g. to the local Discord stand-in.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

log = logging.getLogger("bare_bot")


def use_discord_at(api_base: str | None, gateway_url: str | None) -> None:
    """Send discord.py's REST calls and gateway connection to another Discord (it skips REST for the latter)."""
    if api_base:
        Route.BASE = api_base.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


@app_commands.command(description="Check that the bot answers.")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong")


class BareBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none())
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(ping)

    async def on_ready(self) -> None:
        channels = sum(len(guild.text_channels) for guild in self.guilds)
        log.info("ready in %d guilds with %d text channels", len(self.guilds), channels)


async def sync_commands(token: str) -> None:
    async with BareBot() as bot:
        await bot.login(token)
        synced = await bot.tree.sync()
    log.info("synced %d commands", len(synced))


def main(args: list[str]) -> int:
    token = os.environ.get("DISCORD_TOKEN")
    if not token:
        print("DISCORD_TOKEN is not set", file=sys.stderr)
        return 2
    if args not in ([], ["sync"]):
        print(__doc__, file=sys.stderr)
        return 2
    use_discord_at(os.environ.get("DISCORD_API_BASE"), os.environ.get("DISCORD_GATEWAY_URL"))
    if args == ["sync"]:
        discord.utils.setup_logging()
        asyncio.run(sync_commands(token))
    else:
        BareBot().run(token, root_logger=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
