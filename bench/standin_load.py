"""LiveTally against a bare discord.py /ping bot, end to end through the local Discord stand-in.

    .venv/bin/python -m bench.standin_load [--runs 3] [--total 10000]

Each run starts one stand-in (tests/e2e/standin.py: REST + gateway on 127.0.0.1, no spec
validation so it costs as little as possible) and, one after the other, real bot processes
connected to it, in an order that rotates between runs:

- `tests/e2e/bare_bot.py`: a bare discord.py bot answering /ping with "pong" (the baseline);
- `bench/embed_bot.py`: that bot answering /ping with LiveTally's /likes card: what a reply as big
  as LiveTally's costs any discord.py bot;
- `bench/embed_bot.py --as-livetally`: the same, sending it as LiveTally does (no `with_response`,
  over its own kept-alive connections) with the heap settled as LiveTally settles it: LiveTally
  minus its own work;
- `python -m bot`: LiveTally.

For each bot and each command, N interactions are injected through the gateway by a closed loop
of 1, 10 and 50 workers ("in flight"); latency is from the stand-in sending INTERACTION_CREATE to
it accepting the initial response. Reported: throughput and p50/p99 latency, the ratio of
LiveTally's throughput to the bare bot's /ping at the same concurrency in the same run (goal ≥ 0.8),
the bot process's CPU time per interaction (psutil), and its RSS after start-up and after
`--total` interactions. The stand-in and the load generator share this process; its CPU use is
printed too, so you can see when it (not the bot) is the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bench._common import fmt, machine, median, percentile, table, varied_amounts, varied_questions
from tests.e2e.process import launch
from tests.e2e.standin import StandIn

CONCURRENCY = (1, 10, 50)
COUNTS = {1: 1000, 10: 2000, 50: 4000}  # interactions per cell
RESPONSE_TIMEOUT = 10.0
READY_TIMEOUT = 60.0

# Options are one dict (the same every time: a burst of one question) or a list of dicts, taken in
# turn and never repeated within a run (every answer computed afresh, none from the reply cache).
Options = dict[str, Any] | list[dict[str, Any]]
_DIFFERENT = 8_000  # more than one bot run sends of each command
LIVETALLY_COMMANDS: tuple[tuple[str, str, Options], ...] = (
    ("/likes", "likes", {}),
    ("/ask", "ask", {"question": "do you get paid for likes on tiktok live"}),
    ("/ask, every question different", "ask", [{"question": q} for q in varied_questions(_DIFFERENT)]),
    ("/estimate diamonds", "estimate diamonds", {"amount": 40000}),
    ("/estimate diamonds, every amount different", "estimate diamonds",
     [{"amount": a} for a in varied_amounts(_DIFFERENT)]),
)
BARE, CARD, CARD_AS_LIVETALLY, LIVETALLY = "bare", "card", "card as LiveTally sends it", "livetally"
PING_LABEL = "/ping (bare)"
CARD_LABEL = "/ping → /likes card (bare)"
CARD_AS_LIVETALLY_LABEL = "/ping → /likes card, sent as LiveTally sends"


@dataclass(frozen=True)
class BotSpec:
    """How to start one bot, and what to ask it."""

    name: str
    script: tuple[str, ...]  # python arguments; `sync` is appended to register the commands
    extra: tuple[str, ...]  # arguments after the script, for running and for syncing alike
    ready_line: str
    commands: tuple[tuple[str, str, Options], ...]
    top_up: bool = False  # keep going to `--total` interactions and read RSS again


BOTS: tuple[BotSpec, ...] = (
    BotSpec(LIVETALLY, ("-m", "bot"), (), "ready as", LIVETALLY_COMMANDS, top_up=True),
    BotSpec(BARE, ("tests/e2e/bare_bot.py",), (), "ready in", ((PING_LABEL, "ping", {}),), top_up=True),
    BotSpec(CARD, ("bench/embed_bot.py",), (), "ready in", ((CARD_LABEL, "ping", {}),)),
    BotSpec(CARD_AS_LIVETALLY, ("bench/embed_bot.py",), ("--as-livetally",), "ready in",
            ((CARD_AS_LIVETALLY_LABEL, "ping", {}),)),
)
VARIED_LABELS = {label for label, _, options in LIVETALLY_COMMANDS if isinstance(options, list)}


class TimedStandIn(StandIn):
    """The stand-in, stamping when each interaction's initial response was accepted."""

    async def _callback(self, record: Any, interaction_id: int, token: str) -> Any:
        result = await super()._callback(record, interaction_id, token)
        interaction = self._interactions_by_id.get(interaction_id)
        if interaction is not None and not hasattr(interaction, "answered_at"):
            interaction.answered_at = time.monotonic()  # type: ignore[attr-defined]
        return result


