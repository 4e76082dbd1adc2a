"""TikTok LIVE money: diamonds, coins and gifts to creator USD and back, and LIVE sessions and months."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.calc.compose import (
    COIN_PRICE_KEYS,
    SCALED_KEYS,
    AgencyCut,
    agency_cut,
    agency_input,
    coin_model_count_note,
    gift_money,
    money_estimate,
    scaled_note,
    viewer_cost,
)
from bot.calc.errors import InputError
from bot.calc.gifts import Gift
from bot.calc.limits import (
    AVG_GIFT_COINS,
    COINS,
    COINS_PER_HOUR,
    DIAMONDS,
    DIAMONDS_A_DAY,
    GIFT_COUNT,
    GIFTS_PER_HOUR,
    HOURS,
    SCALED_RATE,
    SHARE,
    STREAMS,
    USD,
    VIEWERS,
    Limit,
)
from bot.calc.money import ceil_whole, floor_whole, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_rate, plain
from bot.calc.rates import Rates
from bot.calc.result import Band, Estimate, InputValue, Line

Channel = Literal["web", "app"]


def diamonds_to_usd(rates: Rates, amount: Decimal | int, *, agency: Decimal | None = None,
                    scaled_rate: Decimal | None = None) -> Estimate:
    """What a diamond balance pays the creator: diamonds × the per-diamond rate (US Scaled Rewards as a
    note); or, with the creator's own US `scaled_rate`, diamonds × the nominal value × that rate."""
    diamonds = DIAMONDS.check("diamonds", amount)
    cut = agency_cut(rates, agency)
    rate = rates.get("diamond_usd")
    counted = fmt_count(diamonds, "diamond")
    if scaled_rate is not None:
        share = SCALED_RATE.check("Scaled LIVE Rewards rate", scaled_rate)
        nominal = rates.get("diamond_nominal_usd")
        value = Band.exact(diamonds * nominal * share * cut.kept)
        return money_estimate(
            rates, kind="diamonds", title=counted, amount=value,
            formula=(f"{counted} × {fmt_rate(nominal)} × {fmt_percent(share)} Scaled LIVE Rewards"
                     f"{cut.formula()} = {fmt_money(value.typical)}"),
            keys=("diamond_nominal_usd", *cut.keys, "scaled_rewards_low", "scaled_rewards_high"),
            notes=(f"At the standard {fmt_rate(rate)} a diamond: {fmt_money(diamonds * rate * cut.kept)}",),
            inputs={"amount": diamonds, "scaled_rate": share, **agency_input(agency)},
        )
    value = Band.exact(diamonds * rate * cut.kept)
    return money_estimate(
        rates, kind="diamonds", title=counted,
        amount=value,
        formula=f"{counted} × {fmt_rate(rate)}{cut.formula()} = {fmt_money(value.typical)}",
        keys=("diamond_usd", *cut.keys, *SCALED_KEYS),
        notes=(scaled_note(rates, diamonds, cut),),
        inputs={"amount": diamonds, **agency_input(agency)},
    )


def usd_to_diamonds(rates: Rates, usd: Decimal | int, *, per_day: Decimal | int | None = None,
                    agency: Decimal | None = None) -> Estimate:
    """How many diamonds it takes to be paid `usd` (rounded up to a whole diamond), and with
    `per_day` (diamonds earned a day) how many days of earning that is."""
    target = USD.check("amount", usd)
    daily = None if per_day is None else DIAMONDS_A_DAY.check("diamonds a day", per_day)
    cut = agency_cut(rates, agency)
    rate = rates.get("diamond_usd")
    per = cut.per_unit(rate, "diamonds")
    diamonds = ceil_whole(target / per)
    per_text = fmt_rate(rate) if not cut.fraction else f"({fmt_rate(rate)}{cut.formula()})"
    coins = ceil_whole(diamonds / rates.get("diamonds_per_coin"))
    formula = f"{fmt_money(target)} ÷ {per_text} per diamond = {fmt_number(diamonds)} diamonds"
    lines = (Line("Coins of gifts that make these diamonds", coins, "coins", viewer_cost(rates, coins)),)
    if daily is not None:
        days = ceil_whole(diamonds / daily)
        formula += f" ÷ {fmt_count(daily, 'diamond')} a day = {fmt_count(days, 'day')}, rounded up"
        lines = (Line(f"Days of earning {fmt_count(daily, 'diamond')} a day", days, "days"), *lines)
    return Estimate(
        kind="diamonds_for_usd", title=f"Diamonds for {fmt_money(target)}",
        formula=formula,
        quantity=diamonds, quantity_low=diamonds, quantity_high=diamonds, unit="diamonds",
        assumptions=rates.assumptions("diamond_usd", *cut.keys, "diamonds_per_coin", "diamonds_per_coin_legacy",
                                      *SCALED_KEYS),
        notes=tuple(n for n in (_scaled_count_note(rates, target, cut),
                                coin_model_count_note(rates, coins, "coins of gifts")) if n),
        lines=lines,
        inputs={"usd": target, **({"per_day": daily} if daily is not None else {}), **agency_input(agency)},
    )


