"""Load `knowledge/topics/*.md` and validate every file, reporting all problems at once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from bot.kb.model import SEED_PREFIX, Source, Topic

REQUIRED_TOPIC_IDS: tuple[str, ...] = (
    "likes_pay", "per_view_pay", "gifts_diamonds", "coin_value", "diamond_value", "platform_cut",
    "withdraw_payout", "eligibility", "subscriptions", "creativity_program", "brand_deals",
    "affiliate_shop", "series", "live_match", "agencies", "taxes", "scams", "tiktok_revenue",
    "earnings_benchmarks", "grow_earnings", "merch_multichannel", "regional_rules",
)

MAX_BODY = 1500
MAX_TITLE = 100
MAX_SUMMARY = 160
MIN_PHRASINGS = 10
ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
CITE_RE = re.compile(r"\[(\d{1,2})\]")
DATE_RE = re.compile(r"^(undated|\d{4}(-\d{2}(-\d{2})?)?)$")
PAGE_RE = re.compile(r"^(https?://)?[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", re.IGNORECASE)
SEED_RE = re.compile(r"^seed:\d{3}_[0-9a-f]{16}\.txt$")
FORBIDDEN_RE = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>|<\/?[a-z][^>]*>", re.IGNORECASE)
FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)


class KnowledgeError(Exception):
    """The knowledge base is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n- " + "\n- ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class KnowledgeBase:
    """Every topic, by id, in file order."""

    topics: Mapping[str, Topic]

    def __getitem__(self, topic_id: str) -> Topic:
        return self.topics[topic_id]

    def get(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def __iter__(self):
        return iter(self.topics.values())

    def __len__(self) -> int:
        return len(self.topics)

    @property
    def data_date(self) -> date | None:
        """The newest review date: the date of LiveTally's data."""
        return max((t.last_reviewed for t in self if t.last_reviewed), default=None)


def load_knowledge(directory: Path, *, seeds_dir: Path | None = None, today: date | None = None) -> KnowledgeBase:
    """Load every topic in `directory/topics`; raise `KnowledgeError` listing all problems."""
    problems: list[str] = []
    topics: dict[str, Topic] = {}
    files = sorted((directory / "topics").glob("*.md"))
    if not files:
        raise KnowledgeError([f"{directory / 'topics'}: no topic files"])
    for path in files:
        topic, errs = parse_topic_file(path, seeds_dir=seeds_dir, today=today or date.today())
        problems.extend(f"{path.name}: {e}" for e in errs)
        if topic is not None:
            if topic.id in topics:
                problems.append(f"{path.name}: duplicate id {topic.id!r}")
            topics[topic.id] = topic
    problems.extend(_cross_checks(topics))
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(topics)


def _cross_checks(topics: Mapping[str, Topic]) -> list[str]:
    problems = [f"required topic {tid!r} is missing" for tid in REQUIRED_TOPIC_IDS if tid not in topics]
    for topic in topics.values():
        problems.extend(
            f"{topic.id}.md: related id {rid!r} does not exist" for rid in topic.related if rid not in topics
        )
    return problems


def parse_topic_file(path: Path, *, seeds_dir: Path | None, today: date) -> tuple[Topic | None, list[str]]:
    """Parse one file; return the topic (if it could be built) and every problem found."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    match = FRONT_MATTER_RE.match(text)
    if not match:
        return None, ["no YAML front matter between '---' lines"]
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        return None, [f"front matter is not valid YAML: {exc}"]
    if not isinstance(meta, dict):
        return None, ["front matter must be a mapping"]
    body = match.group(2).strip()
    problems = _check_fields(meta, path.stem)
    if problems:
        return None, problems
    sources = tuple(Source(str(s["title"]), str(s["ref"]), str(s["date"])) for s in meta["sources"])
    topic = Topic(
        id=meta["id"],
        title=str(meta["title"]).strip(),
        summary=str(meta["summary"]).strip(),
        body=body,
        phrasings=tuple(str(p).strip() for p in meta["phrasings"]),
        keywords=tuple(str(k).strip() for k in meta["keywords"]),
        related=tuple(meta["related"]),
        sources=sources,
        last_reviewed=meta["last_reviewed"],
        regions=(str(meta["regions"]).strip() if meta.get("regions") else None),
    )
    problems.extend(_check_topic(topic, seeds_dir=seeds_dir, today=today))
    return topic, problems


def _check_fields(meta: Mapping[str, object], stem: str) -> list[str]:
    problems: list[str] = []
    for name in ("id", "title", "summary", "phrasings", "keywords", "related", "sources", "last_reviewed"):
        if name not in meta or meta[name] in (None, "", []):
            problems.append(f"missing field {name!r}")
    if problems:
        return problems
    if meta["id"] != stem:
        problems.append(f"id {meta['id']!r} does not match the file name {stem!r}")
    if not isinstance(meta["id"], str) or not ID_RE.match(meta["id"]):
        problems.append(f"id {meta['id']!r} must be lowercase letters, digits and _")
    for name in ("phrasings", "keywords", "related", "sources"):
        if not isinstance(meta[name], list):
            problems.append(f"{name} must be a list")
    if not isinstance(meta["last_reviewed"], date):
        problems.append("last_reviewed must be a date (YYYY-MM-DD)")
    if isinstance(meta["sources"], list):
        for i, src in enumerate(meta["sources"], 1):
            if not isinstance(src, dict) or not all(src.get(k) for k in ("title", "ref", "date")):
                problems.append(f"source {i} needs title, ref and date")
    return problems


def _check_topic(topic: Topic, *, seeds_dir: Path | None, today: date) -> Iterable[str]:
    if len(topic.title) > MAX_TITLE:
        yield f"title is {len(topic.title)} characters (max {MAX_TITLE})"
    if len(topic.summary) > MAX_SUMMARY:
        yield f"summary is {len(topic.summary)} characters (max {MAX_SUMMARY})"
    if not topic.body:
        yield "body is empty"
    if len(topic.body) > MAX_BODY:
        yield f"body is {len(topic.body)} characters (max {MAX_BODY})"
    if len(topic.phrasings) < MIN_PHRASINGS:
        yield f"only {len(topic.phrasings)} phrasings (at least {MIN_PHRASINGS})"
    if len({p.casefold() for p in topic.phrasings}) != len(topic.phrasings):
        yield "phrasings repeat"
    if topic.id in topic.related:
        yield "related lists the topic itself"
    if topic.last_reviewed and topic.last_reviewed > today:
        yield f"last_reviewed {topic.last_reviewed} is in the future"
    for field_name, text in (("title", topic.title), ("summary", topic.summary), ("body", topic.body)):
        if FORBIDDEN_RE.search(text):
            yield f"{field_name} holds a mention or HTML"
    yield from _check_sources(topic, seeds_dir)
    yield from _check_citations(topic)


def _check_sources(topic: Topic, seeds_dir: Path | None) -> Iterable[str]:
    for i, src in enumerate(topic.sources, 1):
        if not DATE_RE.match(src.date):
            yield f"source {i} date {src.date!r} must be YYYY-MM-DD, YYYY-MM, YYYY or 'undated'"
        if src.ref.startswith(SEED_PREFIX):
            if not SEED_RE.match(src.ref):
                yield f"source {i} ref {src.ref!r} is not a seed file name"
            elif seeds_dir is not None and seeds_dir.is_dir() and not (seeds_dir / src.ref[len(SEED_PREFIX):]).exists():
                yield f"source {i} names a seed that does not exist: {src.ref}"
        elif not PAGE_RE.match(src.ref):
            yield f"source {i} ref {src.ref!r} is neither seed:<file> nor a page address"


def _check_citations(topic: Topic) -> Iterable[str]:
    cited: set[int] = set()
    for number, line in enumerate(topic.body.splitlines(), 1):
        refs = {int(n) for n in CITE_RE.findall(line)}
        cited |= refs
        figure_text = CITE_RE.sub("", line)
        figure_text = re.sub(r"`[^`]*`", "", figure_text)  # command examples are not figures
        if re.search(r"\d", figure_text) and not refs:
            yield f"body line {number} states a figure without a [n] source: {line.strip()[:60]!r}"
        for n in refs:
            if not 1 <= n <= len(topic.sources):
                yield f"body line {number} cites [{n}] but there are {len(topic.sources)} sources"
    for i in range(1, len(topic.sources) + 1):
        if i not in cited:
            yield f"source {i} is never cited in the body"
