"""/insights: what members ask here and what LiveTally could not answer (no user ids are kept)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import db
from bot.checks import moderator_only
from bot.errors import UserFacingError
from bot.render import user_text
from bot.feature import Feature
from bot.sender import defer, send_text

if TYPE_CHECKING:
    from bot.client import LiveTallyBot

RETENTION_DAYS = 90
TOP = 10


class Insights(Feature, commands.Cog):
    @app_commands.command(name="insights", description="Moderators: most asked topics and unanswered questions here")
    @app_commands.describe(days="How many days back (1–90, default 30)", clear="Empty this server's question log")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @moderator_only
    async def insights(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, RETENTION_DAYS] = 30,
                       clear: bool = False) -> None:
        resources = self.resources
        conn = self.storage("Insights")
        if not 1 <= days <= RETENTION_DAYS:
            raise UserFacingError(f"days must be between 1 and {RETENTION_DAYS}.")
        await defer(interaction, ephemeral=True)  # flushing and reading the log touch the disk
        if resources.question_log is not None:
            await resources.question_log.flush()
        if clear:
            removed = await db.clear_question_log(conn, interaction.guild_id)
            await send_text(interaction, f"Cleared this server's question log ({removed} question{'s' if removed != 1 else ''}).")
            return
        since = int(time.time()) - days * 86400
        topics = await db.top_topics(conn, interaction.guild_id, since, TOP)
        unanswered = await db.top_unanswered(conn, interaction.guild_id, since, TOP)
        await send_text(interaction, self.render(days, topics, unanswered))

    def render(self, days: int, topics: list[tuple[str, int]], unanswered: list[tuple[str, int]]) -> str:
        kb = self.service.kb
        lines = [f"**Last {days} day{'s' if days != 1 else ''}**", "", "__Most asked topics__"]
        lines += [f"{n}× {kb[t].title if kb.get(t) else user_text(t, 80)}" for t, n in topics] or ["nothing asked yet"]
        lines += ["", "__Questions I couldn't answer__ (add one with `/faq add`)"]
        lines += [f"{n}× “{user_text(q, 150)}”" for q, n in unanswered] or ["none 🎉"]
        lines += ["", f"-# Questions are kept {RETENTION_DAYS} days, without user ids. `/insights clear:True` empties the log."]
        return "\n".join(lines)


async def setup(bot: LiveTallyBot) -> None:
    await bot.add_cog(Insights(bot))
