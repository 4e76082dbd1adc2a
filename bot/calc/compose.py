"""Shared steps of the estimates: the agency cut, coins → diamonds → USD, and the standard notes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.calc.errors import InputError
from bot.calc.limits import SHARE
from bot.calc.money import ONE, ceil_whole, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_rate, plain
from bot.calc.rates import Rates
from bot.calc.result import Assumption, Band, Estimate, InputValue, Line

COIN_PRICE_KEYS = ("coin_price_web", "coin_price_app", "coin_price_app_high")
SCALED_KEYS = ("diamond_nominal_usd", "scaled_rewards_low", "scaled_rewards_high")


@dataclass(frozen=True, slots=True)
class AgencyCut:
    """The share of a creator's earnings an agency takes: stated for this estimate, or the server's rate."""

    fraction: Decimal
    keys: tuple[str, ...]

    @property
    def kept(self) -> Decimal:
        return ONE - self.fraction

    def formula(self) -> str:
        return f" × (1 − {fmt_percent(self.fraction)} agency)" if self.fraction else ""

    def per_unit(self, value: Decimal, what: str) -> Decimal:
        """What one unit pays the creator after the cut; `InputError` when nothing is left to count towards."""
        kept = value * self.kept
        if kept <= 0:
            raise InputError(f"With a {fmt_percent(self.fraction)} agency cut no number of {what} pays you anything")
        return kept


def agency_cut(rates: Rates, stated: Decimal | None) -> AgencyCut:
    if stated is not None:
        return AgencyCut(SHARE.check("agency", stated), ())
    fraction = rates.get("agency_cut")
    return AgencyCut(fraction, ("agency_cut",) if fraction else ())


def agency_input(agency: Decimal | None) -> dict[str, InputValue]:
    """The stated agency share as an input to echo, if one was stated."""
    return {} if agency is None else {"agency": agency}


def local_note(rates: Rates, amount: Band) -> str | None:
    """'≈ 401.76 EUR at this server's rate (1 USD = 0.92 EUR)' when the server (or the question) shows
    another currency."""
    currency = rates.currency
    if currency == "USD":
        return None
    local = amount * rates.get("usd_to_currency")
    shown = fmt_money(local.typical, currency)
    if not local.is_exact:
        shown += f" (range {fmt_money(local.low, currency)}–{fmt_money(local.high, currency)})"
    whose = "the rate in your question" if "usd_to_currency" in rates.stated else "this server's rate"
    per_usd = rates.get("usd_to_currency")  # every digit the rate has, with thousands set apart: "1,500", "0.787402"
    return f"≈ {shown} at {whose} (1 USD = {format(per_usd.normalize(), ',f')} {currency})"


def money_estimate(rates: Rates, *, kind: str, title: str, amount: Band, formula: str,
                   keys: Iterable[str] = (), notes: Iterable[str | None] = (), lines: Sequence[Line] = (),
                   inputs: Mapping[str, InputValue], sources: Sequence[Assumption] = (),
                   count: Band | None = None, unit: str | None = None) -> Estimate:
    """A USD result (optionally with a `count` of `unit`) citing the rates `keys` and any other
    `sources`, each once; plus the server-currency note and its rates when the server shows another currency."""
    note = local_note(rates, amount)
    keys = (*keys, *(("currency", "usd_to_currency") if note else ()))
    cited = {a.key: a for a in (*sources, *rates.assumptions(*keys))}
    return Estimate(
        kind=kind, title=title, formula=formula,
        low=amount.low, typical=amount.typical, high=amount.high,
        quantity=None if count is None else count.typical,
        quantity_low=None if count is None else count.low,
        quantity_high=None if count is None else count.high,
        unit=unit,
        assumptions=tuple(cited.values()),
        notes=tuple(n for n in (*notes, note) if n),
        lines=tuple(lines),
        inputs=inputs,
    )


def scaled_note(rates: Rates, diamonds: Decimal, cut: AgencyCut) -> str:
    """The US Scaled LIVE Rewards range for this many diamonds."""
    low, high = rates.get("scaled_rewards_low"), rates.get("scaled_rewards_high")
    per = diamonds * rates.get("diamond_nominal_usd") * cut.kept
    said = rates.derived("scaled_note", lambda: f"US only: Scaled LIVE Rewards pay {fmt_percent(low)}–{fmt_percent(high)} "
                                                f"of the {fmt_rate(rates.get('diamond_nominal_usd'))} diamond value → ")
    return f"{said}{fmt_money(per * min(low, high))}–{fmt_money(per * max(low, high))}"


def other_coin_model(rates: Rates) -> tuple[Decimal, bool] | None:
    """The diamonds-per-coin of the model this server doesn't use, and whether it is the legacy 2:1 one."""
    current = rates.get("diamonds_per_coin")
    legacy = rates.get("diamonds_per_coin_legacy")
    standard = rates.spec("diamonds_per_coin").value
    other = standard if rates.is_overridden("diamonds_per_coin") else legacy
    if not isinstance(other, Decimal) or other == current:
        return None
    return other, other == legacy


