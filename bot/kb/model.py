"""Plain data for knowledge-base topics; nothing here knows Discord, Jinja2 or storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SEED_PREFIX = "seed:"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a figure comes from: a seed article or a public page."""

    title: str
    ref: str
    date: str

    @property
    def is_seed(self) -> bool:
        return self.ref.startswith(SEED_PREFIX)

    @property
    def url(self) -> str | None:
        """A clickable address for a public page; seeds have none."""
        if self.is_seed:
            return None
        return self.ref if self.ref.startswith(("http://", "https://")) else f"https://{self.ref}"

    @property
    def label(self) -> str:
        """Short human label: the seed's file name or the page's host and path."""
        if self.is_seed:
            return f"seed article {self.ref[len(SEED_PREFIX):]}"
        return self.ref.split("://", 1)[-1]


@dataclass(frozen=True, slots=True)
class Topic:
    """One answer: a knowledge-base topic, or a server's own FAQ entry (`guild_id` set)."""

    id: str
    title: str
    summary: str
    body: str
    phrasings: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    last_reviewed: date | None = None
    regions: str | None = None
    guild_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_server_entry(self) -> bool:
        return self.guild_id is not None