@dataclass
class Cell:
    label: str
    concurrency: int
    count: int
    seconds: float
    latencies: list[float]
    failures: int
    bot_cpu_ms: float  # per interaction
    gen_cpu_share: float  # this process's CPU time / wall time

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else float("nan")


@dataclass
class BotRun:
    name: str
    cells: list[Cell] = field(default_factory=list)
    rss_start_mb: float = float("nan")
    rss_end_mb: float = float("nan")
    interactions: int = 0


async def drive(standin: StandIn, name: str, options: Iterator[dict[str, Any]], count: int,
                concurrency: int) -> tuple[list[float], int, float]:
    """`count` interactions by `concurrency` closed-loop workers: (latencies ms, failures, seconds)."""
    remaining = [count]
    latencies: list[float] = []
    failures = [0]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            interaction = await standin.inject_command(name, next(options))
            try:
                await interaction.wait_response(timeout=RESPONSE_TIMEOUT)
            except TimeoutError:
                failures[0] += 1
                continue
            latencies.append((interaction.answered_at - interaction.created_at) * 1000.0)  # type: ignore[attr-defined]

    start = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, failures[0], time.monotonic() - start


async def measure_bot(standin: StandIn, spec: BotSpec, total: int, tmp: Path) -> BotRun:
    sync = await launch(standin, tmp, *spec.script, "sync")
    try:
        if await sync.wait(READY_TIMEOUT) != 0:
            raise RuntimeError(f"{spec.name} sync failed:\n{sync.output[-3000:]}")
    finally:
        await sync.stop()
    bot = await launch(standin, tmp, *spec.script, *spec.extra)
    result = BotRun(spec.name)
    try:
        await bot.wait_for_line(spec.ready_line, READY_TIMEOUT)
        await standin.wait_connected()
        proc = psutil.Process(bot.process.pid)
        me = psutil.Process()
        result.rss_start_mb = proc.memory_info().rss / 2**20
        done = 0
        feeds = {label: feed(options) for label, _, options in spec.commands}
        for label, command, _ in spec.commands:  # warm-up
            await drive(standin, command, feeds[label], 100, 10)
            done += 100
        for concurrency in CONCURRENCY:
            for label, command, _ in spec.commands:
                count = COUNTS[concurrency]
                quiet_collector()
                cpu0, gen0, wall0 = _cpu(proc), _cpu(me), time.monotonic()
                latencies, failures, seconds = await drive(standin, command, feeds[label], count, concurrency)
                cpu1, gen1, wall1 = _cpu(proc), _cpu(me), time.monotonic()
                done += count
                result.cells.append(Cell(label, concurrency, count, seconds, latencies, failures,
                                         (cpu1 - cpu0) * 1000.0 / count, (gen1 - gen0) / (wall1 - wall0)))
        i = 0
        while spec.top_up and done < total:  # top up to `total` interactions, mixed, then read RSS
            label, command, _ = spec.commands[i % len(spec.commands)]
            batch = min(500, total - done)
            await drive(standin, command, feeds[label], batch, 10)
            done += batch
            i += 1
        await asyncio.sleep(0.5)
        result.rss_end_mb = proc.memory_info().rss / 2**20
        result.interactions = done
    finally:
        await bot.stop()
    return result


def feed(options: Options) -> Iterator[dict[str, Any]]:
    """The options for each interaction of a command: the same dict, or a list's in turn (it only
    comes round again in the top-up to `--total`, after every measured cell)."""
    return itertools.repeat(options) if isinstance(options, dict) else itertools.cycle(options)


def quiet_collector() -> None:
    """Move everything this process holds (the stand-in's request records grow all run) out of the
    collector's reach, so a full collection here never stalls the load mid-cell: the instrument
    must not add noise to one bot and not another. `one_run` gives it back at the end."""
    gc.collect()
    gc.freeze()


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


Run = tuple[dict[str, BotRun], list[str]]


async def one_run(index: int, total: int) -> Run:
    """Every bot one after the other on one stand-in, in an order that rotates between runs."""
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-e2e-{index}-"))
    order = BOTS[index % len(BOTS):] + BOTS[:index % len(BOTS)]
    async with TimedStandIn(spec=None) as standin:
        done = {spec.name: await measure_bot(standin, spec, total, tmp) for spec in order}
        problems = standin.traffic_problems()
    gc.unfreeze()
    return done, problems


def _cell(run: BotRun, concurrency: int, label: str | None = None) -> Cell:
    return next(c for c in run.cells if c.concurrency == concurrency and (label is None or c.label == label))