def coins_to_usd(rates: Rates, amount: Decimal | int, *, times: Decimal | int | None = None,
                 agency: Decimal | None = None) -> Estimate:
    """What coins of gifts pay the creator, and what viewers paid for them; `times` repeats the amount
    (coins per stream × streams, coins each × the people sending them)."""
    coins = COINS.check("coins", amount)
    count = None if times is None else GIFT_COUNT.check("times", times)
    total = coins if count is None else COINS.check("coins in all", coins * count)
    cut = agency_cut(rates, agency)
    return gift_money(rates, kind="coins", title=f"{fmt_count(total, 'coin')} of gifts", coins=Band.exact(total),
                      formula="" if count is None else f"{fmt_count(coins, 'coin')} × {fmt_number(count)}", cut=cut,
                      inputs={"amount": coins, **({"times": count} if count is not None else {}), **agency_input(agency)})


def usd_to_coins(rates: Rates, usd: Decimal | int, *, channel: Channel | None = None,
                 agency: Decimal | None = None) -> Estimate:
    """How many coins `usd` buys a viewer (web or app prices), and what those coins pay the creator once gifted."""
    spend, prices, coins, formula = _purchase(rates, usd, channel)
    return gift_money(rates, kind="coins_for_usd", title=f"{fmt_money(spend)} of coins", coins=coins,
                      formula=formula, cut=agency_cut(rates, agency), count=coins, unit="coins", prices=prices,
                      inputs=_purchase_inputs(spend, channel, agency))


def usd_to_gifts(rates: Rates, gift: Gift, usd: Decimal | int, *, channel: Channel | None = None,
                 agency: Decimal | None = None) -> Estimate:
    """How many of one gift `usd` buys a viewer (web or app coin prices, whole gifts only), and what
    those gifts pay the creator once sent."""
    spend, prices, coins, formula = _purchase(rates, usd, channel)
    count = coins.map(lambda c: floor_whole(c / gift.coins))
    if not count.high:
        raise InputError(f"{fmt_money(spend)} doesn't buy one {gift.name}: it costs {fmt_count(gift.coins, 'coin')}, "
                         f"about {fmt_money(viewer_cost(rates, Decimal(gift.coins)).typical)} in the app")
    formula += (f" = {fmt_count(coins.typical, 'coin')} → {fmt_number(count.typical)} × {gift.name} "
                f"({fmt_count(gift.coins, 'coin')} each)")
    return gift_money(rates, kind="gifts_bought", title=f"{fmt_money(spend)} of {gift.name} gifts",
                      coins=count.map(lambda c: c * gift.coins), formula=formula, cut=agency_cut(rates, agency),
                      count=count, unit=gift.name, prices=prices,
                      notes=(f"{gift.name}: {gift.note}" if gift.note else None,),
                      inputs={"name": gift.name, **_purchase_inputs(spend, channel, agency)})


def _purchase(rates: Rates, usd: Decimal | int, channel: Channel | None) -> tuple[Decimal, Band, Band, str]:
    """What a viewer's money buys in whole coins at web or app prices: the amount checked, the
    prices, the coins, and the formula so far."""
    spend = USD.check("amount", usd)
    if channel not in (None, "web", "app"):
        raise InputError(f"channel must be web or app, not {channel!r}")
    prices = _coin_prices(rates, channel)
    coins = prices.divide_into(spend).map(floor_whole)
    return spend, prices, coins, f"{fmt_money(spend)} ÷ {fmt_rate(prices.typical)} per coin ({channel or 'app'})"


def _purchase_inputs(spend: Decimal, channel: Channel | None, agency: Decimal | None) -> dict[str, InputValue]:
    return {"usd": spend, **({"channel": channel} if channel else {}), **agency_input(agency)}


