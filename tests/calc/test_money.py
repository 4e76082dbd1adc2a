from decimal import Decimal

import pytest

from bot.calc import (InputError, cents, compute, fmt_money, fmt_number, fmt_percent, fmt_rate, parse_amount,
                      parse_fraction)
from bot.calc.money import as_fraction, ceil_whole, floor_whole, fmt_count, plain

D = Decimal


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "0.00"),
        ("0.0049", "0.00"),
        ("0.0025", "0.00"),
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("149.995", "150.00"),
        ("1124.975", "1124.98"),
        ("436.70", "436.70"),
        ("224.9925", "224.99"),
        ("999999999999.995", "1000000000000.00"),
    ],
)
def test_cents_rounds_half_up(amount: str, expected: str) -> None:
    assert cents(D(amount)) == D(expected)


@pytest.mark.parametrize(
    ("value", "ceil", "floor"), [("0", 0, 0), ("1", 1, 1), ("1.0001", 2, 1), ("199999.9", 200000, 199999)]
)
def test_whole_rounding(value: str, ceil: int, floor: int) -> None:
    assert (ceil_whole(D(value)), floor_whole(D(value))) == (D(ceil), D(floor))
    assert "E" not in str(ceil_whole(D("2E+5")))


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: fmt_money(D("1124.975")), "$1,124.98"),
        (lambda: fmt_money(D("401.756"), "EUR"), "401.76 EUR"),
        (lambda: fmt_money(D("0")), "$0.00"),
        (lambda: fmt_rate(D("0.005")), "$0.005"),
        (lambda: fmt_rate(D("0.0143")), "$0.0143"),
        (lambda: fmt_rate(D("5.000")), "$5.00"),
        (lambda: fmt_number(D("87340")), "87,340"),
        (lambda: fmt_number(D("2E+5")), "200,000"),
        (lambda: fmt_number(D("7.50")), "7.5"),
        (lambda: fmt_number(1), "1"),
        (lambda: fmt_percent(D("0.15")), "15%"),
        (lambda: fmt_percent(D("0.053")), "5.3%"),
        (lambda: fmt_count(1, "coin"), "1 coin"),
        (lambda: fmt_count(29999, "coin"), "29,999 coins"),
        (lambda: plain(D("0.0050")), "0.005"),
        (lambda: plain(D("2E+5")), "200000"),
    ],
)
def test_formatting(call, expected: str) -> None:
    assert call() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", "1200"),
        ("1,200", "1200"),
        ("$500", "500"),
        ("$ 1,000.50", "1000.50"),
        ("0.72", "0.72"),
        (".5", "0.5"),
        ("1.2M", "1200000"),
        ("40k", "40000"),
        ("2b", "2000000000"),
        (" 87,340 ", "87340"),
        ("-5", "-5"),
    ],
)
def test_parse_amount(text: str, expected: str) -> None:
    assert parse_amount("x", text) == D(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,2", "nan", "NaN", "inf", "Infinity", "1e5", "12%", "1.2.3", "5 coins"])
def test_parse_amount_rejects(text: str) -> None:
    with pytest.raises(InputError, match="not a number"):
        parse_amount("amount", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15%", "0.15"),
        ("15", "0.15"),
        ("0.15", "0.15"),
        ("1", "1"),
        ("1%", "0.01"),
        ("100", "1"),
        ("0", "0"),
        ("2.6%", "0.026"),
        ("60", "0.6"),
        ("0.5", "0.5"),
    ],
)
def test_parse_fraction_rule(text: str, expected: str) -> None:
    assert parse_fraction("share", text) == D(expected)


@pytest.mark.parametrize(
    ("text", "message"), [("-5", "can't be negative"), ("half", "not a percentage"), ("nan", "not a percentage")]
)
def test_parse_fraction_rejects(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_fraction("share", text)


@pytest.mark.parametrize("amount", ["-0", "-0.00", "-0.000001", "-0.00004999", "0.00004999"])
def test_amounts_that_round_to_zero_show_unsigned(amount: str) -> None:
    assert fmt_money(D(amount)) == "$0.00"
    assert fmt_money(D(amount), "EUR") == "0.00 EUR"
    assert fmt_number(D(amount)) == "0"
    assert fmt_rate(D("-0")) == "$0.00"
    assert fmt_percent(D("-0")) == "0%"


def test_negative_amounts_keep_their_sign() -> None:
    assert fmt_money(D("-0.005")) == "$-0.005"
    assert fmt_money(D("-1.005")) == "$-1.01"
    assert fmt_number(D("-7.5")) == "-7.5"


@pytest.mark.parametrize(("amount", "shown"), [
    ("0.005", "$0.005"),  # a Rose: half a cent, not "$0.01"
    ("0.0025", "$0.0025"), ("0.00349", "$0.0035"), ("0.0999", "$0.0999"),
    ("0.05", "$0.05"), ("0.0500001", "$0.05"),  # whole cents stay cents
    ("0.10", "$0.10"), ("0.105", "$0.11"), ("1.005", "$1.01"),  # from ten cents up: cents
])
def test_parts_of_a_cent_show_under_ten_cents(amount: str, shown: str) -> None:
    assert fmt_money(D(amount)) == shown


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("show", [fmt_money, fmt_number, fmt_rate, fmt_percent, plain])
def test_display_helpers_refuse_non_finite_figures(show, value: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        show(D(value))


@pytest.mark.parametrize(
    ("value", "message"), [("NaN", "agency is not a number"), ("sNaN", "agency is not a number"),
                           ("Infinity", "agency must be a finite number"), ("-Infinity", "agency must be a finite")]
)
def test_as_fraction_refuses_non_finite_values_naming_the_input(value: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        as_fraction(D(value), name="agency")
    with pytest.raises(InputError):
        as_fraction(D(value), percent_sign=True)


@pytest.mark.parametrize(("value", "sign", "expected"), [("15", False, "0.15"), ("0.15", False, "0.15"),
                                                         ("1", True, "0.01"), ("1", False, "1")])
def test_as_fraction_rule(value: str, sign: bool, expected: str) -> None:
    assert as_fraction(D(value), percent_sign=sign) == D(expected)


@pytest.mark.parametrize(("value", "message"), [("NaN", "agency is not a number"),
                                                ("Infinity", "agency must be a finite number")])
def test_non_finite_percent_parameters_are_refused_by_name(rates, catalogue, value: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        compute("diamonds", {"amount": 40000, "agency": D(value)}, rates, catalogue)


@pytest.mark.parametrize(("value", "unit", "text"), [
    (1, "coin", "1 coin"), (2, "coin", "2 coins"), (40, "Galaxy", "40 Galaxies"), (3, "Monkey", "3 Monkeys"),
    (1, "Galaxy", "1 Galaxy"), (5, "diamonds", "5 diamonds"), (1_000, "Lion", "1,000 Lions"),
])
def test_counts_are_singular_for_one_and_plural_otherwise(value, unit, text):
    from bot.calc.money import fmt_count

    assert fmt_count(value, unit) == text
