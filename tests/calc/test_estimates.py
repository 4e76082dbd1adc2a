from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.calc import (
    Band,
    Estimate,
    InputError,
    affiliate,
    agency_split,
    brand_deal,
    cents,
    coins_to_usd,
    convert,
    creator_rewards,
    diamonds_to_usd,
    earned_over,
    gifts_for_usd,
    gifts_value,
    live_month,
    live_session,
    projection,
    series,
    subscriptions,
    usd_to_coins,
    usd_to_diamonds,
    withdraw_days,
)

D = Decimal


def money(estimate: Estimate) -> tuple[Decimal, Decimal, Decimal]:
    """(low, typical, high) rounded to cents."""
    assert estimate.low is not None and estimate.typical is not None and estimate.high is not None
    return cents(estimate.low), cents(estimate.typical), cents(estimate.high)


def exact(value: str) -> tuple[Decimal, Decimal, Decimal]:
    return D(value), D(value), D(value)


# --- the sanity examples ---------------------------------------------------------------------------


def test_sanity_diamonds(rates) -> None:
    estimate = diamonds_to_usd(rates, 87_340)
    assert money(estimate) == exact("436.70")
    assert estimate.formula == "87,340 diamonds × $0.005 = $436.70"
    assert "US only: Scaled LIVE Rewards pay 20%–53% of the $0.01 diamond value → $174.68–$462.90" in estimate.notes


def test_sanity_diamonds_for_usd(rates) -> None:
    estimate = usd_to_diamonds(rates, 1000)
    assert (estimate.quantity, estimate.unit, estimate.typical) == (D(200_000), "diamonds", None)
    assert estimate.formula == "$1,000.00 ÷ $0.005 per diamond = 200,000 diamonds"


def test_sanity_five_universes(rates, catalogue) -> None:
    estimate = gifts_value(rates, [(catalogue.resolve("tiktok universes"), 5)])
    assert money(estimate) == exact("1124.98")
    assert "224,995 diamonds" in estimate.formula
    viewer = next(line for line in estimate.lines if line.label.startswith("Viewers paid"))
    assert viewer.amount is not None and viewer.quantity == 224_995
    assert (cents(viewer.amount.low), cents(viewer.amount.typical), cents(viewer.amount.high)) == (
        D("2384.95"),
        D("3217.43"),
        D("3419.92"),
    )


def test_sanity_views(rates) -> None:
    assert money(creator_rewards(rates, 500_000, qualified_share=D(1), rpm=D("0.65"))) == exact("325.00")
    assert money(creator_rewards(rates, 3_100_000, qualified_share=D("0.6"), rpm=D("0.72"))) == exact("1339.20")


def test_sanity_affiliate_coins_and_lion(rates, catalogue) -> None:
    assert money(affiliate(rates, 340, 24, commission=D("0.15"))) == exact("1224.00")
    assert money(coins_to_usd(rates, 5000)) == exact("25.00")
    lion = gifts_value(rates, [(catalogue.resolve("lion"), 1)])
    assert lion.typical == D("149.995") and cents(lion.typical) == D("150.00")
    assert "29,999 coins" in lion.formula
    assert "Some calculators use 2 coins = 1 diamond and would show $75.00" in lion.notes


# --- diamonds and coins -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("diamonds", "expected"),
    [
        (0, "0"),
        (1, "0.005"),
        (2, "0.010"),
        (9_876, "49.380"),
        (10**12, "5000000000.000"),
    ],
)
def test_diamonds_edges(rates, diamonds: int, expected: str) -> None:
    assert diamonds_to_usd(rates, diamonds).typical == D(expected)


