"""/ask, /likes, /views, /topic and /about through the real CommandTree with real payloads."""

from __future__ import annotations

import pytest


async def test_ask_answers_with_sources_exactly_once(harness):
    result = await harness.run("ask", question="do you get paid for likes on tiktok live")
    assert result.responses == 1
    assert "Do likes pay" in result.text and "Sources" in result.text and "Last reviewed" in result.text
    assert not result.ephemeral
    assert "Related" in result.text


async def test_ask_private_option(harness):
    result = await harness.run("ask", question="do likes pay", private=True)
    assert result.ephemeral


async def test_ask_unknown_is_private_and_suggests(harness):
    result = await harness.run("ask", question="whats the weather tomorrow")
    assert result.ephemeral and "don't know" in result.text


@pytest.mark.parametrize(("command", "title"), [("likes", "likes"), ("views", "view")])
async def test_shortcuts(harness, command, title):
    result = await harness.run(command)
    assert result.responses == 1 and title in result.text.lower()


async def test_topic_by_id_and_unknown_name(harness):
    assert "withdraw" in (await harness.run("topic", name="withdraw_payout")).text.lower()
    bad = await harness.run("topic", name="zzzz qqqq")
    assert bad.ephemeral and "No topic called" in bad.text


async def test_topic_autocomplete(harness):
    result = await harness.run("topic", name="dia", focused="name")
    values = [c["value"] for c in result.choices]
    assert values and "diamond_value" in values and len(values) <= 25
    empty = await harness.run("topic", name="", focused="name")
    assert len(empty.choices) == 22 or len(empty.choices) == 25


async def test_about(harness):
    result = await harness.run("about")
    assert result.ephemeral and "LiveTally" in result.text and "reviewed" in result.text


async def test_mentions_are_disabled_everywhere(harness):
    result = await harness.run("ask", question="@everyone do likes pay <@123>")
    for sent in harness.adapter.sent:
        data = (sent.payload or {}).get("data", sent.payload or {})
        if "content" in data or "embeds" in data:
            assert data["allowed_mentions"] == {"parse": []}
    assert result.responses == 1


async def test_dm_use_works_for_member_commands(harness):
    result = await harness.run("ask", question="do likes pay", guild=False)
    assert result.responses == 1 and "likes" in result.text.lower()
