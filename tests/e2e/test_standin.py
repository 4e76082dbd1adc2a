"""The Discord stand-in itself: driven by bare_bot.py, by a real discord.py client, and by raw requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.e2e.process import BotProcess
from tests.e2e.models import EPHEMERAL
from tests.e2e.standin import RESPONSE_DEADLINE, Op, StandIn
from tests.e2e.world import APPLICATION_ID, SEND_MESSAGES, OptionValue

CALLBACK = r"/interactions/\d+/[^/]+/callback"
NO_PINGS: dict[str, list[str]] = {"parse": []}


async def call(standin: StandIn, method: str, path: str, body: Any = None, *, auth: bool = True) -> tuple[int, Any]:
    """A raw REST call to the stand-in: (status, parsed JSON body or None)."""
    headers = {"Authorization": f"Bot {standin.token}"} if auth else {}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, standin.api_base + path, json=body, headers=headers) as response,
    ):
        return response.status, None if response.status == 204 else await response.json()


def error_codes(body: dict[str, Any], *path: str) -> list[str]:
    """The codes of the Invalid Form Body errors at ``path``."""
    node = body["errors"]
    for key in path:
        node = node[key]
    return [error["code"] for error in node["_errors"]]


# bare_bot.py against the stand-in.


async def test_bare_bot_logs_in_and_identifies_and_sees_both_guilds(standin: StandIn, bare_bot: BotProcess) -> None:
    await bare_bot.wait_for_line("ready in 2 guilds with 4 text channels")
    answered = [(r.method, r.path, r.status) for r in standin.requests]
    assert ("GET", "/users/@me", 200) in answered
    assert ("GET", "/oauth2/applications/@me", 200) in answered
    identify = next(payload["d"] for payload in standin.gateway_received if payload["op"] == Op.IDENTIFY)
    assert identify["token"] == standin.token


@pytest.mark.usefixtures("bare_bot")
async def test_sync_registers_ping_with_one_bulk_put(standin: StandIn) -> None:
    puts = [(r.path, r.status) for r in standin.requests if r.method == "PUT"]
    assert puts == [(f"/applications/{APPLICATION_ID}/commands", 200)]
    status, registered = await call(standin, "GET", f"/applications/{APPLICATION_ID}/commands")
    assert status == 200
    assert [(command["name"], command["type"]) for command in registered] == [("ping", 1)]


@pytest.mark.usefixtures("bare_bot")
async def test_ping_is_answered_once_within_the_deadline(standin: StandIn) -> None:
    interaction = await standin.inject_command("ping")
    response = await interaction.wait_response()
    assert response["type"] == 4
    assert response["data"]["content"] == "pong"
    assert [callback.status for callback in interaction.callbacks] == [200]
    assert interaction.reply is not None
    assert not interaction.reply.ephemeral


@pytest.mark.usefixtures("bare_bot")
async def test_second_callback_is_rejected_with_40060(standin: StandIn) -> None:
    interaction = await standin.inject_command("ping")
    await interaction.wait_response()
    again = {"type": 4, "data": {"content": "pong again", "allowed_mentions": NO_PINGS}}
    status, body = await call(standin, "POST", f"/interactions/{interaction.id}/{interaction.token}/callback", again)
    assert (status, body["code"]) == (400, 40060)


async def test_late_callback_gets_10062_and_is_not_retried(standin: StandIn, bare_bot: BotProcess) -> None:
    standin.delay_next("POST", CALLBACK, RESPONSE_DEADLINE + 0.5)
    interaction = await standin.inject_command("ping")
    await standin.wait_until(lambda: bool(interaction.callbacks), timeout=RESPONSE_DEADLINE + 5)
    await bare_bot.wait_for_line("error code: 10062")
    assert [(callback.status, callback.error_code) for callback in interaction.callbacks] == [(404, 10062)]
    assert interaction.response is None


@pytest.mark.usefixtures("bare_bot")
async def test_bot_resumes_and_answers_what_was_sent_while_it_was_away(standin: StandIn) -> None:
    await standin.close_websocket(4000)
    interaction = await standin.inject_command("ping")
    await interaction.wait_response()
    ops = [payload["op"] for payload in standin.gateway_received]
    assert (ops.count(Op.IDENTIFY), ops.count(Op.RESUME)) == (1, 1)
    assert standin.replayed == 1


@pytest.mark.usefixtures("bare_bot")
async def test_rate_limited_callback_is_retried_after_retry_after(standin: StandIn) -> None:
    standin.fail_next("POST", CALLBACK, 429, retry_after=0.3)
    interaction = await standin.inject_command("ping")
    await interaction.wait_response()
    limited, accepted = interaction.callbacks
    assert (limited.status, accepted.status) == (429, 200)
    assert accepted.time - limited.time >= 0.3


@pytest.mark.usefixtures("bare_bot")
async def test_followups_and_edits_through_the_interaction_token(standin: StandIn) -> None:
    interaction = await standin.inject_command("ping")
    await interaction.wait_response()
    webhook = f"/webhooks/{APPLICATION_ID}/{interaction.token}"

    status, followup = await call(
        standin, "POST", f"{webhook}?wait=true", {"content": "more", "flags": EPHEMERAL, "allowed_mentions": NO_PINGS}
    )
    assert status == 200
    assert [(m.content, m.ephemeral) for m in interaction.followups] == [("more", True)]
    status, _ = await call(
        standin, "PATCH", f"{webhook}/messages/@original", {"content": "pong!", "allowed_mentions": NO_PINGS}
    )
    assert status == 200
    assert interaction.original is not None
    assert (interaction.original.content, interaction.original.edits) == ("pong!", 1)
    assert (await call(standin, "DELETE", f"{webhook}/messages/{followup['id']}"))[0] == 204
    status, body = await call(standin, "GET", f"{webhook}/messages/{followup['id']}")
    assert (status, body["code"]) == (404, 10008)
    status, body = await call(standin, "POST", f"/webhooks/{APPLICATION_ID}/not-a-token", {"content": "x"})
    assert (status, body["code"]) == (404, 10015)


@pytest.mark.usefixtures("bare_bot")
async def test_component_interaction_updates_its_message(standin: StandIn) -> None:
    channel = standin.world.guilds[0].channels[0]
    _, posted = await call(
        standin, "POST", f"/channels/{channel.id}/messages", {"content": "v1", "allowed_mentions": NO_PINGS}
    )
    message = standin.messages[channel.id][int(posted["id"])]
    interaction = await standin.inject_component(message, "refresh")
    callback = f"/interactions/{interaction.id}/{interaction.token}/callback"
    status, body = await call(standin, "POST", callback, {"type": 8, "data": {"choices": []}})
    assert (status, body["code"]) == (400, 50035)
    update = {"type": 7, "data": {"content": "v2", "allowed_mentions": NO_PINGS}}
    assert (await call(standin, "POST", callback, update))[0] == 204
    assert (message.content, message.edits) == ("v2", 1)


@pytest.mark.usefixtures("api_spec", "bare_bot")
async def test_every_body_the_bare_bot_sends_matches_discords_spec(standin: StandIn) -> None:
    interaction = await standin.inject_command("ping")
    await interaction.wait_response()
    assert {r.method for r in standin.requests} >= {"GET", "PUT", "POST"}
    assert standin.traffic_problems() == []


# A real discord.py client in this process: options, subcommands, defer and autocomplete.

TOPICS = ["likes_pay", "live_match", "platform_cut"]


@pytest.fixture
async def client(standin: StandIn, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[discord.Client]:
    """A discord.py client with a group, typed options and autocomplete, connected to the stand-in."""
    monkeypatch.setattr(Route, "BASE", standin.api_base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(standin.gateway_url))
    client = discord.Client(intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none())
    tree = app_commands.CommandTree(client)
    estimate = app_commands.Group(name="estimate", description="Estimate earnings.")

    @estimate.command(name="live", description="A LIVE session.")
    async def live(
        interaction: discord.Interaction,
        viewers: int,
        hours: float,
        gifting: bool,
        note: str,
        channel: discord.TextChannel,
    ) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send(f"{viewers}|{hours}|{gifting}|{note}|#{channel.name}")

    @app_commands.command(name="topic", description="Look up a topic.")
    async def topic(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    @topic.autocomplete("name")
    async def topic_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TOPICS if t.startswith(current)]

    tree.add_command(estimate)
    tree.add_command(topic)
    await client.login(standin.token)
    await tree.sync()
    connection = asyncio.create_task(client.connect())
    try:
        await standin.wait_connected()
        yield client
    finally:
        await client.close()
        async with asyncio.timeout(5):
            await connection


@pytest.mark.usefixtures("client")
async def test_typed_options_in_a_subcommand_reach_the_handler(standin: StandIn) -> None:
    rates = standin.world.guilds[0].channels[1]
    options: dict[str, OptionValue] = {
        "viewers": 150,
        "hours": 2.5,
        "gifting": True,
        "note": "weekday",
        "channel": rates.id,
    }
    interaction = await standin.inject_command("estimate live", options, user="moderator")
    reply = await interaction.wait_reply()
    assert reply.content == f"150|2.5|True|weekday|#{rates.name}"
    assert reply.ephemeral
    assert interaction.response == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert interaction.followups == [interaction.original]  # the followup filled the "thinking..." message
    assert standin.traffic_problems() == []


@pytest.mark.usefixtures("client")
async def test_autocomplete_gets_the_focused_partial_value(standin: StandIn) -> None:
    interaction = await standin.inject_autocomplete("topic", {"name": "li"}, focused="name")
    await interaction.wait_response()
    assert interaction.choices == [
        {"name": "likes_pay", "value": "likes_pay"},
        {"name": "live_match", "value": "live_match"},
    ]
    assert standin.traffic_problems() == []


# Raw requests: Discord's rules and the fault controls.


@pytest.mark.parametrize(
    ("commands", "path", "code"),
    [
        ([{"name": "Ping", "description": "d"}], ("0", "name"), "APPLICATION_COMMAND_INVALID_NAME"),
        ([{"name": "pi ng", "description": "d"}], ("0", "name"), "APPLICATION_COMMAND_INVALID_NAME"),
        ([{"name": "p" * 33, "description": "d"}], ("0", "name"), "BASE_TYPE_BAD_LENGTH"),
        ([{"name": "ping", "description": ""}], ("0", "description"), "BASE_TYPE_BAD_LENGTH"),
        ([{"name": "ping", "description": "d" * 101}], ("0", "description"), "BASE_TYPE_BAD_LENGTH"),
        (
            [
                {
                    "name": "ping",
                    "description": "d",
                    "options": [{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)],
                }
            ],
            ("0", "options"),
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            [
                {
                    "name": "ping",
                    "description": "d",
                    "options": [
                        {
                            "type": 3,
                            "name": "o",
                            "description": "d",
                            "choices": [{"name": f"c{i}", "value": f"{i}"} for i in range(26)],
                        }
                    ],
                }
            ],
            ("0", "options", "0", "choices"),
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            [
                {
                    "name": "ping",
                    "description": "d",
                    "options": [
                        {"type": 3, "name": "optional", "description": "d"},
                        {"type": 3, "name": "required", "description": "d", "required": True},
                    ],
                }
            ],
            ("0", "options", "1"),
            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        ),
        (
            [
                {
                    "name": "rates",
                    "description": "d",
                    "options": [{"type": 1, "name": "Set", "description": "d"}],
                }
            ],
            ("0", "options", "0", "name"),
            "APPLICATION_COMMAND_INVALID_NAME",
        ),
        (
            [
                {
                    "name": "big",
                    "description": "d",
                    "options": [
                        {
                            "type": 3,
                            "name": f"o{n}",
                            "description": "d",
                            "choices": [{"name": f"{i:02}" * 50, "value": f"{i:02}" * 50} for i in range(25)],
                        }
                        for n in range(2)
                    ],
                }
            ],
            ("0",),
            "APPLICATION_COMMAND_TOO_LARGE",
        ),
        (
            [{"name": "ping", "description": "d"}, {"name": "ping", "description": "e"}],
            ("1",),
            "APPLICATION_COMMANDS_DUPLICATE_NAME",
        ),
    ],
    ids=[
        "uppercase-name",
        "space-in-name",
        "long-name",
        "empty-description",
        "long-description",
        "26-options",
        "26-choices",
        "required-after-optional",
        "bad-subcommand-name",
        "over-8000-chars",
        "duplicate-names",
    ],
)
async def test_invalid_command_schema_gets_discords_400(
    standin: StandIn, commands: list[dict[str, Any]], path: tuple[str, ...], code: str
) -> None:
    status, body = await call(standin, "PUT", f"/applications/{APPLICATION_ID}/commands", commands)
    assert (status, body["code"], body["message"]) == (400, 50035, "Invalid Form Body")
    assert code in error_codes(body, *path)
    assert standin.commands == {}


async def test_bulk_overwrite_keeps_ids_of_unchanged_names(standin: StandIn) -> None:
    guild = standin.world.guilds[1]
    route = f"/applications/{APPLICATION_ID}/guilds/{guild.id}/commands"
    ping = {
        "name": "ping",
        "description": "d",
        "name_localizations": {"de": "pingen"},
        "options": [{"type": 1, "name": "loud", "description": "d"}],
    }
    status, first = await call(standin, "PUT", route, [ping])
    assert status == 200
    status, second = await call(standin, "PUT", route, [ping, {"name": "pong", "description": "d"}])
    assert status == 200
    assert second[0]["id"] == first[0]["id"] != second[1]["id"]
    assert {command["guild_id"] for command in second} == {str(guild.id)}
    status, body = await call(standin, "PUT", f"/applications/{APPLICATION_ID}/guilds/1/commands", [ping])
    assert (status, body["code"]) == (403, 50001)


async def test_channel_message_lifecycle_and_its_errors(standin: StandIn) -> None:
    channel = standin.world.guilds[0].channels[1]
    messages = f"/channels/{channel.id}/messages"
    status, created = await call(standin, "POST", messages, {"content": "rates", "allowed_mentions": NO_PINGS})
    assert status == 200
    stored = standin.messages[channel.id][int(created["id"])]
    edit = {"content": "rates, updated", "allowed_mentions": NO_PINGS}

    assert (await call(standin, "PATCH", f"{messages}/{stored.id}", edit))[0] == 200
    assert (stored.content, stored.edits) == ("rates, updated", 1)

    standin.mark_message_old(channel.id, stored.id)
    status, body = await call(standin, "PATCH", f"{messages}/{stored.id}", edit)
    assert (status, body["code"]) == (400, 30046)

    standin.delete_message(channel.id, stored.id)
    status, body = await call(standin, "PATCH", f"{messages}/{stored.id}", edit)
    assert (status, body["code"]) == (404, 10008)


async def test_readonly_channel_refuses_the_bot_with_50013(standin: StandIn) -> None:
    channel = standin.world.guilds[0].channels[0]
    await standin.mark_channel_readonly(channel.id)
    status, body = await call(standin, "POST", f"/channels/{channel.id}/messages", {"content": "hi"})
    assert (status, body["code"]) == (403, 50013)
    status, shown = await call(standin, "GET", f"/channels/{channel.id}")
    assert status == 200
    assert [int(overwrite["deny"]) for overwrite in shown["permission_overwrites"]] == [SEND_MESSAGES]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"content": "x" * 2001}, 50035, "content"),
        ({"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]}, 50035, "embeds"),
        ({"content": ""}, 50006, None),
    ],
    ids=["content-over-2000", "embeds-over-6000", "empty"],
)
async def test_oversized_or_empty_messages_are_refused(
    standin: StandIn, body: dict[str, Any], code: int, field: str | None
) -> None:
    channel = standin.world.guilds[0].channels[0]
    status, answer = await call(standin, "POST", f"/channels/{channel.id}/messages", body)
    assert (status, answer["code"]) == (400, code)
    assert field is None or field in answer["errors"]


async def test_injected_failures_and_unknown_routes(standin: StandIn) -> None:
    standin.fail_next("GET", r"/users/@me", 500, count=2)
    assert [(await call(standin, "GET", "/users/@me"))[0] for _ in range(3)] == [500, 500, 200]
    status, body = await call(standin, "GET", "/guilds/1/bans")
    assert (status, body["code"]) == (404, 0)
    assert (await call(standin, "GET", "/users/@me", auth=False))[0] == 401
    assert "GET /guilds/1/bans: unknown route" in standin.traffic_problems()


@pytest.mark.usefixtures("api_spec")
async def test_traffic_problems_name_spec_breaks_and_possible_pings(standin: StandIn) -> None:
    channel = standin.world.guilds[0].channels[0]
    await call(standin, "POST", f"/channels/{channel.id}/messages", {"content": "hello @everyone"})
    await call(
        standin,
        "POST",
        f"/channels/{channel.id}/messages",
        {"content": "x", "tts": "yes", "allowed_mentions": NO_PINGS},
    )
    problems = standin.traffic_problems()
    assert f"POST /channels/{channel.id}/messages: no allowed_mentions, so mentions in it ping" in problems
    assert any("$.tts" in problem for problem in problems), problems


# The gateway, spoken to directly.


async def test_gateway_hello_heartbeat_and_failed_resume() -> None:
    async with (
        StandIn(heartbeat_interval=0.5) as standin,
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws,
    ):
        assert await ws.receive_json(timeout=5) == {"op": Op.HELLO, "d": {"heartbeat_interval": 500}}
        await ws.send_json({"op": Op.HEARTBEAT, "d": None})
        assert await ws.receive_json(timeout=5) == {"op": Op.HEARTBEAT_ACK}
        await ws.send_json({"op": Op.RESUME, "d": {"token": standin.token, "session_id": "gone", "seq": 3}})
        assert await ws.receive_json(timeout=5) == {"op": Op.INVALID_SESSION, "d": False}


async def test_gateway_closes_4004_on_a_wrong_token(standin: StandIn) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{standin.gateway_url}?v=10&encoding=json") as ws,
    ):
        await ws.receive_json(timeout=5)
        await ws.send_json({"op": Op.IDENTIFY, "d": {"token": "wrong", "intents": 0, "properties": {}}})
        closing = await ws.receive(timeout=5)
        assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 4004)
