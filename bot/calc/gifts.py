"""The LIVE gift catalogue from `knowledge/gifts.yaml`: names, coin prices, aliases, and name matching."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.cache import LRU
from bot.calc import loading
from bot.calc.errors import DataError

MAX_COINS = 1_000_000
FUZZY_CUTOFF = 85  # rapidfuzz ratio (0–100): high enough that "lionn" → Lion but "coins" matches nothing
FUZZY_MIN_LENGTH = 4  # shorter names must match exactly ("gg" is a gift; "gf" is not a typo of it)
ONE_EDIT_MIN_LENGTH = 5  # one letter off is a typo from here ("lyons"); "rise" is no Rose
SEARCH_LIMIT = 25
RESOLVED_KEPT = 4096

_GIFT_FIELDS = ("name", "coins", "source")
_OPTIONAL_FIELDS = ("aliases", "note", "legacy", "popular")
_NOT_WORD_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Gift:
    """One LIVE gift. `legacy` marks gifts from an older catalogue; `popular` ones lead autocomplete."""

    name: str
    coins: int
    source: str
    aliases: tuple[str, ...] = ()
    note: str | None = None
    legacy: bool = False
    popular: bool = False


def normalize(name: str) -> str:
    """A gift name as matching sees it: lower case, no accents or apostrophes, '+' spelled out, single spaces."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    folded = folded.replace("'", "").replace("+", " plus ")
    return _NOT_WORD_RE.sub(" ", folded).strip()


def singular_forms(key: str) -> tuple[str, ...]:
    """Possible singulars of a normalized name's last word: 'galaxies' → galaxy; 'roses' → ros, rose."""
    return tuple(key[: -len(plural)] + single for plural, single in (("ies", "y"), ("es", ""), ("s", ""))
                 if key.endswith(plural) and len(key) > len(plural) + 2)


@dataclass(frozen=True, slots=True)
class GiftCatalogue:
    """Gifts by every normalized name and alias; build with `GiftCatalogue.of(gifts)`."""

    gifts: tuple[Gift, ...]
    _index: Mapping[str, Gift] = field(repr=False, compare=False)
    _keys: tuple[tuple[Gift, tuple[str, ...]], ...] = field(repr=False, compare=False)
    # The index's keys by length, each with its place in the index: typo matching only compares
    # names long or short enough to reach FUZZY_CUTOFF, in the index's order.
    _names_by_length: Mapping[int, tuple[tuple[int, str], ...]] = field(repr=False, compare=False)
    # What names people wrote resolved to (the catalogue never changes; bounded, as they type anything).
    _resolved: LRU[Gift | None] = field(default_factory=lambda: LRU(RESOLVED_KEPT), repr=False, compare=False)

    @classmethod
    def of(cls, gifts: Iterable[Gift]) -> GiftCatalogue:
        """A catalogue; `DataError` if two gifts share a name or alias."""
        gifts = tuple(gifts)
        problems = name_clashes(gifts)
        if problems:
            raise DataError("the gift catalogue", problems)
        keys = tuple((gift, _gift_keys(gift)) for gift in gifts)
        index = {key: gift for gift, gift_keys in keys for key in gift_keys}
        by_length: dict[int, list[tuple[int, str]]] = {}
        for place, name in enumerate(index):
            by_length.setdefault(len(name), []).append((place, name))
        return cls(gifts, MappingProxyType(index), keys,
                   MappingProxyType({length: tuple(names) for length, names in by_length.items()}))

    def all(self) -> tuple[Gift, ...]:
        return self.gifts

    def __len__(self) -> int:
        return len(self.gifts)

    def resolve(self, name: str, *, typos: bool = True) -> Gift | None:
        """The gift a user means, or None: exact name or alias, then singular, then (unless `typos`
        is False) a close typo."""
        found = self._index.get(name)  # already a key: nothing to normalize
        return found if found is not None else self._resolved.get_or_make((name, typos), lambda: self._resolve(name, typos))

    def _resolve(self, name: str, typos: bool) -> Gift | None:
        key = normalize(name)
        if not key:
            return None
        found = next((self._index[k] for k in (key, *singular_forms(key)) if k in self._index), None)
        if found is not None or not typos or len(key) < FUZZY_MIN_LENGTH:
            return found
        return self._fuzzy(key)

    def _fuzzy(self, key: str) -> Gift | None:
        # fuzz.ratio is 100 × (1 − edits ÷ total length) and needs at least the difference in length
        # in edits, so a name shorter than a or longer than b can't reach the cutoff.
        a = math.floor(len(key) * FUZZY_CUTOFF / (200 - FUZZY_CUTOFF))
        b = math.ceil(len(key) * (200 - FUZZY_CUTOFF) / FUZZY_CUTOFF)
        candidates = [name for _, name in sorted(
            pair for length in range(a, b + 1) for pair in self._names_by_length.get(length, ()))]
        found = self._closest(key, candidates, fuzz.ratio, FUZZY_CUTOFF)
        if found is not None or len(key) < ONE_EDIT_MIN_LENGTH or " " in key:
            return found
        # One letter wrong or two swapped after the first ("lyons", "trians") is a typo of a one-word
        # gift name too, from five letters: the ratio above counts a swap as two edits and cuts short names
        # off. Names are compared as written and with a plural "s" (not aliases: "trems" is no Train).
        near = [form for _, (name, *_aliases) in self._keys
                if name[0] == key[0] and len(key) - 2 <= len(name) <= len(key) + 1 and " " not in name
                for form in (name, name + "s")]
        return self._closest(key, near, OSA.distance, 1)

    def _closest(self, key: str, candidates: list[str], scorer: Any, cutoff: float) -> Gift | None:
        """The one gift whose name (or its plural) among `candidates` `scorer` puts closest to `key`
        within `cutoff`, first in the index's order; None when none is, or when two different gifts
        are equally close."""
        matches = process.extract(key, candidates, scorer=scorer, limit=2, score_cutoff=cutoff)
        if not matches:
            return None
        best, other = (self._index[self._index_key(m[0])] for m in (matches[0], matches[-1]))
        if len(matches) > 1 and matches[1][1] == matches[0][1] and other is not best:
            return None  # two different gifts are equally close: don't guess
        return best

    def _index_key(self, form: str) -> str:
        """The index key a candidate form stands for (a name, or a name with a plural "s")."""
        return form if form in self._index else form[:-1]

    def search(self, prefix: str, limit: int = SEARCH_LIMIT) -> list[Gift]:
        """Autocomplete: names or aliases starting with the text, then words starting with it, then
        containing it; within each group popular gifts first, then the closest (shortest) name, then
        the cheapest. Empty text lists popular gifts, cheapest first."""
        key = normalize(prefix)
        if not key:
            ranked = sorted(self.gifts, key=lambda g: (not g.popular, g.coins, g.name))
            return ranked[:limit]
        scored = []
        for gift, keys in self._keys:
            match = _match_rank(key, keys)
            if match is not None:
                scored.append(((match[0], not gift.popular, match[1], gift.coins, gift.name), gift))
        scored.sort(key=lambda row: row[0])
        return [gift for _, gift in scored[:limit]]


