"""One table of every estimate kind, shared by the CLI (`python -m bot estimate KIND --flag value`),
the `/estimate` slash commands and the free-text parser.

Each kind lists its parameters (`ParamSpec`) and how to run it. `compute()` takes raw values
(strings as typed, or numbers), checks them all against the specs, reports every problem in one
`InputError`, and runs the estimate.

Parameter types:
- ``decimal``: a number: "1200", "1,200", "$500", "0.72", "1.2k", "1.2M".
- ``int``: a whole number, written the same ways ("1.2M" views is fine).
- ``percent``: a share. "15%" and "15" mean 15%; "0.15" means 15% too. The rule: a value with a
  % sign, or any value above 1, is a percentage; a value from 0 to 1 without a sign is a fraction
  (so "1" is 100%: write "1%" for one percent). Numbers passed in follow the same rule.
- ``gift``: a gift's name, resolved in the catalogue (plurals and small typos are fine).
- ``gifts``: several gifts with counts: "2 lions, a galaxy + 3 roses", "lion x2 and 5 universe".
- ``text``: a word; when `choices` is set, one of them ("super fan" and "super-fan" match super_fan).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from bot.calc import income, live, payout
from bot.calc.errors import InputError
from bot.calc.gifts import Gift, GiftCatalogue
from bot.calc.limits import (
    AVG_GIFT_COINS,
    BUYERS,
    COINS,
    COINS_PER_HOUR,
    DIAMONDS,
    DIAMONDS_A_DAY,
    FOLLOWERS,
    FX_RATE,
    GIFTS_PER_HOUR,
    GIFT_COUNT,
    HOURS,
    Limit,
    POSTS,
    PRICE,
    RPM,
    SCALED_RATE,
    SHARE,
    STREAMS,
    SUBSCRIBERS,
    TIMES,
    UNITS,
    USD,
    VIEWERS,
    VIEWS,
)
from bot.calc.money import as_fraction, parse_amount, parse_fraction
from bot.calc.rates import Rates
from bot.calc.result import Estimate

ParamType = Literal["decimal", "int", "percent", "gift", "gifts", "text"]
ParamValue = str | Decimal | int
Runner = Callable[..., Estimate]

_LIST_SPLIT_RE = re.compile(r"\s*(?:,|\+|&)\s*")
_AND_SPLIT_RE = re.compile(r"(\s+(?:and|n|plus)\s+)", re.IGNORECASE)
_ITEM_RE = re.compile(
    r"^(?:(?P<lead>\d[\d,.]*[km]?|an?|one)\s*(?:x|×)?\s+)?(?P<name>.+?)(?:\s*(?:x|×)\s*(?P<tail>\d[\d,]*))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter of an estimate kind. `min`/`max` bound numbers (percent: as fractions 0–1)."""

    name: str
    type: ParamType
    help: str
    required: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        """The CLI flag: --gifter-share."""
        return "--" + self.name.replace("_", "-")

    def check_number(self, value: Decimal) -> Decimal:
        """The number within this parameter's bounds, or `InputError`."""
        if self.max is None:
            return value
        limit = Limit(self.max, self.min or Decimal(0), integral=self.type == "int", share=self.type == "percent")
        return limit.check(self.name, value)


@dataclass(frozen=True, slots=True)
class KindSpec:
    """An estimate kind: its name, a one-line help, its parameters and how to run it."""

    name: str
    help: str
    params: tuple[ParamSpec, ...]
    run: Runner = field(repr=False)

    def param(self, name: str) -> ParamSpec:
        """The parameter called `name`; KeyError if the kind has none."""
        for param in self.params:
            if param.name == name:
                return param
        raise KeyError(name)


def _num(name: str, kind: ParamType, limit: Limit, help: str, *, required: bool = False) -> ParamSpec:
    return ParamSpec(name, kind, help, required, limit.minimum, limit.maximum)


def _choice(name: str, choices: tuple[str, ...], help: str) -> ParamSpec:
    return ParamSpec(name, "text", help, choices=choices)


AGENCY = _num("agency", "percent", SHARE, "share an agency takes of your earnings (default: this server's agency cut)")
_LIVE_PARAMS = (
    _num("viewers", "int", VIEWERS, "average concurrent viewers (not needed with --coins-per-hour)"),
    _num("hours", "decimal", HOURS, "hours per stream", required=True),
    _num("gifter_share", "percent", SHARE, "share of viewers who send gifts (default: the server's LIVE model range)"),
    _num(
        "gifts_per_hour", "decimal", GIFTS_PER_HOUR, "gifts per gifting viewer per hour (default: the LIVE model range)"
    ),
    _num("avg_gift", "decimal", AVG_GIFT_COINS, "average gift size in coins (default: the LIVE model range)"),
    _num("coins_per_hour", "decimal", COINS_PER_HOUR, "coins of gifts you receive per hour, if you know it"),
)
_STREAMS = _num("streams", "int", STREAMS, "streams per month (default: this server's streams_per_month)")


