"""tests/e2e/bare_bot.py, except that /ping answers with LiveTally's own /likes card, built once at start.

    python bench/embed_bot.py [sync]

Used by bench/standin_load.py to split LiveTally's cost per interaction into what a bigger reply
costs any discord.py bot (this bot) and what LiveTally's own work adds on top (the difference).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

import asyncio  # noqa: E402

import discord  # noqa: E402
from discord import app_commands  # noqa: E402

import bare_bot  # noqa: E402


def likes_card() -> dict:
    from bot.service import build_service

    service = build_service()
    return service.topic_reply(service.kb["likes_pay"]).card.to_embed_dict()


CARD = likes_card()
NO_MENTIONS = discord.AllowedMentions.none()


@app_commands.command(name="ping", description="Check that the bot answers.")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(embed=discord.Embed.from_dict(CARD), allowed_mentions=NO_MENTIONS)


class EmbedBot(bare_bot.BareBot):
    def __init__(self) -> None:
        super().__init__()
        self.tree.remove_command("ping")
        self.tree.add_command(ping)


def main(args: list[str]) -> int:
    token = os.environ.get("DISCORD_TOKEN")
    if not token:
        print("DISCORD_TOKEN is not set", file=sys.stderr)
        return 2
    bare_bot.use_discord_at(os.environ.get("DISCORD_API_BASE"), os.environ.get("DISCORD_GATEWAY_URL"))
    if args == ["sync"]:
        discord.utils.setup_logging()

        async def sync() -> None:
            async with EmbedBot() as bot:
                await bot.login(token)
                await bot.tree.sync()

        asyncio.run(sync())
    else:
        EmbedBot().run(token, root_logger=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
