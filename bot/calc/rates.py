"""The rate book: every default rate from `knowledge/rates.yaml`, with its source, and a server's overrides.

Calculations never hold a rate of their own: they read a `Rates` value passed in, built by
`RateBook.defaults()` or `RateBook.with_overrides()` for a server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from rapidfuzz import process

from bot.calc import loading
from bot.calc.errors import DataError, InputError, RateError
from bot.calc.limits import FX_RATE
from bot.calc.money import currency_code, fmt_number, fmt_percent, fmt_rate, parse_amount, parse_fraction
from bot.calc.result import Assumption, Band
from bot.calc.tables import BrandTiers, parse_brand_tiers

RateType = Literal["decimal", "share", "currency"]
RateValue = Decimal | str

# Every key the estimates read. rates.yaml must define exactly these (a typo is an error, not a new rate).
RATE_KEYS: frozenset[str] = frozenset({
    "diamond_usd", "diamond_nominal_usd", "diamonds_per_coin", "diamonds_per_coin_legacy",
    "scaled_rewards_low", "scaled_rewards_high",
    "coin_price_web", "coin_price_app", "coin_price_app_high",
    "agency_cut",
    "daily_withdraw_cap_usd", "withdraw_review_days", "withdraw_min_low_usd", "withdraw_min_high_usd",
    "rpm_low", "rpm", "rpm_high", "creator_fund_rpm_low", "creator_fund_rpm_high", "qualified_share",
    "superfan_price", "superfan_share", "subscription_price",
    "subscription_share", "subscription_share_high", "subscription_share_intl", "subscription_share_intl_high",
    "store_fee", "store_fee_low", "series_share",
    "affiliate_rate_low", "affiliate_rate", "affiliate_rate_high",
    "live_gifter_share_low", "live_gifter_share", "live_gifter_share_high",
    "live_gifts_per_gifter_hour_low", "live_gifts_per_gifter_hour", "live_gifts_per_gifter_hour_high",
    "live_avg_gift_coins_low", "live_avg_gift_coins", "live_avg_gift_coins_high",
    "streams_per_month",
    "brand_engagement_baseline", "brand_engagement_factor_min", "brand_engagement_factor_max",
    "currency", "usd_to_currency",
})

# Groups whose default values must not decrease left to right (low ≤ typical ≤ high).
ORDERED: tuple[tuple[str, ...], ...] = (
    ("scaled_rewards_low", "scaled_rewards_high"),
    ("coin_price_web", "coin_price_app", "coin_price_app_high"),
    ("withdraw_min_low_usd", "withdraw_min_high_usd"),
    ("rpm_low", "rpm", "rpm_high"),
    ("creator_fund_rpm_low", "creator_fund_rpm_high"),
    ("subscription_share", "subscription_share_high"),
    ("subscription_share_intl", "subscription_share_intl_high"),
    ("store_fee_low", "store_fee"),
    ("affiliate_rate_low", "affiliate_rate", "affiliate_rate_high"),
    ("live_gifter_share_low", "live_gifter_share", "live_gifter_share_high"),
    ("live_gifts_per_gifter_hour_low", "live_gifts_per_gifter_hour", "live_gifts_per_gifter_hour_high"),
    ("live_avg_gift_coins_low", "live_avg_gift_coins", "live_avg_gift_coins_high"),
    ("brand_engagement_factor_min", "brand_engagement_factor_max"),
)

_RATE_FIELDS = ("value", "unit", "label", "source", "as_of")
_OPTIONAL_FIELDS = ("type", "min", "max", "note", "us_only")
_TYPES: tuple[RateType, ...] = ("decimal", "share", "currency")


@dataclass(frozen=True, slots=True)
class RateSpec:
    """One rate as rates.yaml defines it. `min`/`max` bound a server's override (None for currency codes)."""

    key: str
    value: RateValue
    unit: str
    label: str
    source: str
    as_of: str
    type: RateType = "decimal"
    min: Decimal | None = None
    max: Decimal | None = None
    us_only: bool = False
    note: str | None = None

    def show(self, value: RateValue | None = None) -> str:
        """A value of this rate for people: '$0.005', '50%', '12', 'USD'."""
        shown = self.value if value is None else value
        if isinstance(shown, str):
            return shown
        if self.type == "share":
            return fmt_percent(shown)
        return fmt_rate(shown) if self.unit.startswith("USD") else fmt_number(shown)

    def parse(self, raw: str) -> RateValue:
        """A typed-in override, checked against this rate's type and range, or `RateError`."""
        try:
            if self.type == "currency":
                return currency_code(raw)
            value = parse_fraction(self.key, raw) if self.type == "share" else parse_amount(self.key, raw)
        except InputError as exc:
            raise RateError(f"{self.key}: {exc}" if self.type == "currency" else str(exc)) from exc
        assert self.min is not None and self.max is not None
        if not self.min <= value <= self.max:
            raise RateError(f"{self.key} must be between {self.show(self.min)} and {self.show(self.max)} "
                            f"({self.label}); {self.show(value)} is outside that range")
        return value


