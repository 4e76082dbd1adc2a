from __future__ import annotations

import sqlite3
import time
from collections.abc import Awaitable, Callable

import aiosqlite
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import (
    FAQ_ANSWER_MAX,
    FAQ_NAME_MAX,
    FAQ_QUESTION_MAX,
    QUESTION_MAX,
    RATE_KEY_MAX,
    RATE_VALUE_MAX,
    TOPIC_MAX,
    DuplicateNameError,
    Explainer,
    LoggedQuestion,
    NotFoundError,
    StorageUserError,
    add_explainer,
    add_faq,
    all_faq,
    clear_question_log,
    count_faq,
    edit_faq,
    get_explainer,
    get_rate_overrides,
    guilds_with_overrides,
    list_explainers,
    list_faq,
    log_questions,
    mark_explainer_gone,
    prune_question_log,
    record_explainer_edit,
    record_explainer_failure,
    remove_explainer,
    remove_faq,
    reset_rate_overrides,
    set_rate_override,
    top_topics,
    top_unanswered,
)

Conn = aiosqlite.Connection


async def _explainer(conn: Conn, message_id: int, *, guild_id: int = 1, topic: str = "likes_pay") -> Explainer:
    return await add_explainer(
        conn, guild_id=guild_id, channel_id=10, message_id=message_id, topic=topic, content_hash=f"hash-{message_id}"
    )


async def _logged(conn: Conn) -> list[tuple[object, ...]]:
    rows = await conn.execute_fetchall("SELECT guild_id, question, topic, kind, asked_at FROM question_log ORDER BY id")
    return [tuple(row) for row in rows]


# Rate overrides


async def test_rate_overrides_of_an_unknown_server_are_empty(conn: Conn) -> None:
    assert await get_rate_overrides(conn, 404) == {}
    assert await guilds_with_overrides(conn) == []
    assert await reset_rate_overrides(conn, 404) == 0


async def test_rate_overrides_round_trip_per_server(conn: Conn) -> None:
    await set_rate_override(conn, 2, "region", "US")
    await set_rate_override(conn, 2, "creator_share", "0.5")
    await set_rate_override(conn, 2, "creator_share", "0.45")
    await set_rate_override(conn, 1, "currency", "EUR")

    assert await get_rate_overrides(conn, 2) == {"creator_share": "0.45", "region": "US"}
    assert await get_rate_overrides(conn, 1) == {"currency": "EUR"}
    assert await guilds_with_overrides(conn) == [1, 2]


async def test_an_override_records_when_it_was_last_set(conn: Conn) -> None:
    before = int(time.time())
    await set_rate_override(conn, 1, "region", "US")
    rows = list(await conn.execute_fetchall("SELECT updated_at FROM rate_overrides"))
    assert before <= rows[0][0] <= int(time.time())


async def test_resetting_one_override_or_all_of_a_server(conn: Conn) -> None:
    for key in ("region", "currency", "agency_cut"):
        await set_rate_override(conn, 1, key, "x")
    await set_rate_override(conn, 2, "region", "US")

    assert await reset_rate_overrides(conn, 1, "region") == 1
    assert await reset_rate_overrides(conn, 1, "region") == 0
    assert await get_rate_overrides(conn, 1) == {"agency_cut": "x", "currency": "x"}
    assert await reset_rate_overrides(conn, 1) == 2
    assert await get_rate_overrides(conn, 1) == {}
    assert await guilds_with_overrides(conn) == [2]


# Explainers


async def test_a_new_explainer_is_active_with_no_failures(conn: Conn) -> None:
    before = int(time.time())
    explainer = await _explainer(conn, 100)

    assert explainer == Explainer(
        id=explainer.id,
        guild_id=1,
        channel_id=10,
        message_id=100,
        topic="likes_pay",
        content_hash="hash-100",
        status="active",
        failures=0,
        created_at=explainer.created_at,
        edited_at=None,
        gone_reason=None,
    )
    assert before <= explainer.created_at <= int(time.time())
    assert await get_explainer(conn, explainer.id) == explainer


async def test_getting_a_missing_explainer_gives_none(conn: Conn) -> None:
    assert await get_explainer(conn, 1) is None
    assert await list_explainers(conn) == []
    assert await list_explainers(conn, 404) == []


