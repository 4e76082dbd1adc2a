from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.calc import RATE_KEYS, DataError, RateBook, RateError, diamonds_to_usd, load_rates
from tests.calc.conftest import KNOWLEDGE
from tests.conftest import shared_path

D = Decimal


@cache
def _document() -> dict[str, Any]:
    return yaml.safe_load((KNOWLEDGE / "rates.yaml").read_text(encoding="utf-8"))


def _problems(tmp_path: Path, *edits: Callable[[dict[str, Any]], None]) -> tuple[str, ...]:
    document = copy.deepcopy(_document())
    for edit in edits:
        edit(document)
    path = tmp_path / "rates.yaml"
    # JSON is YAML too, and much faster to write; dates go out as their ISO text.
    path.write_text(json.dumps(document, default=str), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_rates(path)
    return caught.value.problems


def _set(key: str, field: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc["rates"][key].__setitem__(field, value)


def _drop(key: str, field: str | None = None) -> Callable[[dict[str, Any]], None]:
    return lambda doc: doc["rates"].pop(key) if field is None else doc["rates"][key].pop(field)


def _rows(edit: Callable[[list[dict[str, Any]]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda doc: edit(doc["tables"]["brand_tiers"]["sources"][0]["rows"])


def test_the_real_file_is_valid_and_complete(book: RateBook) -> None:
    assert set(book.specs) == RATE_KEYS
    for spec in book.specs.values():
        assert spec.label and spec.unit and spec.source and spec.as_of
        if spec.type != "currency":
            assert spec.min is not None and spec.max is not None and spec.min <= spec.value <= spec.max


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("diamond_usd", "0.005"),
        ("diamond_nominal_usd", "0.01"),
        ("diamonds_per_coin", "1"),
        ("scaled_rewards_low", "0.20"),
        ("scaled_rewards_high", "0.53"),
        ("coin_price_web", "0.0106"),
        ("coin_price_app", "0.0143"),
        ("coin_price_app_high", "0.0152"),
        ("agency_cut", "0"),
        ("daily_withdraw_cap_usd", "1000"),
        ("superfan_price", "9.99"),
        ("superfan_share", "0.50"),
        ("subscription_share", "0.70"),
        ("subscription_share_high", "0.90"),
        ("subscription_share_intl", "0.50"),
        ("store_fee", "0.30"),
        ("store_fee_low", "0.15"),
        ("series_share", "1"),
        ("usd_to_currency", "1"),
    ],
)
def test_defaults_follow_the_fact_sheet(rates, key: str, value: str) -> None:
    assert rates.get(key) == D(value)
    assert rates.currency == "USD"


def test_us_only_rules_are_flagged(book: RateBook) -> None:
    flagged = {key for key, spec in book.specs.items() if spec.us_only}
    assert flagged == {"scaled_rewards_low", "scaled_rewards_high", "subscription_share", "subscription_share_high"}


def test_seed_sources_name_real_seed_files(book: RateBook) -> None:
    seeds = shared_path("seeds")
    refs = {spec.source for spec in book.specs.values()} | {s.source for s in book.brand_tiers.sources}
    for ref in (r for r in refs if r.startswith("seed:")):
        assert (seeds / ref.removeprefix("seed:")).is_file(), ref


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ((_drop("rpm"),), "missing rate 'rpm'"),
        (
            (lambda doc: doc["rates"].__setitem__("rpmm", doc["rates"]["rpm"]),),
            "rates.rpmm: not a rate the calculator uses",
        ),
        ((_drop("rpm", "source"),), "rates.rpm: missing field 'source'"),
        ((_drop("rpm", "max"),), "rates.rpm: missing field 'max'"),
        ((_set("rpm", "colour", "red"),), "rates.rpm: unknown field 'colour'"),
        ((_set("rpm", "value", "abc"),), "rates.rpm.value: expected a number"),
        ((_set("rpm", "value", True),), "rates.rpm.value: expected a number"),
        ((_set("rpm", "value", float("nan")),), "rates.rpm.value: must be a finite number"),
        ((_set("rpm", "max", float("inf")),), "rates.rpm.max: must be a finite number"),
        ((_set("rpm", "value", 9),), "rates.rpm: value 9 is outside its own range"),
        ((_set("rpm", "min", -1),), "rates.rpm.min: rates can't be negative"),
        ((_set("agency_cut", "max", 2),), "rates.agency_cut.max: a share can't exceed 1"),
        ((_set("rpm", "type", "money"),), "rates.rpm.type: expected one of"),
        ((_set("rpm", "as_of", "2025-13-01"),), "is not a real date"),
        ((_set("rpm", "as_of", "2999-01-01"),), "is in the future"),
        ((_set("rpm", "as_of", "soon"),), "rates.rpm.as_of: expected a date"),
        ((_set("rpm", "label", ""),), "rates.rpm.label: expected non-empty text"),
        ((_set("rpm", "us_only", "yes"),), "rates.rpm.us_only: expected true or false"),
        ((_set("currency", "value", "Euro"),), "rates.currency.value: expected a 3-letter currency code"),
        ((_set("currency", "min", 1),), "rates.currency.min: a currency code has no range"),
        ((_set("rpm_low", "value", 0.9),), "rpm_low ≤ rpm ≤ rpm_high must hold"),
        ((lambda doc: doc.__setitem__("extra", {}),), "unknown field 'extra'"),
        ((_rows(lambda rows: rows.reverse()),), "(sort rows by followers)"),
        ((_rows(lambda rows: rows[0].__setitem__("high", 1)),), "high (1) is below low (50)"),
        ((_rows(lambda rows: rows.clear()),), "rows: expected a non-empty list of tiers"),
        ((lambda doc: doc["tables"].pop("brand_tiers"),), "tables: missing field 'brand_tiers'"),
    ],
)
def test_validation_catches_each_kind_of_error(tmp_path: Path, edits, expected: str) -> None:
    problems = _problems(tmp_path, *edits)
    assert any(expected in problem for problem in problems), problems


def test_validation_reports_every_problem_at_once(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _drop("rpm"), _set("store_fee", "value", "x"), _set("currency", "value", "us"))
    assert len(problems) >= 3
    text = "\n".join(problems)
    assert "missing rate 'rpm'" in text and "rates.store_fee.value" in text and "rates.currency.value" in text


@pytest.mark.parametrize(
    ("content", "expected"), [("rates: [unclosed", "not valid YAML"), ("- a list", "expected a mapping")]
)
def test_unreadable_documents(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "rates.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=expected):
        load_rates(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read the file"):
        load_rates(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("diamond_usd", "0.004", D("0.004")),
        ("diamond_usd", "$0.0053", D("0.0053")),
        ("agency_cut", "20", D("0.2")),
        ("agency_cut", "20%", D("0.2")),
        ("agency_cut", "0.2", D("0.2")),
        ("rpm", "1.5", D("1.5")),
        ("currency", "eur", "EUR"),
        ("usd_to_currency", "0.92", D("0.92")),
        ("diamonds_per_coin", "0.5", D("0.5")),
    ],
)
def test_valid_overrides(book: RateBook, key: str, raw: str, expected: object) -> None:
    assert book.validate_override(key, raw) == expected


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("diamond_us", "1", "There is no rate called 'diamond_us'. Did you mean diamond_usd"),
        ("rpm", "lots", "is not a number"),
        ("rpm", "nan", "is not a number"),
        ("rpm", "inf", "is not a number"),
        ("rpm", "", "is not a number"),
        ("rpm", "9", "must be between $0.02 and $8.00"),
        ("diamond_usd", "0.05", "must be between $0.001 and $0.01"),
        ("agency_cut", "70%", "between 0% and 50%"),
        ("diamonds_per_coin", "0.25", "must be between 0.5 and 1"),
        ("agency_cut", "-5", "can't be negative"),
        ("currency", "euro", "currency: 'euro' is not a currency code"),
    ],
)
def test_invalid_overrides(book: RateBook, key: str, raw: str, message: str) -> None:
    with pytest.raises(RateError, match=message.replace("$", r"\$").replace("(", r"\(")):
        book.validate_override(key, raw)