def gifts_value(rates: Rates, gifts: Sequence[tuple[Gift, int]], *, multiplier: int = 1,
                agency: Decimal | None = None) -> Estimate:
    """Gifts by name and count (the whole list × `multiplier`) → coins → diamonds → creator USD, plus viewer cost."""
    if not gifts:
        raise InputError("Name at least one gift")
    times = GIFT_COUNT.check("multiplier", multiplier)
    counted = [(gift, GIFT_COUNT.check(f"number of {gift.name}", count)) for gift, count in gifts]
    cut = agency_cut(rates, agency)
    rate = rates.get("diamond_usd") * rates.get("diamonds_per_coin") * cut.kept
    lines = [Line(f"{fmt_number(count)} × {gift.name}", count * gift.coins * times, "coins",
                  Band.exact(count * gift.coins * times * rate)) for gift, count in counted]
    coins = sum((count * gift.coins for gift, count in counted), Decimal(0)) * times
    names = ", ".join(gift.name for gift, _ in counted)
    return gift_money(
        rates, kind="gift", title=_gift_sum(counted, times, priced=False), coins=Band.exact(coins),
        formula=_gift_sum(counted, times, priced=True), cut=cut,
        lines=lines, notes=[f"{gift.name}: {gift.note}" for gift, _ in counted if gift.note],
        inputs={"gifts": names, "counts": ", ".join(fmt_number(c) for _, c in counted),
                **({"multiplier": times} if times != 1 else {}), **agency_input(agency)},
    )


def gifts_for_usd(rates: Rates, gift: Gift, usd: Decimal | int, *, agency: Decimal | None = None) -> Estimate:
    """How many of one gift it takes to pay the creator `usd` (rounded up to a whole gift)."""
    target = USD.check("amount", usd)
    cut = agency_cut(rates, agency)
    per_gift = cut.per_unit(gift.coins * rates.get("diamonds_per_coin") * rates.get("diamond_usd"), gift.name)
    count = ceil_whole(target / per_gift)
    return Estimate(
        kind="gifts_for_usd", title=f"{gift.name} gifts for {fmt_money(target)}",
        formula=(f"{fmt_money(target)} ÷ {fmt_rate(per_gift)} per {gift.name} "
                 f"({fmt_count(gift.coins, 'coin')} × {fmt_rate(rates.get('diamond_usd'))}{cut.formula()}) "
                 f"= {fmt_number(count)}"),
        quantity=count, quantity_low=count, quantity_high=count, unit=gift.name,
        assumptions=rates.assumptions("diamond_usd", "diamonds_per_coin", *cut.keys, *COIN_PRICE_KEYS,
                                      "diamonds_per_coin_legacy"),
        notes=tuple(n for n in (f"{gift.name}: {gift.note}" if gift.note else None,
                                coin_model_count_note(rates, count, gift.name)) if n),
        lines=(Line(f"Viewers pay for {fmt_number(count)} × {gift.name}", count * gift.coins, "coins",
                    viewer_cost(rates, count * gift.coins)),),
        inputs={"name": gift.name, "usd": target, **agency_input(agency)},
    )


def _scaled_count_note(rates: Rates, target: Decimal, cut: AgencyCut) -> str:
    """How many diamonds reach `target` across the US Scaled LIVE Rewards range."""
    low, high = sorted((rates.get("scaled_rewards_low"), rates.get("scaled_rewards_high")))
    span = f"{fmt_percent(low)}–{fmt_percent(high)}"
    if not low * cut.kept:
        return f"US only: Scaled LIVE Rewards pay {span} of the diamond value; at the lowest rate no diamonds pay"
    nominal = rates.get("diamond_nominal_usd") * cut.kept
    fewest, most = (ceil_whole(target / (nominal * share)) for share in (high, low))
    return f"US only: at Scaled LIVE Rewards of {span} it takes {fmt_number(fewest)}–{fmt_number(most)} diamonds"


@dataclass(frozen=True, slots=True)
class _LiveModel:
    """Coins of gifts in one stream, how they were counted, and which rates were assumed."""

    hours: Decimal
    coins: Band
    formula: str
    keys: tuple[str, ...]
    lines: tuple[Line, ...]
    inputs: dict[str, InputValue]


def live_session(rates: Rates, *, hours: Decimal | int, viewers: Decimal | int | None = None,
                 gifter_share: Decimal | None = None, gifts_per_hour: Decimal | int | None = None,
                 avg_gift: Decimal | int | None = None, coins_per_hour: Decimal | int | None = None,
                 agency: Decimal | None = None) -> Estimate:
    """One LIVE: viewers × hours × share who gift × gifts per gifter-hour × average gift (coins) → creator USD.

    When the gifts are known, `coins_per_hour` replaces the viewer model. Every factor not stated
    comes from the rates, and the range spans each one from its low to its high value.
    """
    model = _live_model(rates, hours, viewers, gifter_share, gifts_per_hour, avg_gift, coins_per_hour)
    cut = agency_cut(rates, agency)
    return gift_money(rates, kind="live", title=f"One LIVE of {plain(model.hours)} h",
                      coins=model.coins, formula=model.formula, cut=cut, keys=model.keys, lines=model.lines,
                      inputs={**model.inputs, **agency_input(agency)})


