"""The queries LiveTally makes of its data, each behind a named function; no SQL lives elsewhere.

Each function takes the connection `open_db` returned, then plain values, and returns plain
values or frozen dataclasses. Every write is a single SQL statement on an autocommit
connection: SQLite commits it (and, with `synchronous=FULL`, syncs it to disk) before the call
returns, so a returned call is an acknowledged, durable write. Times are unix seconds.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

import aiosqlite

from bot.db.errors import DuplicateNameError, NotFoundError
from bot.db.models import Explainer, FaqEntry, LoggedQuestion

_EXPLAINER_COLUMNS = ", ".join(field.name for field in fields(Explainer))
_FAQ_COLUMNS = ", ".join(field.name for field in fields(FaqEntry))


def _now() -> int:
    return int(time.time())


async def _fetch(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> list[tuple[Any, ...]]:
    """Run one statement in one round trip and return its rows (none for a write without RETURNING).

    Fetching every row matters for writes too: a statement with RETURNING commits when it finishes.
    """
    return [tuple(row) for row in await conn.execute_fetchall(sql, params)]


async def _count_changes(conn: aiosqlite.Connection, sql: str, params: Sequence[Any]) -> int:
    """Run one write statement and return how many rows it changed."""
    async with conn.execute(sql, params) as cursor:
        return cursor.rowcount


# Rate overrides: a server's own rate assumptions and settings, as text keyed by name.


async def get_rate_overrides(conn: aiosqlite.Connection, guild_id: int) -> dict[str, str]:
    rows = await _fetch(conn, "SELECT key, value FROM rate_overrides WHERE guild_id = ? ORDER BY key", (guild_id,))
    return {key: value for key, value in rows}


async def set_rate_override(conn: aiosqlite.Connection, guild_id: int, key: str, value: str) -> None:
    await _fetch(
        conn,
        """
        INSERT INTO rate_overrides (guild_id, key, value, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
        """,
        (guild_id, key, value, _now()),
    )


async def reset_rate_overrides(conn: aiosqlite.Connection, guild_id: int, key: str | None = None) -> int:
    """Remove one override (or, without `key`, all of the server's); return how many were removed."""
    if key is None:
        return await _count_changes(conn, "DELETE FROM rate_overrides WHERE guild_id = ?", (guild_id,))
    return await _count_changes(conn, "DELETE FROM rate_overrides WHERE guild_id = ? AND key = ?", (guild_id, key))


async def guilds_with_overrides(conn: aiosqlite.Connection) -> list[int]:
    rows = await _fetch(conn, "SELECT DISTINCT guild_id FROM rate_overrides ORDER BY guild_id")
    return [guild_id for (guild_id,) in rows]


# Explainers: standing messages the bot posted and keeps current. Updating an explainer that
# does not exist raises NotFoundError; removing one returns False.


async def add_explainer(
    conn: aiosqlite.Connection, *, guild_id: int, channel_id: int, message_id: int, topic: str, content_hash: str
) -> Explainer:
    rows = await _fetch(
        conn,
        f"""
        INSERT INTO explainers (guild_id, channel_id, message_id, topic, content_hash, created_at)
        VALUES (?, ?, ?, ?, ?, ?) RETURNING {_EXPLAINER_COLUMNS}
        """,
        (guild_id, channel_id, message_id, topic, content_hash, _now()),
    )
    return Explainer(*rows[0])


async def list_explainers(
    conn: aiosqlite.Connection, guild_id: int | None = None, *, topic: str | None = None, include_gone: bool = False
) -> list[Explainer]:
    """Explainers oldest first: of one server (or all), of one topic (or all), active ones only unless asked."""
    rows = await _fetch(
        conn,
        f"""
        SELECT {_EXPLAINER_COLUMNS} FROM explainers
        WHERE (:guild_id IS NULL OR guild_id = :guild_id)
          AND (:topic IS NULL OR topic = :topic)
          AND (:include_gone OR status = 'active')
        ORDER BY id
        """,
        {"guild_id": guild_id, "topic": topic, "include_gone": include_gone},
    )
    return [Explainer(*row) for row in rows]


async def get_explainer(conn: aiosqlite.Connection, explainer_id: int) -> Explainer | None:
    rows = await _fetch(conn, f"SELECT {_EXPLAINER_COLUMNS} FROM explainers WHERE id = ?", (explainer_id,))
    return Explainer(*rows[0]) if rows else None


async def record_explainer_edit(conn: aiosqlite.Connection, explainer_id: int, content_hash: str) -> None:
    """The message was edited to show `content_hash`'s content: note the time and clear the failures."""
    rows = await _fetch(
        conn,
        "UPDATE explainers SET content_hash = ?, edited_at = ?, failures = 0 WHERE id = ? RETURNING id",
        (content_hash, _now(), explainer_id),
    )
    _require_explainer(rows, explainer_id)


async def record_explainer_failure(conn: aiosqlite.Connection, explainer_id: int) -> int:
    """An edit of the message failed; return how many have failed in a row."""
    rows = await _fetch(
        conn, "UPDATE explainers SET failures = failures + 1 WHERE id = ? RETURNING failures", (explainer_id,)
    )
    _require_explainer(rows, explainer_id)
    failures: int = rows[0][0]
    return failures


async def mark_explainer_gone(conn: aiosqlite.Connection, explainer_id: int, reason: str) -> None:
    """The message can no longer be kept current (deleted, no access); stop trying, keep the record."""
    rows = await _fetch(
        conn, "UPDATE explainers SET status = 'gone', gone_reason = ? WHERE id = ? RETURNING id", (reason, explainer_id)
    )
    _require_explainer(rows, explainer_id)


async def remove_explainer(conn: aiosqlite.Connection, guild_id: int, explainer_id: int) -> bool:
    """Forget the server's explainer `explainer_id`; False when the server has no such explainer."""
    removed = await _count_changes(
        conn, "DELETE FROM explainers WHERE guild_id = ? AND id = ?", (guild_id, explainer_id)
    )
    return removed > 0


def _require_explainer(rows: list[tuple[Any, ...]], explainer_id: int) -> None:
    if not rows:
        raise NotFoundError(f"There is no explainer #{explainer_id}.")


# FAQ entries: a server's own questions and answers, named uniquely per server ignoring case.


async def add_faq(conn: aiosqlite.Connection, guild_id: int, name: str, question: str, answer: str) -> FaqEntry:
    """Add an entry; raises DuplicateNameError when the server has one by that name, in any case."""
    now = _now()
    try:
        rows = await _fetch(
            conn,
            f"""
            INSERT INTO faq_entries (guild_id, name, question, answer, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?) RETURNING {_FAQ_COLUMNS}
            """,
            (guild_id, name, question, answer, now, now),
        )
    except sqlite3.IntegrityError as exc:
        if exc.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE":
            raise DuplicateNameError(name) from exc
        raise
    return FaqEntry(*rows[0])


async def edit_faq(
    conn: aiosqlite.Connection, guild_id: int, name: str, *, question: str | None = None, answer: str | None = None
) -> FaqEntry:
    """Change the question and/or answer of the entry `name` (any case); raises NotFoundError."""
    if question is None and answer is None:
        raise ValueError("edit_faq needs a new question or a new answer")
    rows = await _fetch(
        conn,
        f"""
        UPDATE faq_entries SET question = coalesce(?, question), answer = coalesce(?, answer), updated_at = ?
        WHERE guild_id = ? AND name = ? RETURNING {_FAQ_COLUMNS}
        """,
        (question, answer, _now(), guild_id, name),
    )
    if not rows:
        raise NotFoundError(f"This server has no FAQ entry named “{name}”.")
    return FaqEntry(*rows[0])


async def remove_faq(conn: aiosqlite.Connection, guild_id: int, name: str) -> bool:
    """Remove the entry `name` (any case); False when there is none."""
    removed = await _count_changes(conn, "DELETE FROM faq_entries WHERE guild_id = ? AND name = ?", (guild_id, name))
    return removed > 0


async def list_faq(conn: aiosqlite.Connection, guild_id: int) -> list[FaqEntry]:
    """The server's entries, by name."""
    rows = await _fetch(conn, f"SELECT {_FAQ_COLUMNS} FROM faq_entries WHERE guild_id = ? ORDER BY name", (guild_id,))
    return [FaqEntry(*row) for row in rows]


async def all_faq(conn: aiosqlite.Connection) -> list[FaqEntry]:
    """Every server's entries, by server then name."""
    rows = await _fetch(conn, f"SELECT {_FAQ_COLUMNS} FROM faq_entries ORDER BY guild_id, name")
    return [FaqEntry(*row) for row in rows]


async def count_faq(conn: aiosqlite.Connection, guild_id: int) -> int:
    rows = await _fetch(conn, "SELECT count(*) FROM faq_entries WHERE guild_id = ?", (guild_id,))
    count: int = rows[0][0]
    return count


# The question log: what was asked, for moderators' insights. No user ids.


async def log_questions(conn: aiosqlite.Connection, rows: Sequence[LoggedQuestion]) -> None:
    """Insert the rows in one statement: one transaction, one sync, one round trip.

    One statement rather than BEGIN, executemany, COMMIT: on a connection shared by concurrent
    coroutines, a transaction spanning several awaits would take in other coroutines' writes
    (acknowledging them before they commit, or rolling them back with a failed batch). The rows
    travel as one JSON array; question text must not contain NUL characters, which JSON text
    functions cut short (`QuestionLogBuffer` removes them).
    """
    if not rows:
        return
    await _fetch(
        conn,
        """
        INSERT INTO question_log (guild_id, question, topic, kind, asked_at)
        SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
               json_extract(value, '$[3]'), json_extract(value, '$[4]')
        FROM json_each(?)
        """,
        (json.dumps([(r.guild_id, r.question, r.topic, r.kind, r.asked_at) for r in rows], ensure_ascii=False),),
    )


async def top_topics(conn: aiosqlite.Connection, guild_id: int, since: int, limit: int = 10) -> list[tuple[str, int]]:
    """The server's most asked topics since `since`, as (topic, times asked), most asked first."""
    rows = await _fetch(
        conn,
        """
        SELECT topic, count(*) AS asked FROM question_log
        WHERE guild_id = ? AND asked_at >= ? AND topic IS NOT NULL
        GROUP BY topic ORDER BY asked DESC, topic LIMIT ?
        """,
        (guild_id, since, limit),
    )
    return [(topic, asked) for topic, asked in rows]


async def top_unanswered(
    conn: aiosqlite.Connection, guild_id: int, since: int, limit: int = 10
) -> list[tuple[str, int]]:
    """The server's most asked questions the bot could not answer since `since`, most asked first.

    Questions that differ only in case or spacing count as one, shown lowercased with single spaces.
    """
    rows = await _fetch(
        conn,
        """
        SELECT question, count(*) FROM question_log
        WHERE guild_id = ? AND asked_at >= ? AND kind = 'unknown'
        GROUP BY question
        """,
        (guild_id, since),
    )
    counts: Counter[str] = Counter()
    for question, asked in rows:
        counts[_normalise(question)] += asked
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def _normalise(question: str) -> str:
    return " ".join(question.lower().split())


async def clear_question_log(conn: aiosqlite.Connection, guild_id: int) -> int:
    """Forget everything the server's members asked; return how many rows went."""
    return await _count_changes(conn, "DELETE FROM question_log WHERE guild_id = ?", (guild_id,))


async def prune_question_log(conn: aiosqlite.Connection, older_than: int) -> int:
    """Delete rows asked before `older_than` (every server, DMs too); return how many went."""
    return await _count_changes(conn, "DELETE FROM question_log WHERE asked_at < ?", (older_than,))