def coin_model_note(rates: Rates, coins: Decimal, cut: AgencyCut) -> str | None:
    """What the other coins-to-diamonds model would pay for these coins."""
    other = other_coin_model(rates)
    if other is None:
        return None
    value = fmt_money(coins * other[0] * rates.get("diamond_usd") * cut.kept)
    return _model_text(other, f"show {value}", f"be {value}")


def coin_model_count_note(rates: Rates, count: Decimal, unit: str) -> str | None:
    """How many of something the other coins-to-diamonds model would say it takes, given this model's count."""
    other = other_coin_model(rates)
    if other is None:
        return None
    shown = fmt_number(ceil_whole(count * rates.get("diamonds_per_coin") / other[0]))
    return _model_text(other, f"say {shown} {unit}", f"be {shown} {unit}")


def _model_text(other: tuple[Decimal, bool], legacy_tail: str, standard_tail: str) -> str:
    ratio, is_legacy = other
    if is_legacy:
        return f"Some calculators use {plain(ONE / ratio)} coins = 1 diamond and would {legacy_tail}"
    return f"At TikTok's usual {plain(ONE / ratio)} coin = 1 diamond this would {standard_tail}"


def viewer_cost(rates: Rates, coins: Decimal) -> Band:
    """What viewers paid for these coins: web price (low), app (typical), dearer app ladder (high)."""
    return rates.band(*COIN_PRICE_KEYS) * coins


def coins_formula(rates: Rates, coins: Decimal) -> str:
    """'12,000 coins = 12,000 diamonds × $0.005'."""
    diamonds = coins * rates.get("diamonds_per_coin")
    return f"{fmt_count(coins, 'coin')} = {fmt_count(diamonds, 'diamond')} × {fmt_rate(rates.get('diamond_usd'))}"


def gift_money(rates: Rates, *, kind: str, title: str, coins: Band, formula: str, cut: AgencyCut,
               keys: Iterable[str] = (), lines: Sequence[Line] = (), notes: Iterable[str | None] = (),
               inputs: Mapping[str, InputValue], count: Band | None = None, unit: str | None = None,
               prices: Band | None = None) -> Estimate:
    """Coins of gifts → diamonds → creator USD, with what viewers paid and the model and US notes.

    `formula` describes how the coins were counted and ends where `coins_formula` takes over.
    `prices` are the coin prices the viewers paid, when the question says (default: web to app).
    """
    diamonds = coins * rates.get("diamonds_per_coin")
    amount = diamonds * rates.get("diamond_usd") * cut.kept
    total = f"{formula} = " if formula else ""
    return money_estimate(
        rates, kind=kind, title=title, amount=amount,
        formula=f"{total}{coins_formula(rates, coins.typical)}{cut.formula()} = {fmt_money(amount.typical)}",
        keys=("diamond_usd", "diamonds_per_coin", *keys, *cut.keys, *COIN_PRICE_KEYS,
              "diamonds_per_coin_legacy", *SCALED_KEYS),
        notes=(*notes, coin_model_note(rates, coins.typical, cut), scaled_note(rates, diamonds.typical, cut)),
        lines=(*lines, Line("Viewers paid for the coins", coins.typical, "coins",
                            viewer_cost(rates, coins.typical) if prices is None else prices * coins.typical)),
        inputs=inputs, count=count, unit=unit,
    )
