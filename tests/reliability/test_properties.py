"""Properties, by hypothesis, at the boundaries the bot exposes: the calculator's registry (`compute`,
what every /estimate, /ask and the CLI go through) and a server's rate settings
(`RateBook.validate_override` → stored text → `RateBook.with_overrides`, what /rates set does).

tests/calc/test_properties.py covers the calculation functions themselves; these cover what
people can type at them.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.calc import KINDS, Estimate, InputError, RateError, compute, fmt_money, fmt_number, fmt_percent, fmt_rate
from bot.calc.registry import ParamSpec
from bot.db import RATE_VALUE_MAX
from bot.render import DESCRIPTION_MAX, EMBED_TOTAL_MAX, FIELD_VALUE_MAX

PROPERTY = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NOT_FOR_PEOPLE = re.compile(r"-0\.00\b|\d[eE][+-]?\d|NaN|Infinity|\binf\b|None")


def value_for(spec: ParamSpec, catalogue: Any) -> st.SearchStrategy[Any]:
    """Values a person could give this parameter, inside its bounds, typed as the registry accepts them."""
    if spec.type == "gift":
        return st.sampled_from([g.name for g in catalogue.all()])
    if spec.type == "gifts":
        item = st.tuples(st.integers(1, 500), st.sampled_from([g.name for g in catalogue.all()]))
        return st.lists(item, min_size=1, max_size=5).map(lambda items: ", ".join(f"{n} {g}" for n, g in items))
    if spec.type == "text":
        return st.sampled_from(spec.choices) if spec.choices else st.sampled_from(["EUR", "GBP", "usd", "jpy"])
    low, high = spec.min or Decimal(0), spec.max or Decimal(10**6)
    if spec.type == "int":
        number = st.integers(int(low), int(high))
        return st.one_of(number, number.map(str), number.map(lambda n: f"{n:,}"))
    if spec.type == "percent":
        fraction = st.decimals(0, 1, places=4)
        return st.one_of(fraction, fraction.map(lambda f: f"{f * 100:f}%"))
    number = st.decimals(low, high, places=4)
    return st.one_of(number, number.map(lambda d: format(d, "f")))


@st.composite
def params_for(draw: st.DrawFn, kind: str, catalogue: Any) -> dict[str, Any]:
    out = {}
    for spec in KINDS[kind].params:
        if spec.required or draw(st.booleans()):
            out[spec.name] = draw(value_for(spec, catalogue))
    return out


def check_estimate(result: Estimate) -> None:
    bands = [b for b in (result.amount, result.count) if b is not None]
    for band in bands:
        for value in (band.low, band.typical, band.high):
            assert value.is_finite() and value >= 0, result
        assert band.low <= band.typical <= band.high, result
    json.dumps(result.to_dict())  # what `ask --json` prints must serialise


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_any_in_range_input_gives_an_ordered_non_negative_estimate_or_a_clear_refusal(service, kind):
    @PROPERTY
    @given(params=params_for(kind, service.gifts))
    def check(params: dict[str, Any]) -> None:
        try:
            result = compute(kind, params, service.rate_book.defaults(), service.gifts)
        except InputError as exc:  # combinations can be refused (e.g. no viewers and no coins per hour)
            assert str(exc).strip() and "Traceback" not in str(exc)
            return
        check_estimate(result)
        reply = service.renderer.estimate(result)
        card = reply.card
        assert len(card.description) <= DESCRIPTION_MAX and card.total_chars() <= EMBED_TOTAL_MAX
        assert all(len(value) <= FIELD_VALUE_MAX for _, value in card.fields)
        assert not NOT_FOR_PEOPLE.search(card.description), card.description

    check()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_out_of_range_numbers_are_refused_naming_the_input(service, kind):
    numeric = [p for p in KINDS[kind].params if p.type in ("int", "decimal", "percent")]
    if not numeric:
        pytest.skip("no numeric input")

    @PROPERTY
    @given(spec=st.sampled_from(numeric), data=st.data())
    def check(spec: ParamSpec, data: st.DataObject) -> None:
        high = spec.max if spec.type != "percent" else Decimal(100)
        too_big = data.draw(st.decimals(min_value=high + 1, max_value=high * 10**6 + 10, places=0), label="too big")
        too_small = data.draw(st.decimals(max_value=(spec.min or Decimal(0)) - 1, min_value=-10**12, places=0))
        base = {p.name: _valid(p, service.gifts) for p in KINDS[kind].params if p.required}
        for bad in (too_big, too_small, "nan", "inf", "1e999", "", "abc"):
            params = {**base, spec.name: bad if isinstance(bad, str) else format(bad, "f")}
            if bad == "":
                continue  # an empty optional is "not given"
            with pytest.raises(InputError) as caught:
                compute(kind, params, service.rate_book.defaults(), service.gifts)
            assert spec.name.split("_")[0] in str(caught.value).lower(), str(caught.value)

    check()


def _valid(spec: ParamSpec, catalogue: Any) -> Any:
    return {"gift": "lion", "gifts": "2 lions", "text": (spec.choices or ("EUR",))[0]}.get(
        spec.type, str(spec.min if spec.min and spec.min > 0 else 1))


def test_anything_typed_is_an_estimate_or_an_input_error_never_a_crash(service):
    """What people can send: text (the CLI, /ask's parser, text options), and the ints, floats and
    booleans Discord's options carry. (A Decimal NaN handed to a percent input by code raises
    decimal.InvalidOperation in `as_fraction`; nothing a person types reaches that.)"""

    @PROPERTY
    @given(kind=st.sampled_from(sorted(KINDS)), name=st.text(max_size=20), raw=st.one_of(
        st.text(max_size=60), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
        st.none()))
    def check(kind: str, name: str, raw: Any) -> None:
        spec_names = [p.name for p in KINDS[kind].params]
        for key in (name, *spec_names[:3]):
            try:
                result = compute(kind, {key: raw}, service.rate_book.defaults(), service.gifts)
            except InputError:
                continue
            check_estimate(result)

    check()


# Free-text questions that reach the parser's arithmetic: an amount over periods, per hour over
# streams, viewers × a gifting share × an average gift, a stated exchange rate, an agency's cut.
ASKED = ["{a} diamonds a day for {b} weeks", "{a} coins a week, what's that over {b} months",
         "{a} diamonds an hour, {b} hours a day, 20 streams", "{a} viewers, {b}% send gifts, average gift {a} coins",
         "{a} viewers and {b}% of them gift {b} coins each, {a} streams", "{a} diamonds in naira if $1 = {b} naira",
         "how many roses for €{a} if 1 usd = {b} eur", "my agency takes {b}% of {a} diamonds, what do i keep",
         "£1 = ${b}, what are {a} diamonds worth in pounds"]
NUMBERS = st.one_of(st.integers(-10, 10**16).map(str), st.sampled_from(
    ["0", "10^30", "10**40", "1e999", "1e-30", "0.0000001", "1,5", "2.5k", "3m", "½", "99999999999999999999",
     "999999999999999999999999999999", "0.000000000000000000000000000001"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(lambda d: format(d, "f")))


def test_any_number_in_a_question_the_parser_works_with_is_an_answer_never_a_crash(service):
    @settings(PROPERTY, max_examples=300)  # cheap (replies are cached per question): search widely
    @given(template=st.sampled_from(ASKED), a=NUMBERS, b=NUMBERS)
    def check(template: str, a: str, b: str) -> None:
        question = template.format(a=a, b=b)
        reply = service.ask(question)
        assert reply.kind in ("answer", "estimate", "unknown")
        # "I don't know that one yet" quotes the question, and a source's address may hold "5e9"
        shown = re.sub(r"<https?://[^>]*>", "", reply.markdown.replace(question, ""))
        assert not NOT_FOR_PEOPLE.search(shown), reply.markdown

    check()


# --- rate settings -----------------------------------------------------------------------------------

def numeric_specs(service: Any) -> list[Any]:
    return [s for s in service.rate_book.specs.values() if s.type != "currency"]


@st.composite
def typed_in_range(draw: st.DrawFn, spec: Any) -> tuple[str, Decimal]:
    """(what a moderator types, the value it means) for a value inside the rate's range."""
    value = draw(st.decimals(spec.min, spec.max, places=6))
    if spec.type == "share":
        as_percent = value * 100
        forms = [f"{as_percent.normalize():f}%", f"{as_percent.normalize():f} %"]
        if value <= 1:
            forms.append(format(value.normalize(), "f"))
        return draw(st.sampled_from(forms)), value
    forms = [format(value.normalize(), "f")]
    if spec.unit.startswith("USD"):
        forms.append("$" + format(value.normalize(), "f"))
    if value >= 1000 and value == value.to_integral_value():
        forms.append(f"{int(value):,}")
    return draw(st.sampled_from(forms)), value