async def test_explainers_are_listed_oldest_first_by_server_and_topic(conn: Conn) -> None:
    a = await _explainer(conn, 100, guild_id=1, topic="likes_pay")
    b = await _explainer(conn, 101, guild_id=2, topic="likes_pay")
    c = await _explainer(conn, 102, guild_id=1, topic="diamond_value")

    assert await list_explainers(conn) == [a, b, c]
    assert await list_explainers(conn, 1) == [a, c]
    assert await list_explainers(conn, topic="likes_pay") == [a, b]
    assert await list_explainers(conn, 1, topic="diamond_value") == [c]
    assert await list_explainers(conn, 3) == []


async def test_gone_explainers_are_listed_only_on_request(conn: Conn) -> None:
    kept = await _explainer(conn, 100)
    gone = await _explainer(conn, 101)

    await mark_explainer_gone(conn, gone.id, "message deleted")

    gone_now = await get_explainer(conn, gone.id)
    assert gone_now is not None
    assert (gone_now.status, gone_now.gone_reason) == ("gone", "message deleted")
    assert await list_explainers(conn, 1) == [kept]
    assert await list_explainers(conn, 1, include_gone=True) == [kept, gone_now]


async def test_failures_count_up_until_an_edit_succeeds(conn: Conn) -> None:
    explainer = await _explainer(conn, 100)

    assert await record_explainer_failure(conn, explainer.id) == 1
    assert await record_explainer_failure(conn, explainer.id) == 2
    before = int(time.time())
    await record_explainer_edit(conn, explainer.id, "new-hash")

    edited = await get_explainer(conn, explainer.id)
    assert edited is not None
    assert (edited.content_hash, edited.failures) == ("new-hash", 0)
    assert edited.edited_at is not None and before <= edited.edited_at <= int(time.time())
    assert await record_explainer_failure(conn, explainer.id) == 1


@pytest.mark.parametrize(
    "update",
    [
        lambda conn: record_explainer_edit(conn, 7, "hash"),
        lambda conn: record_explainer_failure(conn, 7),
        lambda conn: mark_explainer_gone(conn, 7, "deleted"),
    ],
    ids=["edit", "failure", "gone"],
)
async def test_updating_a_missing_explainer_raises_not_found(
    conn: Conn, update: Callable[[Conn], Awaitable[object]]
) -> None:
    with pytest.raises(NotFoundError, match="#7"):
        await update(conn)


async def test_removing_an_explainer_needs_its_own_server(conn: Conn) -> None:
    explainer = await _explainer(conn, 100, guild_id=1)

    assert await remove_explainer(conn, 2, explainer.id) is False
    assert await get_explainer(conn, explainer.id) == explainer
    assert await remove_explainer(conn, 1, explainer.id) is True
    assert await get_explainer(conn, explainer.id) is None
    assert await remove_explainer(conn, 1, explainer.id) is False


async def test_a_removed_explainer_id_is_never_reused(conn: Conn) -> None:
    first = await _explainer(conn, 100)
    await remove_explainer(conn, 1, first.id)

    assert (await _explainer(conn, 101)).id > first.id


async def test_a_message_is_recorded_as_an_explainer_once(conn: Conn) -> None:
    await _explainer(conn, 100)
    with pytest.raises(sqlite3.IntegrityError):
        await _explainer(conn, 100)


# FAQ entries


async def test_faq_entries_round_trip(conn: Conn) -> None:
    before = int(time.time())
    entry = await add_faq(conn, 1, "Payout day", "When do we get paid?", "Fridays.")

    assert (entry.guild_id, entry.name, entry.question, entry.answer) == (
        1,
        "Payout day",
        "When do we get paid?",
        "Fridays.",
    )
    assert before <= entry.created_at == entry.updated_at <= int(time.time())
    assert await list_faq(conn, 1) == [entry]
    assert await all_faq(conn) == [entry]
    assert await count_faq(conn, 1) == 1


async def test_faq_of_an_unknown_server_is_empty(conn: Conn) -> None:
    assert await list_faq(conn, 404) == []
    assert await all_faq(conn) == []
    assert await count_faq(conn, 404) == 0


async def test_faq_names_are_unique_per_server_ignoring_case(conn: Conn) -> None:
    await add_faq(conn, 1, "Payout Day", "q", "a")

    with pytest.raises(DuplicateNameError) as raised:
        await add_faq(conn, 1, "PAYOUT day", "q2", "a2")

    assert isinstance(raised.value, StorageUserError)
    assert "PAYOUT day" in str(raised.value)
    assert await count_faq(conn, 1) == 1
    other = await add_faq(conn, 2, "payout day", "q", "a")
    assert await list_faq(conn, 2) == [other]


