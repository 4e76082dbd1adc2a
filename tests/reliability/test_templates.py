"""Moderator templates under attack: server-side template injection must never execute, runaway
templates must be refused or cut off quickly with a message a moderator understands, and nothing
a template writes can ping.

Corpus: the payloads of reference/reliability.md §5 (PayloadsAllTheThings-style Jinja2 SSTI) against
`ModeratorTemplates` directly and through `/faq add` and `/faq edit`. A canary runs the same
payloads under a plain `jinja2.Environment` and requires that they *do* escape there, which
proves the corpus is live.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import jinja2
import pytest

from bot import db
from bot.sandbox import OUTPUT_MAX, TemplateRejected
from tests.harness import GUILD_ID
from tests.reliability.support import INTERNAL_ERROR_MARKERS, RAW_PINGS, message_problems

MOD = {"moderator": True}
RUNAWAY_SECONDS = 1.5
MARKER = "@@MARKER@@"  # replaced by a file path: a payload that executes would create the file

# What a successful escape shows: Python internals, the OS, or our own objects.
LEAK = re.compile(r"<class|<function|<module|<bound|\bat 0x|__\w+__|\bposix\b|\bsubprocess\b|\bbuiltins\b|"
                  r"\benviron\b|root:|/work/|\bos\.|\bPWNED\b")

SSTI: dict[str, str] = {
    "mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "base-subclasses": "{{ ''.__class__.__base__.__subclasses__() }}",
    "subclasses-popen": "{{ ''.__class__.__mro__[1].__subclasses__()[400]('touch @@MARKER@@', shell=True) }}",
    "cycler-globals-os": "{{ cycler.__init__.__globals__.os.popen('touch @@MARKER@@').read() }}",
    "joiner-globals-os": "{{ joiner.__init__.__globals__.os.popen('touch @@MARKER@@').read() }}",
    "namespace-globals-os": "{{ namespace.__init__.__globals__.os.popen('touch @@MARKER@@').read() }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].popen('touch @@MARKER@@').read() }}",
    "lipsum-builtins-import": "{{ lipsum.__globals__.__builtins__.__import__('os').system('touch @@MARKER@@') }}",
    "config-items": "{{ config.items() }}",
    "config-globals": "{{ config.__class__.__init__.__globals__['os'] }}",
    "self-globals": "{{ self.__init__.__globals__.__builtins__ }}",
    "self-context": "{{ self._TemplateReference__context }}",
    "request-application": "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}",
    "url-for-globals": "{{ url_for.__globals__ }}",
    "attr-class": "{{ ''|attr('__class__') }}",
    "attr-chain": "{{ ''|attr('__class__')|attr('__mro__') }}",
    "attr-globals-on-rate": "{{ rate|attr('__globals__') }}",
    "attr-subscript-builtins": "{{ (rate|attr('__globals__'))['__builtins__'] }}",
    "format-class": "{{ '{0.__class__}'.format(1) }}",
    "format-rate-globals": "{{ '{0.__globals__}'.format(rate) }}",
    "format-map": "{{ '{a.__class__}'.format_map({'a': 1}) }}",
    "format-filter": "{{ '%s'|format(rate.__globals__) }}",
    "percent-format": "{{ '%s' % rate }}",
    "rate-globals": "{{ rate.__globals__ }}",
    "rate-closure": "{{ rate.__closure__[0].cell_contents }}",
    "rate-code": "{{ rate.__code__.co_consts }}",
    "subscript-dunder": "{{ rate['__globals__'] }}",
    "string-subscript-class": "{{ ''['__class__'] }}",
    "server-class": "{{ server.__class__.__mro__ }}",
    "rate-result-class": "{{ rate('diamond_usd').__class__ }}",
    "set-globals": "{% set x = cycler.__init__.__globals__ %}{{ x.os }}",
    "for-subclasses": "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "with-globals": "{% with g = lipsum.__globals__ %}{{ g }}{% endwith %}",
    "import-os": "{% import 'os' as os %}{{ os }}",
    "include-passwd": "{% include '/etc/passwd' %}",
    "extends-passwd": "{% extends '/etc/passwd' %}",
    "range-self": "{{ range.__self__ }}",
    "dict-mro": "{{ dict.__mro__ }}",
    "macro-caller": "{% macro m() %}{{ caller.__globals__ }}{% endmacro %}{% call m() %}x{% endcall %}",
    "unknown-rate-dunder": "{{ rate('__class__') }}",
    "rate-bare-name": "{{ rate }}",
    "default-rate-bare-escaped": "{{ default_rate|e }}",
}
# Payloads whose plain-Jinja outcome proves the corpus is live without running a command.
CANARY = ("mro-subclasses", "base-subclasses", "attr-class", "attr-chain", "format-class", "rate-globals",
          "rate-code", "server-class", "self-globals", "dict-mro", "range-self", "attr-globals-on-rate",
          "rate-result-class", "set-globals", "for-subclasses", "with-globals", "macro-caller")

KNOWN_SSTI: dict[str, str] = {}  # name -> "FINDING <id>: …" for an open finding (a strict xfail)

RUNAWAY: dict[str, str] = {
    "loop-billion": "{% for i in range(10**9) %}x{% endfor %}",
    "nested-loops": "{% for a in range(99999) %}{% for b in range(99999) %}x{% endfor %}{% endfor %}",
    "string-repeat": "{{ 'a' * 10**7 }}",
    "big-power": "{{ (9 ** 9999999) > 1 }}",
    "big-power-chain": "{{ 9 ** 9 ** 9 ** 9 }}",
    "recursive-macro": "{% macro r(n) %}{{ r(n) }}{% endmacro %}{{ r(1) }}",
    "self-recursion": "{% block b %}{{ self.b() }}{% endblock %}",
    "join-huge": "{{ range(10**6)|join(',') }}",
    "concat-flood": "{{ server" + " ~ server" * 440 + " }}",
    "rate-flood": "{{ rate('diamond_usd') }}{{ server }}" * 100,
    "long-elif-chain": "{% if 0 %}a" + "{% elif 0 %}b" * 300 + "{% endif %}",
    "nested-ifs-190": "{% if 1 %}" * 190 + "x" + "{% endif %}" * 190,
    "nested-parens": "{{ " + "(" * 1900 + "1" + ")" * 1900 + " }}",
    "nested-brackets": "{{ " + "[" * 1900 + "]" * 1900 + " }}",
    "open-braces": "{" * 3999,
    "filter-chain": "{{ server" + "|upper" * 600 + " }}",
    "not-chain": "{{ " + "not " * 900 + "1 }}",
    "nested-rate-calls": "{{ rate(" * 200 + "'diamond_usd'" + ")" * 200 + " }}",
    "nested-conditionals": "{{ " + "1 if 1 else " * 300 + "1 }}",
    "over-source-limit": "x" * 6000,
}
KNOWN_RUNAWAY: dict[str, str] = {}
UNCLEAR = re.compile(r"\b(Mul|Pow|Neg|Pos|Add|Sub|Div|FloorDiv|Mod|Slice|Tuple|List|Dict|Keyword|NSRef|Test)\b "
                     r"are not allowed|Recursion|Traceback|Error\b")


def _param(name: str, source: str, known: dict[str, str]):
    marks = (pytest.mark.xfail(strict=True, reason=known[name]),) if name in known else ()
    return pytest.param(source, id=name, marks=marks)


def leaks(text: str, source: str) -> list[str]:
    """Leak markers in `text`, except those the moderator typed (a rejection may quote the input)."""
    return [m.group(0) for m in LEAK.finditer(text) if m.group(0) not in source]


def armed(source: str, tmp_path: Path) -> tuple[str, Path]:
    marker = tmp_path / "pwned"
    return source.replace(MARKER, str(marker)), marker


# --- injection ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", [_param(n, s, KNOWN_SSTI) for n, s in SSTI.items()])
def test_injection_never_executes_in_the_sandbox(service, tmp_path, source):
    source, marker = armed(source, tmp_path)
    templates = service.templates
    try:
        problems = templates.problems(source)
        output = None if problems else templates.render(source, service.faq_context(GUILD_ID))
    except TemplateRejected:
        output = None
    assert not marker.exists(), "the payload executed a shell command"
    if output is not None:
        assert not LEAK.search(output), f"rendered {output[:200]!r}"


@pytest.mark.parametrize("source", [_param(n, s, KNOWN_SSTI) for n, s in SSTI.items()])
async def test_injection_through_faq_add_and_edit(harness, tmp_path, source):
    source, marker = armed(source, tmp_path)
    added = await harness.run("faq add", name="probe", question="what does the probe say", answer=source, **MOD)
    assert added.ephemeral and not message_problems(added), added.text
    await harness.run("faq add", name="plain", question="what does plain say", answer="Plain text.", **MOD)
    edited = await harness.run("faq edit", name="plain", answer=source, **MOD)
    assert edited.ephemeral and not message_problems(edited), edited.text
    shown = [await harness.run("ask", question="what does the probe say"),
             await harness.run("ask", question="what does plain say"),
             await harness.run("faq show", name="plain", **MOD)]
    assert not marker.exists(), "the payload executed a shell command"
    for result in (added, edited, *shown):
        assert not message_problems(result), result.text
        assert not leaks(result.text, source), result.text[:300]
    stored = await db.list_faq(harness.bot.resources.conn, GUILD_ID)
    for entry in stored:  # whatever was saved must itself render harmlessly
        assert not LEAK.search(harness.bot.service.render_faq_answer(entry.answer, GUILD_ID))


def test_canary_the_corpus_escapes_a_plain_environment(service):
    """Under plain Jinja (no sandbox) these same payloads reach Python internals: the corpus is live."""
    env = jinja2.Environment()
    context = service.faq_context(GUILD_ID)
    escaped = []
    for name in CANARY:
        try:
            output = env.from_string(SSTI[name]).render(**context)
        except Exception:  # noqa: BLE001 (a payload that errors proves nothing either way)
            continue
        if LEAK.search(output):
            escaped.append(name)
    assert len(escaped) >= 10, f"only {escaped} escaped a plain Environment: the corpus has gone stale"


# --- runaway templates ------------------------------------------------------------------------------

@pytest.mark.parametrize("source", [_param(n, s, KNOWN_RUNAWAY) for n, s in RUNAWAY.items()])
def test_runaway_template_is_refused_or_cut_off_quickly(service, source):
    templates = service.templates
    start = time.perf_counter()
    try:
        problems = templates.problems(source)
        message = "; ".join(problems)
        if not problems:
            output = templates.render(source, service.faq_context(GUILD_ID))
            assert len(output) <= OUTPUT_MAX
            message = ""
    except TemplateRejected as exc:
        message = str(exc)
    elapsed = time.perf_counter() - start
    assert elapsed < RUNAWAY_SECONDS, f"took {elapsed:.2f} s"
    assert not UNCLEAR.search(message), f"unclear message: {message[:200]!r}"


@pytest.mark.parametrize("source", [_param(n, s, KNOWN_RUNAWAY) for n, s in RUNAWAY.items()])
async def test_runaway_template_through_faq_add(harness, source):
    start = time.perf_counter()
    result = await harness.run("faq add", name="runaway", question="a runaway answer", answer=source, **MOD)
    elapsed = time.perf_counter() - start
    assert elapsed < RUNAWAY_SECONDS, f"took {elapsed:.2f} s"
    assert result.ephemeral and result.responses == 1
    assert not message_problems(result), result.text[:300]
    assert not UNCLEAR.search(result.text), result.text[:300]
    stored = await db.list_faq(harness.bot.resources.conn, GUILD_ID)
    for entry in stored:
        assert len(harness.bot.service.render_faq_answer(entry.answer, GUILD_ID)) <= OUTPUT_MAX


# --- pings and Markdown from templates -------------------------------------------------------------

PINGS = "@everyone @here <@&123> <@456> <@!789> [click](http://x) ||spoiler|| `code` **bold**"


async def test_template_text_can_never_ping(harness):
    added = await harness.run("faq add", name="ping", question="who gets pinged here",
                              answer=f"{PINGS} {{{{ server }}}} {{{{ rate('diamond_usd') }}}}", **MOD)
    assert "Added" in added.text
    for result in (await harness.run("ask", question="who gets pinged here"),
                   await harness.run("faq show", name="ping", **MOD),
                   await harness.run("topic", name="ping")):
        assert result.responses == 1 and result.messages
        assert not RAW_PINGS.search(result.text), result.text
        assert all(m.get("allowed_mentions") == {"parse": []} for m in result.messages)


@pytest.mark.parametrize("field", ["name", "question"])
async def test_moderator_names_and_questions_cannot_ping_either(harness, field):
    values = {"name": "plain", "question": "a plain question", "answer": "ok"}
    values[field] = "@everyone <@&1> hi" if field == "name" else "@everyone <@&1> what now"
    added = await harness.run("faq add", **values, **MOD)
    listing = await harness.run("faq list", **MOD)
    choices = await harness.run("topic", name="", focused="name")
    for result in (added, listing):
        assert not RAW_PINGS.search(result.text), result.text
        assert all(m.get("allowed_mentions") == {"parse": []} for m in result.messages)
    assert all(len(c["name"]) <= 100 for c in choices.choices)
    assert all(marker not in result.text for result in (added, listing) for marker in INTERNAL_ERROR_MARKERS)
