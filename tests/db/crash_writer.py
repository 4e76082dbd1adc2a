"""Writes rate overrides and FAQ entries to a LiveTally database, acknowledging each on stdout.

Usage: python tests/db/crash_writer.py DB_PATH GUILD_ID [COUNT]

Write number `seq` (0, 1, 2, …) sets a rate override when `seq` is even and adds an FAQ entry
when it is odd; once the call has returned (the write is committed) it prints "rate SEQ" or
"faq SEQ" and flushes stdout. Every write changes the data, so each one really reaches the
disk. Without COUNT it writes until killed, which is what `crash_harness.py` does to it.
Needs the project root on PYTHONPATH.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Iterable

import aiosqlite

from bot.db import add_faq, close_db, open_db, set_rate_override

RATE_KEYS = 5


def rate_key(seq: int) -> str:
    return f"key-{seq % RATE_KEYS}"


def faq_name(seq: int) -> str:
    return f"faq-{seq}"


def faq_question(seq: int) -> str:
    return f"question {seq}"


def faq_answer(seq: int) -> str:
    return f"answer {seq} " + "x" * (seq % 97)


async def write(conn: aiosqlite.Connection, guild_id: int, seq: int) -> str:
    """Make write number `seq` and return its acknowledgement line."""
    if seq % 2 == 0:
        await set_rate_override(conn, guild_id, rate_key(seq), str(seq))
        return f"rate {seq}"
    await add_faq(conn, guild_id, faq_name(seq), faq_question(seq), faq_answer(seq))
    return f"faq {seq}"


async def main(db_path: str, guild_id: int, count: int | None) -> None:
    conn = await open_db(db_path)
    try:
        seqs: Iterable[int] = itertools.count() if count is None else range(count)
        for seq in seqs:
            print(await write(conn, guild_id, seq), flush=True)
    finally:
        await close_db(conn)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None))
