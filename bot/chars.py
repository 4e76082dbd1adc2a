"""Character-by-character text mappings, done by `str.translate` at C speed."""

from __future__ import annotations

from collections.abc import Callable


class CharTable(dict[int, str]):
    """A `str.translate` table that works each character's mapping out the first time it is seen
    and keeps it (at most `limit` characters: a question is 500 at most, Unicode is a million)."""

    def __init__(self, mapping: Callable[[str], str], limit: int = 20_000) -> None:
        super().__init__()
        self._mapping, self._limit = mapping, limit

    def __missing__(self, code: int) -> str:
        value = self._mapping(chr(code))
        if len(self) < self._limit:
            self[code] = value
        return value


# Latin letters that Unicode does not split into a letter and an accent, as people write them without
# it (casefold already makes ß "ss"): Turkish ı, Nordic ø and æ, Polish ł, Croatian đ, French œ.
LETTERS_WITHOUT_ACCENT = {"ı": "i", "ø": "o", "æ": "ae", "ł": "l", "đ": "d", "œ": "oe", "ð": "d", "þ": "th"}

# Apostrophes as phones and word processors type them ("don’t"), for the plain one.
APOSTROPHES = frozenset("’‘ʼ")