def test_rounding_boundaries(rates) -> None:
    assert cents(diamonds_to_usd(rates, 1).typical) == D("0.01")  # $0.005 rounds half up
    half = diamonds_to_usd(rates, 1, agency=D("0.5"))
    assert half.typical == D("0.0025") and cents(half.typical) == D("0.00")
    assert half.to_dict()["exact"]["typical"] == "0.0025" and half.to_dict()["typical"] == "0.00"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "can't be negative"),
        (10**12 + 1, "too large"),
        (D("1.5"), "whole number"),
        (D("NaN"), "not a number"),
        (D("Infinity"), "finite"),
        (D("-Infinity"), "finite"),
    ],
)
def test_diamonds_rejects_bad_input(rates, value, message: str) -> None:
    with pytest.raises(InputError, match=message):
        diamonds_to_usd(rates, value)


def test_diamonds_at_the_creators_own_scaled_rewards_rate(rates) -> None:
    # US Scaled LIVE Rewards: a share of the $0.01 nominal value, with the standard rate beside it
    estimate = diamonds_to_usd(rates, 20_000, scaled_rate=D("0.38"))
    assert money(estimate) == exact("76.00")
    assert "× $0.01 × 38% Scaled LIVE Rewards" in estimate.formula
    assert estimate.notes[0] == "At the standard $0.005 a diamond: $100.00"
    assert {"diamond_nominal_usd", "scaled_rewards_high"} <= {a.key for a in estimate.assumptions}
    assert money(diamonds_to_usd(rates, 50_000, scaled_rate=D("0.4"), agency=D("0.2"))) == exact("160.00")
    with pytest.raises(InputError, match="at most 53%"):
        diamonds_to_usd(rates, 1000, scaled_rate=D("0.6"))


@pytest.mark.parametrize("value", [True, 1.5, None])
def test_non_numbers_are_programming_errors(rates, value) -> None:
    with pytest.raises(TypeError):
        diamonds_to_usd(rates, value)


@pytest.mark.parametrize(
    ("usd", "diamonds"),
    [(0, 0), ("0.001", 1), ("0.005", 1), ("0.0051", 2), (25, 5000), (500, 100_000), (1500, 300_000), (2000, 400_000)],
)
def test_usd_to_diamonds_rounds_up(rates, usd, diamonds: int) -> None:
    assert usd_to_diamonds(rates, D(str(usd))).quantity == diamonds


def test_usd_to_diamonds_at_a_daily_rate_counts_the_days(rates) -> None:
    estimate = usd_to_diamonds(rates, 100, per_day=3000)
    assert estimate.quantity == 20_000
    assert estimate.lines[0].quantity == 7 and estimate.lines[0].unit == "days"  # 6.67 days, rounded up
    assert estimate.formula.endswith("÷ 3,000 diamonds a day = 7 days, rounded up")
    assert estimate.inputs["per_day"] == 3000
    with pytest.raises(InputError, match="diamonds a day must be at least 1"):
        usd_to_diamonds(rates, 100, per_day=0)
    assert "per_day" not in usd_to_diamonds(rates, 100).inputs


def test_usd_to_diamonds_with_an_agency(rates) -> None:
    assert usd_to_diamonds(rates, 1000, agency=D("0.2")).quantity == 250_000
    with pytest.raises(InputError, match="100% agency cut"):
        usd_to_diamonds(rates, 1000, agency=D(1))


@pytest.mark.parametrize(
    ("coins", "expected"), [(0, "0.00"), (1, "0.01"), (750, "3.75"), (12_000, "60.00"), (100_000, "500.00")]
)
def test_coins_edges(rates, coins: int, expected: str) -> None:
    assert cents(coins_to_usd(rates, coins).typical) == D(expected)


@pytest.mark.parametrize(
    ("usd", "channel", "coins", "creator"),
    [(106, "web", 10_000, "50.00"), (53, "web", 5_000, "25.00"), (50, None, 3_496, "17.48"), (0, None, 0, "0.00")],
)
def test_usd_to_coins(rates, usd: int, channel, coins: int, creator: str) -> None:
    estimate = usd_to_coins(rates, usd, channel=channel)
    assert estimate.quantity == coins and cents(estimate.typical) == D(creator)
    if channel is None and usd:
        assert estimate.quantity_low < estimate.quantity < estimate.quantity_high


