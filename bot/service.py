"""LiveTally's answers, without Discord: question → knowledge base or calculator → renderer.

The CLI and the cogs both call this; neither holds any answering logic of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from bot import __version__

import logging
from collections.abc import Mapping
from typing import Any

from bot.calc import DataError, GiftCatalogue, InputError, RateBook, RateError, Rates, compute, load_gifts, load_rates
from bot.kb import KnowledgeBase, KnowledgeError, Lexicon, Matcher, Topic, load_knowledge
from bot.kb.text import Analyzer, fold
from bot.parse import QuestionParser
from bot.render import Card, Renderer, Reply
from bot.sandbox import ModeratorTemplates, TemplateRejected
from bot.settings import KNOWLEDGE_DIR, ROOT, TEMPLATES_DIR

SEEDS_DIR = ROOT.parent / "shared" / "seeds"
log = logging.getLogger("livetally.service")
RELATED_COUNT = 3
# `/convert` between units goes through the estimate that answers it.
CONVERSIONS_UNITS = ("coins", "diamonds")
UNIT_CONVERSIONS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("diamonds", "usd"): ("diamonds", "amount"), ("coins", "usd"): ("coins", "amount"),
    ("usd", "diamonds"): ("diamonds_for_usd", "usd"), ("usd", "coins"): ("coins_for_usd", "usd"),
}
# The rates a server's rate card shows, in order (every key is listed by `/rates show`).
RATE_CARD_KEYS: tuple[str, ...] = (
    "diamond_usd", "diamonds_per_coin", "scaled_rewards_low", "scaled_rewards_high", "coin_price_web",
    "coin_price_app", "agency_cut", "daily_withdraw_cap_usd", "rpm_low", "rpm", "rpm_high", "superfan_price",
    "superfan_share", "subscription_share", "affiliate_rate", "streams_per_month", "currency", "usd_to_currency",
)
# The knowledge-base topic each kind of estimate belongs to (shown with it, and its `topic` in JSON).
ESTIMATE_TOPICS: Mapping[str, str] = {
    "live": "earnings_benchmarks", "month": "earnings_benchmarks", "projection": "earnings_benchmarks",
    "diamonds": "diamond_value", "diamonds_for_usd": "diamond_value", "coins": "coin_value",
    "coins_for_usd": "gifts_diamonds", "gift": "gifts_diamonds", "gifts": "gifts_diamonds",
    "gifts_for_usd": "gifts_diamonds", "subs": "subscriptions", "views": "creativity_program",
    "series": "series", "brand": "brand_deals", "affiliate": "affiliate_shop", "agency": "agencies",
    "withdraw": "withdraw_payout", "convert": "regional_rules",
}
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100


@dataclass
class Service:
    """Everything needed to answer: loaded once at start-up and passed to whoever needs it."""

    kb: KnowledgeBase
    matcher: Matcher
    renderer: Renderer
    rate_book: RateBook
    gifts: GiftCatalogue
    parser: QuestionParser
    templates: ModeratorTemplates = field(default_factory=ModeratorTemplates)
    _search: list[tuple[Topic, str, str]] = field(init=False, repr=False)
    _overrides: dict[int, dict[str, str]] = field(init=False, repr=False, default_factory=dict)
    _rates: dict[int | None, Rates] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._search = [_search_entry(t) for t in self.kb]

    # --- rates ---------------------------------------------------------------------------------

    def rates_for(self, guild_id: int | None) -> Rates:
        """The rates an answer in this server uses: the defaults with the server's overrides (cached).
        A stored override that is no longer valid (rates.yaml narrowed its range) is skipped and logged."""
        key = guild_id if guild_id in self._overrides else None
        rates = self._rates.get(key)
        if rates is None:
            valid: dict[str, str] = {}
            for name, raw in (self._overrides.get(guild_id, {}) if key is not None else {}).items():
                try:
                    self.rate_book.validate_override(name, raw)
                    valid[name] = raw
                except RateError as exc:
                    log.warning("server %s: ignoring stored rate %s=%r: %s", guild_id, name, raw, exc)
            rates = self._rates[key] = self.rate_book.with_overrides(valid)
        return rates

    def rates_reply(self, guild_id: int | None) -> Reply:
        return self.renderer.rates_list(self.rates_for(guild_id))

    def rate_card(self, guild_id: int | None, guild_name: str | None = None) -> Card:
        """The server's rate card: what `/explainer post topic:rates` shows and keeps up to date."""
        return self.renderer.rate_card(self.rates_for(guild_id), RATE_CARD_KEYS, guild_name)

    def set_overrides(self, guild_id: int, overrides: Mapping[str, str]) -> None:
        """Replace one server's overrides in memory (storage is the caller's job)."""
        self._rates.pop(guild_id, None)
        if overrides:
            self._overrides[guild_id] = dict(overrides)
        else:
            self._overrides.pop(guild_id, None)

    def clear_server_state(self) -> None:
        """Forget every server's overrides and FAQ entries (a fresh database is about to be loaded)."""
        for guild_id in list(self._overrides):
            self.set_overrides(guild_id, {})
        for guild_id in self.matcher.guild_ids():
            self.matcher.set_guild_entries(guild_id, [])

    def overrides(self, guild_id: int | None) -> dict[str, str]:
        return dict(self._overrides.get(guild_id, {})) if guild_id is not None else {}

    # --- estimates -----------------------------------------------------------------------------

    def estimate(self, kind: str, params: Mapping[str, Any], guild_id: int | None = None,
                 assumed: tuple[str, ...] = ()) -> Reply:
        """Run one estimate with this server's rates; `InputError` says what is wrong with the input."""
        result = compute(kind, params, self.rates_for(guild_id), self.gifts)
        topic = self.kb.get(ESTIMATE_TOPICS.get(kind, ""))
        return self.renderer.estimate(result, topic=topic, assumed=assumed)

    def about_text(self) -> str:
        return (f"**LiveTally {__version__}** answers live-stream creators' money questions (TikTok LIVE first): "
                f"every answer names its sources and every estimate shows its maths.\n"
                f"Knowledge base: {len(self.kb)} topics, data last reviewed **{self.kb.data_date}**.")

    def topic_choices(self, current: str, guild_id: int | None = None) -> list[tuple[str, str]]:
        """Autocomplete for /topic: (label, value) pairs, best first, at most 25. In memory only."""
        entries = [_search_entry(t) for t in self.matcher.guild_entries(guild_id)] if guild_id is not None else []
        entries += self._search
        words = fold(current).split()
        if not words:
            ranked = [t for t, _, _ in entries]
        else:
            scored = []
            for topic, title, blob in entries:
                if all(w in blob for w in words):
                    scored.append((0 if title.startswith(words[0]) else 1 if words[0] in title else 2, topic))
            scored.sort(key=lambda st: st[0])
            ranked = [t for _, t in scored]
        return [(_choice_label(t), t.id) for t in ranked[:CHOICES_MAX]]

    def convert(self, amount: Any, source: str, target: str | None = None, rate: Any = None,
                guild_id: int | None = None) -> Reply:
        """USD ↔ coins ↔ diamonds through the matching estimate, or currency ↔ currency at a rate."""
        src = source.strip().lower()
        default_target = "usd" if src in CONVERSIONS_UNITS or src != self.rates_for(guild_id).currency.lower() else None
        dst = (target or "").strip().lower() or default_target or "usd"
        unit_kind = UNIT_CONVERSIONS.get((src, dst))
        if unit_kind is not None:
            kind, param = unit_kind
            return self.estimate(kind, {param: str(amount)}, guild_id)
        if src in CONVERSIONS_UNITS or dst in CONVERSIONS_UNITS:
            raise InputError("Coins and diamonds convert to and from USD: e.g. `/convert amount:40000 from:diamonds`, "
                             "or `/convert amount:25 from:usd to:coins`.")
        params: dict[str, Any] = {"amount": str(amount), "currency": src.upper(), "to": dst.upper()}
        if rate is not None:
            params["rate"] = str(rate)
        return self.estimate("convert", params, guild_id)

    # --- topics ------------------------------------------------------------------------------

    def related_topics(self, topic: Topic, ranked: list[Topic] | None = None) -> list[Topic]:
        """The topic's own related list first, then the next best matches, at most three."""
        out: list[Topic] = []
        for candidate in [*(self.kb.get(r) for r in topic.related), *(ranked or [])]:
            if candidate is not None and candidate.id != topic.id and candidate not in out:
                out.append(candidate)
        return out[:RELATED_COUNT]

    def find_topic(self, name: str, guild_id: int | None = None) -> Topic | None:
        """A topic by id, by a server entry's name, or by its title (case-insensitive)."""
        key = name.strip().casefold()
        if topic := self.kb.get(key):
            return topic
        candidates = [*self.matcher.guild_entries(guild_id)] if guild_id is not None else []
        candidates += list(self.kb)
        for topic in candidates:
            if key in (topic.id.casefold(), topic.title.casefold(), topic.extra.get("name", "").casefold()):
                return topic
        return None

    def topic_reply(self, topic: Topic, related: list[Topic] | None = None) -> Reply:
        if topic.is_server_entry:
            topic = replace(topic, body=self.render_faq_answer(topic.body, topic.guild_id))
        return self.renderer.topic(topic, related=self.related_topics(topic, related))

    # --- server FAQ entries ----------------------------------------------------------------------

    def set_faq(self, guild_id: int, entries: list[Any]) -> None:
        """Index one server's FAQ entries (`bot.db.FaqEntry`s) beside the knowledge base."""
        self.matcher.set_guild_entries(guild_id, [faq_topic(e) for e in entries])

    def faq_context(self, guild_id: int | None) -> dict[str, Any]:
        rates = self.rates_for(guild_id)

        def rate(key: str) -> str:
            if key not in rates.specs:
                raise TemplateRejected(f"there is no rate called {key!r} (see /rates show)")
            return rates.spec(key).show(rates.value(key))

        def default_rate(key: str) -> str:
            if key not in rates.specs:
                raise TemplateRejected(f"there is no rate called {key!r} (see /rates show)")
            return rates.spec(key).show()

        return {"rate": rate, "default_rate": default_rate, "server": "this server"}

    def render_faq_answer(self, source: str, guild_id: int | None) -> str:
        """A moderator's answer with this server's live rates filled in (sandboxed and limited)."""
        try:
            return self.templates.render(source, self.faq_context(guild_id))
        except TemplateRejected as exc:
            return f"*(This answer can't be shown right now: {exc}. A moderator can fix it with `/faq edit`.)*"

    def ask(self, question: str, guild_id: int | None = None) -> Reply:
        """Answer free text: the estimate it states, else the matching topic, else an honest
        "I don't know that one yet" with the closest topics."""
        parsed = self.parser.parse(question)
        if parsed is not None:
            try:
                return self.estimate(parsed.kind, parsed.params, guild_id, parsed.assumed)
            except InputError:
                pass  # numbers we can't use (0 viewers, 10^30 coins): answer the topic instead
        match = self.matcher.match(question, guild_id)
        if match.topic is None:
            return self.renderer.unknown(question, match.suggestions(RELATED_COUNT))
        ranked = [t for t, _ in match.ranked[1:RELATED_COUNT + 1]]
        return self.topic_reply(match.topic, ranked)


