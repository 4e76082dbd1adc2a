"""Load held: 200 interactions at once each answered exactly once; slow dependencies still acknowledged
in time; no command holds the event loop for 100 ms.

These assert protocol properties (one response per interaction, an acknowledgement before the slow
work finishes, the longest single stretch of work on the loop), never throughput. Throughput and
latency figures live in bench/ and docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot import db
from tests.harness import CHANNEL_ID, GUILD_ID, Result
from tests.reliability.support import (
    Call, Clock, LoopWatch, frozen_heap, invoke, message_problems, run_concurrently,
)

MOD = {"moderator": True}
LOOP_BUDGET = 0.100  # seconds: no single piece of work may hold the loop longer (heartbeats, 3 s deadline)
ACK_DEADLINE = 3.0  # Discord's deadline for the first response
SLOW = 2.5  # seconds a slow dependency takes

# A mixed batch: what members and moderators do in a busy server, errors and refusals included.
MEMBER_CALLS: tuple[Call, ...] = (
    Call("ask", {"question": "do you get paid for likes on tiktok live"}),
    Call("ask", {"question": "what are 40,000 diamonds worth?"}),
    Call("ask", {"question": "what do 2 lions and a galaxy pay"}),
    Call("ask", {"question": "how do i withdraw my money"}),
    Call("ask", {"question": "what is the weather in paris"}),
    Call("ask", {"question": "when does our agency pay out"}),  # the server's own FAQ entry
    Call("ask", {"question": "x" * 600}),  # too long: refused
    Call("likes"),
    Call("views"),
    Call("about"),
    Call("topic", {"name": "withdraw_payout"}),
    Call("topic", {"name": "no such topic at all"}),
    Call("topic", {"name": "dia"}, focused="name"),
    Call("gift", {"name": "lio"}, focused="name"),
    Call("gift", {"name": "lion", "count": 3}),
    Call("convert", {"amount": 25, "from": "usd", "to": "coins"}),
    Call("estimate diamonds", {"amount": 40000}),
    Call("estimate coins", {"amount": 1000}),
    Call("estimate subs", {"subscribers": 120}),
    Call("estimate withdraw", {"diamonds": 500000}),
    Call("estimate brand", {"followers": 50000}),
    Call("rates show"),
    Call("rates set", {"key": "agency_cut", "value": "10%"}),  # a member: refused
)
MODERATOR_CALLS: tuple[Call, ...] = (
    Call("rates set", {"key": "agency_cut", "value": "12%"}, moderator=True),
    Call("rates set", {"key": "diamond_usd", "value": "0.9"}, moderator=True),  # out of range: refused
    Call("faq list", moderator=True),
    Call("insights", {"days": 7}, moderator=True),
    Call("explainer list", moderator=True),
    Call("rates set", {"key": "ag"}, moderator=True, focused="key"),
)


def mixed(count: int) -> list[Call]:
    pool = itertools.cycle(MEMBER_CALLS * 3 + MODERATOR_CALLS)
    return [next(pool) for _ in range(count)]


async def seed_server(harness: Any) -> None:
    """A FAQ entry and a posted explainer, so the batch touches them too."""
    added = await harness.run("faq add", name="payout-day", question="when does our agency pay out",
                              answer="Fridays; we count {{ rate('diamond_usd') }} per diamond.", **MOD)
    assert "Added" in added.text, added.text
    posted = await harness.run("explainer post", topic="rates", channel=CHANNEL_ID, **MOD)
    assert "Posted explainer" in posted.text, posted.text


async def test_200_concurrent_interactions_are_each_answered_exactly_once(harness):
    await seed_server(harness)
    results = await run_concurrently(harness, mixed(200))

    assert len(results) == 200
    problems = {f"/{call.path} {dict(call.options)}"[:120]: message_problems(result)
                for call, result in results.values() if message_problems(result)}
    assert problems == {}
    kinds = [result.sent[0].payload["type"] for _, result in results.values()]
    assert set(kinds) <= {4, 5, 8}  # a message, a defer, or autocomplete choices
    assert await harness.bot.resources.explainers.drain(10)
    channel_messages = [s for s in harness.http.sent if s.method in ("POST", "PATCH")]
    assert channel_messages, "the explainer was neither posted nor edited"
    assert all(s.payload.get("allowed_mentions") == {"parse": []} for s in channel_messages)
    # Only the moderator's valid change was stored: the member's and the out-of-range one were refused.
    assert await db.get_rate_overrides(harness.bot.resources.conn, GUILD_ID) == {"agency_cut": "0.12"}


async def test_200_concurrent_interactions_each_answered_once_when_replies_are_slow(harness):
    """The transport takes its time (a slow Discord): still one response each, nothing doubled."""
    await seed_server(harness)
    adapter = harness.adapter
    inner = adapter.request

    async def slow_request(route, session, **kwargs):
        await asyncio.sleep(0.002)
        return await inner(route, session, **kwargs)

    adapter.request = slow_request
    results = await run_concurrently(harness, mixed(200))
    assert {k: p for k, (_, r) in results.items() if (p := message_problems(r))} == {}


# --- a slow dependency ------------------------------------------------------------------------------

# (command, options, the storage function it waits on; "http": the channel post). Every command that
# touches the database or the network, where a 2.5 s wait is realistic (SQLite's busy timeout is 5 s).
SLOW_CASES: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("faq add", {"name": "slow", "question": "a slow question", "answer": "a slow answer"}, "add_faq"),
    ("faq edit", {"name": "edit-me", "answer": "Mondays."}, "edit_faq"),
    ("faq remove", {"name": "remove-me"}, "remove_faq"),
    ("faq list", {}, "list_faq"),
    ("rates set", {"key": "agency_cut", "value": "15%"}, "set_rate_override"),
    ("rates reset", {"key": "rpm"}, "reset_rate_overrides"),
    ("insights", {"days": 7}, "top_topics"),
    ("explainer list", {}, "list_explainers"),
    ("explainer remove", {"explainer": 1}, "remove_explainer"),
    ("explainer refresh", {}, "list_explainers"),
    ("explainer post", {"topic": "rates", "channel": CHANNEL_ID}, "http"),
)
_caller: contextvars.ContextVar[str] = contextvars.ContextVar("caller", default="")


async def test_slow_dependencies_are_acknowledged_before_the_slow_work_finishes(harness, monkeypatch):
    """Every storage call and the channel post take 2.5 s (a busy database, a slow network); all
    commands that use them run at once. Each must send its first response (a reply or a defer)
    before its own first slow call returns, so Discord's 3 s deadline never depends on them."""
    await seed_server(harness)
    for name in ("edit-me", "remove-me"):
        await harness.run("faq add", name=name, question=f"the {name} question", answer="Fridays.", **MOD)
    await harness.run("rates set", key="rpm", value="0.5", **MOD)
    log: dict[str, list[tuple[str, float]]] = defaultdict(list)

    def slowed(target: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def slow(*args: Any, **kwargs: Any) -> Any:
            caller = _caller.get()
            log[caller].append(("start", time.monotonic()))
            await asyncio.sleep(SLOW)
            log[caller].append(("end", time.monotonic()))
            return await target(*args, **kwargs)

        return slow

    for target in {t for _, _, t in SLOW_CASES if t != "http"}:
        monkeypatch.setattr(db, target, slowed(getattr(db, target)))
    monkeypatch.setattr(harness.bot.http, "request", slowed(harness.bot.http.request))
    clock = Clock(harness)
    harness.install()
    payloads = [(command, harness.payload(command, options, **MOD)) for command, options, _ in SLOW_CASES]

    async def one(payload: dict[str, Any]) -> float:
        _caller.set(payload["token"])
        started = time.monotonic()
        await invoke(harness, payload)
        return started

    starts = await asyncio.wait_for(asyncio.gather(*(one(p) for _, p in payloads)), timeout=SLOW * 8)

    late = {}
    for (command, payload), started in zip(payloads, starts):
        token = payload["token"]
        stamped = clock.for_token(token)
        callbacks = [s for s in stamped if s.sent.path.endswith("/callback")]
        assert len(callbacks) == 1, (command, [s.sent.path for s in stamped])
        assert log[token], f"/{command} never waited on its slow dependency: the test is not exercising it"
        first_done = next(t for what, t in log[token] if what == "end")
        if not callbacks[0].at < first_done:
            late[command] = f"first response {callbacks[0].at - started:.2f} s after receipt"
        assert callbacks[0].at - started < ACK_DEADLINE, command
        assert not message_problems(Result([s.sent for s in stamped])), command
    assert late == {}


# --- the event loop ---------------------------------------------------------------------------------

WORST_CASE_CALLS: tuple[Call, ...] = (
    Call("ask", {"question": ("how much do i get for " + "lions and galaxies and roses " * 20)[:500]}),
    Call("ask", {"question": ("diamonds withdraw agency battle likes views gifts " * 12)[:500]}),
    Call("ask", {"question": "2 lions, 3 galaxies, 40 roses, 5 universes, 9 lion, 1 rose, 7 galaxy, 3 universe"}),
    Call("ask", {"question": "wat is a diamnd worht if i withdraww on tiktokk liev"}),
    Call("topic", {"name": "a" * 100}, focused="name"),
    Call("gift", {"name": "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}, focused="name"),
    Call("estimate month", {"hours": 24, "viewers": 10**8, "streams": 100}),
    Call("estimate diamonds", {"amount": 10**12, "agency": 99}),
    # Moderator templates of a realistic size (the 4,000-character extremes are in test_templates.py
    # and their cost in docs/benchmarks.md).
    Call("faq add", {"name": "rates", "question": "which rates do we use",
                     "answer": "Diamond {{ rate('diamond_usd') }}, agency {{ rate('agency_cut') }}. " * 8},
         moderator=True),
    Call("ask", {"question": "which rates do we use"}),
    Call("faq add", {"name": "cond", "question": "a conditional answer",
                     "answer": "{% if 0 %}a" + "{% elif 0 %}b" * 40 + "{% endif %}"}, moderator=True),
    Call("explainer refresh", {}, moderator=True),
)


async def test_no_command_holds_the_event_loop_for_100_ms(harness):
    """A mixed batch (worst cases included), one command at a time: every callback the loop ran is
    timed in CPU time (the heap frozen after start-up, as the bot does); a 5 ms ticker's longest
    wall-clock wait is printed alongside."""
    await seed_server(harness)
    for i in range(20):  # a server with many FAQ entries, for autocomplete and matching
        await harness.run("faq add", name=f"entry-{i}", question=f"when is bonus event number {i} paid",
                          answer=f"Event {i} pays on Friday.", **MOD)
    batch = mixed(250) + list(WORST_CASE_CALLS) * 3
    watch = LoopWatch()
    with frozen_heap(), watch.timing_callbacks():
        async with watch:
            for call in batch:
                results = await run_concurrently(harness, [call])
                assert all(r.responses == 1 for _, r in results.values())
    print(f"longest callback {watch.longest_callback * 1000:.1f} ms CPU, longest ticker gap "
          f"{watch.longest_gap * 1000:.1f} ms wall over {len(batch)} commands")
    assert watch.longest_callback < LOOP_BUDGET, (
        f"one callback held the loop {watch.longest_callback * 1000:.0f} ms: {watch.longest_callback_what}")


async def test_200_at_once_never_holds_the_loop_in_one_piece(harness):
    """200 ready at once queue behind each other (that is throughput, bench/), but no single one
    of them may hold the loop for 100 ms."""
    await seed_server(harness)
    watch = LoopWatch()
    with frozen_heap(), watch.timing_callbacks():
        results = await run_concurrently(harness, mixed(200))
    assert all(r.responses == 1 for _, r in results.values())
    print(f"longest callback {watch.longest_callback * 1000:.1f} ms with 200 in flight")
    assert watch.longest_callback < LOOP_BUDGET, (
        f"one callback held the loop {watch.longest_callback * 1000:.0f} ms: {watch.longest_callback_what}")


EXPLAINERS = 1500  # ≈0.3 ms each to render afresh: about 0.5 s in one stretch if refresh never yielded


async def test_refreshing_many_explainers_does_not_hold_the_loop(harness):
    """Start-up (and any knowledge update) refreshes every posted explainer at once; here every
    server has rates of its own, so no two rate cards are alike and none comes from a cache."""
    conn = harness.bot.resources.conn
    manager = harness.bot.resources.explainers
    service = harness.bot.service
    guilds = [9_000_000 + i for i in range(EXPLAINERS)]
    try:
        for i, guild_id in enumerate(guilds):
            service.set_overrides(guild_id, {"agency_cut": f"{1 + i % 40}%"})
            await db.add_explainer(conn, guild_id=guild_id, channel_id=CHANNEL_ID + i, message_id=10**9 + i,
                                   topic="rates", content_hash="0" * 64)
        watch = LoopWatch()
        with frozen_heap(), watch.timing_callbacks():
            queued = await manager.refresh()
        assert queued == EXPLAINERS
        await manager.stop()
    finally:
        for guild_id in guilds:
            service.set_overrides(guild_id, {})
    print(f"refresh() of {EXPLAINERS} explainers: longest callback {watch.longest_callback * 1000:.1f} ms")
    assert watch.longest_callback < LOOP_BUDGET, (
        f"refresh() of {EXPLAINERS} explainers held the loop {watch.longest_callback * 1000:.0f} ms")
