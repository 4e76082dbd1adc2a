"""What the cyclic garbage collector costs per interaction, with Python's thresholds and with the
ones the bot sets after start-up (`bot.client.settle_heap`).

    .venv/bin/python -m bench.collector [--runs 3] [--n 2500]

In process, through discord.py's real CommandTree (tests/harness.py), with 50 interactions in
flight (each reply hands the loop over once, as a real send does, so the ones in flight are alive
together, as in the running bot): `/ask` with a different question every time and `/estimate
diamonds` with a different amount every time (the cold answers that leave the most objects
behind), and `/likes`. Each batch runs once with the collector's first threshold at Python's
default (700) and once at YOUNG_COLLECTION_THRESHOLD, both after `gc.freeze()`, in alternating
order; the collector's own time is summed from `gc.callbacks`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import build_livetally, fmt, machine, median, table, varied_amounts, varied_questions
from bot.client import YOUNG_COLLECTION_THRESHOLD

PYTHON_DEFAULT = 700


class CollectorClock:
    """Sums the time of every collection (and counts them) while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.runs = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.runs[info["generation"]] += 1


IN_FLIGHT = 50


async def batch(harness: Any, payloads: list[dict[str, Any]], threshold: int) -> tuple[float, float, list[int]]:
    """(µs per interaction, collector µs per interaction, collections by generation)."""
    from tests.reliability.support import invoke

    pending = iter(payloads)

    async def worker() -> None:
        for payload in pending:
            await invoke(harness, payload)

    previous = gc.get_threshold()
    gc.set_threshold(threshold, *previous[1:])
    clock = CollectorClock()
    gc.callbacks.append(clock)
    try:
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
        elapsed = time.perf_counter() - started
    finally:
        gc.callbacks.remove(clock)
        gc.set_threshold(*previous)
    return elapsed / len(payloads) * 1e6, clock.seconds / len(payloads) * 1e6, clock.runs


async def main_async(runs: int, n: int) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="bench-gc-"))
    bot, harness = await build_livetally(tmp)
    record = harness.adapter.request

    async def request(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)  # a real send waits on the network: the other interactions run meanwhile
        return await record(*args, **kwargs)

    harness.adapter.request = request
    total = 2 * runs * n + 100  # every question and amount asked once
    questions = iter(varied_questions(total))
    amounts = iter(varied_amounts(total))
    commands = {
        "/ask, every question different": lambda: harness.payload("ask", {"question": next(questions)}),
        "/estimate diamonds, every amount different": lambda: harness.payload("estimate diamonds",
                                                                              {"amount": next(amounts)}),
        "/likes": lambda: harness.payload("likes", {}),
    }
    results: dict[tuple[str, int], list[tuple[float, float, list[int]]]] = {}
    try:
        for make in commands.values():  # warm every path
            await batch(harness, [make() for _ in range(100)], PYTHON_DEFAULT)
        gc.collect()
        gc.freeze()
        for run in range(runs):
            for label, make in commands.items():
                order = (PYTHON_DEFAULT, YOUNG_COLLECTION_THRESHOLD)
                for threshold in order if run % 2 == 0 else order[::-1]:
                    payloads = [make() for _ in range(n)]
                    results.setdefault((label, threshold), []).append(await batch(harness, payloads, threshold))
    finally:
        gc.unfreeze()
        await bot.close()
    rows = []
    for label in commands:
        base = median(r[0] for r in results[label, PYTHON_DEFAULT])
        for threshold in (PYTHON_DEFAULT, YOUNG_COLLECTION_THRESHOLD):
            cells = results[label, threshold]
            per = median(r[0] for r in cells)
            counts = [median(r[2][g] * 1000 / n for r in cells) for g in range(3)]
            rows.append([label, f"{threshold:,}", fmt(per, 1), fmt(median(r[1] for r in cells), 1),
                         f"{median(r[1] / r[0] for r in cells) * 100:.0f}%", " / ".join(fmt(c, 1) for c in counts),
                         f"{per / base:.2f}"])
    return "\n".join([
        f"The collector's share, in process: median of {runs} runs × {n} interactions per command and threshold; "
        "gc.freeze() after warm-up",
        f"machine: {machine()}", "",
        table(["command", "first threshold", "µs per interaction", "collector µs per interaction", "collector share",
               "collections per 1,000 (gen 0 / 1 / 2)", "time ÷ Python's default"], rows),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=2500, help="interactions per command and threshold in a run")
    args = parser.parse_args(argv)
    print(asyncio.run(main_async(args.runs, args.n)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
