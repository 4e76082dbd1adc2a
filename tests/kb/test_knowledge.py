"""Every knowledge file is valid, and the validator really catches each kind of problem."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.kb import REQUIRED_TOPIC_IDS, KnowledgeError, load_knowledge
from bot.kb.loader import MAX_BODY
from bot.settings import KNOWLEDGE_DIR
from tests.conftest import SHARED

GOOD = """---
id: {id}
title: A question?
summary: A short answer.
phrasings: [one, two, three, four, five, six, seven, eight, nine, ten]
keywords: [alpha]
related: [{related}]
sources:
  - title: A page
    ref: example.com/page
    date: 2025-02-06
last_reviewed: 2026-01-01
---
{body}
"""


def write(tmp: Path, topic_id: str, body: str = "It pays **$5** per thing [1].", related: str = "other", **subs: str) -> None:
    text = GOOD.format(id=topic_id, body=body, related=related)
    for old, new in subs.items():
        text = text.replace(old, new)
    (tmp / "topics").mkdir(exist_ok=True)
    (tmp / "topics" / f"{topic_id}.md").write_text(text)


def problems_of(tmp: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp, today=date(2026, 6, 1))
    return info.value.problems


def test_real_knowledge_base_is_valid():
    kb = load_knowledge(KNOWLEDGE_DIR, seeds_dir=SHARED / "seeds")
    assert set(REQUIRED_TOPIC_IDS) <= set(kb.topics)
    for topic in kb:
        assert len(topic.body) <= MAX_BODY
        assert topic.sources and topic.last_reviewed
        assert 2 <= len(topic.related) <= 3, topic.id


def test_disagreements_are_explained():
    kb = load_knowledge(KNOWLEDGE_DIR)
    both = (kb["gifts_diamonds"].body + kb["diamond_value"].body).lower()
    assert "2 coins" in both and "0.05" in both and "0.005" in both


def test_dated_rule_changes_are_dated():
    kb = load_knowledge(KNOWLEDGE_DIR)
    assert "2022" in kb["eligibility"].body and "18" in kb["eligibility"].body
    assert "2025" in kb["platform_cut"].body and "53%" in kb["platform_cut"].body
    assert kb["platform_cut"].regions or "US" in kb["platform_cut"].body


@pytest.mark.parametrize(
    ("body", "subs", "expected"),
    [
        ("A figure of 5 with no source.", {}, "without a [n] source"),
        ("Cites a missing source [2].", {}, "cites [2]"),
        ("No figures here.", {}, "never cited"),
        ("x" * (MAX_BODY + 1) + " [1]", {}, "body is"),
        ("Ping @everyone [1]", {}, "mention"),
        ("Fine [1].", {"example.com/page": "not a page"}, "neither seed"),
        ("Fine [1].", {"example.com/page": "seed:nope.txt"}, "not a seed file"),
        ("Fine [1].", {"2026-01-01": "2027-01-01"}, "in the future"),
        ("Fine [1].", {"date: 2025-02-06": "date: Feb 2025"}, "must be YYYY"),
        ("Fine [1].", {"phrasings: [one, two,": "phrasings: [one,"}, "phrasings"),
        ("Fine [1].", {"id: aa": "id: bb"}, "does not match the file name"),
    ],
)
def test_validator_catches(tmp_path: Path, body: str, subs: dict[str, str], expected: str):
    write(tmp_path, "aa", body=body, **subs)
    write(tmp_path, "other", related="aa")
    assert any(expected in p for p in problems_of(tmp_path)), problems_of(tmp_path)


def test_validator_reports_everything_at_once(tmp_path: Path):
    write(tmp_path, "aa", body="A figure of 5.", related="ghost")
    write(tmp_path, "bb", body="Another 7.", related="aa")
    problems = problems_of(tmp_path)
    assert sum("without a [n] source" in p for p in problems) == 2
    assert any("ghost" in p for p in problems)
    assert any("required topic" in p for p in problems)


def test_check_command_fails_on_a_broken_copy(tmp_path: Path):
    from bot.service import check_all
    from bot.settings import TEMPLATES_DIR

    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    (copy / "topics" / "likes_pay.md").write_text("no front matter")
    (copy / "topics" / "scams.md").unlink()
    problems = check_all(copy, TEMPLATES_DIR)
    assert any("likes_pay.md" in p for p in problems) and any("'scams'" in p for p in problems)
