"""LiveTally end to end: the real bot process against the local Discord stand-in, checked on the wire.

Most tests share one stand-in and one bot (``python -m bot sync``, then ``python -m bot``) for the
whole module: they run in the module's event loop (``@shared``) and leave each server as they found
it (overrides reset, FAQ entries and explainers removed). Answers are checked in the first guild,
at LiveTally's default rates; rate and explainer tests mostly use the second (the first guild's
second channel ends up read-only). The kill -9/restart and logging tests start their own stand-in
and bot processes. Every wait is bounded; every process is stopped.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from bot.transport import USER_AGENT
from tests.e2e.conftest import StartBot
from tests.e2e.process import STOP_TIMEOUT, BotProcess, launch
from tests.e2e.models import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    DEFERRED_MESSAGE,
    MESSAGE_WITH_SOURCE,
    Interaction,
    Message,
    RecordedRequest,
)
from tests.e2e.openapi import PROJECT_ROOT, ApiSpec, load_spec, mention_problems
from tests.e2e.standin import RESPONSE_DEADLINE, Op, StandIn
from tests.e2e.world import APPLICATION_ID, OptionValue, PersonKey

shared = pytest.mark.asyncio(loop_scope="module")  # the tests that use the module's bot

SNAPSHOT = PROJECT_ROOT / "tests" / "snapshots" / "commands.json"
CALLBACK = r"/interactions/\d+/[^/]+/callback"
REFUSAL = "You need the **Manage Server** permission to do that."
OUR_BUG = "Something went wrong on my side"
MAX_CHOICES = 25
RATE_LIMIT_WAIT = 0.5  # Retry-After (s) the injected 429s carry
# discord.py tries a request 5 times on a 500, sleeping 1 + 2 × attempt seconds after each failure.
SERVER_ERROR_TRIES = 5
SERVER_ERROR_SLEEPS = [1 + 2 * attempt for attempt in range(SERVER_ERROR_TRIES)]  # 1, 3, 5, 7, 9 s
SLACK = 1.5  # s a retry may come later than its sleep on a busy machine


# Helpers.


def text_of(message: Message) -> str:
    """Everything a user reads in a message: its content and every part of its embeds."""
    parts = [message.content]
    for embed in message.embeds:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f.get('name')}\n{f.get('value')}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(part for part in parts if part)


def accepted_callbacks(interaction: Interaction) -> list[RecordedRequest]:
    return [request for request in interaction.callbacks if 200 <= request.status < 300]


async def answered(interaction: Interaction, timeout: float = 5.0) -> Message:
    """The reply, once it is there, after checking it was the one answer, given within the deadline."""
    reply = await interaction.wait_reply(timeout)
    accepted = accepted_callbacks(interaction)
    assert len(accepted) == 1, [(c.status, c.json) for c in interaction.callbacks]
    assert accepted[0].time - interaction.created_at < RESPONSE_DEADLINE
    assert len(interaction.followups) <= 1, [text_of(m) for m in interaction.followups]
    assert OUR_BUG not in text_of(reply), text_of(reply)
    return reply


async def choices(interaction: Interaction) -> list[dict[str, object]]:
    """An autocomplete result: answered once, within the deadline, with at most 25 choices."""
    response = await interaction.wait_response()
    assert response["type"] == AUTOCOMPLETE_RESULT
    (callback,) = interaction.callbacks
    assert 200 <= callback.status < 300
    assert callback.time - interaction.created_at < RESPONSE_DEADLINE
    found = interaction.choices
    assert found is not None and len(found) <= MAX_CHOICES
    return found


def channel_traffic(standin: StandIn, since: int = 0) -> list[RecordedRequest]:
    """Requests to channel messages (posts, edits, deletes) from ``standin.requests[since:]``."""
    return [r for r in standin.requests[since:] if r.path.startswith("/channels/")]


MESSAGE_ROUTES = [
    ("POST", re.compile(r"/webhooks/\d+/[^/]+")),
    ("PATCH", re.compile(r"/webhooks/\d+/[^/]+/messages/[^/]+")),
    ("POST", re.compile(r"/channels/\d+/messages")),
    ("PATCH", re.compile(r"/channels/\d+/messages/\d+")),
]


def message_body(request: RecordedRequest) -> dict[str, object] | None:
    """The message a request sends or edits: callbacks with a message, followups, channel messages."""
    body = request.json
    if not isinstance(body, dict):
        return None
    if request.method == "POST" and re.fullmatch(CALLBACK, request.path):
        return body.get("data") if body.get("type") in (MESSAGE_WITH_SOURCE, 7) else None
    if any(request.method == method and regex.fullmatch(request.path) for method, regex in MESSAGE_ROUTES):
        return body
    return None


def requests_to(standin: StandIn, method: str, path: str) -> list[RecordedRequest]:
    return [r for r in standin.requests if r.method == method and r.path == path]


@dataclass
class LiveBot:
    """The module's stand-in and bot, with shorthands to run commands as a member or a moderator."""

    standin: StandIn
    sync: BotProcess
    bot: BotProcess
    explainers: set[int] = field(default_factory=set)  # posted by tests and not yet removed

    def guild(self, number: int) -> int:
        return self.standin.world.guilds[number - 1].id

    def channel(self, guild: int, number: int) -> int:
        return self.standin.world.guilds[guild - 1].channels[number - 1].id

    async def inject(
        self, name: str, options: Mapping[str, OptionValue] | None = None, *, user: PersonKey = "member", guild: int = 1
    ) -> Interaction:
        return await self.standin.inject_command(name, options, guild_id=self.guild(guild), user=user)

    async def run(
        self, name: str, options: Mapping[str, OptionValue] | None = None, *, user: PersonKey = "member", guild: int = 1
    ) -> Message:
        return await answered(await self.inject(name, options, user=user, guild=guild))

    async def mod(self, name: str, options: Mapping[str, OptionValue] | None = None, *, guild: int = 1) -> Message:
        return await self.run(name, options, user="moderator", guild=guild)

    async def complete(
        self, name: str, options: Mapping[str, OptionValue], focused: str, *, user: PersonKey = "member", guild: int = 1
    ) -> list[dict[str, object]]:
        interaction = await self.standin.inject_autocomplete(
            name, options, focused=focused, guild_id=self.guild(guild), user=user
        )
        return await choices(interaction)

    async def post_explainer(self, guild: int, channel: int, topic: str = "rates") -> tuple[int, Message]:
        """``/explainer post``: the explainer's number and the channel message it posted."""
        channel_id = self.channel(guild, channel)
        before = len(self.standin.requests)
        reply = await self.mod("explainer post", {"topic": topic, "channel": channel_id}, guild=guild)
        found = re.search(r"Posted explainer #(\d+) \(" + re.escape(topic) + r"\)", reply.content)
        assert found, reply.content
        self.explainers.add(int(found[1]))
        posts = [r for r in channel_traffic(self.standin, before) if r.method == "POST" and r.status == 200]
        assert [r.path for r in posts] == [f"/channels/{channel_id}/messages"]
        return int(found[1]), self.standin.messages[channel_id][int(posts[0].response["id"])]

    async def tidy(self, guild: int) -> None:
        """Remove every explainer the tests posted, then reset every rate (in that order: no edits)."""
        for number in sorted(self.explainers):
            reply = await self.mod("explainer remove", {"explainer": number}, guild=guild)
            assert f"Removed explainer #{number}." in reply.content, reply.content
        self.explainers.clear()
        await self.mod("rates reset", guild=guild)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveBot]:
    """One stand-in and one LiveTally process (commands synced first) for the module's shared tests."""
    db_dir = tmp_path_factory.mktemp("livetally")
    async with StandIn(spec=load_spec()) as standin:
        processes: list[BotProcess] = []
        try:
            processes.append(await launch(standin, db_dir, "-m", "bot", "sync"))
            assert await processes[0].wait() == 0, processes[0].output
            processes.append(await launch(standin, db_dir, "-m", "bot"))
            await standin.wait_connected()
            await processes[1].wait_for_line("ready as")
            yield LiveBot(standin, *processes)
        finally:
            for process in processes:
                await process.stop()
                print(f"--- output of {' '.join(process.args)} (exit {process.process.returncode}) ---")
                print(process.output)


