"""Concurrent writers neither corrupt nor drop each other's writes: coroutines, connections, processes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import pytest

from bot.db import (
    DuplicateNameError,
    FaqEntry,
    LoggedQuestion,
    add_faq,
    check_integrity,
    close_db,
    count_faq,
    get_rate_overrides,
    log_questions,
    open_db,
    set_rate_override,
)
from tests.db.crash_harness import WAIT_SECONDS, Ledger, spawn_writer, verify
from tests.db.crash_writer import RATE_KEYS, rate_key

Conn = aiosqlite.Connection


async def _write_many(conn: Conn, guild_id: int, count: int) -> None:
    """Rate overrides, FAQ entries and question-log batches, all started at once."""
    await asyncio.gather(
        *(set_rate_override(conn, guild_id, f"key-{n}", f"value-{n}") for n in range(count)),
        *(add_faq(conn, guild_id, f"entry-{n}", f"question {n}", f"answer {n}") for n in range(count)),
        *(
            log_questions(conn, [LoggedQuestion(guild_id, f"q{n}-{i}", None, "unknown", n) for i in range(3)])
            for n in range(count)
        ),
    )


async def _assert_all_written(conn: Conn, guild_id: int, count: int) -> None:
    assert await get_rate_overrides(conn, guild_id) == {f"key-{n}": f"value-{n}" for n in range(count)}
    assert await count_faq(conn, guild_id) == count
    rows = list(await conn.execute_fetchall("SELECT count(*) FROM question_log WHERE guild_id = ?", (guild_id,)))
    assert rows[0][0] == 3 * count


async def test_concurrent_writes_on_one_connection_all_land(conn: Conn) -> None:
    await _write_many(conn, 1, 150)
    await _assert_all_written(conn, 1, 150)


async def test_one_of_several_concurrent_adds_of_a_name_wins(conn: Conn) -> None:
    names = ["Payout", "payout", "PAYOUT", "PayOut"] * 5
    results = await asyncio.gather(*(add_faq(conn, 1, name, "q", "a") for name in names), return_exceptions=True)

    assert sum(isinstance(result, FaqEntry) for result in results) == 1
    assert sum(isinstance(result, DuplicateNameError) for result in results) == len(names) - 1
    assert await count_faq(conn, 1) == 1


async def test_connections_opening_a_new_file_at_once_all_open(tmp_path: Path) -> None:
    """Switching a new file to WAL takes an exclusive lock SQLite's busy handler does not wait for;
    without a retry about one pair in seven failed with "database is locked"."""
    for attempt in range(40):
        path = tmp_path / f"new-{attempt}.db"
        opened = await asyncio.gather(*(open_db(path) for _ in range(3)), return_exceptions=True)
        for conn in opened:
            if isinstance(conn, aiosqlite.Connection):
                await close_db(conn)
        assert [c for c in opened if isinstance(c, BaseException)] == []
        assert check_integrity(path) == []


async def test_two_connections_writing_at_once_wait_for_each_other(db_path: Path) -> None:
    first, second = await asyncio.gather(open_db(db_path), open_db(db_path))
    try:
        await asyncio.gather(_write_many(first, 1, 150), _write_many(second, 2, 150))
        await _assert_all_written(second, 1, 150)
        await _assert_all_written(first, 2, 150)
    finally:
        await close_db(first)
        await close_db(second)
    assert check_integrity(db_path) == []


@pytest.mark.timeout(300)
async def test_processes_opening_and_writing_at_once_lose_nothing(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    writes = 300
    guilds = (1, 2, 3)
    writers = [
        await spawn_writer(db_path, guild_id, db_path.with_name(f"writer-{guild_id}.stderr"), count=writes)
        for guild_id in guilds
    ]
    ledger = Ledger()
    async with asyncio.timeout(WAIT_SECONDS * 3):
        for guild_id, writer in zip(guilds, writers):
            output, _ = await writer.communicate()
            stderr = db_path.with_name(f"writer-{guild_id}.stderr").read_text()
            assert (writer.returncode, stderr) == (0, "")
            ledger.record_output(guild_id, output)

    assert ledger.acknowledged == writes * len(guilds)
    assert await verify(db_path, ledger) == []
    conn = await open_db(db_path)
    try:
        for guild_id in guilds:
            assert await count_faq(conn, guild_id) == writes // 2
            last = {rate_key(seq): str(seq) for seq in range(writes - 2 * RATE_KEYS, writes, 2)}
            assert await get_rate_overrides(conn, guild_id) == last
    finally:
        await close_db(conn)
