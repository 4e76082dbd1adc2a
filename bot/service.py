"""LiveTally's answers, without Discord: question → knowledge base or calculator → renderer.

The CLI and the cogs both call this; neither holds any answering logic of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot import __version__
from bot.cache import LRU
from bot.calc import DataError, GiftCatalogue, InputError, RateBook, RateError, Rates, compute, load_gifts, load_rates
from bot.calc.gifts import normalize as normalize_gift
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
    "gifts_for_usd": "gifts_diamonds", "gifts_bought": "gifts_diamonds", "subs": "subscriptions",
    "views": "creativity_program", "series": "series", "brand": "brand_deals", "affiliate": "affiliate_shop", "agency": "agencies",
    "withdraw": "withdraw_payout", "convert": "regional_rules", "earnings": "earnings_benchmarks",
}
# Money earned per sponsored post or video belongs with brand deals, not with what streams make.
_EARNED_PER_TOPICS: Mapping[str, str] = {"post": "brand_deals", "video": "brand_deals"}
CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
# Finished replies kept for repeats (a burst of the same question after a big stream). Bounded in
# count, so in memory: a reply is a few kilobytes.
REPLY_CACHE_SIZE = 2048
# Topic cards are kept apart: a flood of one-off questions must not push out the few dozen cards
# that nearly every answer is.
TOPIC_CACHE_SIZE = 512
SearchEntry = tuple[Topic, str, str]


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
    _search: list[SearchEntry] = field(init=False, repr=False)
    _guild_search: dict[int, tuple[int, list[SearchEntry]]] = field(init=False, repr=False, default_factory=dict)
    _overrides: dict[int, dict[str, str]] = field(init=False, repr=False, default_factory=dict)
    _rates: dict[int | None, Rates] = field(init=False, repr=False, default_factory=dict)
    _replies: LRU[Any] = field(init=False, repr=False, default_factory=lambda: LRU(REPLY_CACHE_SIZE))
    _topic_replies: LRU[Any] = field(init=False, repr=False, default_factory=lambda: LRU(TOPIC_CACHE_SIZE))
    _generation: dict[int, int] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._search = [_search_entry(t) for t in self.kb]

    # --- the reply cache -----------------------------------------------------------------------
    #
    # Every reply is a pure function of the question (or command options), the knowledge base, and
    # the server's rates and FAQ entries. Servers with neither share the defaults' replies; a server
    # with its own gets its own, keyed by the version of its rates (moved on by `set_overrides`) and
    # of its entries (by the matcher), so a change is seen by the very next answer. Typo correction
    # learns words from every server's entries, so its version is part of every key too.

    def _scope(self, guild_id: int | None) -> tuple[int | None, int, int | None, int]:
        vocabulary = self.matcher.analyzer.vocabulary_version
        entries = self.matcher.guild_version(guild_id)
        if guild_id is not None and (guild_id in self._overrides or entries is not None):
            return guild_id, self._generation.get(guild_id, 0), entries, vocabulary
        return None, 0, None, vocabulary

    def _changed(self, guild_id: int) -> None:
        self._generation[guild_id] = self._generation.get(guild_id, 0) + 1

    def _cached(self, guild_id: int | None, key: Hashable, make: Callable[[], Any], cache: LRU[Any] | None = None) -> Any:
        return (self._replies if cache is None else cache).get_or_make((self._scope(guild_id), key), make)

    def forget_replies(self) -> None:
        """Empty the reply caches (every answer is worked out afresh; benchmarks use this)."""
        self._replies.clear()
        self._topic_replies.clear()

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
        reply: Reply = self._cached(guild_id, ("rates",), lambda: self.renderer.rates_list(self.rates_for(guild_id)))
        return reply

    def rate_card(self, guild_id: int | None, guild_name: str | None = None) -> Card:
        """The server's rate card: what `/explainer post topic:rates` shows and keeps up to date."""
        card: Card = self._cached(guild_id, ("rate_card", guild_name), lambda: self.renderer.rate_card(
            self.rates_for(guild_id), RATE_CARD_KEYS, guild_name))
        return card

    def set_overrides(self, guild_id: int, overrides: Mapping[str, str]) -> None:
        """Replace one server's overrides in memory (storage is the caller's job)."""
        self._changed(guild_id)
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
            self.set_faq(guild_id, [])
        self.forget_replies()

    def overrides(self, guild_id: int | None) -> dict[str, str]:
        return dict(self._overrides.get(guild_id, {})) if guild_id is not None else {}

    # --- estimates -----------------------------------------------------------------------------

    def estimate(self, kind: str, params: Mapping[str, Any], guild_id: int | None = None,
                 assumed: tuple[str, ...] = (), currency: tuple[str, Decimal] | None = None,
                 worked: tuple[str, ...] = ()) -> Reply:
        """Run one estimate with this server's rates (showing amounts in `currency` too, a code and its
        units per USD, when a question stated that rate, and the `worked` steps from a question's own
        numbers to `params`); `InputError` says what is wrong with the input."""
        def make() -> Reply:
            rates = self.rates_for(guild_id)
            result = compute(kind, params, rates if currency is None else rates.in_currency(*currency), self.gifts)
            topic_id = ESTIMATE_TOPICS.get(kind, "")
            if kind == "earnings":
                topic_id = _EARNED_PER_TOPICS.get(str(params.get("per")), topic_id)
            topic = self.kb.get(topic_id)
            return self.renderer.estimate(result, topic=topic, assumed=assumed, worked=worked)

        try:
            key = ("estimate", kind, _frozen(params), assumed, currency, worked)
        except TypeError:  # an option we can't key on safely: compute it afresh
            return make()
        reply: Reply = self._cached(guild_id, key, make)
        return reply

    def about_text(self) -> str:
        return (f"**LiveTally {__version__}** answers live-stream creators' money questions (TikTok LIVE first): "
                f"every answer names its sources and every estimate shows its maths.\n"
                f"Knowledge base: {len(self.kb)} topics, data last reviewed **{self.kb.data_date}**.")

    def topic_choices(self, current: str, guild_id: int | None = None) -> list[tuple[str, str]]:
        """Autocomplete for /topic: (label, value) pairs, best first, at most 25. In memory only."""
        own = self._guild_entries_search(guild_id)
        entries = [*own, *self._search] if own else self._search
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

    def gift_choices(self, current: str) -> list[tuple[str, str]]:
        """Autocomplete for gift names: (label, value) pairs, best first. The catalogue never changes
        while running, so the answers for what people type are kept (bounded, like replies)."""
        choices: tuple[tuple[str, str], ...] = self._replies.get_or_make(("gift_choices", normalize_gift(current)), lambda: tuple(
            (f"{g.name} — {g.coins:,} coins"[:CHOICE_NAME_MAX], g.name[:CHOICE_NAME_MAX])
            for g in self.gifts.search(current)))
        return list(choices)

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
        seen = {topic.id}  # ids: comparing whole topics field by field is slow and says the same
        for candidate in [*(self.kb.get(r) for r in topic.related), *(ranked or [])]:
            if candidate is not None and candidate.id not in seen:
                seen.add(candidate.id)
                out.append(candidate)
                if len(out) == RELATED_COUNT:
                    break
        return out

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

    def topic_reply(self, topic: Topic, related: list[Topic] | None = None, note: str | None = None) -> Reply:
        """A topic's card. `related` is the question's next best matches; they only show where the
        topic's own related list leaves room, so the same topic reached by different wordings is
        one cached reply."""
        shown_related = self.related_topics(topic, related)

        def make() -> Reply:
            shown = topic
            if topic.is_server_entry:
                shown = replace(topic, body=self.render_faq_answer(topic.body, topic.guild_id))
            return self.renderer.topic(shown, related=shown_related, note=note)

        key = ("topic", topic.id, topic.body, tuple(t.id for t in shown_related), note)
        reply: Reply = self._cached(topic.guild_id, key, make, self._topic_replies)
        return reply

    # --- server FAQ entries ----------------------------------------------------------------------

    def set_faq(self, guild_id: int, entries: list[Any]) -> None:
        """Index one server's FAQ entries (`bot.db.FaqEntry`s) beside the knowledge base."""
        self.matcher.set_guild_entries(guild_id, [faq_topic(e) for e in entries])

    def _guild_entries_search(self, guild_id: int | None) -> list[SearchEntry]:
        """A server's entries prepared for autocomplete, rebuilt only when they change."""
        version = self.matcher.guild_version(guild_id)
        if guild_id is None:
            return []
        if version is None:  # its entries were removed
            self._guild_search.pop(guild_id, None)
            return []
        cached = self._guild_search.get(guild_id)
        if cached is None or cached[0] != version:
            cached = self._guild_search[guild_id] = (version, [_search_entry(t) for t in self.matcher.guild_entries(guild_id)])
        return cached[1]

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
        reply: Reply = self._cached(guild_id, ("ask", " ".join(question.split())), lambda: self._ask(question, guild_id))
        return reply

    def _ask(self, question: str, guild_id: int | None) -> Reply:
        parsed = self.parser.parse(question)
        note = None
        if parsed is not None and not self.matcher.not_ours_to_work_out(question):
            try:
                return self.estimate(parsed.kind, parsed.params, guild_id, parsed.assumed, parsed.currency,
                                     parsed.worked)
            except InputError as exc:  # numbers we can't use (0 viewers, 10^30 coins): the topic, and why
                note = f"⚠️ I couldn't work out an estimate from the numbers in your question: {exc}"
        match = self.matcher.match(question, guild_id)
        if match.topic is None:
            return self.renderer.unknown(question, match.suggestions(RELATED_COUNT))
        ranked = [t for t, _ in match.ranked[1:RELATED_COUNT + 1]]
        return self.topic_reply(match.topic, ranked, note)


def faq_topic(entry: Any) -> Topic:
    """A server FAQ entry as a topic: found by its question and name, answered by its template."""
    return Topic(id=f"faq:{entry.name}", title=entry.question, summary="", body=entry.answer,
                 phrasings=(entry.question, entry.name), guild_id=entry.guild_id, extra={"name": entry.name})


_FROZEN_SCALARS = (str, int, float, Decimal, bool, type(None))


def _frozen(value: Any) -> Hashable:
    """Estimate options as a cache key; `TypeError` for anything but plain data (whose repr or
    hash could collide)."""
    if isinstance(value, _FROZEN_SCALARS):  # typed, so 1, 1.0, True and "1" stay apart
        return type(value).__name__, str(value) if isinstance(value, (float, Decimal)) else value
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    raise TypeError(f"can't key on {type(value).__name__}")


def _search_entry(topic: Topic) -> SearchEntry:
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
                   rate_book=load_rates(knowledge_dir / "rates.yaml"), gifts=gifts,
                   parser=QuestionParser(gifts, analyzer.vocabulary))


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
