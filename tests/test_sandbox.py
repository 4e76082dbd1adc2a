"""Moderator templates (`bot.sandbox`): deep nesting refused in words, never crashing; refusals
that name no Jinja2 node classes; functions that can be called but never shown; and a bounded cache
of compiled templates that keeps the per-render limits."""

from __future__ import annotations

import inspect
import re
import sys

import pytest
from jinja2 import nodes

from bot.sandbox import DEPTH_MAX, NESTING_MAX, ModeratorTemplates, TemplateRejected


def rate(key: str) -> str:
    return f"<{key}>"


CONTEXT = {"rate": rate, "default_rate": rate, "server": "this server"}
NESTED_TOO_DEEPLY = "nested too deeply"


def _node_classes() -> set[str]:
    found, todo = set(), [nodes.Node]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo += cls.__subclasses__()
    return found


NODE_CLASS = re.compile(r"\b(" + "|".join(sorted(_node_classes())) + r")\b")


@pytest.fixture
def templates() -> ModeratorTemplates:
    return ModeratorTemplates()


def rejection(templates: ModeratorTemplates, source: str) -> str:
    with pytest.raises(TemplateRejected) as caught:
        templates.check(source)
    return str(caught.value)


# --- nesting ------------------------------------------------------------------------------------------

DEEP = {
    "nested-ifs": "{% if 1 %}" * 190 + "x" + "{% endif %}" * 190,
    "nested-parens": "{{ " + "(" * 1900 + "1" + ")" * 1900 + " }}",
    "nested-brackets": "{{ " + "[" * 1900 + "]" * 1900 + " }}",
    "open-braces": "{" * 3999,
    "unclosed-parens": "{{ " + "(" * 3000,
    "filter-chain": "{{ server" + "|upper" * 600 + " }}",
    "and-chain": "{{ 1" + " and 1" * 500 + " }}",
    "not-chain": "{{ " + "not " * 900 + "1 }}",
    "minus-chain": "{{ " + "-" * 3900 + "1 }}",
    "nested-rate-calls": "{{ rate(" * 200 + "'diamond_usd'" + ")" * 200 + " }}",
    "inline-ifs": "{{ " + "1 if 1 else " * 300 + "1 }}",
    "nested-set-blocks": "{% set a %}" * 150 + "{% endset %}" * 150,
    "ifs-in-brackets": "{% if " + "(" * 150 + "1" + ")" * 150 + " %}x{% endif %}",
}


