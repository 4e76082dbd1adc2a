from __future__ import annotations

from pathlib import Path

import pytest

from bot.calc import DataError, Gift, GiftCatalogue, load_gifts
from bot.calc.gifts import normalize


def test_catalogue_size_and_well_known_prices(catalogue: GiftCatalogue) -> None:
    assert len(catalogue) >= 60
    prices = {gift.name: gift.coins for gift in catalogue.all()}
    assert prices["Rose"] == 1 and prices["Finger Heart"] == 5 and prices["Galaxy"] == 1000
    assert prices["Lion"] == 29_999 and prices["TikTok Universe"] == 44_999 and prices["TikTok Universe+"] == 34_999
    assert prices["Money Gun"] == 500 and "450" in (catalogue.resolve("money gun").note or "")
    assert "34,999" in (catalogue.resolve("universe").note or "")


def test_every_gift_has_a_source_and_legacy_ones_are_marked(catalogue: GiftCatalogue) -> None:
    assert all(gift.source for gift in catalogue.all())
    legacy = {gift.name for gift in catalogue.all() if gift.legacy}
    assert {"Drama Queen", "Panda", "I'm Very Rich"} <= legacy
    assert not catalogue.resolve("lion").legacy


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Lion", "Lion"),
        ("lion", "Lion"),
        ("  LION  ", "Lion"),
        ("lions", "Lion"),
        ("lionn", "Lion"),
        ("the lion", "Lion"),
        ("universe", "TikTok Universe"),
        ("universes", "TikTok Universe"),
        ("tiktok universe", "TikTok Universe"),
        ("TikTok Universes", "TikTok Universe"),
        ("univers", "TikTok Universe"),
        ("universe+", "TikTok Universe+"),
        ("universe plus", "TikTok Universe+"),
        ("finger heart", "Finger Heart"),
        ("finger hearts", "Finger Heart"),
        ("fingerheart", "Finger Heart"),
        ("fnger heart", "Finger Heart"),
        ("money gun", "Money Gun"),
        ("moneygun", "Money Gun"),
        ("money guns", "Money Gun"),
        ("Money-Gun", "Money Gun"),
        ("galaxy", "Galaxy"),
        ("galaxys", "Galaxy"),
        ("galaxies", "Galaxy"),
        ("galxy", "Galaxy"),
        ("rose", "Rose"),
        ("roses", "Rose"),
        ("Rosa", "Rosa"),
        ("corgis", "Corgi"),
        ("doughnuts", "Doughnut"),
        ("donut", "Doughnut"),
        ("hand hearts", "Hand Hearts"),
        ("hand heart", "Hand Hearts"),
        ("interstellars", "Interstellar"),
        ("intersteller", "Interstellar"),
        ("sports cars", "Sports Car"),
        ("gg", "GG"),
        ("tiktoks", "TikTok"),
        ("drama queen", "Drama Queen"),
        ("i'm very rich", "I'm Very Rich"),
        ("im very rich", "I'm Very Rich"),
        ("lion’s mane", "Lion's Mane"),
        ("heart", "Heart"),
        ("hearts", "Hearts"),
        ("pegasas", "Pegasus"),
        ("lyons", "Lion"),  # one letter wrong, plural
        ("trians", "Train"),  # two letters swapped
    ],
)
def test_resolve_tolerates_case_plurals_aliases_and_typos(catalogue: GiftCatalogue, query: str, name: str) -> None:
    gift = catalogue.resolve(query)
    assert gift is not None and gift.name == name


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "coins",
        "coin",
        "diamonds",
        "diamond",
        "gift",
        "gifts",
        "hello",
        "views",
        "likes",
        "live",
        "dollars",
        "followers",
        "rpm",
        "subs",
        "xyz",
        "gf",
        "lizard",
        "!!!",
        "rise",  # one letter from Rose, but too short to be read as a typo
        "terms",  # one swap from an alias in the plural ("trems"), not from a gift's own name
    ],
)
def test_non_gifts_resolve_to_none(catalogue: GiftCatalogue, query: str) -> None:
    assert catalogue.resolve(query) is None


