"""Bad input tried: every option of /estimate, /gift, /convert, /ask, /rates set and /faq add, one at a
time, with values Discord's client would never send or people type anyway.

Each value must get exactly one answer: a normal answer where the value is usable, else a clear
ephemeral message; never our "something went wrong", never a traceback, never a ping, mentions
disabled on every message; and nothing stored that shouldn't be.

Known failures are listed in KNOWN with their finding; they are run separately as strict xfails,
so the rest of the corpus keeps guarding everything else, and a fix shows up as XPASS.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import discord
import pytest

from bot import db
from tests.harness import GUILD_ID, Harness, Result
from tests.reliability.support import is_error_reply, message_problems

SCHEMA = Path(__file__).resolve().parent.parent / "snapshots" / "commands.json"
NAN, INF = float("nan"), float("inf")
INTEGER_VALUES: dict[str, Any] = {
    "negative": -1, "zero": 0, "1e30": 10**30, "-1e30": -(10**30), "2^53+1": 2**53 + 1,
    "nan": NAN, "inf": INF, "fraction": 2.5,
}
NUMBER_VALUES: dict[str, Any] = {
    "negative": -1.0, "zero": 0.0, "nan": NAN, "inf": INF, "-inf": -INF, "1e30": 1e30, "subnormal": 5e-324,
    "tiny": 1e-7, "-zero": -0.0,
}
STRING_VALUES: dict[str, str] = {
    "empty": "", "blank": "   ", "6000-chars": "x" * 6000, "control": "a\x00b\x07c\x1b[31md\x7f",
    "everyone": "@everyone", "pings": "@here <@&123> <@456> <@!789>",
    "markdown": "**bold** __u__ ||s|| `c` [click](http://evil.example) # head",
    "rtl": "\u202eevil\u202c", "zero-width": "\u200b\u200d", "negative-text": "-1", "nan-text": "NaN",
    "inf-text": "inf", "exponent": "1e30", "caret": "10^30", "arabic-digits": "١٢٣", "emoji": "💎💎",
    "newlines": "line\nline\r\nline", "sql": "'; DROP TABLE faq_entries; --",
}

# The command, whether a moderator runs it, and valid values for its required options.
COMMANDS: dict[str, tuple[bool, dict[str, Any]]] = {
    "estimate live": (False, {"hours": 2, "viewers": 150}),
    "estimate month": (False, {"hours": 2, "viewers": 150}),
    "estimate diamonds": (False, {"amount": 40000}),
    "estimate coins": (False, {"amount": 1000}),
    "estimate subs": (False, {"subscribers": 100}),
    "estimate views": (False, {"views": 1_000_000}),
    "estimate series": (False, {"buyers": 10, "price": 5}),
    "estimate brand": (False, {"followers": 50_000}),
    "estimate affiliate": (False, {"units": 10, "price": 20}),
    "estimate withdraw": (False, {"usd": 500}),
    "gift": (False, {"name": "lion", "count": 2}),
    "convert": (False, {"amount": 25, "from": "usd", "to": "coins"}),
    "ask": (False, {"question": "do likes pay on tiktok live"}),
    "rates set": (True, {"key": "agency_cut", "value": "10%"}),
    "faq add": (True, {"name": "payday", "question": "when is payout", "answer": "On Fridays."}),
}

# (command, option, value id) → finding. Run in test_known_bad_input_findings as strict xfails.
KNOWN: dict[tuple[str, str, str], str] = {}


def parameters(harness: Harness, path: str) -> dict[str, discord.AppCommandOptionType]:
    return {p.display_name: p.type for p in harness.find(path).parameters}


def corpus(option_type: discord.AppCommandOptionType) -> dict[str, Any]:
    return {discord.AppCommandOptionType.integer: INTEGER_VALUES, discord.AppCommandOptionType.number: NUMBER_VALUES,
            discord.AppCommandOptionType.string: STRING_VALUES}.get(option_type, {})


def cases() -> list[Any]:
    """(command, option) for every option that takes a number or text, from the command schema
    snapshot that tests/test_schema.py keeps identical to the real tree (no bot needed to collect)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    out = []

    def walk(prefix: str, options: list[dict[str, Any]]) -> None:
        leaves = [o for o in options if o["type"] in (1, 2)]
        if leaves:
            for leaf in leaves:
                walk(f"{prefix} {leaf['name']}", leaf.get("options") or [])
            return
        if prefix in COMMANDS:
            out.extend(pytest.param(prefix, o["name"], id=f"{prefix.replace(' ', '-')}:{o['name']}")
                       for o in options if o["type"] in (3, 4, 10))

    for command in schema:
        walk(command["name"], command.get("options") or [])
    return out


async def snapshot(harness: Harness) -> tuple[dict[str, str], list[db.FaqEntry]]:
    conn = harness.bot.resources.conn
    return await db.get_rate_overrides(conn, GUILD_ID), await db.list_faq(conn, GUILD_ID)


async def forget(harness: Harness) -> None:
    conn = harness.bot.resources.conn
    await db.reset_rate_overrides(conn, GUILD_ID)
    for entry in await db.list_faq(conn, GUILD_ID):
        await db.remove_faq(conn, GUILD_ID, entry.name)
    harness.bot.service.set_overrides(GUILD_ID, {})
    harness.bot.service.set_faq(GUILD_ID, [])


UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
UNPRINTABLE_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")  # newlines are fine
INVISIBLE = re.compile(r"^[\s\u200b-\u200f\u2060\ufeff]*$")


def storage_problems(harness: Harness, stored: tuple[dict[str, str], list[db.FaqEntry]]) -> list[str]:
    """What was written that shouldn't have been: invalid rates, unusable or unprintable FAQ entries."""
    overrides, entries = stored
    problems = []
    book = harness.bot.service.rate_book
    for key, raw in overrides.items():
        try:
            book.validate_override(key, raw)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"stored an invalid rate {key}={raw!r}: {exc}")
    for entry in entries:
        if UNPRINTABLE.search(entry.name) or entry.name != entry.name.strip() or not 1 <= len(entry.name) <= 100:
            problems.append(f"stored an FAQ name {entry.name!r}")
        question = entry.question
        if UNPRINTABLE_IN_TEXT.search(question) or INVISIBLE.match(question) or not 3 <= len(question.strip()) <= 300:
            problems.append(f"stored an FAQ question {entry.question[:80]!r}")
    return problems


async def try_value(harness: Harness, path: str, option: str, value: Any) -> list[str]:
    moderator, base = COMMANDS[path]
    options = {**base, option: value}
    await forget(harness)
    result: Result = await harness.run(path, moderator=moderator, **options)
    problems = message_problems(result)
    if is_error_reply(result) and not result.ephemeral:
        problems.append(f"an error shown publicly: {result.text[:120]!r}")
    if not result.text.strip():
        problems.append("an empty answer")
    problems += storage_problems(harness, await snapshot(harness))
    return problems


def _value_label(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "…"


@pytest.mark.parametrize(("path", "option"), cases())
async def test_every_bad_value_gets_one_clear_answer_and_stores_nothing_wrong(harness, path, option):
    option_type = parameters(harness, path)[option]
    failures = []
    for label, value in corpus(option_type).items():
        if (path, option, label) in KNOWN:
            continue
        for problem in await try_value(harness, path, option, value):
            failures.append(f"{option}={_value_label(value)} ({label}): {problem}")
    assert failures == []


def test_the_corpus_covers_every_option_of_the_commands():
    covered = {p.values[0] for p in cases()}
    assert covered == set(COMMANDS), f"no options found for {set(COMMANDS) - covered}"
    assert len(cases()) >= 30


@pytest.mark.parametrize(("path", "option", "label"), [
    pytest.param(path, option, label, id=f"{path.replace(' ', '-')}:{option}:{label}",
                 marks=pytest.mark.xfail(strict=True, reason=reason))
    for (path, option, label), reason in KNOWN.items()])
async def test_known_bad_input_findings(harness, path, option, label):
    value = {**INTEGER_VALUES, **NUMBER_VALUES, **STRING_VALUES}[label] if label not in STRING_VALUES \
        else STRING_VALUES[label]
    assert await try_value(harness, path, option, value) == []


# --- values that are fine must work -------------------------------------------------------------------

FRACTIONS: dict[str, tuple[str, dict[str, Any], str]] = {
    # command, options with a fractional NUMBER as Discord sends it (a JSON float), the figure expected
    "live-hours": ("estimate live", {"hours": 2.5, "viewers": 150}, "2.5"),
    "month-hours": ("estimate month", {"hours": 1.5, "viewers": 150}, "1.5"),
    "subs-price": ("estimate subs", {"subscribers": 100, "price": 4.99}, "4.99"),
    "views-rpm": ("estimate views", {"views": 1_000_000, "rpm": 0.55}, "0.55"),
    "series-price": ("estimate series", {"buyers": 10, "price": 4.99}, "4.99"),
    "affiliate-price": ("estimate affiliate", {"units": 10, "price": 19.99}, "19.99"),
    "withdraw-usd": ("estimate withdraw", {"usd": 1234.5}, "1,234.5"),
    "convert-amount": ("convert", {"amount": 25.5, "from": "usd", "to": "coins"}, "25.50"),
    "convert-rate": ("convert", {"amount": 10, "from": "usd", "to": "eur", "rate": 0.92}, "9.20"),
    "agency-percent": ("estimate diamonds", {"amount": 40000, "agency": 12.5}, "12.5%"),
}
@pytest.mark.parametrize(("path", "options", "shown"), [pytest.param(*case, id=name) for name, case in FRACTIONS.items()])
async def test_fractional_numbers_as_discord_sends_them_are_answered(harness, path, options, shown):
    result = await harness.run(path, **options)
    assert result.responses == 1 and not message_problems(result)
    assert not is_error_reply(result), result.text[:200]
    assert shown in result.text, result.text[:300]


@pytest.mark.parametrize("power", ["10^30", "10 ^ 30", "10**30", "1e30", "1E30", "10³⁰"])
async def test_ask_does_not_misread_powers_of_ten(harness, power):
    result = await harness.run("ask", question=f"what are {power} diamonds worth")
    assert "30 diamonds" not in result.text and "$0.15" not in result.text, result.text[:200]


def test_nothing_here_is_nan_safe_by_accident():
    """The corpus really contains the non-finite values it claims to."""
    assert math.isnan(NUMBER_VALUES["nan"]) and math.isinf(NUMBER_VALUES["inf"])
    assert unicodedata.category(STRING_VALUES["rtl"][0]) == unicodedata.category(STRING_VALUES["rtl"][-1]) == "Cf"
