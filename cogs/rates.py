"""/rates show | set | reset: a server's own rate assumptions, used by every answer here."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import db
from bot.checks import moderator_only
from bot.errors import UserFacingError
from bot.feature import Feature
from bot.sender import defer, send_reply, send_text

if TYPE_CHECKING:
    from bot.client import LiveTallyBot

CHOICES_MAX = 25


@app_commands.guild_only()
class Rates(Feature, commands.GroupCog, group_name="rates", group_description="This server's rate assumptions"):
    # Not default_permissions on the group: `show` is for everyone. `set`/`reset` check at run time.
    @app_commands.command(name="show", description="Every rate LiveTally uses here, its default and its source")
    async def show(self, interaction: discord.Interaction) -> None:
        await send_reply(interaction, self.service.rates_reply(interaction.guild_id), ephemeral=True)

    @app_commands.command(name="set", description="Moderators: set this server's value for one rate")
    @app_commands.describe(key="The rate to change (start typing)", value="The new value, e.g. 0.004, 15%, EUR")
    @moderator_only
    async def set_(self, interaction: discord.Interaction, key: app_commands.Range[str, 1, 64],
                   value: app_commands.Range[str, 1, 40]) -> None:
        key = key.strip()
        parsed = self.service.rate_book.validate_override(key, value)  # RateError → a clear message
        stored = parsed if isinstance(parsed, str) else format(parsed.normalize(), "f")
        conn = self.storage("Server settings")
        await defer(interaction, ephemeral=True)  # the write may wait on the disk
        await db.set_rate_override(conn, interaction.guild_id, key, stored)
        queued = await self._reload(interaction.guild_id)
        spec = self.service.rate_book.specs[key]
        await send_text(interaction, f"**{spec.label}** is now **{spec.show(parsed)}** in this server "
                                     f"(default {spec.show()}).{_queued(queued)}", ephemeral=True)

    @app_commands.command(name="reset", description="Moderators: go back to LiveTally's default for one rate, or all")
    @app_commands.describe(key="The rate to reset; leave empty to reset every rate")
    @moderator_only
    async def reset(self, interaction: discord.Interaction, key: app_commands.Range[str, 1, 64] | None = None) -> None:
        if key is not None and key.strip() not in self.service.rate_book.specs:
            raise UserFacingError(f"There is no rate called {key.strip()[:64]!r}. Pick one from the list.")
        conn = self.storage("Server settings")
        await defer(interaction, ephemeral=True)
        removed = await db.reset_rate_overrides(conn, interaction.guild_id, key.strip() if key else None)
        queued = await self._reload(interaction.guild_id)
        what = f"`{key.strip()}`" if key else "every rate"
        text = f"Reset {what} to LiveTally's default." if removed else f"{what.capitalize()} already used the default."
        await send_text(interaction, text + _queued(queued), ephemeral=True)

    @set_.autocomplete("key")
    @reset.autocomplete("key")
    async def key_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower()
        out = []
        for key, spec in self.service.rate_book.specs.items():
            if needle in key or needle in spec.label.lower():
                out.append(app_commands.Choice(name=f"{key} — {spec.label}"[:100], value=key))
            if len(out) == CHOICES_MAX:
                break
        return out

    async def _reload(self, guild_id: int) -> int:
        """Load this server's overrides into memory and queue edits of explainers that changed."""
        self.service.set_overrides(guild_id, await db.get_rate_overrides(self.storage("Server settings"), guild_id))
        explainers = self.resources.explainers
        return await explainers.refresh(guild_id) if explainers else 0


def _queued(count: int) -> str:
    return f" {count} posted explainer{'s' if count != 1 else ''} will update." if count else ""


async def setup(bot: LiveTallyBot) -> None:
    await bot.add_cog(Rates(bot))
