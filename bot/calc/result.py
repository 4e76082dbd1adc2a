"""What every estimate returns: plain frozen data the renderer, the CLI and JSON all read."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from bot.calc.money import ONE, cents, plain

InputValue = Decimal | int | str


@dataclass(frozen=True, slots=True)
class Band:
    """A low / typical / high triple of non-negative numbers, always ordered."""

    low: Decimal
    typical: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        if not self.low <= self.typical <= self.high:
            raise ValueError(f"unordered band: {self.low} ≤ {self.typical} ≤ {self.high} does not hold")

    @classmethod
    def exact(cls, value: Decimal) -> Band:
        return cls(value, value, value)

    @classmethod
    def around(cls, low: Decimal, typical: Decimal, high: Decimal) -> Band:
        """A band that always contains `typical`, even when overrides left low or high on its wrong side."""
        return cls(min(low, typical), typical, max(high, typical))

    @property
    def is_exact(self) -> bool:
        return self.low == self.high

    def __mul__(self, other: Band | Decimal | int) -> Band:
        if isinstance(other, Band):
            return Band(self.low * other.low, self.typical * other.typical, self.high * other.high)
        return Band(self.low * other, self.typical * other, self.high * other)

    __rmul__ = __mul__

    def __add__(self, other: Band) -> Band:
        return Band(self.low + other.low, self.typical + other.typical, self.high + other.high)

    def complement(self) -> Band:
        """1 − each value, reordered: a fee band becomes the band of what is left after the fee."""
        return Band(ONE - self.high, ONE - self.typical, ONE - self.low)

    def divide_into(self, amount: Decimal) -> Band:
        """amount ÷ each value, reordered: the count of units of this size that make `amount`."""
        return Band(amount / self.high, amount / self.typical, amount / self.low)

    def map(self, fn: Callable[[Decimal], Decimal]) -> Band:
        """Apply a non-decreasing function to each value."""
        return Band(fn(self.low), fn(self.typical), fn(self.high))


@dataclass(frozen=True, slots=True)
class Assumption:
    """A rate an estimate used, where it comes from, and whether this server changed it.

    `shown` is the value as people read it ('$0.005', '50%', '$1,500.00–$10,000.00').
    """

    key: str
    label: str
    value: Decimal | str
    shown: str
    unit: str
    source: str
    as_of: str
    overridden: bool = False
    us_only: bool = False
    note: str | None = None
    # Worked out once: every estimate's list of assumptions is a cache key (`Renderer.estimate`).
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.key, self.label, self.value, self.shown, self.unit, self.source,
                                                self.as_of, self.overridden, self.us_only, self.note)))

    def __hash__(self) -> int:
        return self._hash

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "value": _text(self.value), "shown": self.shown, "unit": self.unit,
            "source": self.source, "as_of": self.as_of, "overridden": self.overridden,
            "us_only": self.us_only, "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Line:
    """One row of an estimate's breakdown, e.g. a gift: 2 × Lion = 59,998 coins → $299.99."""

    label: str
    quantity: Decimal | None = None
    unit: str = ""
    amount: Band | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "quantity": _maybe(self.quantity), "unit": self.unit, **_money(self.amount)}


@dataclass(frozen=True, slots=True)
class Estimate:
    """A computed answer.

    Money (`typical`, `low`, `high`, in `currency`, USD unless converted) keeps full precision;
    `cents()` rounds it for display. Inverse questions ("how many diamonds for $500") give a count
    in `quantity` (with `quantity_low`/`quantity_high`) and its `unit`. Invariant: low ≤ typical ≤ high.
    """

    kind: str
    title: str
    formula: str
    typical: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    currency: str = "USD"
    quantity: Decimal | None = None
    quantity_low: Decimal | None = None
    quantity_high: Decimal | None = None
    unit: str | None = None
    assumptions: tuple[Assumption, ...] = ()
    notes: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()
    inputs: Mapping[str, InputValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for low, typical, high in ((self.low, self.typical, self.high),
                                   (self.quantity_low, self.quantity, self.quantity_high)):
            unset = (low is None) + (typical is None) + (high is None)
            if unset not in (0, 3):
                raise ValueError(f"{self.kind}: low, typical and high must all be set or all be None")
            if not unset:
                Band(low, typical, high)  # type: ignore[arg-type]  # checks the order
        if self.typical is None and self.quantity is None:
            raise ValueError(f"{self.kind}: an estimate needs an amount or a quantity")
        object.__setattr__(self, "inputs", MappingProxyType(dict(self.inputs)))

    @property
    def amount(self) -> Band | None:
        """The money result as a band, or None for a count-only answer."""
        if self.typical is None or self.low is None or self.high is None:
            return None
        return Band(self.low, self.typical, self.high)

    @property
    def count(self) -> Band | None:
        """The quantity result as a band, or None for a money-only answer."""
        if self.quantity is None or self.quantity_low is None or self.quantity_high is None:
            return None
        return Band(self.quantity_low, self.quantity, self.quantity_high)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe data: money as cent strings ('1124.98') plus `exact` full-precision strings."""
        return {
            "kind": self.kind,
            "title": self.title,
            "currency": self.currency,
            **_money(self.amount),
            "exact": None if self.amount is None else {
                "low": plain(self.amount.low), "typical": plain(self.amount.typical), "high": plain(self.amount.high)},
            "quantity": _maybe(self.quantity),
            "quantity_low": _maybe(self.quantity_low),
            "quantity_high": _maybe(self.quantity_high),
            "unit": self.unit,
            "formula": self.formula,
            "assumptions": [a.to_dict() for a in self.assumptions],
            "notes": list(self.notes),
            "lines": [line.to_dict() for line in self.lines],
            "inputs": {key: _text(value) for key, value in self.inputs.items()},
        }


def _text(value: InputValue) -> str | int:
    return plain(value) if isinstance(value, Decimal) else value


def _maybe(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _money(band: Band | None) -> dict[str, str | None]:
    if band is None:
        return {"low": None, "typical": None, "high": None}
    return {"low": str(cents(band.low)), "typical": str(cents(band.typical)), "high": str(cents(band.high))}