def live_month(rates: Rates, *, hours: Decimal | int, viewers: Decimal | int | None = None,
               streams: Decimal | int | None = None, gifter_share: Decimal | None = None,
               gifts_per_hour: Decimal | int | None = None, avg_gift: Decimal | int | None = None,
               coins_per_hour: Decimal | int | None = None, agency: Decimal | None = None) -> Estimate:
    """A month of LIVEs: one stream as in `live_session` × streams per month."""
    model = _live_model(rates, hours, viewers, gifter_share, gifts_per_hour, avg_gift, coins_per_hour)
    count = rates.get("streams_per_month") if streams is None else STREAMS.check("streams", streams)
    cut = agency_cut(rates, agency)
    per_stream = model.coins.typical * rates.get("diamonds_per_coin") * rates.get("diamond_usd") * cut.kept
    return gift_money(
        rates, kind="month", title=f"A month of {fmt_count(count, 'LIVE')}", coins=model.coins * count,
        formula=f"{fmt_number(count)} streams × ({model.formula})", cut=cut,
        keys=(*model.keys, *(("streams_per_month",) if streams is None else ())),
        lines=(*model.lines, Line("Per stream", model.coins.typical, "coins", Band.exact(per_stream))),
        inputs={**model.inputs, **({"streams": count} if streams is not None else {}), **agency_input(agency)},
    )


def _live_model(rates: Rates, hours: Decimal | int, viewers: Decimal | int | None, gifter_share: Decimal | None,
                gifts_per_hour: Decimal | int | None, avg_gift: Decimal | int | None,
                coins_per_hour: Decimal | int | None) -> _LiveModel:
    duration = HOURS.check("hours", hours)
    audience = None if viewers is None else VIEWERS.check("viewers", viewers)
    seen: dict[str, InputValue] = {"hours": duration, **({"viewers": audience} if audience is not None else {})}
    if coins_per_hour is not None:
        if any(v is not None for v in (gifter_share, gifts_per_hour, avg_gift)):
            raise InputError("Give either the coins per hour you receive or the gifting model "
                             "(share of viewers who gift, gifts per hour, average gift), not both")
        rate = COINS_PER_HOUR.check("coins per hour", coins_per_hour)
        return _LiveModel(duration, Band.exact(rate * duration), f"{fmt_number(rate)} coins/h × {plain(duration)} h",
                          (), (), {**seen, "coins_per_hour": rate})
    if audience is None:
        raise InputError("Give the number of viewers (average concurrent), or the coins per hour you receive")
    share, share_keys = _factor(rates, gifter_share, SHARE, "viewers who gift", "live_gifter_share")
    gifts, gift_keys = _factor(rates, gifts_per_hour, GIFTS_PER_HOUR, "gifts per hour", "live_gifts_per_gifter_hour")
    size, size_keys = _factor(rates, avg_gift, AVG_GIFT_COINS, "average gift", "live_avg_gift_coins")
    gifters = share * audience
    count = gifters * gifts * duration
    coins = count * size
    formula = (f"{fmt_number(audience)} viewers × {fmt_percent(share.typical)} gift × {fmt_number(gifts.typical)} "
               f"gifts/h × {plain(duration)} h × {fmt_number(size.typical)} coins")
    lines = (Line("Viewers who gift", gifters.typical, "viewers"), Line("Gifts sent", count.typical, "gifts"))
    stated = {"gifter_share": gifter_share, "gifts_per_hour": gifts_per_hour, "avg_gift": avg_gift}
    return _LiveModel(duration, coins, formula, (*share_keys, *gift_keys, *size_keys), lines,
                      {**seen, **{k: Decimal(v) for k, v in stated.items() if v is not None}})


def _factor(rates: Rates, stated: Decimal | int | None, limit: Limit, name: str,
            key: str) -> tuple[Band, tuple[str, ...]]:
    """A model factor: the stated value exactly, or the rates' low/typical/high band (and its keys)."""
    if stated is not None:
        return Band.exact(limit.check(name, stated)), ()
    keys = (f"{key}_low", key, f"{key}_high")
    return rates.band(*keys), keys


def _coin_prices(rates: Rates, channel: Channel | None) -> Band:
    if channel == "web":
        return Band.exact(rates.get("coin_price_web"))
    if channel == "app":
        return rates.band("coin_price_app", "coin_price_app", "coin_price_app_high")
    return rates.band("coin_price_web", "coin_price_app", "coin_price_app_high")


def _gift_sum(counted: Sequence[tuple[Gift, Decimal]], times: Decimal, *, priced: bool) -> str:
    """'2 × Lion + 1 × Galaxy', with each gift's coin price when `priced`, and '(…) × 3' for a multiplier."""
    total = " + ".join(f"{fmt_number(count)} × {gift.name}" + (f" ({fmt_number(gift.coins)})" if priced else "")
                       for gift, count in counted)
    return total if times == 1 else f"({total}) × {fmt_number(times)}"
