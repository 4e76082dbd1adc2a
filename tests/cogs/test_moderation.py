"""Moderator features through the real CommandTree: rates, explainers, FAQ entries, insights,
and who may use them."""

from __future__ import annotations

import pytest

from bot import db
from tests.harness import CHANNEL_ID, GUILD_ID

MOD = {"moderator": True}


async def test_member_is_refused_and_nothing_changes(harness):
    result = await harness.run("rates set", key="diamond_usd", value="0.004")
    assert result.ephemeral and "Manage Server" in result.text
    assert harness.bot.resources.service.overrides(111) == {}
    for path, options in (("faq add", {"name": "x", "question": "what now?", "answer": "hi"}),
                          ("explainer list", {}), ("insights", {})):
        refused = await harness.run(path, **options)
        assert refused.ephemeral and "Manage Server" in refused.text, path


async def test_moderator_sets_a_rate_and_estimates_follow(harness):
    before = await harness.run("estimate diamonds", amount=40000)
    assert "$200.00" in before.text
    result = await harness.run("rates set", key="diamond_usd", value="0.004", **MOD)
    assert "$0.004" in result.text and result.ephemeral
    after = await harness.run("estimate diamonds", amount=40000)
    assert "$160.00" in after.text and "this server's rate" in after.text
    asked = await harness.run("ask", question="what are 40k diamonds worth")
    assert "$160.00" in asked.text
    shown = await harness.run("rates show")
    assert "✏️" in shown.text and "default $0.005" in shown.text
    await harness.run("rates reset", key="diamond_usd", **MOD)
    assert "$200.00" in (await harness.run("estimate diamonds", amount=40000)).text


@pytest.mark.parametrize(("key", "value", "message"), [
    ("diamond_usd", "5", "between"), ("nope", "1", "no rate called"), ("diamond_usd", "abc", "not a number"),
    ("diamond_usd", "NaN", "not a number"), ("currency", "euros", "three letters"),
])
async def test_bad_rate_values_get_clear_messages(harness, key, value, message):
    result = await harness.run("rates set", key=key, value=value, **MOD)
    assert result.ephemeral and message in result.text
    assert harness.bot.resources.service.overrides(111) == {}


async def test_rate_key_autocomplete(harness):
    result = await harness.run("rates set", key="diam", value="", focused="key", **MOD)
    assert result.choices and all("diam" in c["value"] for c in result.choices)


async def test_explainer_posts_and_edits_itself_when_rates_change(harness):
    posted = await harness.run("explainer post", topic="rates", channel=CHANNEL_ID, **MOD)
    assert "Posted explainer #1" in posted.text
    create = [s for s in harness.http.sent if s.method == "POST"]
    assert len(create) == 1 and create[0].payload["allowed_mentions"] == {"parse": []}
    assert "$0.005" in create[0].payload["embeds"][0]["description"]
    await harness.run("rates set", key="diamond_usd", value="0.004", **MOD)
    assert await harness.bot.resources.explainers.drain(5)
    edits = [s for s in harness.http.sent if s.method == "PATCH"]
    assert len(edits) == 1 and "$0.004" in edits[0].payload["embeds"][0]["description"]
    # A change that doesn't touch what the explainer shows doesn't edit it.
    await harness.run("rates set", key="diamond_usd", value="0.004", **MOD)
    assert await harness.bot.resources.explainers.drain(5)
    assert len([s for s in harness.http.sent if s.method == "PATCH"]) == 1


async def test_explainer_deleted_by_hand_is_marked_gone(harness):
    await harness.run("explainer post", topic="rates", channel=CHANNEL_ID, **MOD)
    harness.http.fail_next("PATCH", f"/channels/{CHANNEL_ID}/messages", 404, 10008)
    await harness.run("rates set", key="agency_cut", value="10%", **MOD)
    assert await harness.bot.resources.explainers.drain(5)
    listing = await harness.run("explainer list", **MOD)
    assert "gone" in listing.text and "deleted" in listing.text
    await harness.run("rates set", key="agency_cut", value="20%", **MOD)
    assert await harness.bot.resources.explainers.drain(5)
    assert len([s for s in harness.http.sent if s.method == "PATCH"]) == 1  # never retried


async def test_old_message_edit_limit_is_retried_with_backoff(harness):
    await harness.run("explainer post", topic="rates", channel=CHANNEL_ID, **MOD)
    harness.http.fail_next("PATCH", f"/channels/{CHANNEL_ID}/messages", 400, 30046, count=2)
    await harness.run("rates set", key="agency_cut", value="10%", **MOD)
    assert await harness.bot.resources.explainers.drain(10)
    patches = [s for s in harness.http.sent if s.method == "PATCH"]
    assert len(patches) == 3  # two refusals, then the edit lands
    assert "10%" in patches[-1].payload["embeds"][0]["description"]


