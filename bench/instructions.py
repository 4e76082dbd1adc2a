"""Instructions per cold call, counted by valgrind: a figure the machine's noise does not move.

    .venv/bin/python -m bench.instructions [--n 2000] [--compare DIR]

Timings on a shared machine move by 10–20% from one minute to the next; the number of machine
instructions a call executes does not. Each piece runs in a fresh Python under
`valgrind --tool=cachegrind --cache-sim=no`, once with no calls and once with `--n` calls (each
with a different input, never from the reply cache, after the same warm-up), and the difference is
divided by `--n`. `--compare DIR` counts another checkout of LiveTally too (`git worktree add DIR
<commit>`), and prints the ratio. Instructions are not time (a cold call runs fewer of them per
nanosecond than a warm one), but fewer of them for the same answers is less work for the processor.
Needs valgrind (`apt install valgrind`); runs the pieces two at a time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, table

PIECES = {
    "Service.ask": "ask",
    "Service.estimate (diamonds) + embed + JSON": "estimate",
}
WARM_UP = 200
_REFS_RE = re.compile(r"I\s+refs:\s+([\d,]+)")


def work(root: Path, piece: str, n: int) -> None:
    """The measured program (run under valgrind): load `root`'s service, warm it up, make `n` calls."""
    sys.path.insert(0, str(root))
    import discord.utils

    from bench._common import varied_amounts, varied_questions
    from bot.sender import to_embed
    from bot.service import build_service

    service = build_service()
    questions, amounts = varied_questions(WARM_UP + n), varied_amounts(WARM_UP + n)
    calls = {
        "ask": lambda i: service.ask(questions[i]),
        "estimate": lambda i: discord.utils._to_json(to_embed(service.estimate("diamonds", {"amount": amounts[i]}).card).to_dict()),
    }
    call = calls[piece]
    for i in range(WARM_UP):
        call(i)
    for i in range(WARM_UP, WARM_UP + n):
        call(i)


def instructions(output: str) -> int:
    """The total instruction count in cachegrind's summary."""
    match = _REFS_RE.search(output)
    if match is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{output[-2000:]}")
    return int(match.group(1).replace(",", ""))


def count(root: Path, piece: str, n: int) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
               sys.executable, "-m", "bench.instructions", "--work", piece, "--n", str(n), "--root", str(root)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ | {"PYTHONHASHSEED": "0"})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return instructions(done.stderr)


def per_call(root: Path, piece: str, n: int, pool: ThreadPoolExecutor) -> float:
    empty, full = pool.submit(count, root, piece, 0), pool.submit(count, root, piece, n)
    return (full.result() - empty.result()) / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="calls counted per piece")
    parser.add_argument("--compare", type=Path, help="another checkout of LiveTally to count too")
    parser.add_argument("--work", choices=sorted(set(PIECES.values())), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.work:
        work(args.root.resolve(), args.work, args.n)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt install valgrind)", file=sys.stderr)
        return 2
    roots = [ROOT] + ([args.compare.resolve()] if args.compare else [])
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = {(root, label): per_call(root, piece, args.n, pool) for root in roots for label, piece in PIECES.items()}
    headers = ["piece", "instructions per call"]
    if args.compare:
        headers = ["piece", f"{args.compare.name}: instructions per call", "this checkout", "this ÷ that"]
    rows = []
    for label in PIECES:
        here = counts[ROOT, label]
        if args.compare:
            there = counts[roots[1], label]
            rows.append([label, f"{there:,.0f}", f"{here:,.0f}", f"{here / there:.3f}"])
        else:
            rows.append([label, f"{here:,.0f}"])
    print(f"Instructions per call, counted by valgrind (cachegrind), {args.n} calls with different inputs each\n")
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
