"""Kill -9 durability harness: nothing a writer process acknowledged may be lost when it is killed.

`run_crash_test` starts `crash_writer.py` against one database file again and again, each time
as a new server (guild) so runs never collide; it reads the writer's acknowledgements, kills it
with SIGKILL at a random moment, then checks that `PRAGMA integrity_check` is clean and that
every write acknowledged so far, in every run, is present and whole. The reliability suite calls
it with its own iteration count.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.db import check_integrity, close_db, get_rate_overrides, list_faq, open_db
from tests.db.crash_writer import faq_answer, faq_name, faq_question, rate_key

WRITER = Path(__file__).with_name("crash_writer.py")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60.0  # bound on every wait for a writer; generous, the machine is shared


@dataclass
class Ledger:
    """Every write the writers acknowledged, by server: the latest rate write per key, the FAQ writes."""

    rates: dict[int, dict[str, int]] = field(default_factory=dict)
    faqs: dict[int, set[int]] = field(default_factory=dict)
    acknowledged: int = 0

    def record(self, guild_id: int, line: bytes) -> None:
        kind, seq_text = line.decode().split()
        seq = int(seq_text)
        if kind == "rate":
            self.rates.setdefault(guild_id, {})[rate_key(seq)] = seq
        elif kind == "faq":
            self.faqs.setdefault(guild_id, set()).add(seq)
        else:
            raise ValueError(f"not an acknowledgement: {line!r}")
        self.acknowledged += 1

    def record_output(self, guild_id: int, output: bytes) -> None:
        """Record every complete line; a line cut short by the kill was never acknowledged."""
        for line in output.splitlines(keepends=True):
            if line.endswith(b"\n"):
                self.record(guild_id, line)


@dataclass(frozen=True)
class CrashReport:
    seed: int
    iterations: int
    killed: int  # writers that died of SIGKILL
    acknowledged: int
    problems: tuple[str, ...]


async def spawn_writer(
    db_path: Path, guild_id: int, stderr_path: Path, count: int | None = None
) -> asyncio.subprocess.Process:
    """Start `crash_writer.py` with stdout piped and stderr going to `stderr_path`."""
    args = [sys.executable, str(WRITER), str(db_path), str(guild_id)]
    if count is not None:
        args.append(str(count))
    python_path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    with stderr_path.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.PIPE, stderr=stderr, env={**os.environ, "PYTHONPATH": python_path}
        )


async def run_crash_test(db_path: Path, iterations: int, *, seed: int, max_acks: int = 25) -> CrashReport:
    """Kill a writer `iterations` times, each after 1..`max_acks` acknowledgements plus a random pause."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    ledger = Ledger()
    problems: list[str] = []
    killed = 0
    for iteration in range(iterations):
        returncode = await _kill_writer_after_acks(db_path, iteration + 1, ledger, rng, rng.randint(1, max_acks))
        killed += returncode == -signal.SIGKILL
        problems += [f"after kill {iteration + 1}: {problem}" for problem in await verify(db_path, ledger)]
    return CrashReport(seed, iterations, killed, ledger.acknowledged, tuple(problems))


async def _kill_writer_after_acks(db_path: Path, guild_id: int, ledger: Ledger, rng: random.Random, acks: int) -> int:
    """Run a writer until `acks` acknowledgements and a random pause, kill it; return its exit code."""
    stderr_path = db_path.with_name(f"writer-{guild_id}.stderr")
    writer = await spawn_writer(db_path, guild_id, stderr_path)
    assert writer.stdout is not None
    try:
        async with asyncio.timeout(WAIT_SECONDS):
            for _ in range(acks):
                line = await writer.stdout.readline()
                if not line.endswith(b"\n"):
                    raise RuntimeError(f"writer stopped on its own: {stderr_path.read_text(errors='replace')}")
                ledger.record(guild_id, line)
        await asyncio.sleep(rng.uniform(0, 0.003))
    finally:
        if writer.returncode is None:
            writer.kill()
        async with asyncio.timeout(WAIT_SECONDS):
            returncode = await writer.wait()
            ledger.record_output(guild_id, await writer.stdout.read())
    return returncode


async def verify(db_path: Path, ledger: Ledger) -> list[str]:
    """Problems with the database against the ledger: integrity, lost writes, partial rows."""
    problems = [f"integrity_check: {problem}" for problem in check_integrity(db_path)]
    conn = await open_db(db_path)
    try:
        for guild_id, latest in ledger.rates.items():
            stored = await get_rate_overrides(conn, guild_id)
            for key, seq in latest.items():
                value = stored.get(key)
                if value is None or int(value) < seq or rate_key(int(value)) != key:
                    problems.append(f"server {guild_id}: {key} is {value!r}, acknowledged {seq}")
        for guild_id in ledger.rates.keys() | ledger.faqs.keys():
            entries = {entry.name: entry for entry in await list_faq(conn, guild_id)}
            problems += [
                f"server {guild_id}: acknowledged FAQ {faq_name(seq)} is missing"
                for seq in sorted(ledger.faqs.get(guild_id, set()))
                if faq_name(seq) not in entries
            ]
            for name, entry in entries.items():
                seq = int(name.removeprefix("faq-"))
                if (entry.question, entry.answer) != (faq_question(seq), faq_answer(seq)):
                    problems.append(f"server {guild_id}: FAQ {name} is not as written: {entry}")
    finally:
        await close_db(conn)
    return problems