@pytest.fixture
def no_explainers_left(live: LiveBot) -> Iterator[None]:
    """For tests that post explainers: each removes its own (LiveBot.tidy), checked here afterwards."""
    yield
    assert not live.explainers, f"explainers left behind: {live.explainers}"


# Start-up and the command schema.


@shared
async def test_sync_registers_exactly_the_snapshotted_commands_and_the_bot_identifies_once(live: LiveBot) -> None:
    puts = [r for r in live.standin.requests if r.method == "PUT"]
    assert [(r.path, r.status) for r in puts] == [(f"/applications/{APPLICATION_ID}/commands", 200)]
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(puts[0].json, key=lambda command: command["name"]) == snapshot
    assert f"registered {len(snapshot)} commands globally" in live.sync.output
    identifies = [p for p in live.standin.gateway_received if p["op"] == Op.IDENTIFY]
    assert len(identifies) == 1
    assert identifies[0]["d"]["token"] == live.standin.token
    assert identifies[0]["d"]["intents"] == 1  # guilds only: no privileged intents


# 1. Member commands: each answered once, correctly, within the deadline.


@shared
async def test_ask_a_topic_question_answers_publicly_from_the_knowledge_base(live: LiveBot) -> None:
    reply = await live.run("ask", {"question": "do you get paid for likes on tiktok live?"})
    assert reply.embeds[0]["title"] == "Do likes pay on TikTok LIVE?"
    assert "likes never pay cash" in text_of(reply)
    assert "Sources" in text_of(reply)
    assert not reply.ephemeral


@shared
async def test_callbacks_leave_through_livetallys_own_transport(live: LiveBot) -> None:
    """bot.transport sends interaction callbacks; discord.py's aiohttp request only takes over what
    it could not deliver (the fault tests below)."""
    for command in ("likes", "views"):
        interaction = await live.inject(command)
        await answered(interaction)
        (callback,) = interaction.callbacks
        assert callback.headers["User-Agent"] == USER_AGENT and not callback.spec_errors


