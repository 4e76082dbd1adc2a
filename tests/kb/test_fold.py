"""Folding text for matching and for the parser: done a table at a time (`bot.chars.CharTable`), it
must give what the per-character definitions give, for any text people can type."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import parse
from bot.chars import LETTERS_WITHOUT_ACCENT, CharTable
from bot.kb import text

# Letters with accents, emoji, curly quotes, combining marks, ligatures, circled and superscript
# digits, right-to-left and zero-width marks, dotless i: the characters folding has to decide about.
TRICKY = "aeéèçñüößıİøæłđœ’‘ʼ'\"$€£%,.09kK 💎🌹🦁🙏😭\u0301\u0327\u200b\u200f\u202e\t\nﬁ①²Ⅻǅ٣"
TEXTS = st.text(alphabet=st.sampled_from(TRICKY), max_size=60) | st.text(max_size=60)


def _text_fold_by_character(value: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", value).casefold()):
        category = unicodedata.category(ch)
        if category == "Mn":
            continue
        out.append("'" if ch in "’‘ʼ" else LETTERS_WITHOUT_ACCENT.get(ch) or (
            ch if ch.isalnum() or ch == "'" else f" {ch} " if category == "So" else " "))
    return " ".join("".join(out).split())


def _parse_fold_by_character(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    return "".join("'" if c in "’‘ʼ" else c for c in unicodedata.normalize("NFKD", value) if unicodedata.category(c) != "Mn")


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_folding_gives_what_the_per_character_definitions_give(value):
    assert text.fold(value) == _text_fold_by_character(value)
    assert parse.fold(value) == (value.lower() if value.isascii() else _parse_fold_by_character(value))


def test_examples_of_folding():
    assert text.fold("Cuánto pagan 💎 por 1.000 diamantes?") == "cuanto pagan 💎 por 1 000 diamantes"
    assert text.fold("hediyeler nasıl paraya dönüşür, weiß, łódź") == "hediyeler nasil paraya donusur weiss lodz"
    assert parse.fold("Cuánto pagan por 1.000 diamantes’s") == "cuanto pagan por 1.000 diamantes's"


def test_a_char_table_works_each_character_out_once_and_keeps_at_most_its_limit():
    seen: list[str] = []
    table = CharTable(lambda ch: seen.append(ch) or ch.upper(), limit=3)
    assert "abca".translate(table) == "ABCA" and seen == ["a", "b", "c"]  # "a" the second time: kept
    assert "xyz".translate(table) == "XYZ" and len(table) == 3  # full: still mapped, no longer kept
    assert seen == ["a", "b", "c", "x", "y", "z"]