@dataclass(frozen=True, slots=True)
class Rates:
    """The rates one estimate runs with: the defaults plus, for a server, its validated overrides."""

    specs: Mapping[str, RateSpec]
    brand_tiers: BrandTiers
    overrides: Mapping[str, RateValue] = field(default_factory=dict)
    # Rates the question itself stated (a currency and its exchange rate), not the server's.
    stated: frozenset[str] = frozenset()
    # Each rate's `Assumption`, made once: they are immutable and every estimate cites several.
    _assumptions: dict[str, Assumption] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Text worked out from these rates alone (see `derived`).
    _derived: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def spec(self, key: str) -> RateSpec:
        return self.specs[key]

    def value(self, key: str) -> RateValue:
        """The value in force, override first; a Decimal, or text for currency codes."""
        return self.overrides.get(key, self.specs[key].value)

    def get(self, key: str) -> Decimal:
        """A numeric rate in force."""
        value = self.value(key)
        if not isinstance(value, Decimal):
            raise TypeError(f"rate {key!r} is text, not a number")
        return value

    def text(self, key: str) -> str:
        """A text rate (a currency code) in force."""
        value = self.value(key)
        if not isinstance(value, str):
            raise TypeError(f"rate {key!r} is a number, not text")
        return value

    @property
    def currency(self) -> str:
        return self.text("currency")

    def is_overridden(self, key: str) -> bool:
        return key in self.overrides

    def in_currency(self, code: str, per_usd: Decimal) -> Rates:
        """These rates showing amounts in a currency at a rate a question stated ('if $1 = 1,500 naira');
        `InputError` for a rate out of bounds."""
        values = {**self.overrides, "currency": currency_code(code), "usd_to_currency": FX_RATE.check("exchange rate", per_usd)}
        return Rates(self.specs, self.brand_tiers, values, frozenset(("currency", "usd_to_currency")))

    def band(self, low_key: str, key: str, high_key: str) -> Band:
        """Three rates as a band; it widens to keep the typical value inside if overrides crossed them."""
        return Band.around(self.get(low_key), self.get(key), self.get(high_key))

    def assumption(self, key: str) -> Assumption:
        if (made := self._assumptions.get(key)) is None:
            made = self._assumptions[key] = self._make_assumption(key)
        return made

    def _make_assumption(self, key: str) -> Assumption:
        spec = self.specs[key]
        value = self.value(key)
        if key in self.stated:  # "Server currency" is the question's here
            return Assumption(key=key, label=spec.label.removeprefix("Server ").capitalize(), value=value,
                              shown=spec.show(value), unit=spec.unit, source="your question", as_of="undated")
        return Assumption(key=key, label=spec.label, value=value, shown=spec.show(value), unit=spec.unit,
                          source=spec.source, as_of=spec.as_of, overridden=self.is_overridden(key),
                          us_only=spec.us_only, note=spec.note)

    def derived(self, key: str, make: Callable[[], str]) -> str:
        """Text that depends on these rates alone (a note's fixed part), made once: rates never change."""
        if (made := self._derived.get(key)) is None:
            made = self._derived[key] = make()
        return made

    def assumptions(self, *keys: str) -> tuple[Assumption, ...]:
        """The assumptions for these keys, each once, in the order given."""
        return tuple(self.assumption(key) for key in dict.fromkeys(keys))


@dataclass(frozen=True, slots=True)
class RateBook:
    """Everything rates.yaml holds: the rate specs and the brand-deal tier tables."""

    specs: Mapping[str, RateSpec]
    brand_tiers: BrandTiers

    def defaults(self) -> Rates:
        return Rates(self.specs, self.brand_tiers)

    def validate_override(self, key: str, raw: str) -> RateValue:
        """A moderator's override as its value, or `RateError` with a message to show them."""
        spec = self.specs.get(key)
        if spec is None:
            close = process.extract(key, list(self.specs), limit=3, score_cutoff=60)
            hint = f" Did you mean {', '.join(name for name, _, _ in close)}?" if close else ""
            raise RateError(f"There is no rate called {key!r}.{hint}")
        return spec.parse(raw)

    def with_overrides(self, overrides: Mapping[str, str]) -> Rates:
        """The defaults with a server's stored overrides; `RateError` names every one that is no longer valid."""
        values: dict[str, RateValue] = {}
        problems: list[str] = []
        for key, raw in overrides.items():
            try:
                values[key] = self.validate_override(key, raw)
            except RateError as exc:
                problems.append(str(exc))
        if problems:
            raise RateError(" ".join(problems) + " A moderator can fix this with /rates set or /rates reset.")
        return Rates(self.specs, self.brand_tiers, values)