@shared
async def test_200_interactions_at_once_are_each_answered_once_through_the_transport(live: LiveBot) -> None:
    """A burst opens as many connections as it needs at once; every callback still arrives once, in
    time and well-formed, and none falls back to discord.py."""
    commands: list[tuple[str, dict[str, OptionValue]]] = [
        ("likes", {}), ("ask", {"question": "how do i withdraw my money"}),
    ] + [("estimate diamonds", {"amount": 1000 + 37 * i}) for i in range(198)]
    interactions = await asyncio.gather(*(live.inject(name, options) for name, options in commands))
    replies = await asyncio.gather(*(answered(interaction) for interaction in interactions))
    assert replies[0].embeds[0]["title"] == "Do likes pay on TikTok LIVE?"
    assert f"{1000 + 37 * 197:,} diamonds" in text_of(replies[-1])
    for interaction in interactions:
        (callback,) = interaction.callbacks
        assert callback.headers["User-Agent"] == USER_AGENT and not callback.spec_errors


@shared
async def test_ask_with_an_estimate_in_free_text_computes_it_privately(live: LiveBot) -> None:
    reply = await live.run("ask", {"question": "what are 40,000 diamonds worth"})
    text = text_of(reply)
    assert "**$200.00** for you" in text
    assert "40,000 diamonds × $0.005 = $200.00" in text  # the maths is shown
    assert reply.ephemeral


@shared
async def test_ask_private_false_makes_an_estimate_public(live: LiveBot) -> None:
    reply = await live.run("ask", {"question": "how many roses for $25", "private": False})
    assert "5,000 Roses" in text_of(reply)
    assert not reply.ephemeral


@shared
async def test_ask_something_unknown_says_so_and_suggests_topics(live: LiveBot) -> None:
    reply = await live.run("ask", {"question": "what is the airspeed velocity of an unladen swallow"})
    assert reply.embeds[0]["title"] == "I don't know that one yet"
    assert "/topic name:" in text_of(reply)
    assert reply.ephemeral


@shared
@pytest.mark.parametrize(
    ("command", "title"),
    [("likes", "Do likes pay on TikTok LIVE?"), ("views", "Does TikTok pay per view or per viewer on LIVE?")],
)
async def test_shortcut_commands_show_their_topic(live: LiveBot, command: str, title: str) -> None:
    reply = await live.run(command)
    assert reply.embeds[0]["title"] == title
    assert not reply.ephemeral


@shared
async def test_topic_shows_one_topic_by_id(live: LiveBot) -> None:
    reply = await live.run("topic", {"name": "diamond_value"})
    assert reply.embeds[0]["title"] == "How much is a TikTok diamond worth?"
    assert "$0.005" in text_of(reply)


@shared
async def test_topic_that_does_not_exist_gets_a_clear_private_error(live: LiveBot) -> None:
    reply = await live.run("topic", {"name": "zzzz qqqq"})
    assert "No topic called" in reply.content
    assert reply.ephemeral


@shared
async def test_about_names_the_version_and_data_date(live: LiveBot) -> None:
    reply = await live.run("about")
    assert re.search(r"\*\*LiveTally \d+\.\d+\.\d+\*\*", reply.content), reply.content
    assert re.search(r"Knowledge base: \d+ topics, data last reviewed \*\*\d{4}-\d{2}-\d{2}\*\*", reply.content)
    assert reply.ephemeral


@shared
@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("estimate diamonds", {"amount": 40000}, ["**$200.00** for you", "40,000 diamonds × $0.005 = $200.00"]),
        ("estimate diamonds", {"amount": 40000, "agency": 20}, ["$160.00"]),
        ("estimate coins", {"amount": 1000}, ["**$5.00** for you"]),
        ("estimate live", {"hours": 2, "viewers": 150}, ["**$60.00** for you", "150 viewers"]),
        ("estimate live", {"hours": 2.5, "viewers": 150}, ["**$75.00** for you", "× 2.5 h ×"]),
        ("estimate views", {"views": 1_000_000}, ["**$490.00** for you"]),
        ("estimate views", {"views": 1_000_000, "rpm": 0.55}, ["**$385.00** for you", "$0.55 RPM"]),
        ("estimate affiliate", {"units": 100, "price": 20, "commission": 10}, ["**$200.00** for you"]),
        ("estimate affiliate", {"units": 100, "price": 19.99, "commission": 10}, ["**$199.90** for you"]),
        ("estimate month", {"hours": 2, "viewers": 150, "streams": 12}, ["**$720.00** for you"]),
        ("estimate series", {"buyers": 100, "price": 4.99}, ["**$349.30** for you"]),
        ("estimate subs", {"subscribers": 100}, ["**$349.65** for you"]),
        ("estimate withdraw", {"usd": 2500}, ["**3 days**"]),
        ("estimate brand", {"followers": 50000}, ["**$1,275.00** for you"]),
    ],
    ids=[
        "diamonds",
        "diamonds-agency",
        "coins",
        "live-whole-hours",
        "live-2.5-hours",
        "views-default-rpm",
        "views-rpm-0.55",
        "affiliate-whole-price",
        "affiliate-price-19.99",
        "month",
        "series",
        "subs-default-price",
        "withdraw-usd",
        "brand",
    ],
)
async def test_estimate_subcommands_compute_and_reply_privately(
    live: LiveBot, command: str, options: dict[str, OptionValue], expected: list[str]
) -> None:
    reply = await live.run(command, options)
    text = text_of(reply)
    for part in expected:
        assert part in text, text
    assert reply.ephemeral
    # the rates it used come first; worked from the given figures alone (a stated commission), no empty list
    fields = [field["name"] for field in reply.embeds[0]["fields"]]
    assert fields[:1] == (["More"] if command == "estimate affiliate" else ["Assumptions"]), fields


