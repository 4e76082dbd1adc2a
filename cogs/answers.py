"""Member commands that answer from the knowledge base: /ask, /likes, /views, /topic, /about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserFacingError
from bot.feature import Feature
from bot.sender import send_reply, send_text

if TYPE_CHECKING:
    from bot.client import LiveTallyBot

QUESTION_MAX = 500


class Answers(Feature, commands.Cog):
    @app_commands.command(name="ask", description="Ask a money question about TikTok LIVE: likes, gifts, diamonds, payouts…")
    @app_commands.describe(question="Your question, in your own words (numbers welcome: “what are 40k diamonds worth?”)",
                           private="Only you see the answer (default: estimates private, answers public)")
    async def ask(self, interaction: discord.Interaction,
                  question: app_commands.Range[str, 1, QUESTION_MAX], private: bool | None = None) -> None:
        text = question.strip()
        if not text:
            raise UserFacingError("Type a question, e.g. “do likes pay on TikTok LIVE?”")
        if len(text) > QUESTION_MAX:
            raise UserFacingError(f"That's a long one: keep questions under {QUESTION_MAX} characters.")
        reply = self.service.ask(text, guild_id=interaction.guild_id)
        ephemeral = private if private is not None else reply.kind in ("estimate", "unknown")
        await send_reply(interaction, reply, ephemeral=ephemeral)
        self.resources.log_question(interaction.guild_id, text, reply.topic, reply.kind)

    @app_commands.command(name="likes", description="Do likes pay on TikTok LIVE?")
    async def likes(self, interaction: discord.Interaction) -> None:
        await self._show(interaction, "likes_pay")

    @app_commands.command(name="views", description="Do you get paid per view or per viewer?")
    async def views(self, interaction: discord.Interaction) -> None:
        await self._show(interaction, "per_view_pay")

    @app_commands.command(name="topic", description="Show one topic from LiveTally's knowledge base")
    @app_commands.describe(name="Start typing: likes, diamonds, withdraw, battles…")
    async def topic(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        topic = self.service.find_topic(name, guild_id=interaction.guild_id)
        if topic is None:
            reply = self.service.ask(name, guild_id=interaction.guild_id)
            if reply.kind != "answer":
                raise UserFacingError(f"No topic called “{name[:80]}”. Pick one from the list as you type.")
            await send_reply(interaction, reply)
            return
        await send_reply(interaction, self.service.topic_reply(topic))

    @topic.autocomplete("name")
    async def topic_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=label, value=value)
                for label, value in self.service.topic_choices(current, guild_id=interaction.guild_id)]

    @app_commands.command(name="about", description="What LiveTally is, its version and the date of its data")
    async def about(self, interaction: discord.Interaction) -> None:
        await send_text(interaction, self.service.about_text(), ephemeral=True)

    async def _show(self, interaction: discord.Interaction, topic_id: str) -> None:
        await send_reply(interaction, self.service.topic_reply(self.service.kb[topic_id]))


async def setup(bot: LiveTallyBot) -> None:
    await bot.add_cog(Answers(bot))
