from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import aiosqlite
import pytest

from bot.db import SchemaTooNewError, StorageError, check_integrity, close_db, open_db, set_rate_override
from bot.db.connection import Migration, apply_migrations, load_migrations

LATEST = len(load_migrations())


def _schema(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()


def _user_version(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


@pytest.fixture
async def raw(db_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """An autocommit connection with no migrations applied."""
    db_path.parent.mkdir(parents=True)
    connection = await aiosqlite.connect(db_path, isolation_level=None)
    yield connection
    await connection.close()


async def _tables(conn: aiosqlite.Connection) -> set[str]:
    rows = await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in rows}


async def test_open_creates_the_folder_and_applies_the_settings(conn: aiosqlite.Connection, db_path: Path) -> None:
    assert db_path.is_file()
    settings = {}
    for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys", "user_version"):
        rows = list(await conn.execute_fetchall(f"PRAGMA {name}"))
        settings[name] = rows[0][0]
    assert settings == {
        "journal_mode": "wal",
        "synchronous": 2,
        "busy_timeout": 5000,
        "foreign_keys": 1,
        "user_version": LATEST,
    }
    assert {"rate_overrides", "explainers", "faq_entries", "question_log"} <= await _tables(conn)


async def test_reopening_changes_nothing_and_keeps_data(db_path: Path) -> None:
    conn = await open_db(db_path)
    await set_rate_override(conn, 1, "currency", "EUR")
    await close_db(conn)
    schema = _schema(db_path)

    conn = await open_db(db_path)
    rows = list(await conn.execute_fetchall("SELECT value FROM rate_overrides"))
    await close_db(conn)

    assert [tuple(row) for row in rows] == [("EUR",)]
    assert _schema(db_path) == schema
    assert _user_version(db_path) == LATEST


async def test_a_database_from_a_newer_version_is_refused_untouched(db_path: Path) -> None:
    await close_db(await open_db(db_path))
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    schema = _schema(db_path)

    with pytest.raises(SchemaTooNewError, match=f"version {LATEST + 1}.*up to {LATEST}"):
        await open_db(db_path)

    assert _user_version(db_path) == LATEST + 1
    assert _schema(db_path) == schema


async def test_an_old_sqlite_is_refused_with_a_clear_message(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    with pytest.raises(StorageError, match="too old"):
        await open_db(db_path)
    assert not db_path.exists()


async def test_pending_migrations_run_once_each(raw: aiosqlite.Connection) -> None:
    first = Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    second = Migration(2, "0002_b.sql", "CREATE TABLE b (x INTEGER);")

    assert await apply_migrations(raw, [first]) == 1
    assert await apply_migrations(raw, [first, second]) == 2  # would fail if 0001 ran again
    assert await apply_migrations(raw, [first, second]) == 2

    assert await _tables(raw) == {"a", "b"}


async def test_a_failing_migration_leaves_the_database_as_it_was(raw: aiosqlite.Connection) -> None:
    migrations = [
        Migration(1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"),
        Migration(2, "0002_b.sql", "CREATE TABLE b (x INTEGER); INSERT INTO missing VALUES (1);"),
    ]
    with pytest.raises(sqlite3.OperationalError, match="no such table: missing"):
        await apply_migrations(raw, migrations)

    assert await _tables(raw) == set()
    assert not raw.in_transaction
    assert [tuple(row) for row in await raw.execute_fetchall("PRAGMA user_version")] == [(0,)]


async def test_semicolons_in_strings_comments_and_triggers_do_not_split(raw: aiosqlite.Connection) -> None:
    script = """
        -- a comment; with a semicolon
        CREATE TABLE notes (text TEXT NOT NULL DEFAULT 'a;b');
        CREATE TABLE seen (n INTEGER);
        /* block; comment */
        CREATE TRIGGER count_notes AFTER INSERT ON notes BEGIN
            INSERT INTO seen VALUES (1);
            INSERT INTO seen VALUES (2);
        END;
        INSERT INTO notes DEFAULT VALUES;
        -- trailing comment
    """
    await apply_migrations(raw, [Migration(1, "0001_notes.sql", script)])

    assert [tuple(row) for row in await raw.execute_fetchall("SELECT text FROM notes")] == [("a;b",)]
    assert [tuple(row) for row in await raw.execute_fetchall("SELECT n FROM seen ORDER BY n")] == [(1,), (2,)]


async def test_an_unfinished_statement_is_refused(raw: aiosqlite.Connection) -> None:
    script = "CREATE TABLE t (x INTEGER); CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1;"
    with pytest.raises(StorageError, match="unfinished statement"):
        await apply_migrations(raw, [Migration(1, "0001_t.sql", script)])
    assert await _tables(raw) == set()


@pytest.mark.parametrize("versions", [[2], [1, 3], [1, 1], [2, 1]])
async def test_migrations_must_be_numbered_from_one_without_gaps(
    raw: aiosqlite.Connection, versions: list[int]
) -> None:
    migrations = [Migration(v, f"{v:04}_m{i}.sql", f"CREATE TABLE m{i} (x INTEGER);") for i, v in enumerate(versions)]
    with pytest.raises(StorageError, match="without gaps or repeats"):
        await apply_migrations(raw, migrations)
    assert await _tables(raw) == set()


def test_migration_files_are_read_in_version_order(tmp_path: Path) -> None:
    (tmp_path / "0002_second.sql").write_text("CREATE TABLE b (x INTEGER);")
    (tmp_path / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    (tmp_path / "README.md").write_text("not a migration")

    assert load_migrations(tmp_path) == (
        Migration(1, "0001_first.sql", "CREATE TABLE a (x INTEGER);"),
        Migration(2, "0002_second.sql", "CREATE TABLE b (x INTEGER);"),
    )


@pytest.mark.parametrize("name", ["1_first.sql", "0001-first.sql", "0001_First.sql", "first.sql"])
def test_a_badly_named_migration_file_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("SELECT 1;")
    with pytest.raises(StorageError, match="0001_what_it_does.sql"):
        load_migrations(tmp_path)


def test_the_shipped_migrations_are_numbered_from_one() -> None:
    assert [migration.version for migration in load_migrations()] == list(range(1, LATEST + 1))


async def test_integrity_check_passes_a_sound_database_read_only(conn: aiosqlite.Connection, db_path: Path) -> None:
    await set_rate_override(conn, 1, "region", "US")
    assert check_integrity(db_path) == []


def test_integrity_check_needs_an_existing_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(FileNotFoundError):
        check_integrity(missing)
    assert not missing.exists()


async def test_integrity_check_reports_a_damaged_file(db_path: Path) -> None:
    conn = await open_db(db_path)
    for n in range(300):
        await set_rate_override(conn, n + 1, "region", f"region {n} " + "x" * 50)
    await close_db(conn)
    with closing(sqlite3.connect(db_path)) as reader:
        page_size: int = reader.execute("PRAGMA page_size").fetchone()[0]
    with db_path.open("r+b") as file:
        file.seek(2 * page_size)  # the third page: inside the tables, past the header and schema
        file.write(b"\x0d" + b"\xff" * (page_size - 1))

    assert check_integrity(db_path) != []