def _with_catalogue_ignored(fn: Runner) -> Runner:
    """A runner for functions whose keyword arguments are exactly the kind's parameters."""

    def run(rates: Rates, catalogue: GiftCatalogue, **params: Any) -> Estimate:
        return fn(rates, **params)

    return run


def _gift(
    rates: Rates, catalogue: GiftCatalogue, *, name: Gift, count: int = 1, agency: Decimal | None = None
) -> Estimate:
    return live.gifts_value(rates, [(name, count)], agency=agency)


def _gifts(
    rates: Rates,
    catalogue: GiftCatalogue,
    *,
    items: list[tuple[Gift, int]],
    multiplier: int = 1,
    agency: Decimal | None = None,
) -> Estimate:
    return live.gifts_value(rates, items, multiplier=multiplier, agency=agency)


def _gifts_for_usd(
    rates: Rates, catalogue: GiftCatalogue, *, name: Gift, usd: Decimal, agency: Decimal | None = None
) -> Estimate:
    return live.gifts_for_usd(rates, name, usd, agency=agency)


def _gifts_bought(rates: Rates, catalogue: GiftCatalogue, *, name: Gift, usd: Decimal, channel: Any = None,
                  agency: Decimal | None = None) -> Estimate:
    return live.usd_to_gifts(rates, name, usd, channel=channel, agency=agency)


def _projection(rates: Rates, catalogue: GiftCatalogue, **p: Any) -> Estimate:
    """Each income stream whose parameters are given, for one month, added up."""
    agency = p.get("agency")
    parts = []
    live_keys = ("viewers", "coins_per_hour", "gifter_share", "gifts_per_hour", "avg_gift", "streams")
    if "hours" in p or any(k in p for k in live_keys):
        if "hours" not in p:
            raise InputError("LIVE income needs hours per stream (--hours)")
        parts.append(live.live_month(rates, agency=agency, hours=p["hours"], **{k: p[k] for k in live_keys if k in p}))
    if "subscribers" in p:
        parts.append(
            income.subscriptions(
                rates,
                p["subscribers"],
                price=p.get("sub_price"),
                share=p.get("sub_share"),
                plan=p.get("plan", "super_fan"),
                region=p.get("region", "us_ca"),
                agency=agency,
            )
        )
    if "views" in p:
        parts.append(
            income.creator_rewards(
                rates, p["views"], qualified_share=p.get("qualified_share"), rpm=p.get("rpm"), agency=agency
            )
        )
    if "series_buyers" in p or "series_price" in p:
        parts.append(income.series(rates, _needs(p, "series_buyers"), _needs(p, "series_price"), agency=agency))
    if "brand_posts" in p or "followers" in p:
        parts.append(
            income.brand_deal(
                rates,
                _needs(p, "followers"),
                engagement=p.get("engagement"),
                posts=_needs(p, "brand_posts"),
                agency=agency,
            )
        )
    if "units" in p or "unit_price" in p:
        parts.append(
            income.affiliate(
                rates, _needs(p, "units"), _needs(p, "unit_price"), commission=p.get("commission"), agency=agency
            )
        )
    return payout.projection(rates, parts)


def _needs(params: Mapping[str, Any], name: str) -> Any:
    if name not in params:
        flag = "--" + name.replace("_", "-")
        raise InputError(f"{name.replace('_', ' ')} is needed for that part of the projection ({flag})")
    return params[name]


