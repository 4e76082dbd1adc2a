"""Scale: 10,000 server FAQ entries across 1,000 servers, and 1,000 posted explainers after a rate change.

    .venv/bin/python -m bench.scale faq [--runs 3]
    .venv/bin/python -m bench.scale explainers [--runs 3] [--pacing scaled|real] [--faults 50]

`faq`: the real service (knowledge base, matcher, renderer). Baseline first, in the same process:
/ask and /topic autocomplete with no server entries. Then 1,000 servers × 10 entries are indexed
with `Service.set_faq` (as start-up and every `/faq add|edit|remove` do), and the same questions
are asked again, plus questions that hit a server's own entries. Every /ask is worked out afresh
(the reply cache is emptied, untimed, before each call) except the one row that shows a repeat. Also: the start-up load of those
10,000 rows from SQLite (`Resources.load_server_state`), one server re-indexed (what each `/faq`
change costs), and the typo-correction vocabulary, which every server's entries extend.

`explainers`: the real bot in process with the recording HTTP stand-in of tests/harness.py. 1,000
explainers are posted (250 servers × 2 channels × 2), every server's diamond rate changes, and
`ExplainerManager.refresh()` queues the edits that its paced worker then sends. Reported: how long
`refresh()` held the event loop, how long the queue took to drain, how many requests were sent,
the pacing actually observed (edits in any 1 s, the shortest gap between two edits in one channel),
and whether every explainer ended up showing the new rate ("lost" must be 0). `--pacing scaled`
(the default) divides the bot's intervals by 25 so a run takes seconds, and projects the drain
time at the real pacing; `--pacing real` uses the bot's own intervals (about five minutes).
`--faults N` fails the first N edits with a 500 to show that retries lose nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench._common import build_livetally, fmt, machine, median, percentile, settle, table

SERVERS, ENTRIES_PER_SERVER = 1_000, 10
BASE_GUILD = 5_000_000
KB_QUESTIONS = (
    "do you get paid for likes on tiktok live",
    "how do i withdraw my diamonds",
    "what is a diamond worth",
    "do battles pay anything",
    "how much does tiktok take from gifts",
)
TYPO_QUESTIONS = (  # uncached typo correction: the vocabulary every server extends is searched
    "how do i withdraww my diamondz",
    "wat is a diamnd worht",
    "do batles pay anythng",
    "how much does tiktok tak from gfts",
    "do you get payed for likez",
)
AUTOCOMPLETE_INPUTS = ("pay", "withdr", "diamond", "agen", "")


# --- FAQ ----------------------------------------------------------------------------------------

def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))


def make_entries(rng: random.Random) -> dict[int, list[Any]]:
    """1,000 servers × 10 entries: domain words mixed with each server's own names (agencies, events)."""
    from bot.db import FaqEntry

    topics = ["payout day", "agency fee", "bonus event", "gift goal", "stream schedule", "rank reward",
              "backstage pass", "creator contract", "withdraw help", "team battle"]
    by_guild: dict[int, list[FaqEntry]] = {}
    entry_id = 1
    for g in range(SERVERS):
        guild_id = BASE_GUILD + g
        own = [_word(rng) for _ in range(4)]  # this server's agency, events, people
        entries = []
        for i, topic in enumerate(topics[:ENTRIES_PER_SERVER]):
            name = f"{topic.replace(' ', '-')}-{own[i % 4]}"
            question = f"when is the {topic} for {own[i % 4]} {rng.choice(own)} creators"
            answer = (f"{own[0].title()} agency: the {topic} is on Friday. "
                      + ("We count {{ rate('diamond_usd') }} per diamond." if i % 2 else "Ask a moderator."))
            entries.append(FaqEntry(entry_id, guild_id, name, question, answer, 0, 0))
            entry_id += 1
        by_guild[guild_id] = entries
    return by_guild