def test_every_rate_round_trips_through_storage(service):
    book = service.rate_book

    @PROPERTY
    @given(spec=st.sampled_from(numeric_specs(service)), data=st.data())
    def check(spec: Any, data: st.DataObject) -> None:
        typed, meant = data.draw(typed_in_range(spec))
        parsed = book.validate_override(spec.key, typed)
        if spec.type == "share" and not typed.strip().endswith("%") and meant > 1:
            return  # ">1 without % is a percentage": covered by the rule's own tests
        assert parsed == meant, (typed, parsed, meant)
        stored = parsed if isinstance(parsed, str) else format(parsed.normalize(), "f")  # what /rates set stores
        assert 1 <= len(stored) <= RATE_VALUE_MAX
        rates = book.with_overrides({spec.key: stored})
        assert rates.value(spec.key) == parsed and rates.is_overridden(spec.key)
        assert book.validate_override(spec.key, stored) == parsed  # stored text reads back the same
        shown = spec.show(parsed)
        assert shown and not NOT_FOR_PEOPLE.search(shown), shown

    check()


def test_values_outside_a_rates_range_are_refused_with_its_range(service):
    book = service.rate_book

    @PROPERTY
    @given(spec=st.sampled_from(numeric_specs(service)), data=st.data())
    def check(spec: Any, data: st.DataObject) -> None:
        above = data.draw(st.decimals(spec.max + Decimal("0.000001"), spec.max * 1000 + 1, places=6))
        bad = [format(above.normalize(), "f"), "-" + format(above.normalize(), "f"), "nan", "inf", "", "1e5", "abc"]
        if spec.min > 0:
            bad.append(format((spec.min / 2).normalize(), "f"))
        for raw in bad:
            if spec.type == "share" and raw == format(above.normalize(), "f") and above > 1 and above / 100 <= spec.max:
                continue  # "15" is 15%: a percentage inside the range, not a value outside it
            with pytest.raises(RateError) as caught:
                book.validate_override(spec.key, raw)
            assert str(caught.value).strip()
            with pytest.raises(RateError):
                book.with_overrides({spec.key: raw})

    check()