async def test_faq_entries_are_listed_by_name_ignoring_case(conn: Conn) -> None:
    for guild_id, name in [(2, "b"), (1, "c"), (1, "B"), (1, "a")]:
        await add_faq(conn, guild_id, name, "q", "a")

    assert [entry.name for entry in await list_faq(conn, 1)] == ["a", "B", "c"]
    assert [(entry.guild_id, entry.name) for entry in await all_faq(conn)] == [(1, "a"), (1, "B"), (1, "c"), (2, "b")]


async def test_editing_a_faq_entry_changes_only_what_is_given(conn: Conn) -> None:
    await add_faq(conn, 1, "Payout", "old question", "old answer")

    after_answer = await edit_faq(conn, 1, "payout", answer="new answer")
    after_question = await edit_faq(conn, 1, "PAYOUT", question="new question")

    assert (after_answer.question, after_answer.answer) == ("old question", "new answer")
    assert (after_question.name, after_question.question, after_question.answer) == (
        "Payout",
        "new question",
        "new answer",
    )
    assert await list_faq(conn, 1) == [after_question]


async def test_editing_a_missing_faq_entry_raises_not_found(conn: Conn) -> None:
    await add_faq(conn, 2, "payout", "q", "a")
    with pytest.raises(NotFoundError, match="payout"):
        await edit_faq(conn, 1, "payout", answer="a")


async def test_editing_nothing_is_a_programming_error(conn: Conn) -> None:
    await add_faq(conn, 1, "payout", "q", "a")
    with pytest.raises(ValueError):
        await edit_faq(conn, 1, "payout")


async def test_removing_a_faq_entry_by_name_in_any_case(conn: Conn) -> None:
    await add_faq(conn, 1, "Payout", "q", "a")
    await add_faq(conn, 2, "Payout", "q", "a")

    assert await remove_faq(conn, 1, "pAYOUT") is True
    assert await remove_faq(conn, 1, "Payout") is False
    assert await remove_faq(conn, 3, "Payout") is False
    assert [entry.guild_id for entry in await all_faq(conn)] == [2]


# Size limits: the constants callers validate against are the ones the schema enforces.


def _limit_cases() -> list[tuple[str, int, Callable[[Conn, str], Awaitable[object]]]]:
    return [
        ("rate key", RATE_KEY_MAX, lambda conn, text: set_rate_override(conn, 1, text, "v")),
        ("rate value", RATE_VALUE_MAX, lambda conn, text: set_rate_override(conn, 1, "k", text)),
        ("faq name", FAQ_NAME_MAX, lambda conn, text: add_faq(conn, 1, text, "q", "a")),
        ("faq question", FAQ_QUESTION_MAX, lambda conn, text: add_faq(conn, 1, f"n{len(text)}", text, "a")),
        ("faq answer", FAQ_ANSWER_MAX, lambda conn, text: add_faq(conn, 1, f"n{len(text)}", "q", text)),
        (
            "explainer topic",
            TOPIC_MAX,
            lambda conn, text: add_explainer(
                conn, guild_id=1, channel_id=1, message_id=len(text) + 1, topic=text, content_hash="h"
            ),
        ),
        (
            "logged question",
            QUESTION_MAX,
            lambda conn, text: log_questions(conn, [LoggedQuestion(1, text, None, "unknown", 0)]),
        ),
        (
            "logged topic",
            TOPIC_MAX,
            lambda conn, text: log_questions(conn, [LoggedQuestion(1, "q", text, "answer", 0)]),
        ),
    ]


@pytest.mark.parametrize(("field", "limit", "write"), _limit_cases(), ids=[case[0] for case in _limit_cases()])
async def test_the_schema_enforces_the_published_limits(
    conn: Conn, field: str, limit: int, write: Callable[[Conn, str], Awaitable[object]]
) -> None:
    await write(conn, "é" * limit)
    for refused in ("", "é" * (limit + 1)):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            await write(conn, refused)


async def test_no_table_has_a_column_for_people(conn: Conn) -> None:
    rows = await conn.execute_fetchall(
        "SELECT m.name, p.name FROM sqlite_master AS m, pragma_table_info(m.name) AS p WHERE m.type = 'table'"
    )
    columns = [f"{table}.{column}" for table, column in rows]
    assert "question_log.question" in columns
    assert [column for column in columns if any(word in column for word in ("user", "author", "member"))] == []


# The question log


async def test_logging_no_rows_writes_nothing(conn: Conn) -> None:
    await log_questions(conn, [])
    assert await _logged(conn) == []