def _time_calls(fn: Any, args: list[tuple[Any, ...]], before: Any = None) -> list[float]:
    """ms per call of `fn(*a)`; `before()` runs untimed ahead of each call."""
    out = []
    for a in args:
        if before is not None:
            before()
        start = time.perf_counter()
        fn(*a)
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def index_memory_mb(by_guild: dict[int, list[Any]]) -> float:
    """Memory the 10,000 entries take once indexed (tracemalloc, on a fresh service; not timed)."""
    import tracemalloc

    from bot.service import build_service

    service = build_service()
    settle()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for guild_id, entries in by_guild.items():
            service.set_faq(guild_id, entries)
        settle()
        return (tracemalloc.get_traced_memory()[0] - before) / 2**20
    finally:
        tracemalloc.stop()


def faq_run(run: int) -> dict[str, Any]:
    from bot.service import build_service

    rng = random.Random(run)
    service = build_service()
    sample_guilds = [BASE_GUILD + rng.randrange(SERVERS) for _ in range(400)]
    by_guild = make_entries(rng)
    results: dict[str, Any] = {}

    def ask_mix(label: str, questions: tuple[str, ...]) -> None:
        """Every answer worked out afresh: the reply cache is emptied before each call (untimed)."""
        args = [(q, g) for g in sample_guilds for q in questions]
        results[label] = _time_calls(service.ask, args, before=service.forget_replies)

    def typo_mix(label: str) -> None:
        service.matcher.analyzer._correct.cache_clear()  # each typo is new to the cache, as in life
        ask_mix(label, TYPO_QUESTIONS)

    settle()
    for _ in range(3):
        ask_mix("warm", KB_QUESTIONS)
    ask_mix("kb/base", KB_QUESTIONS)
    typo_mix("typo/base")
    results["ac/base"] = _time_calls(service.topic_choices, [(c, g) for g in sample_guilds for c in AUTOCOMPLETE_INPUTS])
    vocabulary_before = len(service.matcher.analyzer.vocabulary)

    settle()
    per_guild = []
    start = time.perf_counter()
    for guild_id, entries in by_guild.items():
        t = time.perf_counter()
        service.set_faq(guild_id, entries)
        per_guild.append((time.perf_counter() - t) * 1000.0)
    results["index_all_s"] = time.perf_counter() - start
    results["index_per_guild"] = per_guild
    results["index_mb"] = index_memory_mb(by_guild)
    results["vocabulary"] = (vocabulary_before, len(service.matcher.analyzer.vocabulary))

    ask_mix("kb/faq", KB_QUESTIONS)
    typo_mix("typo/faq")
    results["ac/faq"] = _time_calls(service.topic_choices, [(c, g) for g in sample_guilds for c in AUTOCOMPLETE_INPUTS])
    own_questions = [(e.question, g) for g in sample_guilds for e in by_guild[g][:5]]
    results["own/faq"] = _time_calls(service.ask, own_questions, before=service.forget_replies)
    repeated = own_questions[:500]  # fewer than the reply cache holds
    for q, g in repeated:
        service.ask(q, g)
    results["own/faq/cached"] = _time_calls(service.ask, repeated)
    hits = sum(service.ask(q, g).topic is not None and str(service.ask(q, g).topic).startswith("faq:")
               for q, g in own_questions[:200])
    results["own_hit_rate"] = hits / 200
    # An entry whose answer shows many live rates: every /ask that hits it renders the template.
    from bot.db import FaqEntry

    heavy = FaqEntry(10**6, 2, "rates-card", "which rates does our agency use",
                     "Diamond {{ rate('diamond_usd') }}, agency {{ rate('agency_cut') }}, RPM {{ rate('rpm') }}. " * 20,
                     0, 0)
    service.set_faq(2, [heavy])
    results["own/heavy"] = _time_calls(service.ask, [(heavy.question, 2)] * 200, before=service.forget_replies)
    results["render/heavy"] = _time_calls(service.render_faq_answer, [(heavy.answer, 2)] * 200)
    # One server re-indexed: what every /faq add|edit|remove does after its write.
    g = sample_guilds[0]
    results["reindex"] = _time_calls(service.set_faq, [(g, by_guild[g])] * 200)
    # The largest server allowed: 200 entries.
    big = [e for entries in list(by_guild.values())[:20] for e in entries]
    from dataclasses import replace

    big = [replace(e, guild_id=1, name=f"{e.name}-{i}") for i, e in enumerate(big)]
    service.set_faq(1, big)
    results["ask/200"] = _time_calls(service.ask, [(q, 1) for q in KB_QUESTIONS] * 200, before=service.forget_replies)
    results["ac/200"] = _time_calls(service.topic_choices, [(c, 1) for c in AUTOCOMPLETE_INPUTS] * 200)
    results["reindex/200"] = _time_calls(service.set_faq, [(1, big)] * 20)
    return results


