from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.db import close_db, open_db


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "livetally.db"


@pytest.fixture
async def conn(db_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await open_db(db_path)
    yield connection
    await close_db(connection)
