"""Kill -9 durability: every acknowledged write survives, and the file stays sound.

LIVETALLY_CRASH_ITERATIONS sets how many kills (20 by default; the reliability suite runs 50);
LIVETALLY_CRASH_SEED replays a failing run.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from tests.db.crash_harness import run_crash_test


@pytest.mark.timeout(900)
async def test_acknowledged_writes_survive_sigkill(db_path: Path) -> None:
    iterations = int(os.environ.get("LIVETALLY_CRASH_ITERATIONS", "20"))
    seed = int(os.environ.get("LIVETALLY_CRASH_SEED", random.randrange(2**32)))

    report = await run_crash_test(db_path, iterations, seed=seed)

    assert report.problems == (), f"seed {seed}"
    assert report.killed == report.iterations == iterations
    assert report.acknowledged >= iterations