async def test_explainer_in_a_channel_the_bot_cant_write_to(harness):
    harness.http.fail_next("POST", f"/channels/{CHANNEL_ID}/messages", 403, 50013)
    result = await harness.run("explainer post", topic="rates", channel=CHANNEL_ID, **MOD)
    assert "can't post in that channel" in result.text and result.ephemeral
    assert "No explainers yet" in (await harness.run("explainer list", **MOD)).text


async def test_explainer_of_a_topic_and_removal(harness):
    posted = await harness.run("explainer post", topic="withdraw_payout", channel=CHANNEL_ID, **MOD)
    assert "Posted" in posted.text
    removed = await harness.run("explainer remove", explainer=1, **MOD)
    assert "Removed explainer #1" in removed.text
    assert any(s.method == "DELETE" for s in harness.http.sent)
    bad = await harness.run("explainer post", topic="no_such_topic", channel=CHANNEL_ID, **MOD)
    assert "no topic" in bad.text


async def test_faq_entry_is_found_by_ask_and_shows_live_rates(harness):
    added = await harness.run("faq add", name="payout-day", question="when does our agency pay out",
                              answer="Every Friday, at {{ rate('diamond_usd') }} per diamond.", **MOD)
    assert "Added" in added.text
    found = await harness.run("ask", question="when does the agency pay out?")
    assert "Every Friday, at $0.005 per diamond." in found.text
    await harness.run("rates set", key="diamond_usd", value="0.0045", **MOD)
    assert "$0.0045 per diamond" in (await harness.run("ask", question="when does the agency pay out?")).text
    duplicate = await harness.run("faq add", name="PAYOUT-DAY", question="x y z", answer="y", **MOD)
    assert duplicate.ephemeral and "already" in duplicate.text.lower()
    await harness.run("faq edit", name="payout-day", answer="Every Monday.", **MOD)
    assert "Every Monday." in (await harness.run("ask", question="when does our agency pay out")).text
    names = await harness.run("faq remove", name="pay", focused="name", **MOD)
    assert [c["value"] for c in names.choices] == ["payout-day"]
    await harness.run("faq remove", name="payout-day", **MOD)
    assert "Every Monday" not in (await harness.run("ask", question="when does our agency pay out")).text


@pytest.mark.parametrize("answer", [
    "{% for i in range(10**9) %}x{% endfor %}", "{{ ''.__class__.__mro__ }}", "{{ cycler.__init__.__globals__ }}",
    "{{ 'x' * 10**9 }}", "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{{ config }}", "{% include 'a' %}",
])
async def test_faq_refuses_template_code(harness, answer):
    result = await harness.run("faq add", name="bad", question="a bad one", answer=answer, **MOD)
    assert result.ephemeral and "can't be saved" in result.text
    assert "No entries yet" in (await harness.run("faq list", **MOD)).text


async def test_faq_answer_cannot_ping(harness):
    await harness.run("faq add", name="ping", question="ping everyone please", answer="@everyone <@&123> hi", **MOD)
    result = await harness.run("ask", question="ping everyone please")
    assert "@everyone" not in result.text.replace("@\u200beveryone", "")
    for sent in harness.adapter.sent:
        data = (sent.payload or {}).get("data", sent.payload or {})
        if "embeds" in data or "content" in data:
            assert data["allowed_mentions"] == {"parse": []}


async def test_insights_show_asked_and_unanswered_without_user_ids(harness):
    for question in ("do likes pay", "do likes pay?", "whats the capital of peru", "Whats the capital of  Peru"):
        await harness.run("ask", question=question)
    result = await harness.run("insights", days=7, **MOD)
    assert "2× Do likes pay" in result.text and "2× “whats the capital of peru”" in result.text
    rows = await (await harness.bot.resources.conn.execute("SELECT * FROM question_log")).fetchall()
    assert rows and not any(str(v) in ("333", "444") for row in rows for v in row)
    cleared = await harness.run("insights", clear=True, **MOD)
    assert "Cleared" in cleared.text
    assert "nothing asked yet" in (await harness.run("insights", **MOD)).text


async def test_moderator_commands_say_so_in_dms(harness):
    result = await harness.run("rates show", guild=False)
    assert result.ephemeral and "server" in result.text.lower()