async def test_logged_questions_round_trip(conn: Conn) -> None:
    rows = [
        LoggedQuestion(1, 'do "likes" pay?\nreally; 100%', "likes_pay", "answer", 1_700_000_000),
        LoggedQuestion(None, "what are 40,000 💎 worth — en français?", None, "unknown", 1_700_000_001),
        LoggedQuestion(2**62, "2 lions", "gifts_diamonds", "estimate", 0),
    ]
    await log_questions(conn, rows)
    assert await _logged(conn) == [(row.guild_id, row.question, row.topic, row.kind, row.asked_at) for row in rows]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    questions=st.lists(
        st.text(st.characters(codec="utf-8", exclude_characters="\0"), min_size=1, max_size=QUESTION_MAX),
        min_size=1,
        max_size=5,
    )
)
async def test_any_question_text_round_trips(conn: Conn, questions: list[str]) -> None:
    await conn.execute_fetchall("DELETE FROM question_log")
    await log_questions(conn, [LoggedQuestion(1, question, None, "unknown", 5) for question in questions])
    assert [row[1] for row in await _logged(conn)] == questions


async def test_top_topics_counts_one_server_within_the_period(conn: Conn) -> None:
    since = 1_000
    await log_questions(
        conn,
        [
            *[LoggedQuestion(1, "q", "likes_pay", "answer", since) for _ in range(3)],
            *[LoggedQuestion(1, "q", "coin_value", "estimate", since + 5) for _ in range(3)],
            LoggedQuestion(1, "q", "taxes", "answer", since + 9),
            LoggedQuestion(1, "q", "scams", "answer", since - 1),  # before the period
            LoggedQuestion(2, "q", "scams", "answer", since),  # another server
            LoggedQuestion(None, "q", "scams", "answer", since),  # a DM
            LoggedQuestion(1, "q", None, "unknown", since),  # no topic
        ],
    )

    assert await top_topics(conn, 1, since) == [("coin_value", 3), ("likes_pay", 3), ("taxes", 1)]
    assert await top_topics(conn, 1, since, limit=1) == [("coin_value", 3)]
    assert await top_topics(conn, 3, since) == []


async def test_top_unanswered_groups_by_case_and_spacing(conn: Conn) -> None:
    since = 1_000
    await log_questions(
        conn,
        [
            LoggedQuestion(1, "Do   LIKES pay?", None, "unknown", since),
            LoggedQuestion(1, "do likes\npay?", None, "unknown", since),
            LoggedQuestion(1, "do likes pay?", None, "unknown", since + 1),
            LoggedQuestion(1, "ÉTÉ  payout", None, "unknown", since),
            LoggedQuestion(1, "été payout", None, "unknown", since),
            LoggedQuestion(1, "zebra", None, "unknown", since),
            LoggedQuestion(1, "do likes pay?", "likes_pay", "answer", since),  # answered
            LoggedQuestion(1, "do likes pay?", None, "unknown", since - 1),  # before the period
            LoggedQuestion(2, "do likes pay?", None, "unknown", since),  # another server
        ],
    )

    assert await top_unanswered(conn, 1, since) == [("do likes pay?", 3), ("été payout", 2), ("zebra", 1)]
    assert await top_unanswered(conn, 1, since, limit=2) == [("do likes pay?", 3), ("été payout", 2)]
    assert await top_unanswered(conn, 3, since) == []


async def test_clearing_the_log_of_one_server(conn: Conn) -> None:
    await log_questions(
        conn,
        [
            LoggedQuestion(1, "a", None, "unknown", 1),
            LoggedQuestion(1, "b", None, "unknown", 2),
            LoggedQuestion(2, "c", None, "unknown", 3),
        ],
    )

    assert await clear_question_log(conn, 1) == 2
    assert await clear_question_log(conn, 1) == 0
    assert await _logged(conn) == [(2, "c", None, "unknown", 3)]


async def test_pruning_removes_every_server_s_old_rows(conn: Conn) -> None:
    await log_questions(
        conn,
        [
            LoggedQuestion(1, "old", None, "unknown", 99),
            LoggedQuestion(None, "old dm", None, "unknown", 50),
            LoggedQuestion(2, "kept", None, "unknown", 100),
        ],
    )

    assert await prune_question_log(conn, older_than=100) == 2
    assert await prune_question_log(conn, older_than=100) == 0
    assert await _logged(conn) == [(2, "kept", None, "unknown", 100)]