@shared
async def test_estimate_public_true_posts_in_the_channel(live: LiveBot) -> None:
    reply = await live.run("estimate diamonds", {"amount": 1000, "public": True})
    assert "**$5.00** for you" in text_of(reply)
    assert not reply.ephemeral


@shared
async def test_gift_values_a_named_gift(live: LiveBot) -> None:
    reply = await live.run("gift", {"name": "Galaxy", "count": 2})
    text = text_of(reply)
    assert "**$10.00** for you" in text
    assert "2 × Galaxy (1,000) = 2,000 coins" in text
    assert reply.ephemeral


@shared
async def test_gift_that_does_not_exist_gets_a_clear_private_error(live: LiveBot) -> None:
    reply = await live.run("gift", {"name": "Flying Spaghetti Monster"})
    assert reply.content == "I don't know a gift called 'Flying Spaghetti Monster'."
    assert reply.ephemeral and not reply.embeds


@shared
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"amount": 40000, "from": "diamonds"}, "**$200.00** for you"),
        ({"amount": 25, "from": "usd", "to": "coins"}, "**1,748 coins**"),
        ({"amount": 100, "from": "usd", "to": "eur", "rate": 0.9}, "**90.00 EUR**"),
    ],
    ids=["diamonds-to-usd", "usd-to-coins", "usd-to-eur"],
)
async def test_convert(live: LiveBot, options: dict[str, OptionValue], expected: str) -> None:
    reply = await live.run("convert", options)
    assert expected in text_of(reply)
    assert reply.ephemeral


@shared
async def test_rates_show_lists_every_default_privately(live: LiveBot) -> None:
    reply = await live.run("rates show")
    assert reply.embeds[0]["title"] == "Rates used in this server"
    assert "• `diamond_usd` **$0.005**" in text_of(reply)
    assert "All LiveTally defaults" in text_of(reply)
    assert reply.ephemeral


# 2. Autocomplete.


@shared
async def test_topic_autocomplete(live: LiveBot) -> None:
    assert len(await live.complete("topic", {"name": ""}, "name")) >= 20
    found = await live.complete("topic", {"name": "diamond"}, "name")
    assert {"name": "How much is a TikTok diamond worth?", "value": "diamond_value"} in found


@shared
async def test_gift_autocomplete(live: LiveBot) -> None:
    assert len(await live.complete("gift", {"name": ""}, "name")) == MAX_CHOICES  # the catalogue is bigger
    found = await live.complete("gift", {"name": "lio"}, "name")
    assert found[0] == {"name": "Lion — 29,999 coins", "value": "Lion"}


@shared
async def test_rates_set_key_autocomplete(live: LiveBot) -> None:
    every = await live.complete("rates set", {"key": ""}, "key", user="moderator")
    assert len(every) == MAX_CHOICES  # there are more rates than Discord shows
    found = await live.complete("rates set", {"key": "diamond"}, "key", user="moderator")
    values = [choice["value"] for choice in found]
    assert "diamond_usd" in values
    assert all("diamond" in str(choice["name"]).lower() for choice in found)


@shared
async def test_explainer_topic_and_convert_unit_autocomplete(live: LiveBot) -> None:
    topics = await live.complete("explainer post", {"topic": "rat"}, "topic", user="moderator")
    assert topics[0]["value"] == "rates"
    units = await live.complete("convert", {"amount": 1, "from": "d"}, "from")
    assert [choice["value"] for choice in units] == ["diamonds"]


# 1. Moderator commands, and members refused.


MODERATOR_COMMANDS: list[tuple[str, dict[str, OptionValue]]] = [
    ("rates set", {"key": "diamond_usd", "value": "0.001"}),
    ("rates reset", {}),
    ("explainer post", {"topic": "rates", "channel": 0}),  # channel filled in by the test
    ("explainer list", {}),
    ("explainer refresh", {}),
    ("explainer remove", {"explainer": 1}),
    ("faq add", {"name": "sneaky", "question": "who runs this server", "answer": "me"}),
    ("faq edit", {"name": "sneaky", "answer": "me"}),
    ("faq list", {}),
    ("faq show", {"name": "sneaky"}),
    ("faq remove", {"name": "sneaky"}),
    ("insights", {"clear": True}),
]


@shared
@pytest.mark.parametrize(("command", "options"), MODERATOR_COMMANDS, ids=[c for c, _ in MODERATOR_COMMANDS])
async def test_a_plain_member_is_refused_every_moderator_command(
    live: LiveBot, command: str, options: dict[str, OptionValue]
) -> None:
    if "channel" in options:
        options = options | {"channel": live.channel(1, 2)}
    before = len(live.standin.requests)
    reply = await live.run(command, options)
    assert reply.content.startswith(REFUSAL), reply.content
    assert reply.ephemeral
    assert channel_traffic(live.standin, before) == []  # nothing posted, edited or deleted


@shared
async def test_after_the_refusals_nothing_changed(live: LiveBot) -> None:
    assert "• `diamond_usd` **$0.005**" in text_of(await live.run("rates show"))
    assert "**$200.00** for you" in text_of(await live.run("ask", {"question": "what are 40,000 diamonds worth"}))
    assert "No entries yet" in (await live.mod("faq list")).content
    assert "No explainers yet" in (await live.mod("explainer list")).content