async def _timed_patches(harness, channels: list[int], *, edit_interval: float, channel_interval: float) -> list[tuple[float, str]]:
    """Explainers (stale, so refresh queues them all) in `channels`; the time and path of every edit."""
    import time

    from bot import db

    manager = harness.bot.resources.explainers
    manager.edit_interval, manager.channel_interval = edit_interval, channel_interval
    for i, channel_id in enumerate(channels):
        await db.add_explainer(harness.bot.resources.conn, guild_id=111, channel_id=channel_id,
                               message_id=5_000_000 + i, topic="rates", content_hash="0" * 64)
    stamps: list[tuple[float, str]] = []
    inner = harness.http.request

    async def stamped(route, **kwargs):
        if route.method == "PATCH":
            stamps.append((time.monotonic(), route.url))
        return await inner(route, **kwargs)

    harness.bot.http.request = stamped
    assert await manager.refresh() == len(channels)
    assert await manager.drain(10)
    return stamps


async def test_explainer_edits_are_paced_across_servers(harness):
    stamps = await _timed_patches(harness, [CHANNEL_ID + i for i in range(6)], edit_interval=0.05, channel_interval=0)
    assert len(stamps) == 6
    gaps = [b - a for (a, _), (b, _) in zip(stamps, stamps[1:])]
    assert min(gaps) >= 0.049  # sleeping guarantees the gap; a slow machine only widens it


async def test_explainer_edits_in_one_channel_are_paced(harness):
    stamps = await _timed_patches(harness, [CHANNEL_ID] * 3, edit_interval=0, channel_interval=0.1)
    assert len(stamps) == 3
    gaps = [b - a for (a, _), (b, _) in zip(stamps, stamps[1:])]
    assert min(gaps) >= 0.099


@pytest.mark.parametrize(("options", "message"), [
    ({"name": "n" * 101}, "name can be at most 100 characters"),
    ({"name": "   "}, "name is empty"),
    ({"question": "x" * 301}, "question can be at most 300 characters"),
    ({"question": "  ab  "}, "question needs at least 3 characters"),
    ({"question": " \t "}, "question is empty"),
    ({"answer": "x" * 4001}, "answer can be at most 4,000 characters"),
    ({"answer": "  \u200b "}, "answer is empty"),
    ({"name": "pay\x00day"}, "name can't contain control characters"),
    ({"name": "pay\nday"}, "name can't contain control characters"),
    ({"question": "when\tis payout"}, "question can't contain control characters"),
    ({"name": "\u202epayday"}, "name can't contain invisible characters"),
    ({"name": "pay\u200bday"}, "name can't contain invisible characters"),
    ({"question": "when is \u2066payout\u2069"}, "question can't contain invisible characters"),
    ({"question": "when is\ufeff payout"}, "question can't contain invisible characters"),
    ({"answer": "On \x1b[31mFridays"}, "answer can't contain control characters other than line breaks and tabs"),
    ({"answer": "On \u202eFridays"}, "answer can't contain characters that override the text's direction"),
])
async def test_faq_add_checks_what_discord_may_not(harness, options, message):
    given = {"name": "payday", "question": "when is payout", "answer": "On Fridays.", **options}
    result = await harness.run("faq add", **given, **MOD)
    assert result.responses == 1 and result.ephemeral and message in result.text, result.text
    assert "No entries yet" in (await harness.run("faq list", **MOD)).text


async def test_faq_add_keeps_line_breaks_tabs_and_joiners_in_the_answer(harness):
    answer = "Fridays:\r\n\t• 👩\u200d💻 payouts\r\n\t• \u200fright-to-left mark"
    added = await harness.run("faq add", name="  payday ", question="  when is payout  ", answer=answer, **MOD)
    assert "Added **payday**" in added.text and "`/ask when is payout`" in added.text
    [stored] = await db.list_faq(harness.bot.resources.conn, GUILD_ID)
    assert (stored.name, stored.question, stored.answer) == ("payday", "when is payout", answer.replace("\r\n", "\n"))


@pytest.mark.parametrize(("options", "message"), [
    ({"question": "ab"}, "question needs at least 3 characters"),
    ({"question": ""}, "question is empty"),
    ({"question": "when\u200b is payout"}, "question can't contain invisible characters"),
    ({"answer": "   "}, "answer is empty"),
    ({"answer": "x" * 4001}, "answer can be at most 4,000 characters"),
])
async def test_faq_edit_checks_what_discord_may_not(harness, options, message):
    await harness.run("faq add", name="payday", question="when is payout", answer="On Fridays.", **MOD)
    result = await harness.run("faq edit", name="payday", **options, **MOD)
    assert result.responses == 1 and result.ephemeral and message in result.text, result.text
    listing = await harness.run("faq list", **MOD)
    assert "when is payout" in listing.text
    assert "On Fridays." in (await harness.run("faq show", name="payday", **MOD)).text
