"""/explainer post | list | remove | refresh: standing messages that keep themselves right."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import db
from bot.checks import moderator_only
from bot.errors import UserFacingError
from bot.explainers import RATE_CARD, ExplainerError, ExplainerManager
from bot.feature import Feature
from bot.sender import defer, send_text

if TYPE_CHECKING:
    from bot.client import LiveTallyBot

CHOICES_MAX = 25
MAX_ID = 2**53 - 1  # Discord's largest integer option value


class TextChannelOption(app_commands.Transformer):
    """A text or announcement channel, used by id (no channel cache needed to post there)."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction, value: app_commands.AppCommandChannel) -> app_commands.AppCommandChannel:
        if value.type not in self.channel_types:
            raise UserFacingError("Pick a text channel.")
        return value


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Explainers(Feature, commands.GroupCog, group_name="explainer", group_description="Moderators: self-updating rate explainers"):
    def _manager(self) -> ExplainerManager:
        self.storage("Explainers")
        manager = self.resources.explainers
        assert manager is not None  # opened together with the database
        return manager

    @app_commands.command(name="post", description="Post an explainer that updates itself when rates or facts change")
    @app_commands.describe(topic="`rates` (this server's rate card) or a topic", channel="Where to post it")
    @moderator_only
    async def post(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 64],
                   channel: app_commands.Transform[app_commands.AppCommandChannel, TextChannelOption]) -> None:
        manager = self._manager()
        topic = topic.strip()
        if topic != RATE_CARD and self.service.kb.get(topic) is None:
            raise UserFacingError(f"There's no topic {topic[:64]!r}: use `rates` or pick a topic from the list.")
        await defer(interaction, ephemeral=True)
        try:
            explainer = await manager.post(self.bot.get_partial_messageable(channel.id, guild_id=interaction.guild_id),
                                           interaction.guild_id, topic,
                                           interaction.guild.name if interaction.guild else None)
        except ExplainerError as exc:
            raise UserFacingError(str(exc)) from exc
        await send_text(interaction, f"Posted explainer #{explainer.id} ({topic}) in {channel.mention}. "
                                     "It will update itself when what it shows changes.", ephemeral=True)

    @post.autocomplete("topic")
    async def topic_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        choices = [(f"{RATE_CARD} — this server's rate card", RATE_CARD)]
        choices += [(label, value) for label, value in self.service.topic_choices(current)]
        needle = current.strip().lower()
        return [app_commands.Choice(name=label[:100], value=value) for label, value in choices
                if not needle or needle in label.lower() or needle in value][:CHOICES_MAX]

    @app_commands.command(name="list", description="The explainers posted in this server and their state")
    @moderator_only
    async def list_(self, interaction: discord.Interaction) -> None:
        manager = self._manager()
        await defer(interaction, ephemeral=True)
        rows = await db.list_explainers(manager.conn, interaction.guild_id, include_gone=True)
        if not rows:
            await send_text(interaction, "No explainers yet. Post one with `/explainer post topic:rates channel:#…`.")
            return
        lines = [f"#{e.id} **{e.topic}** in <#{e.channel_id}> — "
                 + ("✅ active" if e.status == "active" else f"⚠️ gone: {e.gone_reason or 'unknown'}") for e in rows]
        await send_text(interaction, "\n".join(lines), ephemeral=True)

    @app_commands.command(name="remove", description="Stop updating an explainer and delete its message")
    @app_commands.describe(explainer="The explainer's number, from /explainer list")
    @moderator_only
    async def remove(self, interaction: discord.Interaction, explainer: app_commands.Range[int, 1, MAX_ID]) -> None:
        manager = self._manager()
        await defer(interaction, ephemeral=True)
        found = await db.get_explainer(manager.conn, explainer)
        if found is None or found.guild_id != interaction.guild_id:
            raise UserFacingError(f"There's no explainer #{explainer} in this server (see `/explainer list`).")
        await db.remove_explainer(manager.conn, interaction.guild_id, explainer)
        note = ""
        if found.status == "active":
            message = self.bot.get_partial_messageable(found.channel_id).get_partial_message(found.message_id)
            try:
                await message.delete()
            except discord.HTTPException:
                note = " (I couldn't delete its message; remove it by hand if it's still there.)"
        await send_text(interaction, f"Removed explainer #{explainer}.{note}", ephemeral=True)

    @app_commands.command(name="refresh", description="Re-render every explainer here now")
    @moderator_only
    async def refresh(self, interaction: discord.Interaction) -> None:
        manager = self._manager()
        await defer(interaction, ephemeral=True)
        queued = await manager.refresh(interaction.guild_id, force=True)
        await send_text(interaction, f"Queued {queued} explainer{'s' if queued != 1 else ''} for an update.", ephemeral=True)


async def setup(bot: LiveTallyBot) -> None:
    await bot.add_cog(Explainers(bot))
