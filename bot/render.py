"""The only place that knows Jinja2 and Discord's size limits.

Knowledge topics, estimates and errors come in as plain data; out come `Card`s (a Discord embed
as plain data) and Markdown for the command line. Every card passes through `fit()`, which
enforces Discord's limits, and all user-supplied text goes through `user_text`, which can neither
ping nor break the layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes

from bot.cache import LRU
from bot.calc import Estimate, Rates, fmt_count, fmt_money, fmt_number, fmt_percent, fmt_rate
from bot.kb.model import Topic

# Discord's limits (reference/platform-limits.md §5).
CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
ELLIPSIS = "…"

BRAND_COLOUR = 0x25F4EE
UNKNOWN_COLOUR = 0x99AAB5
ERROR_COLOUR = 0xE74C3C
# Rendered "Assumptions" fields kept: one per set of rates an estimate cites (a few per kind of
# estimate, times the servers with rates of their own).
ASSUMPTION_LISTS_KEPT = 512

_MENTION_RE = re.compile(r"@(everyone|here)|<@[!&]?\d+>")  # channel links (<#id>) never ping
_MARKDOWN_RE = re.compile(r"([\\*_~`|>\[\]])")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
ZWSP = "\u200b"


def user_text(value: object, limit: int = 300) -> str:
    """Make text a user typed safe to show: no pings, no Markdown, no control or bidi marks."""
    text = _CONTROL_RE.sub("", str(value)).replace("\n", " ").strip()
    text = _MARKDOWN_RE.sub(r"\\\1", text)
    text = text.replace("@", "@" + ZWSP)
    return clip(text, limit)


def no_pings(text: str) -> str:
    """Break @everyone/@here and raw mentions in text that is otherwise trusted Markdown."""
    return _MENTION_RE.sub(lambda m: m.group(0).replace("@", "@" + ZWSP).replace("<", "<" + ZWSP), text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class Card:
    """A Discord embed as plain data (no discord import needed)."""

    title: str
    description: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    footer: str = ""
    colour: int = BRAND_COLOUR
    url: str | None = None

    def to_embed_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "rich", "title": self.title, "color": self.colour}
        if self.description:
            data["description"] = self.description
        if self.fields:
            data["fields"] = [{"name": n, "value": v, "inline": False} for n, v in self.fields]
        if self.footer:
            data["footer"] = {"text": self.footer}
        if self.url:
            data["url"] = self.url
        return data

    def total_chars(self) -> int:
        return len(self.title) + len(self.description) + len(self.footer) + sum(len(n) + len(v) for n, v in self.fields)


def fit(card: Card) -> Card:
    """Enforce every embed limit: clip each part, then trim to the 6,000 total (description first,
    then footer, then the last fields)."""
    return card if _fits(card) else _fitted(card)


def _fitted(card: Card) -> Card:
    fields = tuple(
        (clip(n, FIELD_NAME_MAX) or ZWSP, clip(v, FIELD_VALUE_MAX) or ZWSP) for n, v in card.fields[:FIELDS_MAX]
    )
    card = replace(
        card,
        title=clip(no_pings(card.title), TITLE_MAX),
        description=clip(no_pings(card.description), DESCRIPTION_MAX),
        fields=tuple((no_pings(n), no_pings(v)) for n, v in fields),
        footer=clip(no_pings(card.footer), FOOTER_MAX),
    )
    # Over the 6,000 in all: the description gives way first, then the footer, then the last fields.
    excess = card.total_chars() - EMBED_TOTAL_MAX
    if excess > 0:
        card = replace(card, description=_shorten(card.description, excess))
        excess = card.total_chars() - EMBED_TOTAL_MAX
    if excess > 0:
        card = replace(card, footer=_shorten(card.footer, excess))
        excess = card.total_chars() - EMBED_TOTAL_MAX
    fields = list(card.fields)
    while excess > 0 and fields:
        name, value = fields.pop()
        if len(value) > excess:  # the field can stay, shorter
            shorter = _shorten(value, excess)
            fields.append((name, shorter))
            excess -= len(value) - len(shorter)
        else:
            excess -= len(name) + len(value)
    return card if tuple(fields) == card.fields else replace(card, fields=tuple(fields))


def _shorten(text: str, by: int) -> str:
    """`text` at least `by` characters shorter, ending in an ellipsis (or empty)."""
    return "" if len(text) <= by else clip(text, len(text) - by)


def _fits(card: Card) -> bool:
    """True when `fit` would change nothing: every part within its limit, no empty field part, and
    no '@' anywhere (every ping `no_pings` breaks has one)."""
    if (len(card.title) > TITLE_MAX or len(card.description) > DESCRIPTION_MAX or len(card.footer) > FOOTER_MAX
            or len(card.fields) > FIELDS_MAX or card.total_chars() > EMBED_TOTAL_MAX
            or "@" in card.title or "@" in card.description or "@" in card.footer):
        return False
    return all(0 < len(name) <= FIELD_NAME_MAX and 0 < len(value) <= FIELD_VALUE_MAX and "@" not in name
               and "@" not in value for name, value in card.fields)


def fit_content(text: str) -> str:
    """Plain message content within Discord's 2,000 characters, pings broken."""
    return clip(no_pings(text), CONTENT_MAX)