def load_rates(path: Path | str) -> RateBook:
    """Read and validate rates.yaml; `DataError` lists every problem found."""
    where = str(path)
    problems: list[str] = []
    document = loading.mapping(loading.read_yaml(Path(path)), where, problems)
    loading.check_fields(document, where, ("rates", "tables"), (), problems)
    raw_rates = loading.mapping(document.get("rates", {}), "rates", problems)
    specs = {key: spec for key, raw in raw_rates.items() if (spec := _spec(key, raw, problems))}
    problems.extend(f"rates: missing rate '{key}'" for key in sorted(RATE_KEYS - raw_rates.keys()))
    problems.extend(f"rates.{key}: not a rate the calculator uses (a typo?)"
                    for key in sorted(raw_rates.keys() - RATE_KEYS))
    problems.extend(_order_problems(specs))
    tables = loading.mapping(document.get("tables", {}), "tables", problems)
    loading.check_fields(tables, "tables", ("brand_tiers",), (), problems)
    brand_tiers = parse_brand_tiers(tables.get("brand_tiers", {}), "tables.brand_tiers", problems)
    if problems:
        raise DataError(where, problems)
    return RateBook(MappingProxyType(specs), brand_tiers)


def _spec(key: str, data: object, problems: list[str]) -> RateSpec | None:
    where = f"rates.{key}"
    entry = loading.mapping(data, where, problems)
    before = len(problems)
    loading.check_fields(entry, where, _RATE_FIELDS, _OPTIONAL_FIELDS, problems)
    kind = next((t for t in _TYPES if t == entry.get("type", "decimal")), None)
    if kind is None:
        problems.append(f"{where}.type: expected one of {', '.join(_TYPES)}, got {entry.get('type')!r}")
        return None
    value, low, high = _value_and_range(entry, kind, where, problems)
    spec = RateSpec(
        key=key,
        value=value if value is not None else "",
        unit=loading.text(entry, "unit", where, problems) or "",
        label=loading.text(entry, "label", where, problems) or "",
        source=loading.text(entry, "source", where, problems) or "",
        as_of=loading.as_of(entry, "as_of", where, problems) or "",
        type=kind,
        min=low,
        max=high,
        us_only=loading.flag(entry, "us_only", where, problems),
        note=loading.text(entry, "note", where, problems),
    )
    return spec if len(problems) == before else None


def _value_and_range(entry: Mapping[str, object], kind: RateType, where: str,
                     problems: list[str]) -> tuple[RateValue | None, Decimal | None, Decimal | None]:
    if kind == "currency":
        code = entry.get("value")
        if not isinstance(code, str) or code != code.strip().upper() or not _is_currency_code(code):
            problems.append(f"{where}.value: expected a 3-letter currency code such as USD, got {code!r}")
        problems.extend(f"{where}.{name}: a currency code has no range" for name in ("min", "max") if name in entry)
        return (code if isinstance(code, str) else None), None, None
    problems.extend(f"{where}: missing field '{name}'" for name in ("min", "max") if name not in entry)
    value = loading.number(entry, "value", where, problems)
    low = loading.number(entry, "min", where, problems)
    high = loading.number(entry, "max", where, problems)
    if value is None or low is None or high is None:
        return value, low, high
    if low < 0:
        problems.append(f"{where}.min: rates can't be negative")
    if not low <= value <= high:
        problems.append(f"{where}: value {value} is outside its own range {low}–{high}")
    if kind == "share" and high > 1:
        problems.append(f"{where}.max: a share can't exceed 1 (100%)")
    return value, low, high


def _is_currency_code(text: str) -> bool:
    try:
        currency_code(text)
    except InputError:
        return False
    return True


def _order_problems(specs: Mapping[str, RateSpec]) -> list[str]:
    problems = []
    for group in ORDERED:
        values = [value for key in group if key in specs and isinstance(value := specs[key].value, Decimal)]
        if len(values) == len(group) and any(a > b for a, b in pairwise(values)):
            problems.append(f"rates: {' ≤ '.join(group)} must hold, got {' / '.join(str(v) for v in values)}")
    return problems