KINDS: Mapping[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec(
            "live",
            "one LIVE stream from viewers and hours (or coins per hour)",
            (*_LIVE_PARAMS, AGENCY),
            _with_catalogue_ignored(live.live_session),
        ),
        KindSpec(
            "month",
            "a month of LIVE streams: one stream × streams per month",
            (*_LIVE_PARAMS, _STREAMS, AGENCY),
            _with_catalogue_ignored(live.live_month),
        ),
        KindSpec(
            "diamonds",
            "what a diamond balance pays you",
            (_num("amount", "int", DIAMONDS, "number of diamonds", required=True), AGENCY,
             _num("scaled_rate", "percent", SCALED_RATE, "your US Scaled LIVE Rewards rate, of the $0.01 diamond value")),
            _with_catalogue_ignored(live.diamonds_to_usd),
        ),
        KindSpec(
            "diamonds_for_usd",
            "how many diamonds it takes to be paid an amount",
            (_num("usd", "decimal", USD, "the amount in USD", required=True),
             _num("per_day", "int", DIAMONDS_A_DAY, "diamonds you earn a day: adds how many days that takes"), AGENCY),
            _with_catalogue_ignored(live.usd_to_diamonds),
        ),
        KindSpec(
            "coins",
            "what coins of gifts pay you, and what viewers paid for them",
            (_num("amount", "int", COINS, "number of coins", required=True),
             _num("times", "int", GIFT_COUNT, "that many coins this many times: per stream × streams (default 1)"),
             AGENCY),
            _with_catalogue_ignored(live.coins_to_usd),
        ),
        KindSpec(
            "coins_for_usd",
            "how many coins a viewer's money buys, and what they pay you once gifted",
            (
                _num("usd", "decimal", USD, "the amount spent, in USD", required=True),
                _choice("channel", ("web", "app"), "where the coins were bought (default: app, web as the low price)"),
                AGENCY,
            ),
            _with_catalogue_ignored(live.usd_to_coins),
        ),
        KindSpec(
            "gift",
            "what a number of one gift pays you, and what it cost viewers",
            (
                ParamSpec("name", "gift", "the gift's name", required=True),
                _num("count", "int", GIFT_COUNT, "how many (default 1)"),
                AGENCY,
            ),
            _gift,
        ),
        KindSpec(
            "gifts",
            "what several gifts pay you, e.g. '2 lions, a galaxy, 30 roses'",
            (
                ParamSpec("items", "gifts", "gifts with counts, separated by commas, + or 'and'", required=True),
                _num("multiplier", "int", GIFT_COUNT, "the whole list this many times (default 1)"),
                AGENCY,
            ),
            _gifts,
        ),
        KindSpec(
            "gifts_for_usd",
            "how many of one gift it takes to be paid an amount",
            (
                ParamSpec("name", "gift", "the gift's name", required=True),
                _num("usd", "decimal", USD, "the amount in USD", required=True),
                AGENCY,
            ),
            _gifts_for_usd,
        ),
        KindSpec(
            "gifts_bought",
            "how many of one gift a viewer's money buys, and what they pay you once sent",
            (
                ParamSpec("name", "gift", "the gift's name", required=True),
                _num("usd", "decimal", USD, "the amount spent, in USD", required=True),
                _choice("channel", ("web", "app"), "where the coins were bought (default: app, web as the low price)"),
                AGENCY,
            ),
            _gifts_bought,
        ),
        KindSpec(
            "subs",
            "monthly pay from LIVE Super Fan or on-feed Subscription",
            (
                _num("subscribers", "int", SUBSCRIBERS, "number of subscribers", required=True),
                _num(
                    "price",
                    "decimal",
                    PRICE,
                    "monthly price in USD (default: this server's Super Fan or Subscription price)",
                ),
                _num("share", "percent", SHARE, "your share of the price (default: published shares after store fees)"),
                _choice("plan", income.PLANS, "super_fan (LIVE, default) or subscription (on-feed)"),
                _choice("region", income.REGIONS, "us_ca (default) or other: Subscription shares differ"),
                AGENCY,
            ),
            _with_catalogue_ignored(income.subscriptions),
        ),
        KindSpec(
            "views",
            "Creator Rewards pay for video views",
            (
                _num("views", "int", VIEWS, "number of views", required=True),
                _num(
                    "qualified_share",
                    "percent",
                    SHARE,
                    "share of views that qualify (default: this server's; 100% for qualified views)",
                ),
                _num(
                    "rpm",
                    "decimal",
                    RPM,
                    "your RPM in USD per 1,000 qualified views (default: this server's RPM range)",
                ),
                AGENCY,
            ),
            _with_catalogue_ignored(income.creator_rewards),
        ),
        KindSpec(
            "series",
            "sales of a paywalled Series",
            (
                _num("buyers", "int", BUYERS, "number of buyers", required=True),
                _num("price", "decimal", PRICE, "price in USD", required=True),
                _num(
                    "share",
                    "percent",
                    SHARE,
                    "your share of the price (default: this server's Series share after store fees)",
                ),
                AGENCY,
            ),
            _with_catalogue_ignored(income.series),
        ),
        KindSpec(
            "brand",
            "a sponsored post's rate from follower tiers (several sources)",
            (
                _num("followers", "int", FOLLOWERS, "number of followers", required=True),
                _num("engagement", "percent", SHARE, "engagement rate (typical 2.6%)"),
                _num("posts", "int", POSTS, "number of sponsored posts (default 1)"),
                AGENCY,
            ),
            _with_catalogue_ignored(income.brand_deal),
        ),
        KindSpec(
            "affiliate",
            "TikTok Shop affiliate commission",
            (
                _num("units", "int", UNITS, "units sold (with --price)"),
                _num("price", "decimal", PRICE, "price per unit in USD (with --units)"),
                _num("sales", "decimal", USD, "the sales total in USD, instead of units and price"),
                _num("commission", "percent", SHARE, "commission rate (default: this server's typical range)"),
                AGENCY,
            ),
            _with_catalogue_ignored(income.affiliate),
        ),
        KindSpec(
            "agency",
            "what you keep after an agency's cut",
            (
                _num("amount", "decimal", USD, "earnings in USD (or give --diamonds)"),
                _num("diamonds", "int", DIAMONDS, "earnings in diamonds (or give --amount)"),
                _num("percent", "percent", SHARE, "the agency's share (default: this server's agency cut)"),
            ),
            _with_catalogue_ignored(payout.agency_split),
        ),
        KindSpec(
            "earnings",
            "what an amount you earn each stream, day or post comes to over a number of them",
            (
                _num("amount", "decimal", USD, "what you earn each time, in USD", required=True),
                _num("times", "decimal", TIMES, "how many streams, days or posts (default 1)"),
                _choice("per", payout.EARNING_UNITS, "what the amount is earned per (default: stream)"),
                _num("agency", "percent", SHARE, "share an agency takes, if any (none unless given)"),
            ),
            _with_catalogue_ignored(payout.earned_over),
        ),
        KindSpec(
            "withdraw",
            "days to withdraw a balance under the daily cap",
            (
                _num("usd", "decimal", USD, "balance in USD (or give --diamonds)"),
                _num("diamonds", "int", DIAMONDS, "balance in diamonds (or give --usd)"),
                _num("agency", "percent", SHARE, "share an agency takes first, if any (none unless given)"),
            ),
            _with_catalogue_ignored(payout.withdraw_days),
        ),
        KindSpec(
            "convert",
            "convert between USD and another currency",
            (
                _num("amount", "decimal", USD, "the amount", required=True),
                ParamSpec("currency", "text", "currency of the amount (default USD)"),
                ParamSpec("to", "text", "currency to convert to (default: this server's currency, or USD)"),
                _num("rate", "decimal", FX_RATE, "units of the other currency per USD (default: this server's rate)"),
            ),
            _with_catalogue_ignored(payout.convert),
        ),
        KindSpec(
            "projection",
            "a month's income from any of: LIVE, subscriptions, views, Series, brand deals, affiliate",
            (
                *_LIVE_PARAMS[:1],
                _num("hours", "decimal", HOURS, "hours per stream"),
                *_LIVE_PARAMS[2:],
                _STREAMS,
                _num("subscribers", "int", SUBSCRIBERS, "subscribers"),
                _num("sub_price", "decimal", PRICE, "subscription price in USD"),
                _num("sub_share", "percent", SHARE, "your share of the subscription price"),
                _choice("plan", income.PLANS, "super_fan (default) or subscription"),
                _choice("region", income.REGIONS, "us_ca (default) or other"),
                _num("views", "int", VIEWS, "video views this month"),
                _num("qualified_share", "percent", SHARE, "share of views that qualify"),
                _num("rpm", "decimal", RPM, "your RPM"),
                _num("series_buyers", "int", BUYERS, "Series buyers this month"),
                _num("series_price", "decimal", PRICE, "Series price in USD"),
                _num("followers", "int", FOLLOWERS, "followers (for brand deals)"),
                _num("engagement", "percent", SHARE, "engagement rate (for brand deals)"),
                _num("brand_posts", "int", POSTS, "sponsored posts this month"),
                _num("units", "int", UNITS, "affiliate units sold this month"),
                _num("unit_price", "decimal", PRICE, "affiliate price per unit in USD"),
                _num("commission", "percent", SHARE, "affiliate commission rate"),
                AGENCY,
            ),
            _projection,
        ),
    )
}


