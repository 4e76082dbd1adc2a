"""Nothing lost: a writer killed with SIGKILL 50 times mid-write; every write it acknowledged is
there afterwards, whole, and `PRAGMA integrity_check` is ok (tests/db/crash_harness.py).

LIVETALLY_CRASH_SEED replays a failing run (the seed is in the assertion message).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tests.db.crash_harness import run_crash_test

KILLS = 50


@pytest.mark.timeout(300)
async def test_50_kills_mid_write_lose_nothing_acknowledged(tmp_path: Path) -> None:
    seed = int(os.environ.get("LIVETALLY_CRASH_SEED", random.randrange(2**32)))

    report = await run_crash_test(tmp_path / "data" / "livetally.db", KILLS, seed=seed)

    assert report.problems == (), f"seed {seed}: {report.problems[:5]}"
    assert report.killed == report.iterations == KILLS, f"seed {seed}: only {report.killed} writers died of SIGKILL"
    assert report.acknowledged >= KILLS, f"seed {seed}"
    print(f"seed {seed}: {KILLS} kills, {report.acknowledged} acknowledged writes, all present")
