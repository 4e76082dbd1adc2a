"""The shared calculation module: pure functions over frozen dataclasses, Decimal money.

Nothing here imports Discord, the database or Jinja2. Every rate comes from a `Rates` value
(`load_rates(path).defaults()`, or `.with_overrides(...)` for a server) passed in by the caller.
"""

from bot.calc.errors import CalcError, DataError, InputError, RateError
from bot.calc.gifts import Gift, GiftCatalogue, load_gifts
from bot.calc.income import affiliate, brand_deal, creator_rewards, series, subscriptions
from bot.calc.live import (
                           coins_to_usd,
                           diamonds_to_usd,
                           gifts_for_usd,
                           gifts_value,
                           live_month,
                           live_session,
                           usd_to_coins,
                           usd_to_diamonds,
)
from bot.calc.money import cents, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_rate, parse_amount, parse_fraction
from bot.calc.payout import agency_split, convert, earned_over, projection, withdraw_days
from bot.calc.rates import RATE_KEYS, RateBook, Rates, RateSpec, load_rates
from bot.calc.registry import KINDS, KindSpec, ParamSpec, compute, parse_gift_list
from bot.calc.result import Assumption, Band, Estimate, Line

__all__ = [
    "KINDS", "RATE_KEYS",
    "Assumption", "Band", "CalcError", "DataError", "Estimate", "Gift", "GiftCatalogue", "InputError", "KindSpec",
    "Line", "ParamSpec", "RateBook", "RateError", "RateSpec", "Rates",
    "affiliate", "agency_split", "brand_deal", "cents", "coins_to_usd", "compute", "convert", "creator_rewards",
    "diamonds_to_usd", "earned_over", "fmt_count", "fmt_money", "fmt_number", "fmt_percent", "fmt_rate", "gifts_for_usd", "gifts_value",
    "live_month", "live_session", "load_gifts", "load_rates", "parse_amount", "parse_fraction", "parse_gift_list",
    "projection", "series", "subscriptions", "usd_to_coins", "usd_to_diamonds", "withdraw_days",
]