@shared
async def test_faq_add_edit_list_show_remove(live: LiveBot) -> None:
    question = "When is payout day in this server?"
    answer = "Payouts go out every **Friday**; a diamond pays {{ rate('diamond_usd') }} here."
    added = await live.mod("faq add", {"name": "payout-day", "question": question, "answer": answer})
    assert added.content.startswith("Added **payout-day**."), added.content
    try:
        asked = await live.run("ask", {"question": "when is payout day in this server"})
        assert "Payouts go out every **Friday**; a diamond pays $0.005 here." in text_of(asked)
        assert "• **payout-day** — When is payout day in this server?" in (await live.mod("faq list")).content
        shown = await live.mod("faq show", {"name": "payout-day"})
        assert "**Friday**" in text_of(shown) and shown.ephemeral

        assert await live.complete("faq edit", {"name": "pay"}, "name", user="moderator") == [
            {"name": "payout-day", "value": "payout-day"}
        ]
        # A server's entry shows in /topic's list there, and only there.
        assert any(c["value"] == "faq:payout-day" for c in await live.complete("topic", {"name": "payout"}, "name"))
        assert not any(
            c["value"] == "faq:payout-day" for c in await live.complete("topic", {"name": "payout"}, "name", guild=2)
        )

        edited = await live.mod("faq edit", {"name": "payout-day", "answer": "Payouts go out every **Monday**."})
        assert edited.content == "Updated **payout-day**."
        assert "every **Monday**" in text_of(await live.mod("faq show", {"name": "payout-day"}))
        assert "every **Monday**" in text_of(await live.run("ask", {"question": "when is payout day in this server"}))
    finally:
        removed = await live.mod("faq remove", {"name": "payout-day"})
    assert removed.content == "Removed **payout-day**."
    assert "No entries yet" in (await live.mod("faq list")).content
    assert "**Monday**" not in text_of(await live.run("ask", {"question": "when is payout day in this server"}))


@shared
async def test_faq_answer_with_a_broken_template_is_refused(live: LiveBot) -> None:
    reply = await live.mod("faq add", {"name": "broken", "question": "what breaks", "answer": "{{ rate('nope') }}"})
    assert "nope" in reply.content and reply.ephemeral
    assert "No entries yet" in (await live.mod("faq list")).content


@shared
async def test_insights_show_what_was_asked_and_clear(live: LiveBot) -> None:
    await live.run("ask", {"question": "do likes pay on tiktok"})
    await live.run("ask", {"question": "what is the best pizza topping in naples"})
    report = (await live.mod("insights")).content
    assert re.search(r"\d+× Do likes pay on TikTok LIVE\?", report), report
    assert "what is the best pizza topping in naples" in report
    refused = await live.run("insights", {"clear": True})  # a member: refused, nothing cleared
    assert refused.content.startswith(REFUSAL)
    cleared = await live.mod("insights", {"clear": True})
    assert re.fullmatch(r"Cleared this server's question log \(\d+ questions?\)\.", cleared.content), cleared.content
    assert "nothing asked yet" in (await live.mod("insights", {"days": 7})).content


@shared
@pytest.mark.usefixtures("no_explainers_left")
async def test_rates_set_and_reset_change_answers_in_that_server_only(live: LiveBot) -> None:
    try:
        reply = await live.mod("rates set", {"key": "diamond_usd", "value": "0.004"}, guild=2)
        assert reply.content == "**Creator pay per diamond** is now **$0.004** in this server (default $0.005)."
        assert reply.ephemeral
        assert "✏️ `diamond_usd` **$0.004** (default $0.005)" in text_of(await live.run("rates show", guild=2))
        question = {"question": "what are 40,000 diamonds worth"}
        assert "**$160.00** for you" in text_of(await live.run("ask", question, guild=2))
        assert "**$200.00** for you" in text_of(await live.run("ask", question, guild=1))

        # Bad values get the calculator's own message, privately, and change nothing.
        bad = await live.mod("rates set", {"key": "diamond_usd", "value": "lots"}, guild=2)
        assert bad.content == "diamond_usd: 'lots' is not a number (try 1200, 1,200, 1.2k or $500)"
        out_of_range = await live.mod("rates set", {"key": "diamond_usd", "value": "5"}, guild=2)
        assert out_of_range.content.startswith("diamond_usd must be between $0.001 and $0.01")
        unknown = await live.mod("rates set", {"key": "no_such_rate", "value": "1"}, guild=2)
        assert unknown.content == "There is no rate called 'no_such_rate'."
        assert bad.ephemeral and out_of_range.ephemeral and unknown.ephemeral
        assert "**$160.00** for you" in text_of(await live.run("ask", question, guild=2))

        reset = await live.mod("rates reset", {"key": "diamond_usd"}, guild=2)
        assert reset.content == "Reset `diamond_usd` to LiveTally's default."
        assert "**$200.00** for you" in text_of(await live.run("ask", question, guild=2))
        again = await live.mod("rates reset", guild=2)
        assert again.content == "Every rate already used the default."
    finally:
        await live.tidy(2)


# 3. Explainers.