def test_equally_close_typos_of_two_gifts_resolve_to_none() -> None:
    catalogue = GiftCatalogue.of([Gift("Bear", 1, "s"), Gift("Boar", 2, "s")])
    assert catalogue.resolve("bxar") is None
    assert catalogue.resolve("bears").name == "Bear"


@pytest.mark.parametrize(
    ("prefix", "first"),
    [
        ("lio", "Lion"),
        ("uni", "TikTok Universe"),
        ("ro", "Rose"),
        ("gal", "Galaxy"),
        ("money", "Money Gun"),
        ("GG", "GG"),
    ],
)
def test_search_puts_the_expected_gift_first(catalogue: GiftCatalogue, prefix: str, first: str) -> None:
    assert catalogue.search(prefix)[0].name == first


def test_search_finds_word_prefixes_and_substrings_and_respects_the_limit(catalogue: GiftCatalogue) -> None:
    guns = [gift.name for gift in catalogue.search("gun")]
    assert guns[:2] == ["Money Gun", "Gem Gun"] or set(guns[:2]) == {"Money Gun", "Gem Gun"}
    assert "Confetti" in [g.name for g in catalogue.search("fett")]
    assert len(catalogue.search("a", limit=5)) == 5
    assert len(catalogue.search("e")) == 25
    assert catalogue.search("zzzz") == []


def test_search_with_no_text_lists_popular_gifts_cheapest_first(catalogue: GiftCatalogue) -> None:
    shown = catalogue.search("")
    assert len(shown) == 25 and all(gift.popular for gift in shown)
    assert [g.coins for g in shown] == sorted(g.coins for g in shown)


def test_normalize() -> None:
    assert normalize("  Lion's  Mane ") == "lions mane"
    assert normalize("TikTok Universe+") == "tiktok universe plus"
    assert normalize("Make-up Box") == "make up box"
    assert normalize("Café") == "cafe"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gifts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("gifts", "expected"),
    [
        (
            "- {name: Rose, coins: 1, source: s}\n- {name: Rosa, coins: 10, source: s, aliases: [rose]}",
            "'rose' names both 'Rose' and 'Rosa'",
        ),
        ("- {name: Rose, coins: 1, source: s}\n- {name: ROSE, coins: 2, source: s}", "names both 'Rose' and 'ROSE'"),
        ("- {name: Rose, coins: 0, source: s}", "coins: expected a whole number from 1"),
        ("- {name: Rose, coins: 1.5, source: s}", "coins: expected a whole number"),
        ("- {name: Rose, coins: true, source: s}", "coins: expected a whole number"),
        ("- {name: Rose, coins: 2000000, source: s}", "coins: expected a whole number"),
        ("- {coins: 1, source: s}", "missing field 'name'"),
        ("- {name: Rose, coins: 1}", "missing field 'source'"),
        ("- {name: Rose, coins: 1, source: s, price: 3}", "unknown field 'price'"),
        ("- {name: Rose, coins: 1, source: s, aliases: roses}", "aliases: expected a list of names"),
        ("- {name: Rose, coins: 1, source: s, aliases: ['!!']}", "aliases: expected a list of names"),
        ("- {name: '!!', coins: 1, source: s}", "needs at least one letter or digit"),
        ("- {name: Rose, coins: 1, source: s, legacy: maybe}", "legacy: expected true or false"),
        ("- just text", "expected a mapping"),
        ("[]", "'gifts' must be a non-empty list"),
    ],
)
def test_validation_catches_each_kind_of_error(tmp_path: Path, gifts: str, expected: str) -> None:
    body = f"gifts:\n{gifts}" if gifts.startswith("-") else f"gifts: {gifts}"
    with pytest.raises(DataError) as caught:
        load_gifts(_write(tmp_path, body + "\n"))
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_validation_reports_every_problem_at_once(tmp_path: Path) -> None:
    text = "gifts:\n- {name: A, coins: 0, source: s}\n- {name: B, coins: 1}\nextra: 1\n"
    with pytest.raises(DataError) as caught:
        load_gifts(_write(tmp_path, text))
    assert len(caught.value.problems) == 3


