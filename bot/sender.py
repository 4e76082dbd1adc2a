"""The one way LiveTally replies to an interaction: initial response if still open, else a
followup; mentions always off; embeds built from the renderer's `Card`s.

Interaction responses go through `ReplyAdapter`, installed once by the bot at start-up.
"""

from __future__ import annotations

import asyncio
import json
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import discord
import orjson
from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.render import Card, Reply, fit_content
from bot.transport import CallbackTransport

NO_MENTIONS = discord.AllowedMentions.none()
EPHEMERAL = 1 << 6
DEFERRED_MESSAGE = 5


class ReplyAdapter(AsyncWebhookAdapter):
    """discord.py's webhook adapter, except that an interaction response does not ask Discord to
    send back the message it created (`?with_response=1`).

    discord.py 2.5+ always asks, then builds a full message object (author, embeds, flags) from
    the answer. LiveTally never reads it: every reply is fire-and-forget, with no views bound to
    message ids. Without the flag Discord answers 204 No Content, so each response costs one JSON
    body less on both ends. discord.py still gets the `InteractionCallbackResponse` it expects,
    made here from what was sent; retries, rate limits and errors are discord.py's own
    (`request`).

    Given a `CallbackTransport` (the running bot's), a callback without files goes out through it
    first, and through discord.py's `request` only when it could not be delivered or Discord
    did not accept it, after the wait discord.py would have made itself (`bot.transport`)."""

    def __init__(self, transport: CallbackTransport | None = None) -> None:
        super().__init__()
        self.transport = transport

    async def create_interaction_response(self, interaction_id: int, token: str, *, session: Any,
                                          proxy: str | None = None, proxy_auth: Any = None, params: Any) -> dict[str, Any]:
        if params.files:
            await self.request(callback_route(interaction_id, token), session=session, proxy=proxy,
                               proxy_auth=proxy_auth, files=params.files, multipart=params.multipart)
            body = json.loads(params.multipart[0]["value"])
        else:
            body = params.payload or {}
            answer = None
            if self.transport is not None and proxy is None:
                answer = await self.transport.post(callback_url(interaction_id, token), orjson.dumps(body))
            if answer is None or not answer.ok:
                if answer is not None:
                    await asyncio.sleep(answer.wait)
                await self.request(callback_route(interaction_id, token), session=session, proxy=proxy,
                                   proxy_auth=proxy_auth, payload=params.payload)
        data = body.get("data") or {}
        return {"interaction": {"id": str(interaction_id),
                                "response_message_loading": body.get("type") == DEFERRED_MESSAGE,
                                "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL)}}


def callback_route(interaction_id: int, token: str) -> Route:
    return Route("POST", "/interactions/{webhook_id}/{webhook_token}/callback", webhook_id=interaction_id,
                 webhook_token=token)


def callback_url(interaction_id: int, token: str) -> str:
    """`callback_route(…).url`, without the rest of a `Route` (bucket keys, metadata)."""
    return f"{Route.BASE}/interactions/{interaction_id}/{quote(token, safe='')}/callback"


def install_reply_adapter(adapter: AsyncWebhookAdapter | None = None) -> None:
    """Route this context's interaction traffic (and that of every task it starts) through
    `adapter` (default: a new `ReplyAdapter` with its own `CallbackTransport`)."""
    async_context.set(adapter if adapter is not None else ReplyAdapter(CallbackTransport()))


class CardEmbed(discord.Embed):
    """An embed made straight from a card's dict. Sending one reads nothing but `to_dict`, so the
    dict is sent as it is, with the `flags` discord.py adds, instead of being parsed into an
    `Embed` and built back again. Whatever reads the embed's own fields (`title`, `fields`…) gets
    them filled in from that dict on first use. Never changed once made (cached and shared)."""

    __slots__ = ("_payload", "_filled")

    @classmethod
    def of(cls, data: dict[str, Any]) -> CardEmbed:
        self = cls.__new__(cls)
        self._payload = {**data, "flags": data.get("flags", 0)}
        return self

    def to_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return self._payload  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        """An `Embed` field not filled in yet: fill them all from the dict, once."""
        if name in CardEmbed.__slots__ or getattr(self, "_filled", False):
            raise AttributeError(name)
        self._filled = True
        full = discord.Embed.from_dict(self._payload)
        for slot in discord.Embed.__slots__:
            if hasattr(full, slot):
                setattr(self, slot, getattr(full, slot))
        return getattr(self, name)


@lru_cache(maxsize=1024)
def to_embed(card: Card) -> discord.Embed:
    """The embed for a card (the renderer makes every card, within Discord's limits). Cached:
    replies repeat, and discord.py only reads an embed to send it."""
    return CardEmbed.of(card.to_embed_dict())


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