def test_usd_to_coins_rejects_unknown_channel(rates) -> None:
    with pytest.raises(InputError, match="web or app"):
        usd_to_coins(rates, 10, channel="shop")  # type: ignore[arg-type]


# --- gifts --------------------------------------------------------------------------------------------


def test_several_gifts_with_a_multiplier(rates, catalogue) -> None:
    lion, galaxy, rose = (catalogue.resolve(n) for n in ("lion", "galaxy", "rose"))
    estimate = gifts_value(rates, [(lion, 2), (galaxy, 1)])
    assert cents(estimate.typical) == D("304.99")
    assert [line.quantity for line in estimate.lines[:2]] == [59_998, 1_000]
    assert cents(gifts_value(rates, [(rose, 50)], multiplier=4).typical) == D("1.00")
    assert cents(gifts_value(rates, [(rose, 0)]).typical) == D("0.00")


@pytest.mark.parametrize(
    ("gifts", "kwargs", "message"),
    [
        ([], {}, "at least one gift"),
        ([("rose", -1)], {}, "can't be negative"),
        ([("rose", 1)], {"multiplier": -1}, "multiplier can't be negative"),
        ([("rose", 10**10)], {}, "too large"),
    ],
)
def test_gifts_reject_bad_input(rates, catalogue, gifts, kwargs, message: str) -> None:
    with pytest.raises(InputError, match=message):
        gifts_value(rates, [(catalogue.resolve(n), c) for n, c in gifts], **kwargs)


@pytest.mark.parametrize(
    ("gift", "usd", "count"),
    [
        ("rose", 25, 5000),
        ("galaxy", 500, 100),
        ("interstellar", 1000, 20),
        ("money gun", 100, 40),
        ("hand hearts", 30, 60),
        ("finger heart", 10, 400),
        ("doughnut", 9, 60),
        ("lion", 1, 1),
        ("lion", 150, 2),
        ("lion", 0, 0),
    ],
)
def test_gifts_for_usd_rounds_up(rates, catalogue, gift: str, usd: int, count: int) -> None:
    estimate = gifts_for_usd(rates, catalogue.resolve(gift), usd)
    assert estimate.quantity == count and estimate.typical is None


# --- LIVE ---------------------------------------------------------------------------------------------


def test_live_session_model_and_its_range(rates) -> None:
    estimate = live_session(rates, viewers=150, hours=2)
    assert money(estimate) == (D("13.50"), D("60.00"), D("216.00"))
    assumed = {a.key for a in estimate.assumptions}
    assert {"live_gifter_share", "live_gifts_per_gifter_hour", "live_avg_gift_coins"} <= assumed


def test_stating_a_factor_narrows_the_range_and_drops_its_assumption(rates) -> None:
    estimate = live_session(rates, viewers=150, hours=2, gifter_share=D("0.05"), gifts_per_hour=4, avg_gift=200)
    assert money(estimate) == exact("60.00")
    assert not {a.key for a in estimate.assumptions} & {"live_gifter_share", "live_avg_gift_coins"}


def test_live_session_from_coins_per_hour(rates) -> None:
    assert money(live_session(rates, viewers=200, hours=1, coins_per_hour=5000)) == exact("25.00")
    assert money(live_session(rates, hours=D("2.5"), coins_per_hour=1000)) == exact("12.50")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": 2}, "number of viewers"),
        ({"hours": 25, "viewers": 10}, "hours is too large"),
        ({"hours": 1, "coins_per_hour": 10, "avg_gift": 5}, "not both"),
        ({"hours": 1, "viewers": 10, "gifter_share": D(2)}, "at most 100%"),
        ({"hours": 1, "viewers": D("10.5")}, "whole number"),
    ],
)
def test_live_session_rejects_bad_input(rates, kwargs, message: str) -> None:
    with pytest.raises(InputError, match=message):
        live_session(rates, **kwargs)


