"""Errors the calculation module raises. Messages of `InputError` and `RateError` are written for users."""

from __future__ import annotations

from collections.abc import Sequence


class CalcError(Exception):
    """Base class of every error raised by `bot.calc`."""


class InputError(CalcError, ValueError):
    """An estimate's input is missing, not a number or out of bounds; the message says which and why."""


class RateError(CalcError, ValueError):
    """A server's rate override is unknown, not a number or outside the allowed range."""


class DataError(CalcError):
    """`rates.yaml` or `gifts.yaml` is invalid; `problems` lists every problem found, not just the first."""

    def __init__(self, where: str, problems: Sequence[str]) -> None:
        self.where = where
        self.problems = tuple(problems)
        listed = "\n- ".join(self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {where}:\n- {listed}")