def test_an_override_changes_results_and_is_shown(book: RateBook) -> None:
    server = book.with_overrides({"diamond_usd": "0.004"})
    default = diamonds_to_usd(book.defaults(), 87_340)
    changed = diamonds_to_usd(server, 87_340)
    assert (default.typical, changed.typical) == (D("436.700"), D("349.360"))
    assert server.is_overridden("diamond_usd") and not book.defaults().is_overridden("diamond_usd")
    cited = {a.key: a for a in changed.assumptions}
    assert cited["diamond_usd"].overridden and cited["diamond_usd"].value == D("0.004")
    assert cited["diamond_usd"].source == book.specs["diamond_usd"].source
    assert "$0.004" in changed.formula


def test_with_overrides_names_every_invalid_override(book: RateBook) -> None:
    with pytest.raises(RateError) as caught:
        book.with_overrides({"rpm": "99", "nope": "1", "diamond_usd": "0.004"})
    assert "rpm must be between" in str(caught.value) and "'nope'" in str(caught.value)


def test_crossed_overrides_keep_the_band_ordered(book: RateBook) -> None:
    server = book.with_overrides({"rpm": "5"})
    band = server.band("rpm_low", "rpm", "rpm_high")
    assert (band.low, band.typical, band.high) == (D("0.40"), D("5"), D("5"))


def test_text_and_number_access_are_typed(rates) -> None:
    with pytest.raises(TypeError):
        rates.get("currency")
    with pytest.raises(TypeError):
        rates.text("rpm")


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("diamond_usd", "$0.005"),
        ("superfan_share", "50%"),
        ("streams_per_month", "12"),
        ("currency", "USD"),
        ("daily_withdraw_cap_usd", "$1,000.00"),
    ],
)
def test_spec_show(book: RateBook, key: str, shown: str) -> None:
    assert book.specs[key].show() == shown
