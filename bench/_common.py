"""Shared helpers for the benchmarks: statistics, tables, the machine, and building the bot in-process.

Every script repeats its measurement several times and prints medians across runs; ratios are
against a baseline measured in the same run, so a noisy shared machine moves both sides alike.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` from the project root
    sys.path.insert(0, str(ROOT))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank on sorted data; NaN for no data."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Iterable[float]) -> float:
    data = [v for v in values if v == v]
    return statistics.median(data) if data else float("nan")


def fmt(value: float, digits: int = 2) -> str:
    if value != value:
        return "—"
    return f"{value:,.{digits}f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table (readable in a terminal and pasteable into docs/benchmarks.md)."""
    text_rows = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text_rows)) if text_rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in text_rows]
    return "\n".join(out)


def machine() -> str:
    """One line about where the figures come from."""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "?"
    try:
        load = "load %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = ""
    import discord

    return (f"{os.cpu_count()} × {model}, Python {platform.python_version()}, discord.py {discord.__version__}, "
            f"{platform.system()} {platform.release()}, {load}")


class Timer:
    """perf_counter in milliseconds."""

    @staticmethod
    def ms() -> float:
        return time.perf_counter() * 1000.0


def settle() -> None:
    """Collect garbage between measured batches so one batch's garbage isn't charged to the next."""
    gc.collect()


async def build_livetally(tmp_dir: Path, service: Any = None, **explainer_options: float) -> tuple[Any, Any]:
    """The real bot with every extension, a fresh database in `tmp_dir`, driven by tests/harness.py.
    Returns (bot, harness). Close with `await bot.close()`."""
    from bot.client import LiveTallyBot
    from bot.resources import open_test_resources
    from bot.service import build_service
    from tests.harness import Harness

    service = service or build_service()
    options = {"edit_interval": 0, "channel_interval": 0, "backoff_start": 0.01} | explainer_options
    resources = await open_test_resources(service, tmp_dir / "bench.db", **options)
    bot = LiveTallyBot(resources=resources)
    await bot._async_setup_hook()
    await bot.setup_hook()
    if bot.failed_extensions:
        raise RuntimeError(f"extensions failed: {bot.failed_extensions}")
    harness = Harness(bot)
    harness.install()
    return bot, harness


def build_bare_ping() -> Any:
    """A bare discord.py client with one /ping command on a CommandTree: the framework's floor."""
    import discord
    from discord import app_commands

    client = discord.Client(intents=discord.Intents.none(), allowed_mentions=discord.AllowedMentions.none())
    tree = app_commands.CommandTree(client)

    @tree.command(name="ping", description="Check that the bot answers.")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    client.tree = tree  # type: ignore[attr-defined]
    return client


# Ways people open and close the same question: with the dev set's 268 questions they give
# thousands of different texts, so a run never answers one of them from the reply cache.
_OPENERS = ("", "hey ", "quick question: ", "so ", "pls help, ", "genuinely asking: ", "ok ", "hi all, ")
_CLOSERS = ("", "?", " thanks", " lol", " 🙏", "??", " pls", " asking for a friend")


def varied_questions(count: int) -> list[str]:
    """`count` different member questions (topics, estimates and off-topic ones) from the matcher's
    independent dev set (tests/kb/questions_dev.tsv), each asked in a different way."""
    rows = (ROOT / "tests" / "kb" / "questions_dev.tsv").read_text(encoding="utf-8").splitlines()[1:]
    base = [line.split("\t", 1)[0] for line in rows if line.strip()]
    variants = [f"{opener}{question}{closer}" for closer in _CLOSERS for opener in _OPENERS for question in base]
    if count > len(variants):
        raise ValueError(f"only {len(variants)} different questions available")
    return [v[:500] for v in variants[:count]]


def varied_amounts(count: int, start: int = 1000) -> list[int]:
    """`count` different diamond amounts (1,000, 1,037, 1,074 …)."""
    return [start + 37 * i for i in range(count)]