@pytest.mark.parametrize("source", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_refused_in_words_never_crashing(templates, source):
    problems = templates.problems(source)
    assert len(problems) == 1 and NESTED_TOO_DEEPLY in problems[0] and "simplify it" in problems[0]
    message = rejection(templates, source)
    assert NESTED_TOO_DEEPLY in message and not re.search(r"Recursion|Error\b|Traceback", message)
    with pytest.raises(TemplateRejected, match=NESTED_TOO_DEEPLY):
        templates.render(source, CONTEXT)


def test_nesting_up_to_the_limits_still_renders(templates):
    brackets = "(" * NESTING_MAX + "1" + ")" * NESTING_MAX
    inline = "{{ rate('a') if " + brackets + " else server }}"
    source = ("{% if 1 %}" * NESTING_MAX + inline + "{% endif %}" * NESTING_MAX
              + "{{ " + "not " * NESTING_MAX + "0 }}" + "{{ server" + "|upper" * (DEPTH_MAX - 5) + " }}")
    assert templates.problems(source) == []
    assert templates.render(source, CONTEXT) == "<a>FalseTHIS SERVER"


def test_one_level_past_each_limit_is_refused(templates):
    for source in ("{% if 1 %}" * (NESTING_MAX + 1) + "x" + "{% endif %}" * (NESTING_MAX + 1),
                   "{{ " + "(" * (NESTING_MAX + 1) + "1" + ")" * (NESTING_MAX + 1) + " }}",
                   "{{ " + "not " * (NESTING_MAX + 1) + "1 }}",
                   "{{ server" + "|upper" * DEPTH_MAX + " }}"):
        assert NESTED_TOO_DEEPLY in rejection(templates, source)


@pytest.mark.parametrize("where", ["parse", "compile"])
@pytest.mark.parametrize("error", [RecursionError, MemoryError])
def test_running_out_of_stack_is_refused_and_not_remembered(templates, monkeypatch, where, error):
    real = getattr(templates.env, where)
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error("maximum recursion depth exceeded")
        return real(*args, **kwargs)

    monkeypatch.setattr(templates.env, where, fails_once)
    source = "We pay {{ rate('diamond_usd') }}."
    assert NESTED_TOO_DEEPLY in rejection(templates, source)
    assert templates.render(source, CONTEXT) == "We pay <diamond_usd>."  # the failure was not cached


def test_pythons_own_compiler_limits_are_refused(templates, monkeypatch):
    def too_indented(*args, **kwargs):
        raise IndentationError("too many levels of indentation")

    monkeypatch.setattr(templates.env, "compile", too_indented)
    assert NESTED_TOO_DEEPLY in rejection(templates, "{{ server }}")


def test_a_real_recursion_error_from_a_deep_caller_is_refused_and_the_interpreter_is_fine(templates):
    """Called with almost no stack left, the parser really hits the recursion limit, at every headroom."""
    limit = sys.getrecursionlimit()
    source = "{{ " + "(" * (NESTING_MAX - 1) + "rate('diamond_usd')" + ")" * (NESTING_MAX - 1) + " }}"

    def with_headroom(frames: int) -> list[str]:
        def down(n: int) -> list[str]:
            return down(n - 1) if n else templates.problems(source)
        return down(limit - len(inspect.stack()) - frames)

    outcomes = [with_headroom(frames) for frames in range(10, 400, 10)]
    assert any(NESTED_TOO_DEEPLY in "".join(problems) for problems in outcomes)
    assert outcomes[-1] == []
    assert sys.getrecursionlimit() == limit
    assert templates.render(source, CONTEXT) == "<diamond_usd>"


# --- refusals in plain words -----------------------------------------------------------------------------

ARITHMETIC = ["{{ 2 * 3 }}", "{{ 9 ** 9 }}", "{{ -1 }}", "{{ +1 }}", "{{ 1 + 1 }}", "{{ 2 - 1 }}", "{{ 4 / 2 }}",
              "{{ 4 // 2 }}", "{{ 4 % 3 }}", "{{ 'a' * 10**7 }}"]
REFUSED = ARITHMETIC + [
    "{% for i in x %}{% endfor %}", "{% macro m() %}{% endmacro %}", "{% call m() %}{% endcall %}",
    "{% set x = 1 %}", "{% set x %}a{% endset %}", "{% include 'a' %}", "{% import 'a' as b %}",
    "{% from 'a' import b %}", "{% extends 'a' %}", "{% block b %}{% endblock %}", "{% with a = 1 %}{% endwith %}",
    "{% filter upper %}a{% endfilter %}", "{% autoescape true %}a{% endautoescape %}", "{{ server.x }}",
    "{{ server[0] }}", "{{ server[1:2] }}", "{{ (1, 2) }}", "{{ [1] }}", "{{ {'a': 1} }}", "{{ rate(key='a') }}",
    "{{ server is defined }}", "{% set ns.a = 1 %}", "{{ server|join }}", "{{ nope }}", "{{ server() }}",
    "{{ rate() }}", "{{ rate('a', 'b') }}", "{{ rate(*server) }}", "{{ rate }}",
]


@pytest.mark.parametrize("source", REFUSED)
def test_every_refusal_is_in_plain_words(templates, source):
    message = rejection(templates, source)
    assert message.startswith("That answer can't be saved: ")
    assert not NODE_CLASS.search(message), message


@pytest.mark.parametrize("source", ARITHMETIC)
def test_arithmetic_says_to_write_the_number_out(templates, source):
    assert "arithmetic (+, -, *, /, //, %, **) isn't allowed in server answers; write the number out" in (
        rejection(templates, source))


def test_a_feature_without_a_label_is_still_refused_in_words(templates, monkeypatch):
    unlabelled = nodes.Template([nodes.ExprStmt(nodes.Const(1))])  # {% do 1 %}, from an extension we don't load
    monkeypatch.setattr(templates.env, "parse", lambda source: unlabelled)
    message = rejection(templates, "{% do 1 %}")
    assert "that template feature isn't allowed" in message and not NODE_CLASS.search(message)


def test_rate_takes_exactly_one_key(templates):
    assert "rate() takes exactly one key in quotes, like rate('diamond_usd')" in rejection(templates, "{{ rate() }}")
    assert templates.render("{{ default_rate('a') }}", CONTEXT) == "<a>"


# --- functions are called, never shown ----------------------------------------------------------------

@pytest.mark.parametrize("source", ["{{ rate }}", "{{ default_rate|e }}", "{{ rate|upper }}", "{{ rate ~ server }}",
                                    "{{ server|default(rate) }}", "{% if rate %}x{% endif %}", "{{ rate(rate) }}"])
def test_functions_can_only_be_called(templates, source):
    name = "default_rate" if "default_rate" in source else "rate"
    assert f"{name} only works when called with a key, like {{{{ {name}('diamond_usd') }}}}" in (
        rejection(templates, source))


@pytest.mark.parametrize("source", ["{{ server }}", "{{ server|e }}", "{{ server|upper }}", "{{ server ~ 'x' }}",
                                    "{{ server|default('x') }}", "{{ server|d('x')|trim }}"])
def test_render_never_shows_a_function_from_the_context(templates, source):
    """`server` passes the check; handed a function anyway, the render refuses instead of printing it."""
    with pytest.raises(TemplateRejected, match="server only works when called") as caught:
        templates.render(source, {**CONTEXT, "server": rate})
    assert not re.search(r"<function|0x|<locals>", str(caught.value))


def test_called_functions_still_work_and_their_refusals_pass_through(templates):
    def strict(key: str) -> str:
        raise TemplateRejected(f"there is no rate called {key!r}")

    assert templates.render("{{ rate('x') }} {{ default_rate('y')|upper }}", CONTEXT) == "<x> <Y>"
    with pytest.raises(TemplateRejected, match="there is no rate called 'x'"):
        templates.render("{{ rate('x') }}", {**CONTEXT, "rate": strict})


@pytest.mark.parametrize("source", ["{{ server|round }}", "{{ server < 1 }}", "{{ server|upper(1) }}",
                                    "{{ rate('a')|round }}"])
def test_a_value_that_doesnt_fit_is_refused_at_render(templates, source):
    with pytest.raises(TemplateRejected, match="can't be filled in") as caught:
        templates.render(source, CONTEXT)
    assert not re.search(r"Error\b|<locals>|Traceback", str(caught.value))


# --- the compiled-template cache -------------------------------------------------------------------

def counting_compiles(templates: ModeratorTemplates, monkeypatch) -> list[object]:
    compiled: list[object] = []
    real = templates.env.compile

    def compile_(source, *args, **kwargs):
        compiled.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(templates.env, "compile", compile_)
    return compiled


def test_a_repeated_answer_is_compiled_once(templates, monkeypatch):
    compiled = counting_compiles(templates, monkeypatch)
    source = "We pay {{ rate('diamond_usd') }} on {{ server|title }}."
    templates.check(source)  # what /faq add does before saving
    assert templates.problems(source) == []
    outputs = [templates.render(source, CONTEXT), templates.render(source, {**CONTEXT, "server": "fridays"})]
    assert outputs == ["We pay <diamond_usd> on This Server.", "We pay <diamond_usd> on Fridays."]
    assert len(compiled) == 1


def test_the_cache_is_bounded_and_least_recently_used(monkeypatch):
    templates = ModeratorTemplates(cache_size=2)
    compiled = counting_compiles(templates, monkeypatch)
    first, second, third = "{{ rate('a') }}", "{{ rate('b') }}", "{{ rate('c') }}"
    for source in (first, second, first, third):  # `third` pushes out `second`, the least recently used
        templates.render(source, CONTEXT)
    assert len(compiled) == 3
    templates.render(first, CONTEXT)
    assert len(compiled) == 3
    templates.render(second, CONTEXT)
    assert len(compiled) == 4


def test_a_cached_answer_keeps_the_deadline_and_output_cap_per_render():
    now = [0.0]
    templates = ModeratorTemplates(seconds=0.5, output_max=20, clock=lambda: now[0])
    source = "{{ server }}{{ rate('a') }}"
    assert templates.render(source, CONTEXT) == "this server<a>"
    with pytest.raises(TemplateRejected, match="too long once filled in"):
        templates.render(source, {**CONTEXT, "server": "x" * 30})

    def slow(key: str) -> str:
        now[0] += 1.0
        return key

    with pytest.raises(TemplateRejected, match="took too long"):
        templates.render(source, {**CONTEXT, "rate": slow})
    assert templates.render(source, CONTEXT) == "this server<a>"


def test_text_over_the_source_limit_is_refused_without_filling_the_cache(templates, monkeypatch):
    compiled = counting_compiles(templates, monkeypatch)
    assert templates.problems("x" * 5000) == ["keep it under 4000 characters"]
    assert compiled == []