def faq_topic(entry: Any) -> Topic:
    """A server FAQ entry as a topic: found by its question and name, answered by its template."""
    return Topic(id=f"faq:{entry.name}", title=entry.question, summary="", body=entry.answer,
                 phrasings=(entry.question, entry.name), guild_id=entry.guild_id, extra={"name": entry.name})


def _search_entry(topic: Topic) -> tuple[Topic, str, str]:
    title = fold(topic.title)
    return topic, title, " ".join([topic.id.replace("_", " "), title, *map(fold, topic.phrasings), *map(fold, topic.keywords)])


def _choice_label(topic: Topic) -> str:
    prefix = "📌 " if topic.is_server_entry else ""
    return (prefix + topic.title)[:CHOICE_NAME_MAX]


def build_service(knowledge_dir: Path = KNOWLEDGE_DIR, templates_dir: Path = TEMPLATES_DIR) -> Service:
    """Load and validate the knowledge base, rates, gifts and templates; raise on a broken part."""
    kb = load_knowledge(knowledge_dir, seeds_dir=SEEDS_DIR)
    analyzer = Analyzer(Lexicon.load(knowledge_dir / "lexicon.yaml"))
    gifts = load_gifts(knowledge_dir / "gifts.yaml")
    return Service(kb=kb, matcher=Matcher(kb, analyzer), renderer=Renderer(templates_dir),
                   rate_book=load_rates(knowledge_dir / "rates.yaml"), gifts=gifts, parser=QuestionParser(gifts))


def check_all(knowledge_dir: Path = KNOWLEDGE_DIR, templates_dir: Path = TEMPLATES_DIR) -> list[str]:
    """Every problem in the knowledge base, lexicon, rates, gifts and templates, all at once."""
    problems: list[str] = []
    try:
        load_knowledge(knowledge_dir, seeds_dir=SEEDS_DIR)
    except KnowledgeError as exc:
        problems += exc.problems
    try:
        Lexicon.load(knowledge_dir / "lexicon.yaml")
    except (OSError, ValueError) as exc:
        problems.append(f"lexicon.yaml: {exc}")
    for name, loader in (("rates.yaml", load_rates), ("gifts.yaml", load_gifts)):
        try:
            loader(knowledge_dir / name)
        except DataError as exc:
            problems += [f"{name}: {p}" for p in exc.problems]
        except OSError as exc:
            problems.append(f"{name}: {exc}")
    problems += Renderer(templates_dir).check()
    return problems