@shared
@pytest.mark.usefixtures("no_explainers_left")
async def test_explainer_is_posted_then_edited_in_place_after_rates_set(live: LiveBot) -> None:
    try:
        deferred = await live.inject("explainer post", {"topic": "rates", "channel": live.channel(2, 2)},
                                     user="moderator", guild=2)
        reply = await answered(deferred)
        assert deferred.response is not None and deferred.response["type"] == DEFERRED_MESSAGE
        assert reply.ephemeral and "Posted explainer #" in reply.content
        number = int(re.search(r"#(\d+)", reply.content)[1])  # type: ignore[index]
        live.explainers.add(number)
        channel_id = live.channel(2, 2)
        posted = [m for m in live.standin.messages[channel_id].values() if not m.deleted]
        assert len(posted) == 1
        message = posted[0]
        assert message.embeds[0]["title"] == "How rates work here"
        assert "Creator pay per diamond: **$0.005**" in text_of(message)
        assert message.allowed_mentions == {"parse": []}

        listed = await live.mod("explainer list", guild=2)
        assert f"#{number} **rates** in <#{channel_id}> — ✅ active" in listed.content

        refreshed = await live.mod("explainer refresh", guild=2)
        assert refreshed.content == "Queued 1 explainer for an update."

        changed = await live.mod("rates set", {"key": "diamond_usd", "value": "0.0045"}, guild=2)
        assert changed.content.endswith("1 posted explainer will update."), changed.content
        path = f"/channels/{channel_id}/messages/{message.id}"
        await live.standin.wait_until(lambda: any(r.status == 200 for r in requests_to(live.standin, "PATCH", path)))
        patches = requests_to(live.standin, "PATCH", path)
        assert len(patches) == 1  # the unchanged refresh above edited nothing
        sent = patches[0].json["embeds"][0]["description"]
        assert "✏️ Creator pay per diamond: **$0.0045** (default $0.005)" in sent
        assert patches[0].json["allowed_mentions"] == {"parse": []}
        assert message.edits == 1 and "$0.0045" in text_of(message)
        assert [m.id for m in live.standin.messages[channel_id].values()] == [message.id]  # edited, not reposted

        removed = await live.mod("explainer remove", {"explainer": number}, guild=2)
        live.explainers.discard(number)
        assert removed.content == f"Removed explainer #{number}."
        assert message.deleted
        assert [r.status for r in requests_to(live.standin, "DELETE", path)] == [204]
    finally:
        await live.tidy(2)


@shared
@pytest.mark.usefixtures("no_explainers_left")
async def test_explainer_deleted_by_hand_is_marked_gone_and_not_retried(live: LiveBot) -> None:
    try:
        gone_number, gone = await live.post_explainer(2, 1)
        kept_number, kept = await live.post_explainer(2, 2)
        live.standin.delete_message(gone.channel_id, gone.id)
        gone_path = f"/channels/{gone.channel_id}/messages/{gone.id}"
        kept_path = f"/channels/{kept.channel_id}/messages/{kept.id}"

        await live.mod("rates set", {"key": "agency_cut", "value": "10%"}, guild=2)
        await live.standin.wait_until(lambda: len(requests_to(live.standin, "PATCH", kept_path)) == 1
                                      and len(requests_to(live.standin, "PATCH", gone_path)) == 1)
        assert [(r.status, r.error_code) for r in requests_to(live.standin, "PATCH", gone_path)] == [(404, 10008)]
        listed = (await live.mod("explainer list", guild=2)).content
        assert f"#{gone_number} **rates** in <#{gone.channel_id}> — ⚠️ gone: the message was deleted" in listed
        assert f"#{kept_number} **rates** in <#{kept.channel_id}> — ✅ active" in listed

        # Another change and a forced refresh: the live one is edited again, the gone one never.
        await live.mod("rates set", {"key": "agency_cut", "value": "20%"}, guild=2)
        assert (await live.mod("explainer refresh", guild=2)).content == "Queued 1 explainer for an update."
        await live.standin.wait_until(lambda: len(requests_to(live.standin, "PATCH", kept_path)) == 2)
        await asyncio.sleep(0.5)  # room for a retry, were one queued
        assert len(requests_to(live.standin, "PATCH", gone_path)) == 1
        assert "Agency cut: **20%**" in text_of(kept)
    finally:
        await live.tidy(2)


@shared
@pytest.mark.usefixtures("no_explainers_left")
async def test_explainer_in_a_channel_the_bot_lost_is_marked_gone_and_posting_there_explains_why(
    live: LiveBot,
) -> None:
    """Uses the first guild's second channel, which stays read-only for the rest of the module."""
    channel_id = live.channel(1, 2)
    try:
        number, message = await live.post_explainer(1, 2)
        await live.standin.mark_channel_readonly(channel_id)
        await live.mod("rates set", {"key": "agency_cut", "value": "5%"}, guild=1)
        path = f"/channels/{channel_id}/messages/{message.id}"
        await live.standin.wait_until(lambda: bool(requests_to(live.standin, "PATCH", path)))
        assert [(r.status, r.error_code) for r in requests_to(live.standin, "PATCH", path)] == [(403, 50013)]
        listed = (await live.mod("explainer list", guild=1)).content
        assert f"#{number} **rates** in <#{channel_id}> — ⚠️ gone: I lost access to that channel" in listed

        before = len(live.standin.requests)
        refused = await live.mod("explainer post", {"topic": "rates", "channel": channel_id}, guild=1)
        assert refused.content.startswith("I can't post in that channel: give me **View Channel**"), refused.content
        assert refused.ephemeral
        assert [(r.method, r.status) for r in channel_traffic(live.standin, before)] == [("POST", 403)]
        assert listed.count("**rates**") == (await live.mod("explainer list", guild=1)).content.count("**rates**")
    finally:
        await live.tidy(1)


# 4. Gateway: resume.


