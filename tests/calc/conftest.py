"""The real rate book and gift catalogue from knowledge/, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.calc import GiftCatalogue, RateBook, Rates, load_gifts, load_rates

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="session")
def book() -> RateBook:
    return load_rates(KNOWLEDGE / "rates.yaml")


@pytest.fixture(scope="session")
def rates(book: RateBook) -> Rates:
    return book.defaults()


@pytest.fixture(scope="session")
def catalogue() -> GiftCatalogue:
    return load_gifts(KNOWLEDGE / "gifts.yaml")
