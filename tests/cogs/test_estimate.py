"""/estimate, /gift and /convert through the real CommandTree, with Discord's float numbers."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("path", "options", "figure"), [
    ("estimate live", {"viewers": 150, "hours": 2.0}, "$60.00"),
    ("estimate live", {"viewers": 150, "hours": 2.5}, "$75.00"),
    ("estimate month", {"viewers": 150, "hours": 2.0, "streams": 30}, "$1,800.00"),
    ("estimate views", {"views": 3_100_000, "qualified": 60.0, "rpm": 0.72}, "$1,339.20"),
    ("estimate affiliate", {"units": 340, "price": 24.0, "commission": 15.0}, "$1,224.00"),
    ("estimate series", {"buyers": 100, "price": 4.99}, "$"),
    ("estimate withdraw", {"usd": 3500.0}, "4 days"),
    ("estimate withdraw", {"diamonds": 900_000, "agency": 30.0}, "4 days"),
    ("estimate earnings", {"amount": 15.0, "times": 20.0}, "$300.00"),
    ("estimate earnings", {"amount": 8.0, "times": 365.0, "per": "day", "agency": 20.0}, "$2,336.00"),
    ("estimate subs", {"subscribers": 200, "price": 9.99, "share": 50.0}, "$999.00"),
    ("estimate diamonds", {"amount": 87340}, "$436.70"),
    ("estimate diamonds", {"amount": 20000, "scaled_rate": 38.0}, "$76.00"),
    ("gift", {"name": "lions", "count": 2}, "$299.99"),
    ("convert", {"amount": 40000.0, "from": "diamonds"}, "$200.00"),
])
async def test_estimates_answer_privately_with_their_maths(harness, path, options, figure):
    result = await harness.run(path, **options)
    assert result.responses == 1 and result.ephemeral
    assert figure in result.text and "How:" in result.text
    # the rates an estimate used are listed; one worked from the given figures alone (a stated
    # commission, an amount earned each time) has no empty list
    assert ("Assumptions" in result.text) == (path not in ("estimate affiliate", "estimate earnings"))


async def test_public_option_posts_in_the_channel(harness):
    result = await harness.run("estimate diamonds", amount=1000, public=True)
    assert not result.ephemeral and "$5.00" in result.text


@pytest.mark.parametrize(("path", "options", "message"), [
    ("estimate diamonds", {"amount": -5}, "can't be negative"),
    ("estimate live", {"viewers": 150, "hours": 99.0}, "at most"),
    ("estimate views", {"views": 10**13}, "too large"),
    ("gift", {"name": "unicornzzz"}, "don't know a gift"),
    ("convert", {"amount": 5.0, "from": "coins", "to": "eur"}, "Coins and diamonds convert"),
])
async def test_out_of_range_values_are_checked_again_in_the_handler(harness, path, options, message):
    # Discord's client enforces the option ranges, but a handler must not trust that.
    result = await harness.run(path, **options)
    assert result.responses == 1 and result.ephemeral and message in result.text
    assert "Traceback" not in result.text


async def test_gift_autocomplete(harness):
    result = await harness.run("gift", name="li", focused="name")
    assert result.choices and len(result.choices) <= 25 and any("Lion" in c["name"] for c in result.choices)
