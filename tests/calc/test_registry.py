from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.calc import KINDS, InputError, cents, compute, parse_gift_list

D = Decimal
REQUIRED_KINDS = {
    "live",
    "month",
    "diamonds",
    "coins",
    "gift",
    "gifts",
    "subs",
    "views",
    "series",
    "brand",
    "affiliate",
    "agency",
    "withdraw",
    "convert",
    "projection",
    "diamonds_for_usd",
    "gifts_for_usd",
    "gifts_bought",
    "coins_for_usd",
}

# Smallest useful parameters for every kind, and what the result must be (cents, or a quantity).
EXAMPLES = [
    ("live", {"viewers": "150", "hours": "2"}, "60.00"),
    ("live", {"viewers": "200", "hours": "1", "coins_per_hour": "5,000"}, "25.00"),
    ("month", {"viewers": "150", "hours": "2", "streams": "12"}, "720.00"),
    ("diamonds", {"amount": "87,340"}, "436.70"),
    ("diamonds", {"amount": "40k", "agency": "15%"}, "170.00"),
    ("diamonds_for_usd", {"usd": "$1,000"}, 200_000),
    ("diamonds_for_usd", {"usd": "1.5k"}, 300_000),
    ("coins", {"amount": "5000"}, "25.00"),
    ("coins", {"amount": "1000", "times": "20"}, "100.00"),
    ("coins_for_usd", {"usd": "106", "channel": "web"}, "50.00"),
    ("gift", {"name": "tiktok universes", "count": "5"}, "1124.98"),
    ("gift", {"name": "lion", "count": "2", "agency": "25"}, "224.99"),
    ("gifts", {"items": "2 lions n a galaxy"}, "304.99"),
    ("gifts", {"items": "50 roses", "multiplier": "4"}, "1.00"),
    ("gifts", {"items": "an interstellar and 3 money guns"}, "57.50"),
    ("gifts_for_usd", {"name": "roses", "usd": "25"}, 5000),
    ("gifts_for_usd", {"name": "galaxies", "usd": "500"}, 100),
    # what a viewer's money buys: $5 at the app's $0.0143 a coin is 349 coins, 349 one-coin Roses;
    # $1,000 on the web at $0.0106 is 94,339 coins, 3 whole 29,999-coin Lions
    ("gifts_bought", {"name": "rose", "usd": "5"}, 349),
    ("gifts_bought", {"name": "lion", "usd": "1000", "channel": "web"}, 3),
    ("subs", {"subscribers": "200", "price": "9.99", "share": "50%"}, "999.00"),
    ("subs", {"subscribers": "150", "price": "5.99", "share": "50"}, "449.25"),
    ("subs", {"subscribers": "500", "price": "2.99", "share": "0.7", "plan": "subscription"}, "1046.50"),
    ("views", {"views": "500k", "qualified_share": "100%", "rpm": "0.65"}, "325.00"),
    ("views", {"views": "3.1M", "qualified_share": "60%", "rpm": "$0.72"}, "1339.20"),
    ("views", {"views": "800k", "qualified_share": "60", "rpm": "0.90"}, "432.00"),
    ("series", {"buyers": "10", "price": "9.99", "share": "100%"}, "99.90"),
    ("brand", {"followers": "250k"}, "2212.50"),
    ("affiliate", {"units": "340", "price": "24", "commission": "15%"}, "1224.00"),
    ("affiliate", {"units": "63", "price": "45", "commission": "18"}, "510.30"),
    ("affiliate", {"sales": "$3,000", "commission": "10%"}, "300.00"),
    ("agency", {"amount": "800", "percent": "20%"}, "640.00"),
    ("agency", {"diamonds": "100k", "percent": "12"}, "440.00"),
    ("earnings", {"amount": "15", "times": "20"}, "300.00"),
    ("earnings", {"amount": "$8", "times": "365", "per": "day", "agency": "20%"}, "2336.00"),
    ("withdraw", {"usd": "3,500"}, 4),
    ("withdraw", {"diamonds": "700k"}, 4),
    ("convert", {"amount": "500", "to": "EUR", "rate": "0.92"}, "460.00"),
    ("projection", {"viewers": "150", "hours": "2", "subscribers": "50", "views": "1M"}, "1384.83"),
]


def test_every_required_kind_is_registered() -> None:
    assert REQUIRED_KINDS <= set(KINDS)


@pytest.mark.parametrize("spec", KINDS.values(), ids=list(KINDS))
def test_specs_fit_discord_limits(spec) -> None:
    assert spec.name.isidentifier() and len(spec.name) <= 32 and 1 <= len(spec.help) <= 100
    names = [p.name for p in spec.params]
    assert len(names) == len(set(names)) <= 25
    for param in spec.params:
        assert param.name.isidentifier() and param.name.islower() and 1 <= len(param.help) <= 100
        numeric = param.type in ("decimal", "int", "percent")
        assert (param.max is not None) == numeric and (param.min is not None) == numeric
        assert param.flag == "--" + param.name.replace("_", "-")


@pytest.mark.parametrize(("kind", "params", "expected"), EXAMPLES)
def test_compute(rates, catalogue, kind: str, params, expected) -> None:
    estimate = compute(kind, params, rates, catalogue)
    if isinstance(expected, int):
        assert estimate.quantity == expected
    else:
        assert cents(estimate.typical) == D(expected)
    json.dumps(estimate.to_dict())


def test_examples_cover_every_kind() -> None:
    assert {kind for kind, _, _ in EXAMPLES} == set(KINDS)


@pytest.mark.parametrize("share", ["50", "50%", "0.5", D("0.5"), D(50), 50, " 50 % "])
def test_percent_rule_is_the_same_for_every_spelling(rates, catalogue, share) -> None:
    estimate = compute("subs", {"subscribers": "200", "price": "9.99", "share": share}, rates, catalogue)
    assert cents(estimate.typical) == D("999.00")