def test_live_month(rates) -> None:
    assert money(live_month(rates, viewers=150, hours=2)) == (D("162.00"), D("720.00"), D("2592.00"))
    assert money(live_month(rates, viewers=150, hours=2, streams=0)) == exact("0.00")
    assert "streams_per_month" not in {a.key for a in live_month(rates, viewers=1, hours=1, streams=3).assumptions}


# --- other income ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((200,), {"price": D("9.99"), "share": D("0.5")}, ("999.00", "999.00", "999.00")),
        ((1000,), {"price": D("4.99"), "share": D("0.7")}, ("3493.00", "3493.00", "3493.00")),
        ((80,), {"price": D("9.99"), "share": D("0.9")}, ("719.28", "719.28", "719.28")),
        ((200,), {}, ("699.30", "699.30", "849.15")),
        ((1000,), {"plan": "subscription"}, ("2445.10", "2445.10", "3817.35")),
        ((1000,), {"plan": "subscription", "region": "other"}, ("1746.50", "1746.50", "2969.05")),
        ((0,), {}, ("0.00", "0.00", "0.00")),
    ],
)
def test_subscriptions(rates, args, kwargs, expected) -> None:
    assert money(subscriptions(rates, *args, **kwargs)) == tuple(D(v) for v in expected)


def test_subscription_notes_and_flags(rates) -> None:
    estimate = subscriptions(rates, 1000, plan="subscription")
    assert any(n.startswith("Outside the US and Canada") for n in estimate.notes)
    assert any(a.us_only for a in estimate.assumptions)
    with pytest.raises(InputError, match="plan must be one of"):
        subscriptions(rates, 1, plan="gold")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="region must be one of"):
        subscriptions(rates, 1, region="eu")  # type: ignore[arg-type]


def test_super_fan_without_a_stated_share_also_gives_the_share_of_the_full_price(rates) -> None:
    # sources differ on whether the 50% comes before the app-store fee or after it: both are shown
    estimate = subscriptions(rates, 40)
    assert money(estimate)[0] == D("139.86")  # 40 × $9.99 × 70% × 50%
    assert "Some sources put the 50% on the full price, before the app-store fee: $199.80" in estimate.notes
    with_agency = subscriptions(rates, 40, agency=D("0.2"))
    assert any(n.endswith("$159.84") for n in with_agency.notes)  # 40 × 9.99 × 50% × 80%
    assert not any(n.startswith("Some sources") for n in subscriptions(rates, 40, share=D("0.5")).notes)


def test_creator_rewards_defaults_give_the_rpm_range(rates) -> None:
    estimate = creator_rewards(rates, 1_000_000)
    assert money(estimate) == (D("280.00"), D("490.00"), D("700.00"))
    assert {"qualified_share", "rpm"} <= {a.key for a in estimate.assumptions}
    assert any("Creator Fund" in note and "$20.00–$40.00" in note for note in estimate.notes)


def test_series(rates) -> None:
    assert money(series(rates, 120, 5)) == (D("420.00"), D("420.00"), D("510.00"))
    assert money(series(rates, 10, D("9.99"), share=D(1))) == exact("99.90")


@pytest.mark.parametrize(
    ("followers", "expected"),
    [
        (999, ("0.00", "0.00", "0.00")),
        (1000, ("5.00", "51.25", "250.00")),
        (250_000, ("125.00", "2212.50", "10000.00")),
        (10**7, ("2000.00", "17250.00", "100000.00")),
    ],
)
def test_brand_deal_tiers(rates, followers: int, expected) -> None:
    assert money(brand_deal(rates, followers)) == tuple(D(v) for v in expected)


