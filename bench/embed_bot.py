"""tests/e2e/bare_bot.py, except that /ping answers with LiveTally's own /likes card, built once at start.

    python bench/embed_bot.py [--as-livetally] [sync]

Used by bench/standin_load.py to split LiveTally's cost per interaction: this bot as it is shows
what a reply as big as LiveTally's costs any discord.py bot; with `--as-livetally` it also sends
that reply the way LiveTally does (`bot.sender.ReplyAdapter`: no `with_response`, over
`bot.transport`'s kept-alive connections) and settles its heap as LiveTally does after start-up
(`bot.client.settle_heap`), so what LiveTally costs on top of it is LiveTally's own work alone.
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
AS_LIVETALLY = "--as-livetally"


@app_commands.command(name="ping", description="Check that the bot answers.")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(embed=discord.Embed.from_dict(CARD), allowed_mentions=NO_MENTIONS)


class EmbedBot(bare_bot.BareBot):
    def __init__(self, *, as_livetally: bool = False) -> None:
        super().__init__()
        self.as_livetally = as_livetally
        self.tree.remove_command("ping")
        self.tree.add_command(ping)

    async def setup_hook(self) -> None:
        if self.as_livetally:
            from bot.client import settle_heap
            from bot.sender import install_reply_adapter

            install_reply_adapter()
            settle_heap()


def main(args: list[str]) -> int:
    token = os.environ.get("DISCORD_TOKEN")
    if not token:
        print("DISCORD_TOKEN is not set", file=sys.stderr)
        return 2
    as_livetally = AS_LIVETALLY in args
    args = [a for a in args if a != AS_LIVETALLY]
    if args not in ([], ["sync"]):
        print(__doc__, file=sys.stderr)
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
        EmbedBot(as_livetally=as_livetally).run(token, root_logger=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