def test_any_text_is_a_rate_or_a_rate_error(service):
    book = service.rate_book

    @PROPERTY
    @given(raw=st.text(max_size=50), key=st.text(max_size=30))
    def check(raw: str, key: str) -> None:
        for name in (key, *list(book.specs)[::7]):
            try:
                value = book.validate_override(name, raw)
            except RateError:
                continue
            spec = book.specs[name]
            if spec.type == "currency":
                assert re.fullmatch(r"[A-Z]{3}", value)
            else:
                assert spec.min <= value <= spec.max

    check()


def test_a_server_with_broken_stored_rates_still_gets_answers(service):
    """Overrides stored before rates.yaml narrowed a range are skipped, never fatal."""
    guild = 987_654_321

    @PROPERTY
    @given(stored=st.dictionaries(st.sampled_from(["diamond_usd", "agency_cut", "currency", "rpm", "nope"]),
                                  st.text(max_size=12), max_size=4))
    def check(stored: dict[str, str]) -> None:
        service.set_overrides(guild, stored)
        try:
            rates = service.rates_for(guild)
            result = compute("diamonds", {"amount": "40000"}, rates, service.gifts)
            check_estimate(result)
            service.rates_reply(guild)
        finally:
            service.set_overrides(guild, {})

    check()


@PROPERTY
@given(value=st.decimals(min_value=-10**15, max_value=10**15, places=6))
def test_figures_people_see_never_look_like_a_computer_wrote_them(value):
    for text in (fmt_money(abs(value)), fmt_number(abs(value)), fmt_rate(abs(value)), fmt_percent(abs(value) / 10**6)):
        assert not NOT_FOR_PEOPLE.search(text), text


@PROPERTY
@given(value=st.decimals(min_value=Decimal("-0.004999"), max_value=Decimal("-0.000001"), places=6))
def test_tiny_negative_amounts_never_show_as_minus_zero(value):
    assert fmt_money(value) != "$-0.00" and fmt_number(value) != "-0"
