from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import aiosqlite
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import QUESTION_MAX, RETENTION_SECONDS, TOPIC_MAX, LoggedQuestion, QuestionLogBuffer, log_questions
from bot.db import question_log as question_log_module

Conn = aiosqlite.Connection
NOW = 1_800_000_000


class FakeClock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every batch the buffer writes."""
    sizes: list[int] = []

    async def recording(conn: Conn, rows: Sequence[LoggedQuestion]) -> None:
        sizes.append(len(rows))
        await log_questions(conn, rows)

    monkeypatch.setattr(question_log_module, "log_questions", recording)
    return sizes


@pytest.fixture
async def other(db_path: Path, conn: Conn) -> AsyncIterator[Conn]:
    """A second connection, to hold the write lock; `conn` then gives up at once instead of waiting."""
    await conn.execute_fetchall("PRAGMA busy_timeout = 0")
    connection = await aiosqlite.connect(db_path, isolation_level=None)
    yield connection
    await connection.close()


async def _questions(conn: Conn) -> list[tuple[object, ...]]:
    rows = await conn.execute_fetchall("SELECT guild_id, question, topic, kind, asked_at FROM question_log ORDER BY id")
    return [tuple(row) for row in rows]


async def _wait_until(condition: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(10):
        while not await condition():
            await asyncio.sleep(0.005)


def _add(buffer: QuestionLogBuffer, *questions: str) -> None:
    for question in questions:
        buffer.add(1, question, None, "unknown")


async def test_flush_writes_everything_queued_in_batches(conn: Conn, clock: FakeClock, batches: list[int]) -> None:
    buffer = QuestionLogBuffer(conn, batch_size=3, clock=clock)
    buffer.add(1, "do likes pay?", "likes_pay", "answer")
    clock.now += 1
    buffer.add(None, "2 lions", "gifts_diamonds", "estimate")
    _add(buffer, "a", "b", "c", "d", "e")
    assert buffer.pending == 7
    assert await _questions(conn) == []

    assert await buffer.flush() == 7

    assert batches == [3, 3, 1]
    assert buffer.pending == 0
    assert (await _questions(conn))[:3] == [
        (1, "do likes pay?", "likes_pay", "answer", NOW),
        (None, "2 lions", "gifts_diamonds", "estimate", NOW + 1),
        (1, "a", None, "unknown", NOW + 1),
    ]
    assert await buffer.flush() == 0
    assert batches == [3, 3, 1]


async def test_question_text_is_cleaned_to_fit_the_table(conn: Conn) -> None:
    buffer = QuestionLogBuffer(conn)
    _add(buffer, "  how\0 much \ud800?  ", "x" * (QUESTION_MAX + 50), "   ", "\0")
    await buffer.flush()

    assert [row[1] for row in await _questions(conn)] == ["how much ??", "x" * QUESTION_MAX]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(questions=st.lists(st.text(max_size=QUESTION_MAX + 20), max_size=5))
async def test_whatever_is_asked_the_buffer_never_gets_stuck(conn: Conn, questions: list[str]) -> None:
    buffer = QuestionLogBuffer(conn)
    _add(buffer, *questions)
    queued = buffer.pending

    assert await buffer.flush() == queued
    assert buffer.pending == 0


@pytest.mark.parametrize(
    ("topic", "kind"),
    [(None, "answered"), ("", "answer"), ("t" * (TOPIC_MAX + 1), "answer")],
    ids=["kind", "empty topic", "long topic"],
)
def test_a_row_the_table_cannot_hold_is_a_programming_error(conn: Conn, topic: str | None, kind: str) -> None:
    buffer = QuestionLogBuffer(conn)
    with pytest.raises(ValueError):
        buffer.add(1, "question", topic, kind)  # type: ignore[arg-type]
    assert buffer.pending == 0


@pytest.mark.parametrize(
    "options",
    [
        {"batch_size": 0},
        {"batch_size": 11, "max_pending": 10},
        {"flush_interval": 0},
        {"prune_interval": -1},
        {"retention": 0},
    ],
)
def test_nonsensical_settings_are_refused(conn: Conn, options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        QuestionLogBuffer(conn, **options)  # type: ignore[arg-type]


async def test_a_full_batch_is_written_without_waiting_for_the_interval(conn: Conn) -> None:
    buffer = QuestionLogBuffer(conn, flush_interval=3600, batch_size=3)
    buffer.start()
    _add(buffer, "a", "b")
    await asyncio.sleep(0.05)
    assert await _questions(conn) == []

    _add(buffer, "c")
    await _wait_until(lambda: _count(conn, 3))

    assert buffer.pending == 0
    await buffer.aclose()


async def test_queued_rows_are_written_every_interval(conn: Conn) -> None:
    buffer = QuestionLogBuffer(conn, flush_interval=0.01, batch_size=100)
    buffer.start()
    _add(buffer, "a")
    await _wait_until(lambda: _count(conn, 1))
    _add(buffer, "b")
    await _wait_until(lambda: _count(conn, 2))
    await buffer.aclose()


async def _count(conn: Conn, expected: int) -> bool:
    return len(await _questions(conn)) == expected


async def test_past_the_cap_the_oldest_rows_are_dropped_with_a_warning(
    conn: Conn, caplog: pytest.LogCaptureFixture
) -> None:
    buffer = QuestionLogBuffer(conn, batch_size=2, max_pending=3)
    _add(buffer, "1", "2", "3", "4", "5")
    assert buffer.pending == 3

    with caplog.at_level(logging.WARNING, logger="livetally.db.question_log"):
        await buffer.flush()

    assert [row[1] for row in await _questions(conn)] == ["3", "4", "5"]
    assert "dropped the 2 oldest" in caplog.text


async def test_a_failed_flush_keeps_its_rows_for_the_next(
    conn: Conn, other: Conn, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    await log_questions(conn, [LoggedQuestion(1, "ancient", None, "unknown", NOW - RETENTION_SECONDS - 1)])
    buffer = QuestionLogBuffer(conn, batch_size=2, clock=clock)
    _add(buffer, "a", "b", "c")
    await other.execute_fetchall("BEGIN IMMEDIATE")

    with caplog.at_level(logging.ERROR, logger="livetally.db.question_log"):
        assert await buffer.flush() == 0

    assert buffer.pending == 3
    assert "will retry" in caplog.text
    await other.execute_fetchall("ROLLBACK")
    _add(buffer, "d")

    assert await buffer.flush() == 4
    assert [row[1] for row in await _questions(conn)] == ["a", "b", "c", "d"]  # the prune was retried too


async def test_rows_arriving_during_a_failed_write_still_respect_the_cap(
    conn: Conn, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    buffer = QuestionLogBuffer(conn, batch_size=3, max_pending=3)

    async def failing(conn: Conn, rows: Sequence[LoggedQuestion]) -> None:
        _add(buffer, "4", "5")  # asked while the batch is on its way to the database
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(question_log_module, "log_questions", failing)
    _add(buffer, "1", "2", "3")
    with caplog.at_level(logging.WARNING, logger="livetally.db.question_log"):
        assert await buffer.flush() == 0

    assert buffer.pending == 3
    assert "dropped the 2 oldest" in caplog.text
    monkeypatch.undo()
    await buffer.flush()
    assert [row[1] for row in await _questions(conn)] == ["3", "4", "5"]


async def test_old_rows_are_pruned_at_most_once_per_interval(conn: Conn, clock: FakeClock) -> None:
    expiry = NOW - RETENTION_SECONDS
    buffer = QuestionLogBuffer(conn, prune_interval=3600, clock=clock)
    await log_questions(
        conn,
        [LoggedQuestion(1, "expired", None, "unknown", expiry - 1), LoggedQuestion(1, "kept", None, "unknown", expiry)],
    )

    await buffer.flush()
    assert [row[1] for row in await _questions(conn)] == ["kept"]

    clock.now += 3599
    await buffer.flush()
    assert [row[1] for row in await _questions(conn)] == ["kept"]  # not yet due, though "kept" has now expired

    clock.now += 1
    await buffer.flush()
    assert await _questions(conn) == []


async def test_closing_writes_what_is_queued_and_stops_the_writer(conn: Conn) -> None:
    buffer = QuestionLogBuffer(conn, flush_interval=3600, batch_size=100)
    buffer.start()
    _add(buffer, "a", "b")

    await buffer.aclose()
    await buffer.aclose()

    assert [row[1] for row in await _questions(conn)] == ["a", "b"]
    assert not [task for task in asyncio.all_tasks() if task.get_name() == "question-log-writer"]


async def test_after_closing_nothing_more_is_queued(conn: Conn, caplog: pytest.LogCaptureFixture) -> None:
    buffer = QuestionLogBuffer(conn)
    _add(buffer, "a")
    await buffer.aclose()

    with caplog.at_level(logging.WARNING, logger="livetally.db.question_log"):
        _add(buffer, "late")

    assert buffer.pending == 0
    assert "after the log was closed" in caplog.text
    assert [row[1] for row in await _questions(conn)] == ["a"]
    with pytest.raises(RuntimeError):
        buffer.start()


async def test_the_writer_starts_once(conn: Conn) -> None:
    buffer = QuestionLogBuffer(conn)
    buffer.start()
    with pytest.raises(RuntimeError):
        buffer.start()
    await buffer.aclose()
