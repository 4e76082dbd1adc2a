"""Opening and closing the database: connection settings, numbered migrations, integrity checks."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import aiosqlite

from bot.db.errors import SchemaTooNewError, StorageError

MIN_SQLITE_VERSION = (3, 37, 0)  # STRICT tables; RETURNING needs 3.35
BUSY_TIMEOUT_MS = 5000

# (pragma, value to set, value it must then read back)
_SETTINGS: tuple[tuple[str, str, str | int], ...] = (
    ("busy_timeout", str(BUSY_TIMEOUT_MS), BUSY_TIMEOUT_MS),
    ("journal_mode", "WAL", "wal"),
    ("synchronous", "FULL", 2),
    ("foreign_keys", "ON", 1),
)

MIGRATIONS_DIR: Traversable = resources.files("bot.db").joinpath("migrations")
_MIGRATION_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered schema change: `sql` is a script of statements."""

    version: int
    name: str
    sql: str


async def open_db(path: str | Path) -> aiosqlite.Connection:
    """Open (creating it and its folder if needed) the database file at `path`, migrated and ready.

    Settings, each read back and checked:

    - Autocommit (`isolation_level=None`): the sqlite3 module opens no transaction behind our
      back. Every write in `bot.db.queries` is one statement, which SQLite runs as its own
      transaction, so a call that returned is a committed write, and coroutines sharing this
      connection can never end up in (or roll back) each other's transaction.
    - `journal_mode=WAL`: readers and the one writer don't block each other.
    - `synchronous=FULL`: in WAL mode, NORMAL syncs the log only at checkpoints, so a change
      already confirmed to a moderator could vanish on an OS crash or power cut (either setting
      survives a crash of this process alone). FULL syncs the log on every commit. Writes here
      are rare moderator actions and batched question-log inserts, so its cost (about 0.3 ms per
      commit) buys the promise that nothing a moderator saved is lost.
    - `busy_timeout`: a write lock held by another connection or process is waited for, up to
      5 s, instead of failing at once with "database is locked".
    - `foreign_keys=ON`, so any foreign key a later migration adds is enforced.

    Raises `SchemaTooNewError` for a database written by a newer LiveTally, and `StorageError`
    when SQLite is too old or a setting did not take (e.g. WAL on a file system without it).
    """
    if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
        needed = ".".join(map(str, MIN_SQLITE_VERSION))
        raise StorageError(f"SQLite {sqlite3.sqlite_version} is too old; LiveTally needs {needed} or newer")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        await _configure(conn)
        await apply_migrations(conn, load_migrations())
    except BaseException:
        await conn.close()
        raise
    return conn


async def close_db(conn: aiosqlite.Connection) -> None:
    """Close the connection; every write was already committed when its call returned."""
    await conn.close()


async def _configure(conn: aiosqlite.Connection) -> None:
    for name, value, expected in _SETTINGS:
        await _set_pragma(conn, name, value)
        actual = await _pragma(conn, name)
        if actual != expected:
            raise StorageError(f"could not set PRAGMA {name} to {value}: it reads {actual!r}")


async def _set_pragma(conn: aiosqlite.Connection, name: str, value: str) -> None:
    """Set a PRAGMA, waiting out another connection's lock for up to the busy timeout.

    Switching a new file to WAL needs an exclusive lock, and SQLite does not call the busy handler
    for it: a second process opening the same new file at that moment gets "database is locked"
    at once. Retried here, with short sleeps, until `BUSY_TIMEOUT_MS` has passed.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            await conn.execute_fetchall(f"PRAGMA {name} = {value}")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or loop.time() + delay > deadline:
                raise
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)


async def _pragma(conn: aiosqlite.Connection, name: str) -> str | int:
    rows = list(await conn.execute_fetchall(f"PRAGMA {name}"))
    value: str | int = rows[0][0]
    return value


def load_migrations(directory: Traversable = MIGRATIONS_DIR) -> tuple[Migration, ...]:
    """The `NNNN_name.sql` files in `directory`, in version order (`apply_migrations` checks the numbering)."""
    migrations = []
    for entry in directory.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match is None:
            raise StorageError(f"migration file {entry.name!r} is not named like 0001_what_it_does.sql")
        migrations.append(Migration(int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    return tuple(sorted(migrations, key=lambda migration: migration.version))


async def apply_migrations(conn: aiosqlite.Connection, migrations: Sequence[Migration]) -> int:
    """Bring the schema up to the last of `migrations` (numbered 1..N) and return that version.

    The version lives in `PRAGMA user_version`. Reading it, running every pending migration and
    writing the new version happen in one `BEGIN IMMEDIATE` transaction, so two processes
    starting at once cannot both migrate, and a failing migration leaves the database as it was.
    Needs a connection in autocommit mode, as `open_db` makes.
    """
    versions = [migration.version for migration in migrations]
    if versions != list(range(1, len(migrations) + 1)):
        raise StorageError(f"migrations must be numbered 1, 2, 3… without gaps or repeats; found {versions}")
    known = len(migrations)
    await conn.execute_fetchall("BEGIN IMMEDIATE")
    try:
        current = int(await _pragma(conn, "user_version"))
        if current > known:
            raise SchemaTooNewError(current, known)
        for migration in migrations[current:]:
            for statement in _statements(migration):
                await conn.execute_fetchall(statement)
        if known > current:
            await conn.execute_fetchall(f"PRAGMA user_version = {known}")
        await conn.execute_fetchall("COMMIT")
    except BaseException:
        if conn.in_transaction:
            await conn.execute_fetchall("ROLLBACK")
        raise
    return known


def _statements(migration: Migration) -> list[str]:
    """Split a script into statements; a `;` inside a string, comment or trigger body does not split.

    (`executescript` would do the splitting, but it commits first, breaking the one transaction.)
    """
    statements = []
    pending = ""
    for piece in migration.sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip() != ";":
                statements.append(pending.strip())
            pending = ""
    if pending:
        raise StorageError(f"migration {migration.name} ends inside an unfinished statement")
    return statements


def check_integrity(path: str | Path) -> list[str]:
    """Run `PRAGMA integrity_check` on the database file, read-only; return the problems (none = sound)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no database file at {path}")
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        try:
            results = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
    return [] if results == ["ok"] else results