def compute(kind: str, params: Mapping[str, ParamValue], rates: Rates, catalogue: GiftCatalogue) -> Estimate:
    """Check `params` against the kind's specs (every problem reported at once) and run the estimate."""
    spec = KINDS.get(kind)
    if spec is None:
        raise InputError(f"There is no estimate called {kind!r}. Choose one of: {', '.join(KINDS)}")
    known = {p.name for p in spec.params}
    problems = [
        f"{kind} takes no {name!r} (it takes: {', '.join(p.name for p in spec.params)})"
        for name in params
        if name not in known
    ]
    values: dict[str, Any] = {}
    for param in spec.params:
        raw = params.get(param.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if param.required:
                problems.append(f"{param.name} is required: {param.help}")
            continue
        try:
            values[param.name] = parse_param(param, raw, catalogue)
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError("\n".join(problems))
    return spec.run(rates, catalogue, **values)


def parse_param(param: ParamSpec, raw: ParamValue, catalogue: GiftCatalogue) -> Any:
    """One raw value as its parameter's type, within bounds, or `InputError`."""
    if param.type == "gift":
        return _resolve(catalogue, str(raw))
    if param.type == "gifts":
        return parse_gift_list(str(raw), catalogue)
    if param.type == "text":
        return _text(param, str(raw))
    if isinstance(raw, bool) or not isinstance(raw, (str, Decimal, int)):
        raise InputError(f"{param.name}: expected a number, got {raw!r}")
    if param.type == "percent":
        number = parse_fraction(param.name, raw) if isinstance(raw, str) else as_fraction(Decimal(raw), name=param.name)
    else:
        number = parse_amount(param.name, raw) if isinstance(raw, str) else Decimal(raw)
    checked = param.check_number(number)
    return int(checked) if param.type == "int" else checked


def parse_gift_list(text: str, catalogue: GiftCatalogue) -> list[tuple[Gift, int]]:
    """'2 lions, a galaxy + 3 roses' → [(Lion, 2), (Galaxy, 1), (Rose, 3)]; `InputError` names every unknown gift.

    Items are separated by commas, '+' or '&', and by 'and' / 'n' / 'plus' unless the words around
    them are one gift's name ("Leon and Lion").
    """
    items: list[tuple[Gift, int]] = []
    problems: list[str] = []
    for chunk in (c for c in _LIST_SPLIT_RE.split(text.strip()) if c):
        found, missing = _joined_items(chunk, catalogue)
        items += found
        problems += missing
    if problems:
        raise InputError("; ".join(problems))
    if not items:
        raise InputError("Name at least one gift, e.g. '2 lions, a galaxy'")
    return items


def _joined_items(chunk: str, catalogue: GiftCatalogue) -> tuple[list[tuple[Gift, int]], list[str]]:
    """Items of a chunk split at 'and'/'n'/'plus', rejoining the longest runs that name one gift."""
    pieces = _AND_SPLIT_RE.split(chunk)
    words, joins = pieces[0::2], pieces[1::2]
    found: list[tuple[Gift, int]] = []
    missing: list[str] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            run = words[start] + "".join(joins[k] + words[k + 1] for k in range(start, end - 1))
            try:
                found.append(_item(run, catalogue))
                start = end
                break
            except InputError as exc:
                error = exc
        else:
            missing.append(str(error))
            start += 1
    return found, missing


def _item(text: str, catalogue: GiftCatalogue) -> tuple[Gift, int]:
    match = _ITEM_RE.match(text.strip())
    if match is None:
        raise InputError(f"can't read {text!r} as a gift and a count")
    return _resolve(catalogue, match["name"]), _count(match["lead"], match["tail"])


def _count(lead: str | None, tail: str | None) -> int:
    if lead is not None and tail is not None:
        raise InputError("give each gift's count once, before or after its name")
    written = tail or lead
    if written is None or written.lower() in ("a", "an", "one"):
        return 1
    return int(GIFT_COUNT.check("gift count", parse_amount("gift count", written)))


def _resolve(catalogue: GiftCatalogue, name: str) -> Gift:
    gift = catalogue.resolve(name)
    if gift is not None:
        return gift
    close = catalogue.search(name, limit=3)
    hint = f" Did you mean {', '.join(g.name for g in close)}?" if close else ""
    raise InputError(f"I don't know a gift called {name.strip()!r}.{hint}")


def _text(param: ParamSpec, raw: str) -> str:
    if not param.choices:
        return raw.strip()
    value = re.sub(r"[\s\-/]+", "_", raw.strip().lower())
    if value not in param.choices:
        raise InputError(f"{param.name} must be one of {', '.join(param.choices)}, not {raw.strip()!r}")
    return value
