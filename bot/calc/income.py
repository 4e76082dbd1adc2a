"""The income streams beside LIVE gifts: subscriptions / Super Fan, Creator Rewards, Series, brand deals, affiliate."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from statistics import median
from typing import Literal

from bot.calc.compose import AgencyCut, agency_cut, agency_input, money_estimate
from bot.calc.errors import InputError
from bot.calc.limits import BUYERS, FOLLOWERS, POSTS, PRICE, RPM, SHARE, SUBSCRIBERS, UNITS, USD, VIEWS
from bot.calc.money import CENT, THOUSAND, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_rate, plain
from bot.calc.rates import Rates
from bot.calc.result import Assumption, Band, Estimate, InputValue, Line
from bot.calc.tables import TierQuote

Plan = Literal["super_fan", "subscription"]
Region = Literal["us_ca", "other"]
PLANS: tuple[Plan, ...] = ("super_fan", "subscription")
REGIONS: tuple[Region, ...] = ("us_ca", "other")
STORE_FEE_KEYS = ("store_fee_low", "store_fee", "store_fee")
_SHARE_KEYS: dict[Region, tuple[str, str, str]] = {
    "us_ca": ("subscription_share", "subscription_share", "subscription_share_high"),
    "other": ("subscription_share_intl", "subscription_share_intl", "subscription_share_intl_high"),
}


def subscriptions(rates: Rates, subscribers: Decimal | int, *, price: Decimal | int | None = None,
                  share: Decimal | None = None, plan: Plan = "super_fan", region: Region = "us_ca",
                  agency: Decimal | None = None) -> Estimate:
    """Monthly pay from LIVE Super Fan or on-feed Subscription: subscribers × price × the creator's share.

    A stated `share` is a share of the price. Without one, the published share applies after the
    app-store fee (15–30%): Super Fan 50%; Subscription 70–90% in the US and Canada, 50–70% elsewhere.
    """
    subs = SUBSCRIBERS.check("subscribers", subscribers)
    if plan not in PLANS:
        raise InputError(f"plan must be one of {', '.join(PLANS)}, not {plan!r}")
    if region not in REGIONS:
        raise InputError(f"region must be one of {', '.join(REGIONS)}, not {region!r}")
    price_key = "superfan_price" if plan == "super_fan" else "subscription_price"
    cost = rates.get(price_key) if price is None else PRICE.check("price", price)
    share_keys = ("superfan_share",) * 3 if plan == "super_fan" else _SHARE_KEYS[region]
    cut = agency_cut(rates, agency)
    notes: tuple[str, ...] = ()
    if share is None and plan == "subscription":
        notes = (_other_region_note(rates, region, subs * cost, cut),)
    elif share is None:  # sources differ on whether Super Fan's share comes before the store's fee or after it
        full = subs * cost * rates.get("superfan_share") * cut.kept
        notes = (f"Some sources put the {fmt_percent(rates.get('superfan_share'))} on the full price, before the "
                 f"app-store fee: {fmt_money(full)}",)
    return _share_of_sales(
        rates, kind="subs", title=f"{fmt_number(subs)} {'Super Fan' if plan == 'super_fan' else 'Subscription'} "
                                  "subscribers",
        count=subs, price=cost, stated=share, published=share_keys,
        keys=(price_key,) if price is None else (), agency=agency, notes=notes,
        inputs={"subscribers": subs, "price": cost, "plan": plan,
                **({"region": region} if plan == "subscription" else {})},
    )


def creator_rewards(rates: Rates, views: Decimal | int, *, qualified_share: Decimal | None = None,
                    rpm: Decimal | int | None = None, agency: Decimal | None = None) -> Estimate:
    """Creator Rewards pay per view: views × qualified share ÷ 1,000 × RPM (a range when RPM isn't stated)."""
    count = VIEWS.check("views", views)
    share = rates.get("qualified_share") if qualified_share is None else SHARE.check("qualified share", qualified_share)
    per_mille = rates.band("rpm_low", "rpm", "rpm_high") if rpm is None else Band.exact(RPM.check("RPM", rpm))
    cut = agency_cut(rates, agency)
    amount = per_mille * (count * share / THOUSAND) * cut.kept
    fund_low, fund_high = sorted((rates.get("creator_fund_rpm_low"), rates.get("creator_fund_rpm_high")))
    return money_estimate(
        rates, kind="views", title=f"Creator Rewards for {fmt_count(count, 'view')}", amount=amount,
        formula=(f"{fmt_number(count)} views × {fmt_percent(share)} qualified ÷ 1,000 × {fmt_rate(per_mille.typical)} "
                 f"RPM{cut.formula()} = {fmt_money(amount.typical)}"),
        keys=(*(("qualified_share",) if qualified_share is None else ()),
              *(("rpm_low", "rpm", "rpm_high") if rpm is None else ()), *cut.keys,
              "creator_fund_rpm_low", "creator_fund_rpm_high"),
        notes=(f"The old Creator Fund ({fmt_rate(fund_low)}–{fmt_rate(fund_high)} per 1,000 views) would have paid "
               f"{fmt_money(count * fund_low / THOUSAND)}–{fmt_money(count * fund_high / THOUSAND)}; calculators "
               f"still using it show Creator Rewards far too low",),
        lines=(Line("Qualified views", count * share, "views"),),
        inputs={"views": count, "qualified_share": share, **({"rpm": per_mille.typical} if rpm is not None else {}),
                **agency_input(agency)},
    )


def series(rates: Rates, buyers: Decimal | int, price: Decimal | int, *, share: Decimal | None = None,
           agency: Decimal | None = None) -> Estimate:
    """Paywalled Series sales: buyers × price × the creator's share (100% after fees at launch)."""
    count = BUYERS.check("buyers", buyers)
    cost = PRICE.check("price", price)
    return _share_of_sales(rates, kind="series", title=f"Series bought by {fmt_number(count)}", count=count,
                           price=cost, stated=share, published=("series_share",) * 3, keys=(), agency=agency,
                           notes=(), inputs={"buyers": count, "price": cost})


def brand_deal(rates: Rates, followers: Decimal | int, *, engagement: Decimal | None = None,
               posts: Decimal | int = 1, agency: Decimal | None = None) -> Estimate:
    """Sponsored posts: each source's tier quote for the follower count, scaled by engagement, × posts.

    Typical is the median of the sources' mid-points; low and high are the lowest and highest quotes.
    """
    audience = FOLLOWERS.check("followers", followers)
    count = POSTS.check("posts", posts)
    tables = rates.brand_tiers
    quotes = tables.quotes(audience)
    factor, factor_text, factor_keys, factor_note = _engagement(rates, engagement)
    cut = agency_cut(rates, agency)
    base = _tier_band(quotes)
    amount = base * factor * count * cut.kept
    if quotes:
        basis = (f"Median of {len(quotes)} sources' quotes for {fmt_number(audience)} followers "
                 f"{fmt_money(base.typical)}")
    else:
        smallest = min(row.followers for source in tables.sources for row in source.rows)
        basis = f"No source quotes a rate below {fmt_number(smallest)} followers: $0.00"
    return money_estimate(
        rates, kind="brand", title=f"Brand deal for {fmt_count(audience, 'follower')}", amount=amount,
        formula=f"{basis}{factor_text} × {fmt_count(count, 'post')}{cut.formula()} = {fmt_money(amount.typical)}",
        keys=(*factor_keys, *cut.keys),
        notes=(factor_note, tables.note),
        lines=[Line(f"{q.source.name}: {q.tier}", count, "posts",
                    Band(q.low, q.mid, q.high) * factor * count * cut.kept) for q in quotes],
        inputs={"followers": audience, "posts": count, **({"engagement": engagement} if engagement is not None else {}),
                **agency_input(agency)},
        sources=[_quote_assumption(q, tables.unit) for q in quotes],
    )


def affiliate(rates: Rates, units: Decimal | int | None = None, price: Decimal | int | None = None, *,
              sales: Decimal | int | None = None, commission: Decimal | None = None,
              agency: Decimal | None = None) -> Estimate:
    """TikTok Shop affiliate commission: units sold × price (or the sales total) × the seller-set rate
    (10–20% when not stated)."""
    keys = ("affiliate_rate_low", "affiliate_rate", "affiliate_rate_high")
    rate = rates.band(*keys) if commission is None else Band.exact(SHARE.check("commission", commission))
    cut = agency_cut(rates, agency)
    lines: tuple[Line, ...] = ()
    if sales is not None:
        if units is not None or price is not None:
            raise InputError("Give either the units sold and their price, or the sales total, not both")
        total = USD.check("sales", sales)
        title, basis, inputs = f"Affiliate commission on {fmt_money(total)} of sales", fmt_money(total), {"sales": total}
    elif units is None or price is None:
        raise InputError("Give the units sold and the price per unit (or the sales total in USD)")
    else:
        sold, cost = UNITS.check("units", units), PRICE.check("price", price)
        total, title = sold * cost, f"Affiliate commission on {fmt_count(sold, 'sale')}"
        basis, inputs = f"{fmt_number(sold)} × {fmt_rate(cost)}", {"units": sold, "price": cost}
        lines = (Line("Sales", sold, "units", Band.exact(total)),)
    amount = rate * total * cut.kept
    return money_estimate(
        rates, kind="affiliate", title=title, amount=amount,
        formula=f"{basis} × {fmt_percent(rate.typical)} commission{cut.formula()} = {fmt_money(amount.typical)}",
        keys=(*(keys if commission is None else ()), *cut.keys),
        lines=lines,
        inputs={**inputs, **({"commission": rate.typical} if commission is not None else {}), **agency_input(agency)},
    )


def _share_of_sales(rates: Rates, *, kind: str, title: str, count: Decimal, price: Decimal,
                    stated: Decimal | None, published: tuple[str, str, str], keys: tuple[str, ...],
                    agency: Decimal | None, notes: tuple[str, ...], inputs: Mapping[str, InputValue]) -> Estimate:
    """count × price × the creator's share.

    A stated share is taken of the price (with a note on what it gives if it is counted after the
    app-store fee). Otherwise the published share (`published` rate keys: low, typical, high)
    applies to what the app-store fee (15–30%) leaves.
    """
    cut = agency_cut(rates, agency)
    gross = count * price
    after_fee = rates.band(*STORE_FEE_KEYS).complement()
    head = f"{fmt_number(count)} × {fmt_rate(price)}"
    if stated is not None:
        share = SHARE.check("share", stated)
        amount = Band.exact(gross * share * cut.kept)
        fees = after_fee * amount.typical
        return money_estimate(
            rates, kind=kind, title=title, amount=amount,
            formula=f"{head} × {fmt_percent(share)}{cut.formula()} = {fmt_money(amount.typical)}",
            keys=(*keys, *cut.keys, "store_fee_low", "store_fee"),
            notes=(*notes, f"If that share is counted after the app-store fee, you'd get "
                           f"{fmt_money(fees.low)}–{fmt_money(fees.high)}"),
            inputs={**inputs, "share": share, **agency_input(agency)},
        )
    shares = rates.band(*published)
    amount = after_fee * shares * gross * cut.kept
    return money_estimate(
        rates, kind=kind, title=title, amount=amount,
        formula=(f"{head} × (1 − {fmt_percent(rates.get('store_fee'))} store fee) × {fmt_percent(shares.typical)}"
                 f"{cut.formula()} = {fmt_money(amount.typical)}"),
        keys=(*keys, *dict.fromkeys(published), "store_fee", "store_fee_low", *cut.keys), notes=notes,
        inputs={**inputs, **agency_input(agency)},
    )


def _other_region_note(rates: Rates, region: Region, gross: Decimal, cut: AgencyCut) -> str:
    other: Region = "other" if region == "us_ca" else "us_ca"
    band = rates.band(*STORE_FEE_KEYS).complement() * rates.band(*_SHARE_KEYS[other]) * gross * cut.kept
    where = "Outside the US and Canada" if other == "other" else "In the US and Canada"
    return f"{where} the share differs: {fmt_money(band.low)}–{fmt_money(band.high)}"


def _tier_band(quotes: tuple[TierQuote, ...]) -> Band:
    if not quotes:
        return Band.exact(Decimal(0))
    return Band(min(q.low for q in quotes), median(q.mid for q in quotes), max(q.high for q in quotes))


def _engagement(rates: Rates, engagement: Decimal | None) -> tuple[Decimal, str, tuple[str, ...], str | None]:
    """(factor, formula part, rate keys, note) for an engagement rate; factor 1 when none is stated."""
    if engagement is None:
        return Decimal(1), "", (), "Say your engagement rate to adjust for it: sources say it moves rates a lot"
    rate = SHARE.check("engagement rate", engagement)
    baseline = rates.get("brand_engagement_baseline")
    low, high = sorted((rates.get("brand_engagement_factor_min"), rates.get("brand_engagement_factor_max")))
    raw = rate / baseline
    factor = min(max(raw, low), high)
    note = None if factor == raw else f"Engagement adjustment capped at ×{plain(factor)} (sources give no formula)"
    text = f" × {plain(factor.quantize(CENT))} engagement ({fmt_percent(rate)} ÷ {fmt_percent(baseline)})"
    keys = ("brand_engagement_baseline", "brand_engagement_factor_min", "brand_engagement_factor_max")
    return factor, text, keys, note


def _quote_assumption(quote: TierQuote, unit: str) -> Assumption:
    high = "+" if quote.high == quote.low else f"–{fmt_money(quote.high)}"
    shown = f"{fmt_money(quote.low)}{high}"
    return Assumption(key=f"brand_tiers:{quote.source.name}", label=f"{quote.source.name} ({quote.tier} tier)",
                      value=shown, shown=shown, unit=unit, source=quote.source.source, as_of=quote.source.as_of)
