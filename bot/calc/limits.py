"""Bounds for every input an estimate takes: one definition shared by the functions and the registry."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.calc.errors import InputError
from bot.calc.money import fmt_number, fmt_percent, to_decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Limit:
    """An input's allowed range; `share` inputs are fractions from 0 to 1 shown as percentages."""

    maximum: Decimal
    minimum: Decimal = ZERO
    integral: bool = False
    share: bool = False

    def check(self, name: str, value: Decimal | int) -> Decimal:
        """The value as a Decimal, or `InputError` naming the input and the problem."""
        number = to_decimal(value)
        if number.is_nan():
            raise InputError(f"{name} is not a number")
        if not number.is_finite():
            raise InputError(f"{name} must be a finite number")
        if number < self.minimum:
            raise InputError(f"{name} can't be negative" if self.minimum == ZERO
                             else f"{name} must be at least {self.show(self.minimum)}")
        if number > self.maximum:
            raise InputError(f"{name} is too large: at most {self.show(self.maximum)}")
        if self.integral and number != number.to_integral_value():
            raise InputError(f"{name} must be a whole number")
        return number

    def show(self, value: Decimal) -> str:
        if self.share:
            return fmt_percent(value)
        shown = fmt_number(value)  # two decimals at most: a bound finer than a cent is written out
        return format(value.normalize(), "f") if value and shown == "0" else shown


def _limit(maximum: int | str, *, minimum: int | str = 0, integral: bool = False) -> Limit:
    return Limit(Decimal(maximum), Decimal(minimum), integral)


# Counts of things (whole numbers).
DIAMONDS = _limit(10**12, integral=True)
DIAMONDS_A_DAY = _limit(10**12, minimum=1, integral=True)  # a rate to divide by: never 0
COINS = _limit(10**12, integral=True)
GIFT_COUNT = _limit(10**9, integral=True)
VIEWERS = _limit(10**8, integral=True)
STREAMS = _limit(100, integral=True)
SUBSCRIBERS = _limit(10**9, integral=True)
VIEWS = _limit(10**12, integral=True)
BUYERS = _limit(10**9, integral=True)
FOLLOWERS = _limit(10**10, integral=True)
POSTS = _limit(1000, integral=True)
UNITS = _limit(10**9, integral=True)
TIMES = _limit(10**6)  # streams, days or posts an amount is earned over (4.3 weeks in a month)

# Amounts and rates.
USD = _limit(10**12)
HOURS = _limit(24)
PRICE = _limit(10**6)
RPM = _limit(100)
AVG_GIFT_COINS = _limit(10**5)
GIFTS_PER_HOUR = _limit(3600)
COINS_PER_HOUR = _limit(10**10)
FX_RATE = _limit(10**6, minimum="0.000001")
SHARE = Limit(Decimal(1), share=True)
# A US Scaled LIVE Rewards rate: a share of a diamond's nominal value, 53% at most (rates.yaml).
SCALED_RATE = Limit(Decimal("0.53"), share=True)