def _match_rank(key: str, keys: tuple[str, ...]) -> tuple[int, int] | None:
    """(how it matches: 0 prefix, 1 word prefix, 2 substring; length of the shortest key matching so), or None."""
    ranked = (
        [len(k) for k in keys if k.startswith(key)],
        [len(k) for k in keys if any(word.startswith(key) for word in k.split())],
        [len(k) for k in keys if key in k],
    )
    return next(((rank, min(lengths)) for rank, lengths in enumerate(ranked) if lengths), None)


def _gift_keys(gift: Gift) -> tuple[str, ...]:
    return tuple(dict.fromkeys(key for key in map(normalize, (gift.name, *gift.aliases)) if key))


def name_clashes(gifts: Iterable[Gift]) -> list[str]:
    """Every name or alias that two gifts share (after normalizing)."""
    owner: dict[str, str] = {}
    problems = []
    for gift in gifts:
        for key in _gift_keys(gift):
            if key in owner and owner[key] != gift.name:
                problems.append(f"'{key}' names both {owner[key]!r} and {gift.name!r}")
            owner.setdefault(key, gift.name)
    return problems


def load_gifts(path: Path | str) -> GiftCatalogue:
    """Read and validate gifts.yaml; `DataError` lists every problem found."""
    where = str(path)
    problems: list[str] = []
    document = loading.mapping(loading.read_yaml(Path(path)), where, problems)
    loading.check_fields(document, where, ("gifts",), (), problems)
    raw = document.get("gifts")
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: 'gifts' must be a non-empty list")
        raw = []
    gifts = [gift for i, entry in enumerate(raw) if (gift := _gift(entry, f"gifts[{i}]", problems))]
    problems.extend(name_clashes(gifts))
    if problems:
        raise DataError(where, problems)
    return GiftCatalogue.of(gifts)


def _gift(data: object, where: str, problems: list[str]) -> Gift | None:
    entry = loading.mapping(data, where, problems)
    before = len(problems)
    loading.check_fields(entry, where, _GIFT_FIELDS, _OPTIONAL_FIELDS, problems)
    name = loading.text(entry, "name", where, problems)
    if name is not None:
        where = f"{where} ({name})"
        if not normalize(name):
            problems.append(f"{where}.name: needs at least one letter or digit")
    coins = entry.get("coins")
    if isinstance(coins, bool) or not isinstance(coins, int) or not 1 <= coins <= MAX_COINS:
        problems.append(f"{where}.coins: expected a whole number from 1 to {MAX_COINS:,}, got {coins!r}")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and normalize(a) for a in aliases):
        problems.append(f"{where}.aliases: expected a list of names")
        aliases = []
    gift = Gift(
        name=name or "",
        coins=coins if isinstance(coins, int) else 0,
        source=loading.text(entry, "source", where, problems) or "",
        aliases=tuple(aliases),
        note=loading.text(entry, "note", where, problems),
        legacy=loading.flag(entry, "legacy", where, problems),
        popular=loading.flag(entry, "popular", where, problems),
    )
    return gift if len(problems) == before else None
