"""Scoring the matcher on a question file: shared by the tests and `bench/`."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Score:
    total: int = 0
    right: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def score_topics(rows: Iterable[tuple[str, set[str]]], answer: Callable[[str], str | None]) -> Score:
    """`answer(question)` returns a topic id or None ("unknown"); right when it is accepted."""
    score = Score()
    for question, accepted in rows:
        got = answer(question) or "unknown"
        score.total += 1
        if got in accepted:
            score.right += 1
        else:
            score.misses.append((question, ",".join(sorted(accepted)), got))
    return score
