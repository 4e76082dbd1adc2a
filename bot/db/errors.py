"""The errors the storage layer raises, so callers never need to catch `sqlite3` errors."""

from __future__ import annotations


class StorageError(Exception):
    """The database cannot be used as asked (wrong version, bad migrations, unsafe settings)."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer LiveTally than this one; opening it could damage it."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"the database is at schema version {found}, but this LiveTally only knows versions up to "
            f"{known}; upgrade LiveTally (or restore a backup) instead of opening it with this version"
        )
        self.found = found
        self.known = known


class StorageUserError(StorageError):
    """A request the data refuses (a taken name, a missing entry); the message is written for users."""


class DuplicateNameError(StorageUserError):
    def __init__(self, name: str) -> None:
        super().__init__(f"This server already has an FAQ entry named “{name}” (names ignore case).")
        self.name = name


class NotFoundError(StorageUserError):
    """The entry to change does not exist (or belongs to another server)."""