@shared
async def test_bot_resumes_after_a_resumable_close_and_answers_what_came_meanwhile(live: LiveBot) -> None:
    def ops(op: int) -> int:
        return sum(payload["op"] == op for payload in live.standin.gateway_received)

    identifies, resumes, replayed = ops(Op.IDENTIFY), ops(Op.RESUME), live.standin.replayed
    await live.standin.close_websocket(4000)
    interaction = await live.inject("likes")  # dispatched while the bot is away
    reply = await answered(interaction)
    assert reply.embeds[0]["title"] == "Do likes pay on TikTok LIVE?"
    assert (ops(Op.IDENTIFY), ops(Op.RESUME)) == (identifies, resumes + 1)
    assert live.standin.replayed > replayed
    resume = [p for p in live.standin.gateway_received if p["op"] == Op.RESUME][-1]["d"]
    assert resume["token"] == live.standin.token and resume["seq"] >= 1
    assert "**$200.00**" in text_of(await live.run("ask", {"question": "40000 diamonds in usd"}))  # still working


# 5. Rate limits and server errors.


@shared
async def test_rate_limited_callback_is_waited_out_and_retried(live: LiveBot) -> None:
    live.standin.fail_next("POST", CALLBACK, 429, retry_after=RATE_LIMIT_WAIT)
    interaction = await live.inject("views")
    reply = await answered(interaction)
    assert reply.embeds[0]["title"] == "Does TikTok pay per view or per viewer on LIVE?"
    limited, accepted = interaction.callbacks
    assert limited.status == 429 and 200 <= accepted.status < 300
    assert accepted.time - limited.time >= RATE_LIMIT_WAIT
    assert accepted.json == limited.json  # the same answer, sent again


@shared
@pytest.mark.usefixtures("no_explainers_left")
async def test_rate_limited_explainer_edit_is_waited_out_and_retried(live: LiveBot) -> None:
    try:
        _, message = await live.post_explainer(2, 2)
        path = f"/channels/{message.channel_id}/messages/{message.id}"
        live.standin.fail_next("PATCH", re.escape(path), 429, retry_after=RATE_LIMIT_WAIT)
        await live.mod("rates set", {"key": "coin_price_web", "value": "0.011"}, guild=2)
        await live.standin.wait_until(lambda: any(r.status == 200 for r in requests_to(live.standin, "PATCH", path)))
        limited, accepted = requests_to(live.standin, "PATCH", path)
        assert (limited.status, accepted.status) == (429, 200)
        assert accepted.time - limited.time >= RATE_LIMIT_WAIT
        assert "Viewer's price per coin (web): **$0.011**" in text_of(message)
    finally:
        await live.tidy(2)


@shared
async def test_server_error_on_a_callback_is_retried(live: LiveBot) -> None:
    live.standin.fail_next("POST", CALLBACK, 500)
    interaction = await live.inject("likes")
    reply = await answered(interaction)
    assert reply.embeds[0]["title"] == "Do likes pay on TikTok LIVE?"
    failed, accepted = interaction.callbacks
    assert failed.status == 500 and 200 <= accepted.status < 300
    assert SERVER_ERROR_SLEEPS[0] <= accepted.time - failed.time < SERVER_ERROR_SLEEPS[0] + SLACK


@shared
@pytest.mark.usefixtures("no_explainers_left")
async def test_server_errors_on_an_edit_are_retried_a_bounded_number_of_times(live: LiveBot) -> None:
    try:
        number, message = await live.post_explainer(2, 2)
        path = f"/channels/{message.channel_id}/messages/{message.id}"
        live.standin.fail_next("PATCH", re.escape(path), 500, count=SERVER_ERROR_TRIES)
        await live.mod("rates set", {"key": "rpm", "value": "0.8"}, guild=2)
        await live.standin.wait_until(lambda: bool(requests_to(live.standin, "PATCH", path)))

        # While discord.py retries (25 s in all), members are answered as usual.
        assert "likes never pay cash" in text_of(await live.run("likes"))

        retrying = f"explainer {number}: edit failed (500"
        log_line = await live.bot.wait_for_line(retrying, timeout=sum(SERVER_ERROR_SLEEPS) + 5)
        assert "retry in 30 s" in log_line
        tries = requests_to(live.standin, "PATCH", path)
        assert [r.status for r in tries] == [500] * SERVER_ERROR_TRIES
        gaps = [later.time - earlier.time for earlier, later in zip(tries, tries[1:])]
        assert all(sleep <= gap < sleep + SLACK for sleep, gap in zip(SERVER_ERROR_SLEEPS, gaps)), gaps
        assert message.edits == 0
        listed = (await live.mod("explainer list", guild=2)).content
        assert f"#{number} **rates** in <#{message.channel_id}> — ✅ active" in listed  # it will try again later
    finally:
        await live.tidy(2)


# 8. Everything the module's bot sent.


@shared
async def test_every_interaction_was_answered_exactly_once(live: LiveBot) -> None:
    if not live.standin.interactions:
        pytest.skip("nothing was sent yet: run this with the rest of the module")
    for interaction in live.standin.interactions:
        accepted = accepted_callbacks(interaction)
        assert len(accepted) == 1, (interaction.payload["data"], [c.status for c in interaction.callbacks])
        assert accepted[0].time - interaction.created_at < RESPONSE_DEADLINE
        expected = {APPLICATION_COMMAND: {MESSAGE_WITH_SOURCE, DEFERRED_MESSAGE}, AUTOCOMPLETE: {AUTOCOMPLETE_RESULT}}
        assert accepted[0].json["type"] in expected[interaction.type]
        followups = len(interaction.followups)
        assert followups == (accepted[0].json["type"] == DEFERRED_MESSAGE), interaction.payload["data"]
    assert not [line for line in live.bot.lines if "Traceback" in line or " ERROR " in line]


