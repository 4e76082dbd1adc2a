"""/gift and /convert: quick conversions through the same calculator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.feature import Feature
from bot.sender import send_reply

if TYPE_CHECKING:
    from bot.client import LiveTallyBot

UNITS = ("usd", "coins", "diamonds")


class Convert(Feature, commands.Cog):
    @app_commands.command(name="gift", description="What a LIVE gift pays the creator, and what it cost the viewer")
    @app_commands.describe(name="The gift (start typing: lion, galaxy, rose…)", count="How many (default 1)",
                           public="Post the result in the channel (default: only you see it)")
    async def gift(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100],
                   count: app_commands.Range[int, 1, 10**9] = 1, public: bool = False) -> None:
        reply = self.service.estimate("gift", {"name": name, "count": count}, interaction.guild_id)
        await send_reply(interaction, reply, ephemeral=not public)

    @gift.autocomplete("name")
    async def gift_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=label, value=value) for label, value in self.service.gift_choices(current)]

    @app_commands.command(name="convert", description="Convert between USD, coins, diamonds and this server's currency")
    @app_commands.rename(from_="from")
    @app_commands.describe(amount="The amount", from_="usd, coins, diamonds, or a currency code such as EUR",
                           to="usd, coins, diamonds, or a currency code (default: this server's currency)",
                           rate="Units of the other currency per USD (default: this server's rate)",
                           public="Post the result in the channel (default: only you see it)")
    async def convert(self, interaction: discord.Interaction, amount: app_commands.Range[float, 0.0, 10.0**12],
                      from_: app_commands.Range[str, 1, 10], to: app_commands.Range[str, 1, 10] | None = None,
                      rate: app_commands.Range[float, 0.000001, 1000000.0] | None = None, public: bool = False) -> None:
        reply = self.service.convert(amount, from_, to, rate, interaction.guild_id)
        await send_reply(interaction, reply, ephemeral=not public)

    @convert.autocomplete("from_")
    @convert.autocomplete("to")
    async def unit_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        options = [*UNITS, self.service.rates_for(interaction.guild_id).currency.lower()]
        return [app_commands.Choice(name=u, value=u) for u in dict.fromkeys(options) if u.startswith(current.lower())]


async def setup(bot: LiveTallyBot) -> None:
    await bot.add_cog(Convert(bot))
