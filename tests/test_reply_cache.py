"""Finished replies are reused for repeats and never outlive what they were built from."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest

from bot.cache import LRU
from bot.db.models import FaqEntry
from bot.kb import Topic
from bot.render import Card, Reply
from bot.service import Service, _frozen, build_service

GUILD = 4242
OTHER = 77


@pytest.fixture
def fresh() -> Service:
    """A service of its own: these tests change server state."""
    return build_service()


def faq(name: str, question: str, answer: str, guild_id: int = GUILD) -> FaqEntry:
    return FaqEntry(id=1, guild_id=guild_id, name=name, question=question, answer=answer, created_at=0, updated_at=0)


def test_lru_keeps_the_most_recently_used() -> None:
    cache: LRU[str] = LRU(2)
    cache.get_or_make("a", lambda: "A")
    cache.get_or_make("b", lambda: "B")
    cache.get_or_make("a", lambda: "never")  # a is now the most recent
    cache.get_or_make("c", lambda: "C")  # so b goes
    assert len(cache) == 2
    assert cache.get_or_make("a", lambda: "again") == "A"
    assert cache.get_or_make("b", lambda: "B2") == "B2"
    assert (cache.hits, cache.misses) == (2, 4)


def test_lru_does_not_store_a_failure() -> None:
    cache: LRU[str] = LRU(4)

    def boom() -> str:
        raise ValueError("no")

    with pytest.raises(ValueError):
        cache.get_or_make("k", boom)
    assert len(cache) == 0
    with pytest.raises(ValueError):
        LRU(0)


def test_a_repeated_question_is_answered_from_the_cache(fresh: Service) -> None:
    first = fresh.ask("do likes pay on tiktok live")
    again = fresh.ask("  do likes pay   on tiktok live ")
    assert again is first and fresh._replies.hits == 1


def test_servers_without_their_own_state_share_the_defaults(fresh: Service) -> None:
    assert fresh.ask("what are 40,000 diamonds worth?", guild_id=1) is fresh.ask("what are 40,000 diamonds worth?",
                                                                                  guild_id=2)


def test_a_rate_change_is_seen_by_the_next_answer(fresh: Service) -> None:
    question = "what are 40,000 diamonds worth?"
    before = fresh.ask(question, guild_id=GUILD)
    rates_before = fresh.rates_reply(GUILD)
    fresh.set_overrides(GUILD, {"diamond_usd": "0.006"})
    after = fresh.ask(question, guild_id=GUILD)
    assert "$200.00" in before.card.description and "$240.00" in after.card.description
    assert fresh.rates_reply(GUILD) is not rates_before
    assert "this server" in fresh.rates_reply(GUILD).markdown
    fresh.set_overrides(GUILD, {"diamond_usd": "0.007"})
    assert "$280.00" in fresh.ask(question, guild_id=GUILD).card.description
    # Other servers keep the defaults; resetting brings them back here too.
    assert "$200.00" in fresh.ask(question, guild_id=OTHER).card.description
    fresh.set_overrides(GUILD, {})
    assert "$200.00" in fresh.ask(question, guild_id=GUILD).card.description


def test_the_assumptions_shown_follow_the_server_rates(fresh: Service) -> None:
    """The "Assumptions" field is kept per set of rates, whatever the amount: a server's own rate
    shows as its own, and a reset shows the default again."""
    def assumptions(amount: int) -> str:
        card = fresh.estimate("diamonds", {"amount": amount}, GUILD).card
        return dict(card.fields)["Assumptions"]

    default = assumptions(1000)
    assert "**$0.005**" in default and "this server's rate" not in default
    assert assumptions(2000) == default
    fresh.set_overrides(GUILD, {"diamond_usd": "0.006"})
    assert "**$0.006** *(this server's rate)*" in assumptions(3000)
    fresh.set_overrides(GUILD, {})
    assert assumptions(4000) == default


def test_a_faq_change_is_seen_by_the_next_answer(fresh: Service) -> None:
    question = "when does our agency pay out"
    assert fresh.ask(question, guild_id=GUILD).topic != "faq:payday"
    fresh.set_faq(GUILD, [faq("payday", "When does our agency pay out?", "Fridays.")])
    assert fresh.ask(question, guild_id=GUILD).topic == "faq:payday"
    fresh.set_faq(GUILD, [faq("payday", "When does our agency pay out?", "Mondays now.")])
    reply = fresh.ask(question, guild_id=GUILD)
    assert "Mondays now." in reply.card.description and "Fridays" not in reply.card.description
    fresh.set_faq(GUILD, [])
    assert fresh.ask(question, guild_id=GUILD).topic != "faq:payday"


def test_faq_answers_follow_the_server_rates(fresh: Service) -> None:
    fresh.set_faq(GUILD, [faq("ourrate", "What diamond rate do we use?", "We use {{ rate('diamond_usd') }}.")])
    entry = fresh.find_topic("ourrate", GUILD)
    assert entry is not None and "$0.005" in fresh.topic_reply(entry).card.description
    fresh.set_overrides(GUILD, {"diamond_usd": "0.006"})
    assert "$0.006" in fresh.topic_reply(entry).card.description


def test_autocomplete_sees_faq_changes(fresh: Service) -> None:
    fresh.set_faq(GUILD, [faq("payday", "When does our agency pay out?", "Fridays.")])
    assert ("📌 When does our agency pay out?", "faq:payday") in fresh.topic_choices("agency pay", GUILD)
    fresh.set_faq(GUILD, [faq("schedule", "Where is the stream schedule?", "Pinned.")])
    choices = fresh.topic_choices("", GUILD)
    assert ("📌 Where is the stream schedule?", "faq:schedule") in choices
    assert all(value != "faq:payday" for _, value in choices)
    fresh.set_faq(GUILD, [])
    assert all(not value.startswith("faq:") for _, value in fresh.topic_choices("", GUILD))


def test_new_vocabulary_changes_every_key(fresh: Service) -> None:
    before = fresh._scope(None)
    fresh.set_faq(OTHER, [faq("zorblax", "What is the zorblax bonus?", "A bonus.", guild_id=OTHER)])
    assert fresh._scope(None) != before


def test_estimate_options_are_keyed_by_type_and_value() -> None:
    assert _frozen({"amount": "1"}) != _frozen({"amount": 1}) != _frozen({"amount": True})
    assert _frozen({"amount": Decimal("1.0")}) != _frozen({"amount": Decimal("1")})
    assert _frozen({"b": 1, "a": [1, 2]}) == _frozen({"a": (1, 2), "b": 1})
    with pytest.raises(TypeError):
        _frozen({"amount": object()})


def test_estimates_repeat_from_the_cache_and_refusals_are_not_stored(fresh: Service) -> None:
    first = fresh.estimate("diamonds", {"amount": "40000"})
    assert fresh.estimate("diamonds", {"amount": "40000"}) is first
    stored = len(fresh._replies)
    from bot.calc import InputError

    with pytest.raises(InputError):
        fresh.estimate("diamonds", {"amount": "-5"})
    assert len(fresh._replies) == stored


def test_markdown_is_rendered_only_when_read() -> None:
    calls: list[str] = []

    def render() -> str:
        calls.append("x")
        return "text"

    reply = Reply("answer", Card(title="t"), render)
    assert calls == []
    assert reply.markdown == "text" and reply.markdown == "text"
    assert calls == ["x"]
    assert Reply("answer", Card(title="t"), partial(str, "fixed")).markdown == "fixed"


def test_data_is_made_only_when_read(fresh: Service) -> None:
    calls: list[str] = []
    reply = Reply("estimate", Card(title="t"), partial(str, ""), render_data=lambda: calls.append("x") or {"a": 1})
    assert calls == []
    assert reply.data == {"a": 1} and reply.data == {"a": 1} and calls == ["x"]
    assert Reply("answer", Card(title="t"), partial(str, "")).data == {}
    estimate = fresh.estimate("diamonds", {"amount": 40000})
    assert estimate.data["estimate"]["typical"] == "200.00"


def test_gift_choices_repeat_from_the_cache_and_match_the_catalogue(fresh: Service) -> None:
    first = fresh.gift_choices("lio")
    hits = fresh._replies.hits
    assert fresh.gift_choices("LIO ") == first and fresh._replies.hits == hits + 1
    assert first[0][1] == "Lion" and first[0][0].startswith("Lion — ")
    assert [value for _, value in first] == [g.name for g in fresh.gifts.search("lio")]


def test_one_topic_reached_by_different_wordings_is_one_reply(fresh: Service) -> None:
    """A topic card shows its own related topics first; the question's next best matches only fill
    what is left, so every wording that lands on a topic with three related ones shares its card."""
    wordings = ["do likes pay on tiktok live", "hey do likes pay?? lol", "are likes worth anything on tt live",
                "quick question: do taps count as money"]
    replies = [fresh.ask(q) for q in wordings]
    assert {r.topic for r in replies} == {"likes_pay"}
    assert all(r is replies[0] for r in replies)
    likes = fresh.kb["likes_pay"]
    assert len(likes.related) == 3 and replies[0].related == likes.related


def test_related_topics_fill_up_from_the_ranking_without_repeats(fresh: Service) -> None:
    kb = fresh.kb
    entry = Topic(id="faq:payday", title="Payday", summary="", body="Fridays", phrasings=("payday",), guild_id=GUILD)
    ranked = [kb["likes_pay"], entry, kb["likes_pay"], kb["taxes"], kb["scams"], kb["series"]]
    assert [t.id for t in fresh.related_topics(entry, ranked)] == ["likes_pay", "taxes", "scams"]
    likes = kb["likes_pay"]
    assert [t.id for t in fresh.related_topics(likes, [kb["taxes"]])] == list(likes.related)