@shared
async def test_interaction_responses_ask_for_no_message_back(live: LiveBot) -> None:
    """LiveTally never reads the message a response creates, so it doesn't ask for it
    (`with_response`, which discord.py always sets) and Discord answers 204 No Content."""
    callbacks = [r for r in live.standin.requests if r.path.endswith("/callback") and r.status < 400]
    if not callbacks:
        pytest.skip("nothing was sent yet: run this with the rest of the module")
    assert {(tuple(r.query), r.status, r.response) for r in callbacks} == {((), 204, None)}


@shared
async def test_every_message_the_bot_sent_pings_nobody(live: LiveBot) -> None:
    bodies = [body for r in live.standin.requests if (body := message_body(r)) is not None]
    if not bodies:
        pytest.skip("nothing was sent yet: run this with the rest of the module")
    assert [p for r in live.standin.requests for p in mention_problems(r.method, r.path, r.json)] == []
    assert {json.dumps(body.get("allowed_mentions"), sort_keys=True) for body in bodies} == {'{"parse": []}'}


@shared
async def test_every_request_body_matches_discords_spec(api_spec: ApiSpec, live: LiveBot) -> None:
    assert all(api_spec.template(r.path) for r in live.standin.requests)  # each was checked against the spec
    problems = live.standin.traffic_problems()
    assert problems == [], "\n".join(problems)


# 6. kill -9 and restart on the same database.


async def test_settings_survive_kill_9_and_restart(standin: StandIn, start_bot: StartBot) -> None:
    sync = await start_bot("-m", "bot", "sync")
    assert await sync.wait() == 0, sync.output
    first = await start_bot("-m", "bot")
    await standin.wait_connected()

    async def mod(name: str, options: dict[str, OptionValue]) -> Message:
        return await answered(await standin.inject_command(name, options, user="moderator"))

    set_reply = await mod("rates set", {"key": "diamond_usd", "value": "0.004"})
    assert "is now **$0.004**" in set_reply.content
    faq_reply = await mod(
        "faq add",
        {"name": "payout-day", "question": "When is payout day in this server?", "answer": "Every **Friday**."},
    )
    assert faq_reply.content.startswith("Added **payout-day**.")

    first.process.kill()  # SIGKILL: no clean shutdown
    assert await first.wait(timeout=STOP_TIMEOUT) == -9
    identified = sum(p["op"] == Op.IDENTIFY for p in standin.gateway_received)
    await start_bot("-m", "bot")
    await standin.wait_until(lambda: sum(p["op"] == Op.IDENTIFY for p in standin.gateway_received) > identified)
    await standin.wait_connected()

    shown = await answered(await standin.inject_command("rates show"))
    assert "✏️ `diamond_usd` **$0.004** (default $0.005)" in text_of(shown)
    worth = await answered(await standin.inject_command("ask", {"question": "what are 40,000 diamonds worth"}))
    assert "**$160.00** for you" in text_of(worth)
    payout = await answered(await standin.inject_command("ask", {"question": "when is payout day in this server"}))
    assert "Every **Friday**." in text_of(payout)
    assert [p for r in standin.requests for p in mention_problems(r.method, r.path, r.json)] == []


# 7. The token never reaches the output.


async def test_token_never_appears_in_output_even_at_debug_level(tmp_path: Path) -> None:
    sentinel = "SENTINEL-" + secrets.token_urlsafe(24)
    async with StandIn(token=sentinel, heartbeat_interval=0.5) as standin:
        processes: list[BotProcess] = []
        try:
            env = {"LIVETALLY_LOG_LEVEL": "DEBUG"}
            processes.append(await launch(standin, tmp_path, "-m", "bot", "sync", env=env))
            assert await processes[0].wait() == 0, processes[0].output
            processes.append(await launch(standin, tmp_path, "-m", "bot", env=env))
            await standin.wait_connected()
            # Traffic that logs: commands, a rate limit, a resume, heartbeats, an error reply.
            standin.fail_next("POST", CALLBACK, 429, retry_after=0.2)
            await answered(await standin.inject_command("likes"))
            await standin.close_websocket(4000)
            await answered(await standin.inject_command("ask", {"question": "do likes pay"}))
            await answered(await standin.inject_command("rates set", {"key": "x", "value": "1"}, user="moderator"))
            await standin.wait_until(lambda: sum(p["op"] == Op.HEARTBEAT for p in standin.gateway_received) >= 2)
            # A wrong token: Discord's 401, then the bot's own message about it.
            processes.append(await launch(standin, tmp_path, "-m", "bot", env=env | {"DISCORD_TOKEN": sentinel + "x"}))
            assert await processes[2].wait() == 1, processes[2].output
        finally:
            for process in processes:
                await process.stop()
    output = "\n".join(process.output for process in processes)
    assert " DEBUG " in output and "discord.gateway" in output  # DEBUG logging really was on
    assert "Discord refused the token" in processes[2].output
    assert sentinel not in output
    assert sentinel[9:] not in output  # nor its secret part, however it is quoted