@pytest.mark.parametrize("plan", ["super_fan", "Super Fan", "super-fan", "SUPER_FAN"])
def test_choices_accept_spacing_and_case(rates, catalogue, plan: str) -> None:
    assert compute("subs", {"subscribers": "1", "plan": plan}, rates, catalogue).kind == "subs"


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("nope", {}, "There is no estimate called 'nope'"),
        ("diamonds", {}, "amount is required"),
        ("diamonds", {"amount": "  "}, "amount is required"),
        ("diamonds", {"amount": "lots"}, "amount: 'lots' is not a number"),
        ("diamonds", {"amount": "-5"}, "amount can't be negative"),
        ("diamonds", {"amount": "1.5"}, "amount must be a whole number"),
        ("diamonds", {"amount": D("NaN")}, "amount is not a number"),
        ("diamonds", {"amount": D("Infinity")}, "amount must be a finite number"),
        ("diamonds", {"amount": "2000b"}, "amount is too large"),
        ("diamonds", {"amount": True}, "expected a number"),
        ("diamonds", {"amount": "1", "colour": "red"}, "diamonds takes no 'colour'"),
        ("views", {"views": "1", "qualified_share": "150%"}, "qualified_share is too large: at most 100%"),
        ("subs", {"subscribers": "1", "plan": "gold"}, "plan must be one of super_fan, subscription"),
        ("gift", {"name": "lizard"}, "I don't know a gift called 'lizard'"),
        ("gift", {"name": "lio"}, "Did you mean Lion"),
        ("gifts", {"items": "2 lions x3"}, "count once"),
        ("gift", {"name": "2 lions"}, "I don't know a gift called '2 lions'"),
        ("gifts_for_usd", {"name": "2 lions", "usd": "5"}, "I don't know a gift called '2 lions'"),
        ("gifts_bought", {"name": "lion", "usd": "100"}, "$100.00 doesn't buy one Lion: it costs 29,999 coins"),
        ("gifts_bought", {"name": "rose", "usd": "5", "channel": "shop"}, "channel must be one of web, app"),
        ("agency", {"percent": "10"}, "either in USD or in diamonds"),
        ("earnings", {"times": "3"}, "amount is required"),
        ("earnings", {"amount": "15", "times": "-2"}, "times can't be negative"),
        ("earnings", {"amount": "15", "per": "hour"}, "per must be one of stream, day, week, month, post, video"),
        ("projection", {}, "at least one income stream"),
        ("projection", {"viewers": "10"}, "hours per stream"),
        ("projection", {"series_price": "5"}, "series buyers is needed"),
        ("live", {"viewers": "10", "hours": "2", "coins_per_hour": "5", "avg_gift": "3"}, "not both"),
    ],
)
def test_compute_rejects_with_clear_messages(rates, catalogue, kind: str, params, message: str) -> None:
    with pytest.raises(InputError) as caught:
        compute(kind, params, rates, catalogue)
    assert message in str(caught.value)


def test_compute_reports_every_problem_at_once(rates, catalogue) -> None:
    with pytest.raises(InputError) as caught:
        compute("views", {"views": "-1", "rpm": "abc", "bogus": "1"}, rates, catalogue)
    assert str(caught.value).count("\n") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 lions n a galaxy", [("Lion", 2), ("Galaxy", 1)]),
        ("lion x2 and 5 universe", [("Lion", 2), ("TikTok Universe", 5)]),
        ("2x lion", [("Lion", 2)]),
        ("1.2k roses", [("Rose", 1200)]),
        ("20 doughnuts + 100 roses & one corgi", [("Doughnut", 20), ("Rose", 100), ("Corgi", 1)]),
        ("6 hand hearts and 12 finger hearts", [("Hand Hearts", 6), ("Finger Heart", 12)]),
        ("2 galaxys, 4 corgis and 40 roses", [("Galaxy", 2), ("Corgi", 4), ("Rose", 40)]),
        ("2 leon and lion", [("Leon and Lion", 2)]),
        ("hat and mustache plus a lion", [("Hat and Mustache", 1), ("Lion", 1)]),
    ],
)
def test_parse_gift_list(catalogue, text: str, expected) -> None:
    assert [(gift.name, count) for gift, count in parse_gift_list(text, catalogue)] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "at least one gift"), (" , ", "at least one gift"), ("lion and lizard and toad", "'lizard'.*'toad'")],
)
def test_parse_gift_list_rejects(catalogue, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_gift_list(text, catalogue)


@pytest.mark.parametrize("params", [{"units": "10"}, {"price": "5"}, {}, {"sales": "100", "units": "2", "price": "5"}])
def test_affiliate_takes_units_and_price_or_a_sales_total(rates, catalogue, params) -> None:
    with pytest.raises(InputError, match="units sold"):
        compute("affiliate", params, rates, catalogue)


@pytest.mark.parametrize(("kind", "params"), [
    ("coins_for_usd", {"usd": "1000", "channel": "web"}),
    ("coins_for_usd", {"usd": "50", "channel": "app"}),
    ("gifts_bought", {"name": "lion", "usd": "1000", "channel": "web"}),
    ("gifts_bought", {"name": "rose", "usd": "5"}),
])
def test_a_purchase_says_viewers_paid_what_they_spent(rates, catalogue, kind: str, params) -> None:
    """At the prices of where they bought (web or app), not the app's whatever the question said;
    a whole gift or coin less at most."""
    estimate = compute(kind, params, rates, catalogue)
    paid = next(line.amount for line in estimate.lines if line.label == "Viewers paid for the coins")
    spent = D(params["usd"])
    assert spent - D(450) <= paid.typical <= spent