@dataclass(frozen=True)
class Reply:
    """What any answer becomes: a card for Discord, Markdown for the terminal, data for JSON.

    The Markdown and the data are made the first time they are read: Discord replies need neither.
    """

    kind: str  # "answer" | "estimate" | "unknown" | "error"
    card: Card
    render_markdown: Callable[[], str] = field(repr=False, compare=False)
    topic: str | None = None
    sources: tuple[dict[str, str], ...] = ()
    render_data: Callable[[], Mapping[str, Any]] = field(default=dict, repr=False, compare=False)
    related: tuple[str, ...] = ()

    @cached_property
    def markdown(self) -> str:
        return self.render_markdown()

    @cached_property
    def data(self) -> Mapping[str, Any]:
        return self.render_data()


class Renderer:
    """Jinja2 templates (Markdown, not HTML: no autoescape; StrictUndefined so typos fail)."""

    def __init__(self, templates_dir: Path) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates_dir)),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # templates ship with the code: no stat() per render
        )
        self.env.filters.update(money=fmt_money, rate=fmt_rate, number=fmt_number, percent=fmt_percent,
                                user_text=user_text, clip=clip, units=fmt_count)
        self._assumption_lists: LRU[str] = LRU(ASSUMPTION_LISTS_KEPT)
        # Each template's text if it never changes (see `_is_fixed`), else None; filled in on first use.
        self._fixed: dict[str, str | None] = {}
        # Each template with its globals as one plain dict, loaded on first use (see `_render`).
        self._loaded: dict[str, tuple[jinja2.Template, dict[str, Any]]] = {}

    def text(self, name: str, **context: Any) -> str:
        fixed = self._fixed.get(name, False)
        if isinstance(fixed, str):
            return fixed
        text = self._render(name, context).strip()
        if fixed is False:
            self._fixed[name] = text if self._is_fixed(name) else None
        return text

    def _render(self, name: str, context: dict[str, Any]) -> str:
        """`Template.render(**context)`, given the template's globals already merged into one dict.
        `render` merges them on every call, reading them through a `ChainMap` key by key: that
        was 40% of the cost of rendering an estimate's body."""
        try:
            template, globals_ = self._loaded[name]
        except KeyError:
            template = self.env.get_template(name)
            template, globals_ = self._loaded.setdefault(name, (template, dict(template.globals)))
        ctx = template.new_context({**globals_, **context}, shared=True)
        try:
            return self.env.concat(template.root_render_func(ctx))  # type: ignore[attr-defined,no-any-return]
        except Exception:
            self.env.handle_exception()  # raises, with the template's line in the traceback
            raise  # not reached

    def _is_fixed(self, name: str) -> bool:
        """True when a template reads no variables and pulls in no other template: its text never
        changes, so it is rendered once (a render costs several microseconds, whatever it holds)."""
        source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        tree = self.env.parse(source)
        pulls_in = tree.find((jinja2.nodes.Include, jinja2.nodes.Extends, jinja2.nodes.Import, jinja2.nodes.FromImport))
        return pulls_in is None and not jinja2.meta.find_undeclared_variables(tree)

    def check(self) -> list[str]:
        """Compile every template; return the problems found."""
        problems = []
        for name in self.env.list_templates(extensions=["j2"]):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError as exc:
                problems.append(f"templates/{name}: {exc}")
        return problems

    # --- knowledge topics -------------------------------------------------------------------

    def topic(self, topic: Topic, *, related: list[Topic] | None = None, note: str | None = None) -> Reply:
        related = related or []
        ctx = {"topic": topic, "related": related, "note": note}
        card = fit(
            Card(
                title=topic.title,
                description=self.text("topic_body.md.j2", **ctx),
                fields=tuple((name, value) for name, value in self._topic_fields(ctx) if value),
                footer=self.text("topic_footer.md.j2", **ctx),
            )
        )
        sources = tuple({"title": s.title, "ref": s.ref, "date": s.date, **({"url": s.url} if s.url else {})}
                        for s in topic.sources)
        return Reply("answer", card, partial(self.text, "topic.md.j2", **ctx), topic=topic.id, sources=sources,
                     related=tuple(t.id for t in related))

    def _topic_fields(self, ctx: dict[str, Any]) -> list[tuple[str, str]]:
        return [("Sources", self.text("sources.md.j2", **ctx)), ("Related", self.text("related.md.j2", **ctx))]

    # --- estimates ----------------------------------------------------------------------------

    def estimate(self, estimate: Estimate, *, topic: Topic | None = None,
                 assumed: tuple[str, ...] = (), worked: tuple[str, ...] = ()) -> Reply:
        assumptions = estimate.assumptions
        ctx = {"e": estimate, "topic": topic, "assumed": assumed, "worked": worked, "assumptions": assumptions}
        # The same few sets of rates come up again and again, whatever the amount.
        fields = [("Assumptions", self._assumption_lists.get_or_make(
            assumptions, partial(self.text, "estimate_assumptions.md.j2", **ctx)))] if assumptions else []
        if topic is not None:
            fields.append(("More", f"{topic.title} — `/topic name:{topic.id}`"))
        card = fit(Card(title=estimate.title, description=self.text("estimate_body.md.j2", **ctx),
                        fields=tuple(fields), footer=self.text("estimate_footer.md.j2", **ctx)))
        sources = tuple(dict.fromkeys((a.source, a.as_of) for a in assumptions))
        return Reply("estimate", card, partial(self.text, "estimate.md.j2", **ctx), topic=topic.id if topic else None,
                     sources=tuple({"ref": ref, "date": as_of} for ref, as_of in sources),
                     render_data=lambda: {"estimate": estimate.to_dict()})

    @staticmethod
    def _rate_rows(rates: Rates, keys: Iterable[str]) -> list[dict[str, Any]]:
        return [{**a.to_dict(), "default": rates.spec(a.key).show()} for a in rates.assumptions(*keys)]

    def rate_card(self, rates: Rates, keys: Iterable[str], guild_name: str | None = None) -> Card:
        ctx = {"rows": self._rate_rows(rates, keys), "guild_name": guild_name}
        return fit(Card(title="How rates work here", description=self.text("rate_card.md.j2", **ctx),
                        footer="LiveTally rate card · sources: /rates show"))

    def rates_list(self, rates: Rates) -> Reply:
        """`/rates show`: every rate, its value here, the default and the source."""
        rows = self._rate_rows(rates, rates.specs)
        body = self.text("rates_list.md.j2", rows=rows)
        changed = sum(r["overridden"] for r in rows)
        card = fit(Card(title="Rates used in this server", description=body,
                        footer=f"{changed} set by this server's moderators · change with /rates set" if changed
                        else "All LiveTally defaults · moderators can change them with /rates set"))
        return Reply("answer", card, partial(str, f"## Rates used in this server\n\n{body}"), render_data=lambda: {"rates": rows})

    def unknown(self, question: str, suggestions: list[Topic]) -> Reply:
        ctx = {"question": question, "suggestions": suggestions}
        body = self.text("unknown.md.j2", **ctx)
        card = fit(Card(title="I don't know that one yet", description=body, colour=UNKNOWN_COLOUR))
        return Reply("unknown", card, partial(str, body), related=tuple(t.id for t in suggestions))

    def error(self, message: str, code: str | None = None) -> Reply:
        ctx = {"message": message, "code": code}
        body = self.text("error.md.j2", **ctx)
        return Reply("error", fit(Card(title="Can't do that", description=body, colour=ERROR_COLOUR)), partial(str, body))
