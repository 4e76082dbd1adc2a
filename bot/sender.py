"""The one way LiveTally replies to an interaction: initial response if still open, else a
followup; mentions always off; embeds built from the renderer's `Card`s."""

from __future__ import annotations

from functools import lru_cache

import discord

from bot.render import Card, Reply, fit, fit_content

NO_MENTIONS = discord.AllowedMentions.none()


@lru_cache(maxsize=1024)
def to_embed(card: Card) -> discord.Embed:
    """The embed for a card. Cached: replies repeat, and discord.py only reads an embed to send it."""
    return discord.Embed.from_dict(fit(card).to_embed_dict())


async def send_reply(interaction: discord.Interaction, reply: Reply, *, ephemeral: bool = False,
                     content: str | None = None) -> None:
    await _send(interaction, content=fit_content(content) if content else None, embed=to_embed(reply.card),
                ephemeral=ephemeral)


async def send_text(interaction: discord.Interaction, text: str, *, ephemeral: bool = True,
                    error_code: str | None = None) -> None:
    body = f"{text}\n-# Error code `{error_code}`" if error_code else text
    await _send(interaction, content=fit_content(body), embed=None, ephemeral=ephemeral)


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Acknowledge now (work may touch disk or the network); the reply follows as a followup."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def _send(interaction: discord.Interaction, *, content: str | None, embed: discord.Embed | None,
                ephemeral: bool) -> None:
    kwargs: dict[str, object] = {"ephemeral": ephemeral, "allowed_mentions": NO_MENTIONS}
    if content:
        kwargs["content"] = content
    if embed is not None:
        kwargs["embed"] = embed
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)  # type: ignore[arg-type]
    else:
        await interaction.response.send_message(**kwargs)  # type: ignore[arg-type]
