"""How replies leave: the interaction-response adapter, embeds made from cards, and the heap the
running bot settles into."""

from __future__ import annotations

import gc

import discord
import pytest
from discord.webhook import async_ as webhook_async

from bot.client import YOUNG_COLLECTION_THRESHOLD, settle_heap
from bot.render import fit
from bot.sender import CardEmbed, ReplyAdapter, install_reply_adapter, to_embed


async def test_responses_do_not_ask_discord_for_the_message_back(harness):
    result = await harness.run("ask", question="do likes pay")
    (callback,) = [s for s in result.sent if s.path.endswith("/callback")]
    assert callback.query == {}  # discord.py itself sends ?with_response=1
    assert callback.payload["type"] == 4 and callback.payload["data"]["embeds"]


@pytest.mark.parametrize(("kind", "data", "loading", "ephemeral"), [
    (4, {"content": "hi", "flags": 64}, False, True),
    (4, {"content": "hi"}, False, False),
    (5, {"flags": 64}, True, True),
    (5, {}, True, False),
    (8, {"choices": []}, False, False),
])
async def test_discord_py_gets_the_callback_response_it_expects(kind, data, loading, ephemeral):
    """What discord.py builds from the adapter's answer says what was sent, as Discord's would."""

    class Sent(ReplyAdapter):
        async def request(self, route, session, **kwargs):
            self.kwargs = kwargs
            return None  # Discord: 204 No Content

    adapter = Sent()
    params = webhook_async.interaction_response_params(kind, data)
    answer = await adapter.create_interaction_response(123, "token", session=None, params=params)
    assert "params" not in adapter.kwargs and adapter.kwargs["payload"] == {"type": kind, "data": data}
    interaction = discord.Interaction.__new__(discord.Interaction)  # only the parent reference is read
    response = discord.InteractionCallbackResponse(data=answer, parent=interaction, state=None,  # type: ignore[arg-type]
                                                   type=discord.InteractionResponseType(kind))
    assert (response.id, response.is_thinking(), response.is_ephemeral()) == (123, loading, ephemeral)
    assert response.resource is None and response.message_id is None


async def test_the_adapter_is_what_interactions_use_once_installed():
    before = webhook_async.async_context.get()
    try:
        install_reply_adapter()
        assert type(webhook_async.async_context.get()) is ReplyAdapter
    finally:
        webhook_async.async_context.set(before)


def test_a_card_embed_sends_what_discord_py_would(service):
    replies = [service.topic_reply(t) for t in service.kb]
    replies += [service.estimate("diamonds", {"amount": "40000"}), service.ask("what's the weather @everyone"),
                service.rates_reply(None), service.renderer.error("nope", "ABC123")]
    for reply in replies:
        embed = to_embed(reply.card)
        assert isinstance(embed, CardEmbed) and to_embed(reply.card) is embed
        assert embed.to_dict() == discord.Embed.from_dict(reply.card.to_embed_dict()).to_dict()
        assert embed.to_dict() is embed.to_dict()  # made once
        assert (embed.title, embed.description, len(embed.fields)) == (
            reply.card.title, reply.card.description or None, len(reply.card.fields))
        assert (embed.colour.value, embed.footer.text, embed.image.url) == (
            reply.card.colour, reply.card.footer or None, None)  # every field filled in, as discord.py's
        assert embed.to_dict() == discord.Embed.from_dict(reply.card.to_embed_dict()).to_dict()  # unchanged by reading


def test_every_card_comes_fitted_from_the_renderer(service):
    """The sender no longer fits cards again: the renderer's must already be within every limit."""
    long = "how much " * 80
    cards = [service.topic_reply(t).card for t in service.kb]
    cards += [service.ask(q).card for q in (long, "@everyone do likes pay", "<@123> weather?", "what are 40k diamonds")]
    cards += [service.rates_reply(None).card, service.renderer.error("@here " + "x" * 5000).card]
    for card in cards:
        assert fit(card) == card


def test_settle_heap_freezes_what_is_alive_and_collects_young_objects_less_often():
    before = gc.get_threshold()
    try:
        previous = settle_heap()
        assert previous == before
        assert gc.get_threshold() == (YOUNG_COLLECTION_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
