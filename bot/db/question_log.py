"""Logging questions without touching the database on the reply path.

`QuestionLogBuffer.add` only appends to an in-memory queue; a background task writes the queue
in batches (every `flush_interval` seconds, or as soon as `batch_size` rows wait) and prunes
rows older than the retention period at most once per `prune_interval`. The question log is
for insights, not a record anyone relies on: past `max_pending` queued rows (the database is
failing), the oldest are dropped with a warning rather than letting memory grow.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable

import aiosqlite

from bot.db.models import QUESTION_KINDS, QUESTION_MAX, TOPIC_MAX, LoggedQuestion, QuestionKind
from bot.db.queries import log_questions, prune_question_log

log = logging.getLogger("livetally.db.question_log")

RETENTION_SECONDS = 90 * 24 * 60 * 60


class QuestionLogBuffer:
    def __init__(
        self,
        conn: aiosqlite.Connection,
        *,
        flush_interval: float = 5.0,
        batch_size: int = 100,
        max_pending: int = 10_000,
        prune_interval: float = 60 * 60,
        retention: int = RETENTION_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if flush_interval <= 0 or prune_interval <= 0 or retention <= 0:
            raise ValueError("flush_interval, prune_interval and retention must be positive")
        if not 1 <= batch_size <= max_pending:
            raise ValueError("need 1 <= batch_size <= max_pending")
        self._conn = conn
        self._flush_interval = flush_interval
        self._batch_size = batch_size
        self._max_pending = max_pending
        self._prune_interval = prune_interval
        self._retention = retention
        self._clock = clock
        self._pending: deque[LoggedQuestion] = deque()
        self._dropped = 0
        self._last_prune: float | None = None
        self._wake = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def pending(self) -> int:
        """Rows queued and not yet written."""
        return len(self._pending)

    def add(self, guild_id: int | None, question: str, topic: str | None, kind: QuestionKind) -> None:
        """Queue one asked question, stamped with the clock's time. No I/O; never waits.

        The text is cleaned so it always fits the table (a row the database refused would be
        retried forever): NUL characters and unpaired surrogates go, then surrounding space, and
        it is cut to `QUESTION_MAX` characters. A blank question is not logged. A `kind` or
        `topic` the table cannot hold is a programming error and raises ValueError.
        """
        if kind not in QUESTION_KINDS:
            raise ValueError(f"unknown question kind {kind!r}")
        if topic is not None and not 1 <= len(topic) <= TOPIC_MAX:
            raise ValueError(f"topic id must be 1 to {TOPIC_MAX} characters: {topic!r}")
        if self._closed:
            log.warning("question logged after the log was closed; not recorded")
            return
        text = _clean(question)
        if not text:
            return
        if len(self._pending) >= self._max_pending:
            self._pending.popleft()
            self._dropped += 1
        self._pending.append(LoggedQuestion(guild_id, text, topic, kind, int(self._clock())))
        if len(self._pending) >= self._batch_size:
            self._wake.set()

    def start(self) -> None:
        """Start the background writer; call from within the running event loop."""
        if self._task is not None or self._closed:
            raise RuntimeError("the question log buffer was already started or closed")
        self._task = asyncio.create_task(self._run(), name="question-log-writer")

    async def flush(self) -> int:
        """Write every row queued when called, in batches; prune old rows if due. Return rows written.

        A batch the database refuses is logged and put back, oldest first, to be retried on the
        next flush; nothing is lost unless the queue is full.
        """
        async with self._flush_lock:
            written = await self._write(len(self._pending))
            await self._prune_if_due()
            if self._dropped:
                log.warning("question log queue was full: dropped the %d oldest questions", self._dropped)
                self._dropped = 0
            return written

    async def aclose(self) -> None:
        """Stop the background writer and write what is queued. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        if self._task is not None:
            await self._task
        await self.flush()

    async def _run(self) -> None:
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._flush_interval)
            self._wake.clear()
            await self.flush()

    async def _write(self, count: int) -> int:
        written = 0
        while written < count and self._pending:
            size = min(self._batch_size, count - written, len(self._pending))
            batch = [self._pending.popleft() for _ in range(size)]
            try:
                await log_questions(self._conn, batch)
            except sqlite3.Error:
                log.exception("could not write %d logged questions; will retry", len(batch))
                self._requeue(batch)
                break
            written += size
        return written

    def _requeue(self, batch: list[LoggedQuestion]) -> None:
        self._pending.extendleft(reversed(batch))
        while len(self._pending) > self._max_pending:
            self._pending.popleft()
            self._dropped += 1

    async def _prune_if_due(self) -> None:
        now = self._clock()
        if self._last_prune is not None and now - self._last_prune < self._prune_interval:
            return
        try:
            removed = await prune_question_log(self._conn, int(now) - self._retention)
        except sqlite3.Error:
            log.exception("could not prune the question log; will retry")
            return
        self._last_prune = now
        if removed:
            log.info("pruned %d logged questions older than %d days", removed, self._retention // 86_400)


def _clean(question: str) -> str:
    text = question.replace("\0", "").encode("utf-8", "replace").decode("utf-8")
    return text.strip()[:QUESTION_MAX]
