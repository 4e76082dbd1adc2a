"""After the earning: an agency's cut, what an amount earned each time adds up to, days to withdraw under
the daily cap, currency, and a month's total."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.calc.compose import agency_cut, agency_input, local_note, money_estimate
from bot.calc.errors import InputError
from bot.calc.limits import DIAMONDS, FX_RATE, SHARE, TIMES, USD
from bot.calc.money import ceil_whole, currency_code, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_rate, plain
from bot.calc.rates import Rates
from bot.calc.result import Band, Estimate, InputValue, Line

_PART_LABELS = {"live": "LIVE", "month": "LIVE", "subs": "subscriptions", "views": "Creator Rewards",
                "series": "Series", "brand": "brand deals", "affiliate": "affiliate"}


def agency_split(rates: Rates, *, amount: Decimal | int | None = None, diamonds: Decimal | int | None = None,
                 percent: Decimal | None = None) -> Estimate:
    """What the creator keeps when an agency takes `percent` of earnings given in USD or in diamonds."""
    gross, head, keys, inputs = _balance(rates, amount, diamonds)
    cut = agency_cut(rates, None if percent is None else SHARE.check("agency share", percent))
    kept = gross * cut.kept
    return money_estimate(
        rates, kind="agency", title=f"After a {fmt_percent(cut.fraction)} agency cut", amount=Band.exact(kept),
        formula=f"{head} × (1 − {fmt_percent(cut.fraction)} agency) = {fmt_money(kept)}",
        keys=(*keys, *(("agency_cut",) if percent is None else ())),
        lines=(Line("Agency takes", None, "", Band.exact(gross * cut.fraction)),),
        inputs={**inputs, **({"percent": cut.fraction} if percent is not None else {})},
    )


# What an amount earned "each time" can be earned per: streams, periods, or pieces of paid work.
EARNING_UNITS = ("stream", "day", "week", "month", "post", "video")


def earned_over(rates: Rates, amount: Decimal | int, *, times: Decimal | int = 1, per: str = "stream",
                agency: Decimal | None = None) -> Estimate:
    """What `amount` USD earned each `per` (a stream, a day, a sponsored post…) comes to over `times` of
    them: "$15 a LIVE, 20 LIVEs a month" is $300. The amount is taken as what the creator is paid, so
    only an agency share the question states is taken off (not the server's default)."""
    each, count = USD.check("amount", amount), TIMES.check("times", times)
    if per not in EARNING_UNITS:
        raise InputError(f"per must be one of: {', '.join(EARNING_UNITS)}")
    total = each * count
    formula = f"{fmt_money(each)} a {per} × {fmt_count(count, per)} = {fmt_money(total)}"
    title = f"{fmt_count(count, per)} at {fmt_money(each)} each"
    lines: tuple[Line, ...] = ()
    if agency is not None and (cut := agency_cut(rates, agency)).fraction:
        formula += f"{cut.formula()} = {fmt_money(total * cut.kept)}"
        title += ", after the agency's cut"
        lines = (Line("Agency takes", None, "", Band.exact(total * cut.fraction)),)
        total *= cut.kept
    return money_estimate(rates, kind="earnings", title=title, amount=Band.exact(total), formula=formula,
                          lines=lines, inputs={"amount": each, "times": count, "per": per, **agency_input(agency)})


def withdraw_days(rates: Rates, *, usd: Decimal | int | None = None, diamonds: Decimal | int | None = None,
                  agency: Decimal | None = None) -> Estimate:
    """Days needed to withdraw a balance under the daily cap (whole days, rounded up); what is left of
    it after an agency's share, when one is given."""
    balance, head, keys, inputs = _balance(rates, usd, diamonds)
    if agency is not None:  # "my agency takes 30%, 900k diamonds: how many days to withdraw the rest"
        inputs = {**inputs, **agency_input(agency)}
        if (cut := agency_cut(rates, agency)).fraction:
            balance *= cut.kept
            head += f"{cut.formula()} = {fmt_money(balance)}"
    cap = rates.get("daily_withdraw_cap_usd")
    days = ceil_whole(balance / cap)
    low, high = sorted((rates.get("withdraw_min_low_usd"), rates.get("withdraw_min_high_usd")))
    return money_estimate(
        rates, kind="withdraw", title=f"Withdrawing {fmt_money(balance)}", amount=Band.exact(balance),
        formula=f"{head} ÷ {fmt_money(cap)} per day = {fmt_count(days, 'day')}, rounded up",
        keys=(*keys, "daily_withdraw_cap_usd", "withdraw_review_days", "withdraw_min_low_usd",
              "withdraw_min_high_usd"),
        notes=(f"Each request can take up to {fmt_number(rates.get('withdraw_review_days'))} days to be reviewed",
               f"Minimum withdrawal claims range {fmt_money(low)}–{fmt_money(high)}; the app shows yours"),
        inputs=inputs, count=Band.exact(days), unit="days",
    )


def convert(rates: Rates, amount: Decimal | int, *, currency: str = "USD", to: str | None = None,
            rate: Decimal | int | None = None) -> Estimate:
    """Convert between USD and another currency at a stated rate or the server's (units per USD)."""
    value = USD.check("amount", amount)
    source = currency_code(currency)
    target = currency_code(to) if to is not None else rates.currency if source == "USD" else "USD"
    if source == target:
        raise InputError(f"Name a currency to convert to (this server uses {rates.currency}), "
                         "e.g. to EUR with rate 0.92")
    if "USD" not in (source, target):
        raise InputError("Convert to or from USD: one side must be USD")
    other = target if source == "USD" else source
    per_usd, keys = _per_usd(rates, other, rate)
    result = value * per_usd if source == "USD" else value / per_usd
    verb = "×" if source == "USD" else "÷"
    return Estimate(
        kind="convert", title=f"{fmt_money(value, source)} in {target}", currency=target,
        formula=(f"{fmt_money(value, source)} {verb} {plain(per_usd)} {other} per USD = {fmt_money(result, target)}"),
        low=result, typical=result, high=result,
        assumptions=rates.assumptions(*keys),
        notes=("A fixed rate, not a live market quote",) if other != "USD" else (),
        inputs={"amount": value, "currency": source, "to": target, **({"rate": per_usd} if rate is not None else {})},
    )


def projection(rates: Rates, parts: Sequence[Estimate]) -> Estimate:
    """A month's income from several estimates (each already a monthly USD figure), summed low/typical/high."""
    if not parts:
        raise InputError("Give at least one income stream to add up")
    bands = []
    for part in parts:
        if part.amount is None or part.currency != "USD":
            raise InputError(f"{part.title} is not a USD amount and can't be added to a monthly total")
        bands.append(part.amount)
    total = sum(bands[1:], bands[0])
    own = {local_note(rates, band) for band in bands}
    return money_estimate(
        rates, kind="projection", title="Monthly projection", amount=total,
        formula=" + ".join(f"{fmt_money(b.typical)} {_PART_LABELS.get(p.kind, p.kind)}"
                           for p, b in zip(parts, bands, strict=True)) + f" = {fmt_money(total.typical)}",
        notes=dict.fromkeys(n for part in parts for n in part.notes if n not in own),
        lines=[Line(part.title, None, "", band) for part, band in zip(parts, bands, strict=True)],
        inputs={f"{i + 1}. {part.kind}": part.title for i, part in enumerate(parts)},
        sources=[a for part in parts for a in part.assumptions],
    )


def _balance(rates: Rates, usd: Decimal | int | None,
             diamonds: Decimal | int | None) -> tuple[Decimal, str, tuple[str, ...], dict[str, InputValue]]:
    """(USD, formula head, rate keys, inputs) for a balance given in USD or in diamonds, exactly one of them."""
    if usd is not None and diamonds is None:
        value = USD.check("amount", usd)
        return value, fmt_money(value), (), {"amount": value}
    if diamonds is not None and usd is None:
        count = DIAMONDS.check("diamonds", diamonds)
        rate = rates.get("diamond_usd")
        value = count * rate
        head = f"{fmt_number(count)} diamonds × {fmt_rate(rate)} = {fmt_money(value)}"
        return value, head, ("diamond_usd",), {"diamonds": count}
    raise InputError("Give the amount either in USD or in diamonds (one of them)")


def _per_usd(rates: Rates, code: str, stated: Decimal | int | None) -> tuple[Decimal, tuple[str, ...]]:
    """Units of `code` per USD: the stated rate, or the server's when `code` is the server's currency."""
    if stated is not None:
        return FX_RATE.check("exchange rate", stated), ()
    if code == rates.currency:
        return rates.get("usd_to_currency"), ("currency", "usd_to_currency")
    raise InputError(f"This server has no {code} rate (it uses {rates.currency}): state one, e.g. rate 0.92, or "
                     f"ask a moderator to set currency and usd_to_currency with /rates set")