def test_brand_deal_engagement_posts_and_sources(rates) -> None:
    base = brand_deal(rates, 250_000)
    assert len(base.lines) == 4 and sum(a.key.startswith("brand_tiers:") for a in base.assumptions) == 4
    seed = next(a for a in base.assumptions if a.source.startswith("seed:"))
    assert (seed.shown, seed.as_of, seed.label) == (
        "$1,500.00–$10,000.00",
        "undated",
        "Seed article (rough estimate) (Mid-tier tier)",
    )
    doubled = brand_deal(rates, 250_000, engagement=D("0.052"), posts=2)
    assert doubled.typical == base.typical * 4
    capped = brand_deal(rates, 250_000, engagement=D("0.5"))
    assert capped.typical == base.typical * 2 and any("capped" in n for n in capped.notes)
    assert "No source quotes" in brand_deal(rates, 10).formula


def test_affiliate_default_commission_range(rates) -> None:
    assert money(affiliate(rates, 340, 24)) == (D("816.00"), D("1224.00"), D("1632.00"))
    assert money(affiliate(rates, 40, D("19.99"), commission=D("0.1"))) == exact("79.96")


# --- payouts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"amount": 800, "percent": D("0.2")}, "640.00"),
        ({"diamonds": 40_000, "percent": D("0.15")}, "170.00"),
        ({"amount": D("1234.50"), "percent": D("0.1")}, "1111.05"),
        ({"diamonds": 250_000, "percent": D("0.3")}, "875.00"),
        ({"amount": 800}, "800.00"),
    ],
)
def test_agency_split(rates, kwargs, expected: str) -> None:
    assert money(agency_split(rates, **kwargs)) == exact(expected)


def test_agency_cut_from_the_server_applies_to_earnings(book) -> None:
    server = book.with_overrides({"agency_cut": "20%"})
    estimate = diamonds_to_usd(server, 87_340)
    assert money(estimate) == exact("349.36") and "× (1 − 20% agency)" in estimate.formula
    assert next(a for a in estimate.assumptions if a.key == "agency_cut").overridden


@pytest.mark.parametrize("kwargs", [{}, {"amount": 1, "diamonds": 1}])
def test_agency_split_needs_exactly_one_amount(rates, kwargs) -> None:
    with pytest.raises(InputError, match="one of them"):
        agency_split(rates, **kwargs)


def test_an_amount_earned_each_time_over_a_number_of_times(rates) -> None:
    estimate = earned_over(rates, D("12.50"), times=D("21.4"), per="stream")
    assert money(estimate) == exact("267.50") and estimate.formula == "$12.50 a stream × 21.4 streams = $267.50"
    assert estimate.assumptions == ()  # the creator's own figure: no rate of ours is in it


def test_an_amount_earned_each_time_loses_only_a_stated_agency_share(book) -> None:
    server = book.with_overrides({"agency_cut": "20%"})
    assert money(earned_over(server, 600, times=3, per="video")) == exact("1800.00")
    estimate = earned_over(server, 600, times=3, per="video", agency=D("0.15"))
    assert money(estimate) == exact("1530.00") and estimate.lines[0].amount == Band.exact(D("270.00"))
    assert estimate.formula.endswith("× (1 − 15% agency) = $1,530.00")


@pytest.mark.parametrize(
    ("kwargs", "days"),
    [
        ({"usd": 3500}, 4),
        ({"usd": 12_400}, 13),
        ({"usd": 2000}, 2),
        ({"usd": 0}, 0),
        ({"usd": D("0.01")}, 1),
        ({"diamonds": 400_000}, 2),
        ({"diamonds": 700_000}, 4),
        ({"diamonds": 1_500_000}, 8),
    ],
)
def test_withdraw_days(rates, kwargs, days: int) -> None:
    estimate = withdraw_days(rates, **kwargs)
    assert (estimate.quantity, estimate.unit) == (days, "days")


