"""Who may do what: moderator commands carry Discord's `default_permissions` (a hint server admins
can change) *and* this runtime check, which is what actually refuses a member."""

from __future__ import annotations

import discord
from discord import app_commands



def is_moderator(interaction: discord.Interaction) -> bool:
    """True for members with Manage Server here; raises the tree's error types otherwise."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    if not interaction.permissions.manage_guild:
        raise app_commands.MissingPermissions(["manage_guild"])
    return True


moderator_only = app_commands.check(is_moderator)