async def faq_startup_load(run: int) -> float:
    """Seconds for `Resources.load_server_state` with 10,000 FAQ rows in SQLite (what start-up does)."""
    import sqlite3

    from bot import db
    from bot.resources import Resources
    from bot.service import build_service

    tmp = Path(tempfile.mkdtemp(prefix="bench-faq-"))
    path = tmp / "faq.db"
    conn = await db.open_db(path)
    await db.close_db(conn)
    rows = [(e.guild_id, e.name, e.question, e.answer, 0, 0) for es in make_entries(random.Random(run)).values() for e in es]
    with sqlite3.connect(path) as raw:
        raw.executemany("INSERT INTO faq_entries (guild_id, name, question, answer, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)", rows)
    service = build_service()
    conn = await db.open_db(path)
    try:
        resources = Resources(service=service, conn=conn)
        start = time.perf_counter()
        await resources.load_server_state()
        return time.perf_counter() - start
    finally:
        await db.close_db(conn)


def faq_report(runs: list[dict[str, Any]], startup: list[float]) -> str:
    def p(label: str, q: float) -> float:
        return median(percentile(r[label], q) for r in runs)

    rows = []
    for label, what in (("kb/base", "/ask, knowledge-base questions, no server entries (baseline)"),
                        ("kb/faq", "/ask, the same questions, 1,000 servers × 10 entries loaded"),
                        ("own/faq", "/ask, a server's own FAQ question (answer rendered with rate())"),
                        ("own/faq/cached", "/ask, the same, asked again (from the reply cache)"),
                        ("own/heavy", "/ask hitting an entry whose answer uses rate() 60 times"),
                        ("render/heavy", "  of which: rendering that answer"),
                        ("typo/base", "/ask with typos, uncached correction, baseline"),
                        ("typo/faq", "/ask with typos, uncached correction, entries loaded"),
                        ("ac/base", "/topic autocomplete, baseline"),
                        ("ac/faq", "/topic autocomplete, server with 10 entries"),
                        ("ask/200", "/ask in a server with 200 entries (the maximum)"),
                        ("ac/200", "/topic autocomplete in a server with 200 entries"),
                        ("reindex", "re-index one server of 10 entries (each /faq add|edit|remove)"),
                        ("reindex/200", "re-index one server of 200 entries"),
                        ("index_per_guild", "index one server while loading all 1,000")):
        rows.append([what, fmt(p(label, 50), 3), fmt(p(label, 99), 3)])
    base50, faq50 = p("kb/base", 50), p("kb/faq", 50)
    typo50b, typo50f = p("typo/base", 50), p("typo/faq", 50)
    vocab = runs[0]["vocabulary"]
    summary = [
        ["index 10,000 entries (1,000 × set_faq), s", fmt(median(r["index_all_s"] for r in runs), 2)],
        ["start-up: load 10,000 rows from SQLite and index them, s", fmt(median(startup), 2)],
        ["memory held by the index of 10,000 entries (tracemalloc), MB", fmt(median(r["index_mb"] for r in runs), 1)],
        ["typo vocabulary, words: before → after", f"{vocab[0]:,} → {vocab[1]:,}"],
        ["/ask p50 with entries ÷ without", f"{faq50 / base50:.2f}×"],
        ["/ask with typos p50 with entries ÷ without", f"{typo50f / typo50b:.2f}×"],
        ["a server's own questions answered from its own entries", f"{median(r['own_hit_rate'] for r in runs) * 100:.0f}%"],
    ]
    return (f"FAQ scale: 1,000 servers × 10 entries (median of {len(runs)} runs)\nmachine: {machine()}\n\n"
            + table(["operation", "p50 ms", "p99 ms"], rows) + "\n\n" + table(["figure", "value"], summary))