def test_withdraw_days_of_what_is_left_after_a_stated_agency_share(rates) -> None:
    estimate = withdraw_days(rates, diamonds=900_000, agency=D("0.3"))
    assert (estimate.quantity, cents(estimate.typical)) == (4, D("3150.00"))  # 5 days without the cut
    assert "× (1 − 30% agency) = $3,150.00 ÷ $1,000.00 per day" in estimate.formula


def test_convert(book, rates) -> None:
    assert money(convert(rates, 500, to="eur", rate=D("0.92"))) == exact("460.00")
    server = book.with_overrides({"currency": "EUR", "usd_to_currency": "0.92"})
    to_local = convert(server, 500)
    assert to_local.currency == "EUR" and money(to_local) == exact("460.00")
    back = convert(server, 460, currency="EUR")
    assert back.currency == "USD" and money(back) == exact("500.00")
    assert any("401.76 EUR" in note for note in diamonds_to_usd(server, 87_340).notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"to": "GBP"}, "no GBP rate"),
        ({"currency": "EUR", "to": "GBP"}, "one side must be USD"),
        ({"to": "euro"}, "not a currency code"),
        ({"to": "EUR", "rate": 0}, "exchange rate must be at least 0.000001"),
    ],
)
def test_convert_rejects(rates, kwargs, message: str) -> None:
    with pytest.raises(InputError, match=message):
        convert(rates, 10, **kwargs)


def test_projection_sums_its_parts(rates) -> None:
    parts = [live_month(rates, viewers=150, hours=2), subscriptions(rates, 50), creator_rewards(rates, 1_000_000)]
    total = projection(rates, parts)
    assert total.amount == sum((p.amount for p in parts[1:]), parts[0].amount)
    assert len(total.lines) == 3 and total.formula.endswith("= $1,384.83")
    keys = [a.key for a in total.assumptions]
    assert len(keys) == len(set(keys)) and "rpm" in keys and "superfan_share" in keys


def test_projection_rejects_empty_and_non_usd(rates) -> None:
    with pytest.raises(InputError, match="at least one"):
        projection(rates, [])
    with pytest.raises(InputError, match="not a USD amount"):
        projection(rates, [usd_to_diamonds(rates, 10)])


# --- the result type ---------------------------------------------------------------------------------------


def test_estimate_invariants() -> None:
    with pytest.raises(ValueError, match="unordered"):
        Estimate(kind="x", title="x", formula="x", low=D(2), typical=D(1), high=D(3))
    with pytest.raises(ValueError, match="all be set"):
        Estimate(kind="x", title="x", formula="x", typical=D(1))
    with pytest.raises(ValueError, match="needs an amount or a quantity"):
        Estimate(kind="x", title="x", formula="x")
    with pytest.raises(ValueError, match="unordered"):
        Band(D(1), D(0), D(2))


def test_to_dict_is_json_safe(rates, catalogue) -> None:
    estimate = gifts_value(rates, [(catalogue.resolve("universe"), 5)], agency=D("0.1"))
    data = json.loads(json.dumps(estimate.to_dict()))
    assert data["typical"] == "1012.48" and data["exact"]["typical"] == "1012.4775" and data["currency"] == "USD"
    assert data["inputs"]["agency"] == "0.1" and data["assumptions"][0]["key"] == "diamond_usd"
    assert data["assumptions"][0]["shown"] == "$0.005"
    assert data["lines"][0]["quantity"] == "224995"
    with pytest.raises(TypeError):
        estimate.inputs["x"] = 1  # type: ignore[index]


def test_a_server_on_the_two_coins_model_is_told_the_usual_figure(book) -> None:
    server = book.with_overrides({"diamonds_per_coin": "0.5"})
    estimate = coins_to_usd(server, 1000)
    assert money(estimate) == exact("2.50")
    assert "At TikTok's usual 1 coin = 1 diamond this would be $5.00" in estimate.notes
    assert not any(note.startswith("Some calculators") for note in estimate.notes)
