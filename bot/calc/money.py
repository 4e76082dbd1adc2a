"""Decimal helpers: rounding for display, formatting for formulas, and parsing typed-in numbers.

Money keeps full precision through every calculation; only values shown to people are rounded,
half up, to cents (`cents`).
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from bot.calc.errors import InputError

CENT = Decimal("0.01")
DIME = Decimal("0.10")
FINE = Decimal("0.0001")  # parts of a cent, shown for amounts under a dime
ONE = Decimal(1)
HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)

_SUFFIXES = {"": ONE, "k": Decimal(10) ** 3, "m": Decimal(10) ** 6, "b": Decimal(10) ** 9}
_AMOUNT_RE = re.compile(
    r"^(?P<sign>-?)\s*\$?\s*(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?P<suffix>[kmb]?)$",
    re.IGNORECASE,
)
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_PERCENT_RE = re.compile(r"^(?P<number>\d+(?:\.\d+)?|\.\d+)\s*(?P<sign>%?)$")


def cents(amount: Decimal) -> Decimal:
    """An amount rounded half up to cents, for display: 0.005 → 0.01, 0.0049 → 0.00."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def ceil_whole(value: Decimal) -> Decimal:
    """The smallest whole number ≥ value (counts needed to reach a target)."""
    return value.quantize(ONE, rounding=ROUND_CEILING)


def floor_whole(value: Decimal) -> Decimal:
    """The largest whole number ≤ value (counts an amount can buy)."""
    return value.quantize(ONE, rounding=ROUND_FLOOR)


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 0.0050 → '0.005', 2E+5 → '200000'."""
    text = format(_finite(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def fmt_number(value: Decimal | int) -> str:
    """A count with thousands separators, at most two decimals: 87340 → '87,340', 7.5 → '7.5'."""
    rounded = _unsigned_zero(_finite(Decimal(value)).quantize(CENT, rounding=ROUND_HALF_UP).normalize())
    return format(rounded, ",f") if rounded == rounded.to_integral_value() else format(rounded, ",.2f").rstrip("0")


def fmt_count(value: Decimal | int, unit: str) -> str:
    """A count with its unit, singular for exactly one, whichever way the unit is given: '1 coin',
    '29,999 coins', '40 Galaxies', '1 diamond' (from 'diamonds')."""
    return f"{fmt_number(value)} {singular(unit) if value == 1 else plural(unit)}"


def plural(noun: str) -> str:
    """'coin' → 'coins', 'Galaxy' → 'Galaxies', 'diamonds' stays."""
    if noun.endswith("s"):
        return noun
    if noun.endswith("y") and noun[-2:-1].lower() not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + "s"


def singular(noun: str) -> str:
    """'coins' → 'coin', 'Galaxies' → 'Galaxy', 'coin' and 'Lion's Mane' stay."""
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    if noun.endswith("s") and not noun.endswith(("ss", "'s")):
        return noun[:-1]
    return noun


def fmt_money(amount: Decimal, currency: str = "USD") -> str:
    """An amount for display, rounded to cents: '$1,124.98', or '401.76 EUR' in another currency.
    Under ten cents a part of a cent shows, to four places: a Rose pays '$0.005', not '$0.01'."""
    shown = cents(_finite(amount))
    if shown != amount and abs(amount) < DIME:
        finer = amount.quantize(FINE, rounding=ROUND_HALF_UP).normalize()
        if finer and finer.as_tuple().exponent < -2:  # not a whole number of cents after all
            shown = finer
    text = format(_unsigned_zero(shown), ",f")
    return f"${text}" if currency == "USD" else f"{text} {currency}"


def fmt_rate(amount: Decimal, currency: str = "USD") -> str:
    """A unit price at full precision: '$0.005', '$0.0143'; whole cents as money: '$5.00'."""
    if amount == cents(_finite(amount)):
        return fmt_money(amount, currency)
    text = plain(amount)
    return f"${text}" if currency == "USD" else f"{text} {currency}"


def fmt_percent(fraction: Decimal) -> str:
    """A fraction as a percentage: 0.15 → '15%', 0.053 → '5.3%'."""
    return f"{plain(_finite(fraction) * HUNDRED)}%"


def _finite(value: Decimal) -> Decimal:
    """The value itself; a NaN or infinity is a bug upstream (inputs are checked), never a figure to show."""
    if not value.is_finite():
        raise ValueError(f"a figure to show must be a finite number, not {value}")
    return value


def _unsigned_zero(value: Decimal) -> Decimal:
    """-0.00 (a tiny negative rounded away) as 0.00."""
    return value.copy_abs() if value.is_zero() else value


def parse_amount(name: str, text: str) -> Decimal:
    """A typed-in number: '1,200', '$500', '0.72', '1.2M', '40k' (k, m, b suffixes). A minus sign is
    kept so that bounds checks can say "can't be negative" rather than "not a number"."""
    match = _AMOUNT_RE.match(text.strip())
    if match is None:
        raise InputError(f"{name}: {text.strip()!r} is not a number (try 1200, 1,200, 1.2k or $500)")
    number = Decimal(match["number"].replace(",", "")) * _SUFFIXES[match["suffix"].lower()]
    return -number if match["sign"] else number


def parse_fraction(name: str, text: str) -> Decimal:
    """A typed-in share as a fraction: '15%' → 0.15; '15' → 0.15; '0.15' → 0.15.

    The rule: a value with a % sign, or any value above 1, is a percentage; a value from 0 to 1
    without a sign is already a fraction (so '1' means 100%; write '1%' for one percent).
    """
    match = _PERCENT_RE.match(text.strip())
    if match is None and text.strip().startswith("-"):
        raise InputError(f"{name} can't be negative")
    if match is None:
        raise InputError(f"{name}: {text.strip()!r} is not a percentage (try 15, 15% or 0.15)")
    return as_fraction(Decimal(match["number"]), percent_sign=bool(match["sign"]), name=name)


def as_fraction(value: Decimal, *, percent_sign: bool = False, name: str = "share") -> Decimal:
    """Apply the percentage rule of `parse_fraction` to a number already parsed; `InputError` for
    NaN or infinity, naming the input."""
    if value.is_nan():
        raise InputError(f"{name} is not a number")
    if value.is_infinite():
        raise InputError(f"{name} must be a finite number")
    return value / HUNDRED if percent_sign or value > ONE else value


def currency_code(text: str) -> str:
    """A 3-letter currency code, upper-cased: 'eur' → 'EUR'."""
    code = text.strip().upper()
    if not _CURRENCY_RE.match(code):
        raise InputError(f"{text.strip()!r} is not a currency code: use three letters such as USD, EUR or GBP")
    return code


def to_decimal(value: Decimal | int | str) -> Decimal:
    """A Decimal from an int, a Decimal or a numeric string (not a float: floats carry binary noise)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise TypeError(f"expected Decimal, int or str, got {type(value).__name__}")
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise InputError(f"{value!r} is not a number") from exc