# --- explainers -----------------------------------------------------------------------------------

async def explainer_run(run: int, pacing: str, faults: int, count: int = 1000) -> dict[str, Any]:
    from bot import db
    from bot import explainers as ex
    from bot.service import build_service

    scale = 1.0 if pacing == "real" else 25.0
    edit_interval, channel_interval = ex.EDIT_INTERVAL / scale, ex.CHANNEL_INTERVAL / scale
    backoff = ex.BACKOFF_START / scale if pacing == "real" else 0.05
    tmp = Path(tempfile.mkdtemp(prefix="bench-explainers-"))
    bot, harness = await build_livetally(tmp, build_service(), edit_interval=edit_interval,
                                         channel_interval=channel_interval, backoff_start=backoff)
    manager = bot.resources.explainers
    conn = bot.resources.conn
    service = bot.service
    try:
        servers = count // 4
        placed: list[Any] = []
        message_id = 9_000_000
        for s in range(servers):
            guild_id = BASE_GUILD + s
            rendered = manager.render(guild_id, "rates")
            for c in range(2):
                channel_id = 7_000_000 + s * 10 + c
                for _ in range(2):
                    message_id += 1
                    placed.append(await db.add_explainer(conn, guild_id=guild_id, channel_id=channel_id,
                                                         message_id=message_id, topic="rates",
                                                         content_hash=rendered.digest))
        for s in range(servers):  # a rate change in every server
            await db.set_rate_override(conn, BASE_GUILD + s, "diamond_usd", "0.004")
            service.set_overrides(BASE_GUILD + s, {"diamond_usd": "0.004"})

        stamps: list[tuple[float, str, dict[str, Any] | None]] = []
        real_request = harness.http.request

        async def stamped(route: Any, **kwargs: Any) -> Any:
            stamps.append((time.monotonic(), route.url.split("/api/v10", 1)[-1], kwargs.get("json")))
            return await real_request(route, **kwargs)

        bot.http.request = stamped  # type: ignore[method-assign]
        if faults:
            harness.http.fail_next("PATCH", "/channels/", 500, 0, count=faults)
        attempts = Counter()
        real_edit = manager._edit

        async def counted(explainer_id: int) -> None:
            attempts[explainer_id] += 1
            return await real_edit(explainer_id)

        manager._edit = counted  # type: ignore[method-assign]

        # How long refresh() holds the loop: a ticker measures the longest gap it sees.
        gaps: list[float] = []
        stop = asyncio.Event()

        async def ticker() -> None:
            last = time.perf_counter()
            while not stop.is_set():
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        tick = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        start = time.monotonic()
        t0 = time.perf_counter()
        queued = await manager.refresh()
        refresh_s = time.perf_counter() - t0
        await asyncio.sleep(0.01)  # let the ticker record the gap that spans refresh()
        refresh_gap = max(gaps) if gaps else float("nan")
        drained = await manager.drain(timeout=3600)
        drain_s = time.monotonic() - start
        stop.set()
        await tick

        patches = [(t, path, body) for t, path, body in stamps if body is not None and "/messages/" in path]
        times = sorted(t for t, _, _ in patches)
        window = max((sum(1 for u in times[i:i + 200] if u - t < 1.0) for i, t in enumerate(times)), default=0)
        by_channel: dict[str, list[float]] = defaultdict(list)
        for t, path, _ in patches:
            by_channel[path.split("/")[2]].append(t)
        channel_gap = min((b - a for ts in by_channel.values() for a, b in zip(sorted(ts), sorted(ts)[1:])),
                          default=float("nan"))
        # Lost: an explainer whose stored hash or whose message's last edit doesn't show the new rate.
        last_body: dict[int, dict[str, Any]] = {}
        for _, path, body in patches:
            last_body[int(path.rsplit("/", 1)[-1])] = body
        lost = 0
        for placed_one in placed:
            now = await db.get_explainer(conn, placed_one.id)
            want = manager.render(now.guild_id, now.topic).digest
            body = last_body.get(now.message_id)
            shows = body is not None and "$0.004" in body["embeds"][0]["description"]
            lost += not (now.status == "active" and now.content_hash == want and shows)
        return {
            "queued": queued, "refresh_s": refresh_s, "refresh_gap_ms": refresh_gap * 1000.0, "drained": drained,
            "drain_s": drain_s, "requests": len(patches), "edit_attempts": sum(attempts.values()),
            "edits_in_1s": window, "channel_gap_s": channel_gap, "lost": lost, "count": count,
            "projected_s": drain_s * scale if pacing != "real" else drain_s, "scale": scale,
            "edit_interval": edit_interval, "channel_interval": channel_interval,
        }
    finally:
        await bot.close()


