"""Properties every estimate keeps: ordered ranges under any valid server rates, monotonic inputs, round trips."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.calc import (
    Estimate,
    Gift,
    Rates,
    affiliate,
    agency_split,
    brand_deal,
    cents,
    coins_to_usd,
    convert,
    creator_rewards,
    diamonds_to_usd,
    fmt_number,
    gifts_for_usd,
    gifts_value,
    live_month,
    live_session,
    parse_amount,
    series,
    subscriptions,
    usd_to_coins,
    usd_to_diamonds,
    withdraw_days,
)
from bot.calc.rates import RateBook

D = Decimal
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def whole(top: int) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=top)


def amount(top: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=top, places=2, allow_nan=False, allow_infinity=False)


def share() -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=1, places=3, allow_nan=False, allow_infinity=False)


@dataclass(frozen=True)
class Case:
    """An estimate from (rates, a gift, drawn inputs); `lowering` inputs lower the result as they grow."""

    make: Callable[[Rates, Gift, dict[str, Any]], Estimate]
    inputs: Mapping[str, st.SearchStrategy[Any]]
    lowering: frozenset[str] = frozenset()


CASES: dict[str, Case] = {
    "diamonds": Case(
        lambda r, g, k: diamonds_to_usd(r, k["n"], agency=k["agency"]),
        {"n": whole(10**12), "agency": share()},
        frozenset({"agency"}),
    ),
    "diamonds_for_usd": Case(lambda r, g, k: usd_to_diamonds(r, k["usd"]), {"usd": amount(10**9)}),
    "coins": Case(lambda r, g, k: coins_to_usd(r, k["n"]), {"n": whole(10**12)}),
    "coins_for_usd": Case(lambda r, g, k: usd_to_coins(r, k["usd"]), {"usd": amount(10**9)}),
    "gift": Case(
        lambda r, g, k: gifts_value(r, [(g, k["n"])], multiplier=k["times"]),
        {"n": whole(10**6), "times": whole(1000)},
    ),
    "gifts_for_usd": Case(lambda r, g, k: gifts_for_usd(r, g, k["usd"]), {"usd": amount(10**9)}),
    "live_model": Case(lambda r, g, k: live_session(r, **k), {"viewers": whole(10**6), "hours": amount(24)}),
    "live_stated": Case(
        lambda r, g, k: live_session(r, **k),
        {
            "viewers": whole(10**5),
            "hours": amount(24),
            "gifter_share": share(),
            "gifts_per_hour": amount(60),
            "avg_gift": amount(44_999),
        },
    ),
    "month": Case(
        lambda r, g, k: live_month(r, **k),
        {"viewers": whole(10**5), "hours": amount(24), "streams": whole(100)},
    ),
    "subs": Case(
        lambda r, g, k: subscriptions(r, k["subs"], price=k["price"]), {"subs": whole(10**7), "price": amount(100)}
    ),
    "subs_share": Case(
        lambda r, g, k: subscriptions(r, k["subs"], price=k["price"], share=k["share"]),
        {"subs": whole(10**7), "price": amount(100), "share": share()},
    ),
    "views": Case(
        lambda r, g, k: creator_rewards(r, **k),
        {"views": whole(10**11), "qualified_share": share(), "rpm": amount(20)},
    ),
    "views_default": Case(lambda r, g, k: creator_rewards(r, k["views"]), {"views": whole(10**11)}),
    "series": Case(lambda r, g, k: series(r, k["buyers"], k["price"]), {"buyers": whole(10**8), "price": amount(190)}),
    "brand": Case(
        lambda r, g, k: brand_deal(r, k["followers"], engagement=k["engagement"], posts=k["posts"]),
        {"followers": whole(2 * 10**8), "engagement": share(), "posts": whole(50)},
    ),
    "affiliate": Case(
        lambda r, g, k: affiliate(r, k["units"], k["price"], commission=k["commission"]),
        {"units": whole(10**7), "price": amount(10**4), "commission": share()},
    ),
    "agency": Case(
        lambda r, g, k: agency_split(r, amount=k["usd"], percent=k["percent"]),
        {"usd": amount(10**9), "percent": share()},
        frozenset({"percent"}),
    ),
    "withdraw": Case(lambda r, g, k: withdraw_days(r, usd=k["usd"]), {"usd": amount(10**9)}),
    "convert": Case(lambda r, g, k: convert(r, k["usd"], to="EUR", rate=D("0.92")), {"usd": amount(10**9)}),
}


def _figures(estimate: Estimate) -> list[Decimal]:
    bands = [b for b in (estimate.amount, estimate.count) if b is not None]
    return [value for band in bands for value in (band.low, band.typical, band.high)]


@st.composite
def server_rates(draw: st.DrawFn, book: RateBook):
    """Any set of overrides a moderator could save: each key at a value within its allowed range."""
    keys = draw(st.sets(st.sampled_from(sorted(k for k, s in book.specs.items() if s.type != "currency")), max_size=12))
    overrides = {}
    for key in keys:
        spec = book.specs[key]
        value = draw(
            st.decimals(min_value=spec.min, max_value=spec.max, places=4, allow_nan=False, allow_infinity=False)
        )
        overrides[key] = str(min(max(value, spec.min), spec.max))
    return book.with_overrides(overrides)


@pytest.mark.parametrize("name", CASES)
def test_ranges_stay_ordered_under_any_valid_server_rates(book: RateBook, catalogue, name: str) -> None:
    case = CASES[name]

    @FAST
    @given(
        rates=server_rates(book), inputs=st.fixed_dictionaries(dict(case.inputs)), gift=st.sampled_from(catalogue.all())
    )
    def check(rates: Rates, inputs: dict[str, Any], gift: Gift) -> None:
        figures = _figures(case.make(rates, gift, inputs))  # the constructor already refuses unordered bands
        assert figures and all(value >= 0 for value in figures)

    check()


@pytest.mark.parametrize("name", CASES)
def test_results_move_the_right_way_with_every_input(rates, catalogue, name: str) -> None:
    case = CASES[name]
    gift = catalogue.resolve("galaxy")

    @FAST
    @given(inputs=st.fixed_dictionaries(dict(case.inputs)), key=st.sampled_from(sorted(case.inputs)), data=st.data())
    def check(inputs: dict[str, Any], key: str, data: st.DataObject) -> None:
        grown = data.draw(case.inputs[key].filter(lambda value: value >= inputs[key]), label="grown")
        before = _figures(case.make(rates, gift, inputs))
        after = _figures(case.make(rates, gift, {**inputs, key: grown}))
        pairs = list(zip(before, after, strict=True))
        assert all(a >= b for a, b in pairs) if key in case.lowering else all(a <= b for a, b in pairs)

    check()


@FAST
@given(
    diamonds=whole(10**12),
    agency=share().filter(lambda s: s < 1),
    rate=st.sampled_from(["0.001", "0.0023", "0.005", "0.0053", "0.01"]),
)
def test_diamonds_to_usd_to_diamonds_round_trips(book: RateBook, diamonds: int, agency: Decimal, rate: str) -> None:
    rates = book.with_overrides({"diamond_usd": rate})
    paid = diamonds_to_usd(rates, diamonds, agency=agency).typical
    assert usd_to_diamonds(rates, paid, agency=agency).quantity == diamonds


@FAST
@given(a=whole(10**6), b=whole(10**6))
def test_gift_values_add_up(rates, catalogue, a: int, b: int) -> None:
    lion, rose = catalogue.resolve("lion"), catalogue.resolve("rose")
    together = gifts_value(rates, [(lion, a), (rose, b)]).typical
    assert together == gifts_value(rates, [(lion, a)]).typical + gifts_value(rates, [(rose, b)]).typical


@FAST
@given(value=amount(10**12))
def test_cents_is_within_half_a_cent(value: Decimal) -> None:
    assert abs(cents(value) - value) <= D("0.005")


@FAST
@given(value=whole(10**12))
def test_formatted_counts_parse_back(value: int) -> None:
    assert parse_amount("n", fmt_number(value)) == value