def report(runs: list[Run], total: int) -> str:
    rows = []
    ratios_at: dict[tuple[bool, int], list[float]] = {}
    cpu: dict[tuple[int, str], float] = {}
    labelled = [(spec.name, label) for spec in (BOTS[1], BOTS[2], BOTS[3], BOTS[0]) for label, _, _ in spec.commands]
    for concurrency in CONCURRENCY:
        for name, label in labelled:
            cells = [_cell(bots[name], concurrency, label) for bots, _ in runs]
            ratios = [cell.throughput / _cell(bots[BARE], concurrency).throughput for cell, (bots, _) in zip(cells, runs)]
            own = [cell.throughput / _cell(bots[CARD_AS_LIVETALLY], concurrency).throughput
                   for cell, (bots, _) in zip(cells, runs)]
            ratio = median(ratios)
            cpu[concurrency, label] = median(c.bot_cpu_ms for c in cells)
            if name == LIVETALLY:
                ratios_at.setdefault((label in VARIED_LABELS, concurrency), []).append(ratio)
            rows.append([
                concurrency, label, fmt(median(c.throughput for c in cells), 0),
                fmt(median(percentile(c.latencies, 50) for c in cells), 2),
                fmt(median(percentile(c.latencies, 99) for c in cells), 2),
                "1.00 (baseline)" if name == BARE else f"{ratio:.2f} ({min(ratios):.2f}–{max(ratios):.2f})",
                f"{median(own):.2f}" if name == LIVETALLY else "—",
                fmt(median(c.bot_cpu_ms for c in cells), 3),
                f"{median(c.gen_cpu_share for c in cells) * 100:.0f}%",
                sum(c.failures for c in cells),
            ])
    headers = ["in flight", "command", "interactions/s", "p50 ms", "p99 ms", "throughput ÷ bare /ping (range)",
               "÷ the card sent as LiveTally sends", "bot CPU ms / interaction", "stand-in process CPU", "unanswered"]
    split_rows = []
    for concurrency in CONCURRENCY:
        ping, card, lean = (cpu[concurrency, label] for label in (PING_LABEL, CARD_LABEL, CARD_AS_LIVETALLY_LABEL))
        for label, _, _ in LIVETALLY_COMMANDS:
            total_ms = cpu[concurrency, label]
            split_rows.append([concurrency, label, fmt(total_ms, 3), fmt(ping, 3), fmt(card - ping + 0.0, 3),
                               fmt(lean - card + 0.0, 3), fmt(total_ms - lean + 0.0, 3), f"{ping / total_ms:.2f}"])
    rss_rows = []
    for name in (LIVETALLY, BARE):
        picked = [bots[name] for bots, _ in runs]
        rss_rows.append([name, fmt(median(r.rss_start_mb for r in picked), 1), fmt(median(r.rss_end_mb for r in picked), 1),
                         fmt(median(r.rss_end_mb - r.rss_start_mb for r in picked), 1), picked[0].interactions])
    problems = sorted({p for _, ps in runs for p in ps})
    lines = [
        f"End to end through the local stand-in: median of {len(runs)} runs; cells of "
        f"{', '.join(f'{COUNTS[c]} at {c} in flight' for c in CONCURRENCY)}",
        f"machine: {machine()}", "", table(headers, rows), "",
        "Bot CPU per interaction, split: the bare bot's floor; what a reply as big as LiveTally's costs a "
        "discord.py bot as it comes (the bare bot answering with the /likes card); what sending it as "
        "LiveTally does saves (no `with_response`, callbacks over `bot.transport`, the heap settled after "
        "start-up); and LiveTally's own work on top. When the bot's core is the bottleneck, throughput ÷ bare = bare CPU ÷ LiveTally CPU "
        "(last column), a steadier figure than the measured ratio on a noisy machine.",
        table(["in flight", "command", "LiveTally CPU ms", "bare /ping CPU ms", "+ bigger reply ms",
               "+ sent as LiveTally sends ms", "+ LiveTally's own work ms", "CPU-bound capacity ÷ bare"], split_rows), "",
        table(["bot", "RSS after start MB", "RSS at the end MB", "growth MB", "interactions"], rss_rows),
        "", "goal: LiveTally ≥ 0.8× the bare bot's throughput.",
        *(f"  {'every input different' if varied else 'the same input repeated'}: " + ", ".join(
            f"{c} in flight: worst command {min(ratios_at[varied, c]):.2f}×" for c in CONCURRENCY)
          for varied in (False, True)),
        f"stand-in traffic problems (unknown routes, pinging bodies): {problems[:5] or 'none'}",
    ]
    return "\n".join(lines)


async def main_async(runs: int, total: int) -> str:
    results = []
    for index in range(runs):
        results.append(await one_run(index, total))
        print(f"run {index + 1}/{runs} done", file=sys.stderr, flush=True)
    return report(results, total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--total", type=int, default=10_000,
                        help="interactions at least, for LiveTally and the bare bot, before RSS is read again")
    parser.add_argument("--quick", action="store_true", help="small cells, for trying the script")
    args = parser.parse_args(argv)
    if args.quick:
        COUNTS.update({1: 50, 10: 100, 50: 200})
    print(asyncio.run(main_async(args.runs, args.total)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