def explainer_report(runs: list[dict[str, Any]], pacing: str, faults: int) -> str:
    first = runs[0]
    m = lambda key: median(r[key] for r in runs)  # noqa: E731
    rows = [
        ["explainers posted / queued by refresh()", f"{first['count']:,} / {fmt(m('queued'), 0)}"],
        ["refresh(): wall time, ms", fmt(m("refresh_s") * 1000, 1)],
        ["refresh(): longest event-loop stall seen by a 1 ms ticker, ms", fmt(m("refresh_gap_ms"), 1)],
        [f"drain at {first['edit_interval'] * 1000:g} ms/edit, {first['channel_interval'] * 1000:g} ms/channel, s",
         fmt(m("drain_s"), 1)],
        ["drain projected at the bot's real pacing (×%g), s" % first["scale"] if pacing != "real"
         else "drain at the bot's real pacing, s", fmt(m("projected_s"), 0)],
        ["edit requests sent (PATCH)", fmt(m("requests"), 0)],
        ["worker turns (edits tried, incl. re-queued for channel pacing)", fmt(m("edit_attempts"), 0)],
        ["most edits in any 1 s window (real pacing allows 4)" if pacing == "real"
         else f"most edits in any 1 s window (scaled ×{first['scale']:g})", fmt(m("edits_in_1s"), 0)],
        ["shortest gap between two edits in one channel, s", fmt(m("channel_gap_s"), 3)],
        ["lost (not showing the new rate at the end)", fmt(m("lost"), 0)],
        ["drained completely in every run", str(all(r["drained"] for r in runs))],
    ]
    return (f"Explainer refresh after a rate change: {first['count']:,} explainers, pacing {pacing}, "
            f"{faults} injected 500s (median of {len(runs)} runs)\nmachine: {machine()}\n\n"
            + table(["figure", "value"], rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=("faq", "explainers", "all"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pacing", choices=("scaled", "real"), default="scaled")
    parser.add_argument("--faults", type=int, default=0, help="fail the first N edits with HTTP 500")
    parser.add_argument("--count", type=int, default=1000, help="explainers (a multiple of 4)")
    args = parser.parse_args(argv)
    if args.part in ("faq", "all"):
        runs = [faq_run(i) for i in range(args.runs)]
        startup = [asyncio.run(faq_startup_load(i)) for i in range(args.runs)]
        print(faq_report(runs, startup))
        print()
    if args.part in ("explainers", "all"):
        runs = [asyncio.run(explainer_run(i, args.pacing, args.faults, args.count)) for i in range(args.runs)]
        print(explainer_report(runs, args.pacing, args.faults))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
