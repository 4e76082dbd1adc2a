"""Why a cold answer costs more inside the bot than alone: the same calls back to back, with the
processor's caches refilled between calls (as discord.py's work for each interaction does), and in
batches with the caches refilled between batches.

    .venv/bin/python -m bench.cold_cache [--runs 3] [--n 2000]

Every call gets a different input (never answered from the reply cache). "Refilled" writes one
byte in every 64 of an 8 MB buffer between calls, which pushes LiveTally's code and data out of
the processor's caches; the write itself is outside the timing. µs per call, median of per-call
(or per-batch, divided by its size) times, then the median over runs.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

if __package__ in (None, ""):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, median, table, varied_amounts, varied_questions

_LINE = 64
_BUFFER = bytearray(8 * 1024 * 1024)


def refill_caches() -> None:
    for i in range(0, len(_BUFFER), _LINE):
        _BUFFER[i] = 1


def per_call_us(call: Callable[[], Any], n: int, *, batch: int = 1, refill: bool = False) -> float:
    times = []
    for _ in range(max(1, n // batch)):
        if refill:
            refill_caches()
        start = time.perf_counter()
        for _ in range(batch):
            call()
        times.append((time.perf_counter() - start) / batch)
    return median(times) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=2000, help="calls per piece and way, per run")
    args = parser.parse_args(argv)

    from bot.service import build_service

    service = build_service()
    questions: Iterator[str] = itertools.cycle(varied_questions(12_000))  # 12,000 > every call of a run
    amounts = iter(varied_amounts(10**7))
    pieces: dict[str, Callable[[], Any]] = {
        "Matcher.match": lambda: service.matcher.match(next(questions)),
        "Service.ask": lambda: service.ask(next(questions)),
        "Service.estimate (diamonds)": lambda: service.estimate("diamonds", {"amount": next(amounts)}),
    }
    ways = {"back to back": {}, "caches refilled between calls": {"refill": True},
            "batches of 10, refilled between batches": {"refill": True, "batch": 10}}
    for call in pieces.values():  # warm every path once
        for _ in range(200):
            call()
    results: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for piece, call in pieces.items():
            for way, options in ways.items():
                service.forget_replies()
                results.setdefault((piece, way), []).append(per_call_us(call, args.n, **options))
    rows = []
    for piece in pieces:
        base = median(results[(piece, "back to back")])
        for way in ways:
            value = median(results[(piece, way)])
            rows.append([piece, way, f"{value:,.1f}", f"{value / base:.2f}"])
    print(f"Cold calls with the processor's caches warm and refilled (median of {args.runs} runs × {args.n} calls)\n"
          f"machine: {machine()}\n")
    print(table(["piece", "calls", "µs per call", "÷ back to back"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