def test_catalogue_of_rejects_clashing_names() -> None:
    with pytest.raises(DataError, match="names both"):
        GiftCatalogue.of([Gift("Lion", 29_999, "s"), Gift("Leo", 1, "s", aliases=("lion",))])


def test_typo_matching_compares_only_names_that_can_reach_the_cutoff(catalogue: GiftCatalogue) -> None:
    """Names too long or short for FUZZY_CUTOFF (or for one edit) are skipped: the result is what
    comparing every name gives, for misspellings of every gift and for words that are no gift at all."""
    import random

    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    from bot.calc.gifts import FUZZY_CUTOFF, ONE_EDIT_MIN_LENGTH

    def closest(key: str, forms: list[str], scorer, cutoff) -> Gift | None:
        every = process.extract(key, forms, scorer=scorer, limit=2, score_cutoff=cutoff)
        if not every:
            return None
        best, other = (catalogue._index[m[0] if m[0] in catalogue._index else m[0][:-1]] for m in (every[0], every[-1]))
        tie = len(every) > 1 and every[1][1] == every[0][1] and other is not best
        return None if tie else best

    names = list(catalogue._index)
    rng = random.Random(5)
    keys = ["lots of gifts", "coins", "diamonds", "tiktok live", "galaxyy", "unvierse", "rosee", "li on", "lion lion"]
    for name in names:
        for _ in range(3):
            chars = list(name)
            i = rng.randrange(len(chars))
            edit = rng.choice(("drop", "double", "swap", "change"))
            if edit == "drop" and len(chars) > 1:
                del chars[i]
            elif edit == "double":
                chars.insert(i, chars[i])
            elif edit == "swap" and i + 1 < len(chars):
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
            else:
                chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
            keys.append("".join(chars))
    keys += ["lyons", "trians", "rise", "pocket", "terms", "loves"]
    for key in keys:
        expected = closest(key, names, fuzz.ratio, FUZZY_CUTOFF)
        if expected is None and len(key) >= ONE_EDIT_MIN_LENGTH and " " not in key:
            own = [keys[0] for _, keys in catalogue._keys if " " not in keys[0]]  # one-word own names, not aliases
            same_start = [form for name in own for form in (name, name + "s") if form[0] == key[0]]
            expected = closest(key, same_start, OSA.distance, 1)
        assert catalogue._fuzzy(key) == expected, key


def test_resolved_names_are_remembered_without_changing_the_answer(catalogue: GiftCatalogue) -> None:
    fresh = GiftCatalogue.of(catalogue.all())
    for name in ("Lion", "lions", "LIONN", "tiktok universe", "rose", "nothing like a gift", "", "  "):
        for typos in (True, False):
            first = fresh.resolve(name, typos=typos)
            assert fresh.resolve(name, typos=typos) is first
            assert first == catalogue._resolve(name, typos)
    assert fresh.resolve("LIONN") is not None and fresh.resolve("LIONN", typos=False) is None  # remembered apart


def test_a_name_spelt_right_wins_over_a_longer_one_a_typo_away(service) -> None:
    """'5 lions make' is five Lions: 'lions make' is also one typo from Lion's Mane."""
    reply = service.ask("what do 12 galaxies and 5 lions make")
    assert reply.kind == "estimate" and "5 × Lion " in reply.markdown and "Mane" not in reply.markdown
    assert "2 × Galaxy" in service.ask("2 galxies and a lion").markdown  # a typo alone is still read
