"""Brand-deal tier tables: what several sources quote per sponsored post, by follower count.

The sources disagree by about 10×, so each keeps its own rows and the estimate shows them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from bot.calc import loading

_TABLE_FIELDS = ("unit", "sources")
_SOURCE_FIELDS = ("name", "source", "as_of", "rows")
_ROW_FIELDS = ("tier", "followers", "low")


@dataclass(frozen=True, slots=True)
class TierRow:
    """One tier of one source: from `followers` up to the next row, `low`–`high` per post (`high` None: "and up")."""

    tier: str
    followers: Decimal
    low: Decimal
    high: Decimal | None


@dataclass(frozen=True, slots=True)
class TierQuote:
    """What one source quotes for a follower count."""

    source: TierSource
    tier: str
    low: Decimal
    mid: Decimal
    high: Decimal


@dataclass(frozen=True, slots=True)
class TierSource:
    name: str
    source: str
    as_of: str
    rows: tuple[TierRow, ...]

    def quote(self, followers: Decimal) -> TierQuote | None:
        """The source's quote for an account this size, or None below its smallest tier.

        An open-ended top tier ("$10,000+") counts at its floor, and a bigger account never gets
        less than a smaller one: each figure is the highest of the rows at or below `followers`.
        """
        reached = [row for row in self.rows if row.followers <= followers]
        if not reached:
            return None
        highs = [row.low if row.high is None else row.high for row in reached]
        return TierQuote(
            source=self,
            tier=reached[-1].tier,
            low=max(row.low for row in reached),
            mid=max((row.low + high) / 2 for row, high in zip(reached, highs, strict=True)),
            high=max(highs),
        )


@dataclass(frozen=True, slots=True)
class BrandTiers:
    unit: str
    sources: tuple[TierSource, ...]
    note: str | None = None

    def quotes(self, followers: Decimal) -> tuple[TierQuote, ...]:
        return tuple(q for q in (s.quote(followers) for s in self.sources) if q is not None)


def parse_brand_tiers(data: object, where: str, problems: list[str]) -> BrandTiers:
    """The tables from YAML; problems are appended, never raised."""
    table = loading.mapping(data, where, problems)
    loading.check_fields(table, where, _TABLE_FIELDS, ("note",), problems)
    raw_sources = table.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        problems.append(f"{where}.sources: expected a non-empty list of sources")
        raw_sources = []
    return BrandTiers(
        unit=loading.text(table, "unit", where, problems) or "",
        sources=tuple(_source(raw, f"{where}.sources[{i}]", problems) for i, raw in enumerate(raw_sources)),
        note=loading.text(table, "note", where, problems),
    )


def _source(data: object, where: str, problems: list[str]) -> TierSource:
    entry = loading.mapping(data, where, problems)
    loading.check_fields(entry, where, _SOURCE_FIELDS, (), problems)
    raw_rows = entry.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        problems.append(f"{where}.rows: expected a non-empty list of tiers")
        raw_rows = []
    rows = tuple(row for i, raw in enumerate(raw_rows) if (row := _row(raw, f"{where}.rows[{i}]", problems)))
    for before, after in pairwise(rows):
        if after.followers <= before.followers:
            problems.append(f"{where}: tier '{after.tier}' must start above tier '{before.tier}' "
                            "(sort rows by followers)")
    return TierSource(
        name=loading.text(entry, "name", where, problems) or "",
        source=loading.text(entry, "source", where, problems) or "",
        as_of=loading.as_of(entry, "as_of", where, problems) or "",
        rows=rows,
    )


def _row(data: object, where: str, problems: list[str]) -> TierRow | None:
    entry: Mapping[str, object] = loading.mapping(data, where, problems)
    loading.check_fields(entry, where, _ROW_FIELDS, ("high",), problems)
    tier = loading.text(entry, "tier", where, problems)
    followers = loading.number(entry, "followers", where, problems)
    low = loading.number(entry, "low", where, problems)
    high = loading.number(entry, "high", where, problems)
    if tier is None or followers is None or low is None or ("high" in entry and high is None):
        return None
    if followers < 0 or low <= 0:
        problems.append(f"{where}: followers and low must be positive")
        return None
    if high is not None and high < low:
        problems.append(f"{where}: high ({high}) is below low ({low})")
        return None
    return TierRow(tier, followers, low, high)
