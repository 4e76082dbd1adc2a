"""Moderator-written answers: Jinja2's `SandboxedEnvironment`, a small allow-list of template
features, and time and output limits.

A server FAQ answer may show this server's live rates: "We pay {{ rate('diamond_usd') }} per
diamond." That is all moderators need, so that is all the language allows: text, variables,
`rate()`, a few harmless filters and `if`. Loops, macros, attribute access, includes and
arithmetic are refused when the answer is saved, with a message saying what is not allowed; so is
nesting deeper than a person would write, before it can reach Python's recursion limit. Functions
in the context can only be called, never shown. Every render runs under a deadline and an output
budget as well, so nothing written can hang the bot or flood a channel; compiled answers are kept
in a bounded cache, so a popular answer is parsed once. The output can never ping: mentions are
broken and every message is sent with mentions disabled.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from bot.render import no_pings

RENDER_SECONDS = 0.5
OUTPUT_MAX = 4000
SOURCE_MAX = 4000
CACHE_SIZE = 256  # compiled answers; a realistic one is ~26 KiB, the 4,000-character worst ~120 KiB
NESTING_MAX = 10  # blocks inside blocks, brackets inside brackets, `not`/`-` in a row, inline ifs in one tag
DEPTH_MAX = 40  # levels of the parsed template (filters, conditions and calls inside each other)
ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d", "round", "e"})
ALLOWED_CALLS = frozenset({"rate", "default_rate"})
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Call, nodes.Filter,
    nodes.If, nodes.CondExpr, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Concat,
)
_ARITHMETIC = "arithmetic (+, -, *, /, //, %, **) isn't allowed in server answers; write the number out"
_COLLECTIONS = "lists, tuples and dicts ([…], (a, b), {…}) aren't allowed"
# Checked in order with isinstance, after _ALLOWED_NODES (so And, Or and Not never reach BinExpr/UnaryExpr).
_FRIENDLY: dict[type[nodes.Node], str] = {
    nodes.For: "loops ({% for %}) aren't allowed", nodes.Macro: "macros aren't allowed",
    nodes.CallBlock: "{% call %} blocks aren't allowed", nodes.Assign: "{% set %} isn't allowed",
    nodes.AssignBlock: "{% set %} isn't allowed", nodes.NSRef: "{% set %} isn't allowed",
    nodes.Include: "includes aren't allowed", nodes.Import: "imports aren't allowed",
    nodes.FromImport: "imports aren't allowed", nodes.Extends: "{% extends %} isn't allowed",
    nodes.Block: "{% block %} isn't allowed", nodes.With: "{% with %} isn't allowed",
    nodes.FilterBlock: "{% filter %} blocks aren't allowed",
    nodes.ScopedEvalContextModifier: "{% autoescape %} blocks aren't allowed",
    nodes.EvalContextModifier: "{% autoescape %} blocks aren't allowed",
    nodes.Getattr: "attribute access (x.y) isn't allowed", nodes.Getitem: "indexing (x[y]) isn't allowed",
    nodes.Slice: "slicing (x[a:b]) isn't allowed", nodes.BinExpr: _ARITHMETIC, nodes.UnaryExpr: _ARITHMETIC,
    nodes.Tuple: _COLLECTIONS, nodes.List: _COLLECTIONS, nodes.Dict: _COLLECTIONS, nodes.Pair: _COLLECTIONS,
    nodes.Keyword: "named arguments (key=value) aren't allowed; write rate('diamond_usd')",
    nodes.Test: "tests (x is defined) aren't allowed",
}
_UNKNOWN_FEATURE = ("that template feature isn't allowed (server answers can use text, {{ server }}, "
                    "rate('key'), default_rate('key'), a few filters and {% if %})")
_BLOCK_TAGS = frozenset({"if", "for", "macro", "call", "filter", "block", "with", "autoescape"})
_OPENING, _CLOSING = frozenset("([{"), frozenset(")]}")
_UNARY = frozenset({"not", "-", "+"})


def _too_deep(what: str) -> str:
    return f"the template is nested too deeply ({what}); simplify it"


_TOO_DEEP_TO_READ = _too_deep("too many parts inside each other for the bot to read")


def _only_called(name: str) -> str:
    return f"{name} only works when called with a key, like {{{{ {name}('diamond_usd') }}}}"


class TemplateRejected(ValueError):
    """The moderator's text can't be used; the message says why, in words they understand."""


class _OutOfStack(Exception):
    """Parsing or compiling ran out of stack or memory: never cached, since that depends on the caller."""


class _LimitedEnvironment(SandboxedEnvironment):
    """A sandbox whose every call checks the render deadline."""

    deadline: float = float("inf")
    clock: Callable[[], float] = time.monotonic

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N807 (jinja's signature)
        if self.clock() > self.deadline:
            raise TemplateRejected("The answer took too long to render.")
        return super().call(__context, __obj, *args, **kwargs)


class _CallOnly:
    """A context function a template can call but never show: printing it refuses the render."""

    __slots__ = ("_name", "_function")

    def __init__(self, name: str, function: Callable[..., Any]) -> None:
        self._name = name
        self._function = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __str__(self) -> str:
        raise TemplateRejected(_only_called(self._name))

    def __repr__(self) -> str:
        return f"{self._name}(key)"


def _walk(tree: nodes.Node) -> Iterator[tuple[nodes.Node, nodes.Node | None, int]]:
    """Every node with its parent and depth, in document order, without recursion."""
    stack: list[tuple[nodes.Node, nodes.Node | None, int]] = [(tree, None, 1)]
    while stack:
        node, parent, depth = stack.pop()
        yield node, parent, depth
        stack.extend((child, node, depth + 1) for child in reversed(list(node.iter_child_nodes())))


class ModeratorTemplates:
    """Validates and renders moderator text under the rules in the module docstring."""

    def __init__(self, *, seconds: float = RENDER_SECONDS, output_max: int = OUTPUT_MAX,
                 clock: Callable[[], float] = time.monotonic, cache_size: int = CACHE_SIZE) -> None:
        self.seconds = seconds
        self.output_max = output_max
        self.clock = clock
        self.env = _LimitedEnvironment(autoescape=False, undefined=jinja2.StrictUndefined)
        self.env.clock = clock
        self.env.filters = {name: f for name, f in self.env.filters.items() if name in ALLOWED_FILTERS}
        self.env.globals = {}
        self.env.tests = {name: t for name, t in self.env.tests.items() if name in ("defined", "none", "number")}
        self._prepared = functools.lru_cache(maxsize=cache_size)(self._prepare)

    def problems(self, source: str) -> list[str]:
        """Why this text can't be saved (empty when it can)."""
        prepared = self._lookup(source)
        return [] if isinstance(prepared, jinja2.Template) else list(prepared)

    def check(self, source: str) -> None:
        """Raise `TemplateRejected`, saying why, unless this text can be saved."""
        self._template(source)

    def render(self, source: str, context: Mapping[str, Any]) -> str:
        """The text with its variables filled in, within the time and output limits; no pings."""
        template = self._template(source)
        values = {name: _CallOnly(name, value) if callable(value) else value for name, value in context.items()}
        self.env.deadline = self.clock() + self.seconds
        out: list[str] = []
        size = 0
        chunks = template.generate(values)
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > self.output_max:
                    raise TemplateRejected(f"The answer is too long once filled in (over {self.output_max} characters).")
                if self.clock() > self.env.deadline:
                    raise TemplateRejected("The answer took too long to render.")
                out.append(chunk)
        except TemplateRejected:
            raise
        except jinja2.UndefinedError as exc:
            raise TemplateRejected(f"That answer uses something unknown: {exc.message}") from None
        except jinja2.exceptions.SecurityError as exc:
            raise TemplateRejected(f"That answer tried something unsafe: {exc}") from None
        except (RecursionError, MemoryError):
            raise TemplateRejected("That answer can't be filled in: " + _TOO_DEEP_TO_READ + ".") from None
        except (TypeError, ValueError, ArithmeticError, LookupError, jinja2.TemplateError):
            raise TemplateRejected("That answer can't be filled in: a value is used in a way that doesn't fit it "
                                   "(for example |round on text, or comparing text with a number).") from None
        finally:
            chunks.close()
            self.env.deadline = float("inf")
        return no_pings("".join(out))

    def _template(self, source: str) -> jinja2.Template:
        """The compiled template, or `TemplateRejected` with every reason it can't be used."""
        prepared = self._lookup(source)
        if isinstance(prepared, jinja2.Template):
            return prepared
        raise TemplateRejected("That answer can't be saved: " + "; ".join(prepared) + ".")

    def _lookup(self, source: str) -> jinja2.Template | tuple[str, ...]:
        """The cached outcome of `_prepare`; text over `SOURCE_MAX` is refused before it is cached."""
        if len(source) > SOURCE_MAX:
            return (f"keep it under {SOURCE_MAX} characters",)
        try:
            return self._prepared(source)
        except (_OutOfStack, RecursionError, MemoryError):
            return (_TOO_DEEP_TO_READ,)

    def _prepare(self, source: str) -> jinja2.Template | tuple[str, ...]:
        """Compile the text once (cached per source), or say why it can't be used."""
        try:
            problems = self._nesting_problems(source)
            if problems:
                return tuple(problems)
            tree = self.env.parse(source)
            problems = self._tree_problems(tree)
            return tuple(problems) if problems else self.env.from_string(tree)
        except jinja2.TemplateSyntaxError as exc:
            if isinstance(exc.__cause__, (RecursionError, MemoryError)):
                raise _OutOfStack from None
            return (f"Template syntax error on line {exc.lineno}: {exc.message}",)
        except (RecursionError, MemoryError):
            raise _OutOfStack from None
        except SyntaxError:  # Python's own limits on the compiled code (IndentationError included)
            return (_TOO_DEEP_TO_READ,)

    def _nesting_problems(self, source: str) -> list[str]:
        """Nesting beyond `NESTING_MAX`, found from the tokens before anything recursive runs."""
        blocks = brackets = in_a_row = inline_ifs = 0
        previous = ""
        setting = False  # inside `{% set x` with no `=` yet: a `{% set %}…{% endset %}` block
        try:
            for _, kind, value in self.env.lex(source):
                if kind == "whitespace":
                    continue
                if kind in ("block_begin", "variable_begin"):
                    inline_ifs = 0
                elif kind == "name" and previous == "block_begin":
                    if value.startswith("end") and (value[3:] in _BLOCK_TAGS or value == "endset"):
                        blocks = max(blocks - 1, 0)
                    elif value in _BLOCK_TAGS:
                        blocks += 1
                    setting = value == "set"
                elif kind == "block_end" and setting:
                    blocks += 1
                    setting = False
                elif kind == "operator" and value == "=":
                    setting = False
                elif kind == "name" and value == "if":
                    inline_ifs += 1
                if kind == "operator" and value in _OPENING:
                    brackets += 1
                elif kind == "operator" and value in _CLOSING:
                    brackets -= 1
                in_a_row = in_a_row + 1 if value in _UNARY and kind in ("name", "operator") else 0
                if blocks > NESTING_MAX:
                    return [_too_deep(f"more than {NESTING_MAX} {{% if %}} blocks inside each other")]
                if brackets > NESTING_MAX:
                    return [_too_deep(f"more than {NESTING_MAX} brackets inside each other")]
                if in_a_row > NESTING_MAX:
                    return [_too_deep(f"more than {NESTING_MAX} of not, - or + in a row")]
                if inline_ifs > NESTING_MAX:
                    return [_too_deep(f"more than {NESTING_MAX} inline if … else in one {{{{ }}}}")]
                previous = kind
        except jinja2.TemplateSyntaxError as exc:
            return [f"Template syntax error on line {exc.lineno}: {exc.message}"]
        return []

    def _tree_problems(self, tree: nodes.Template) -> list[str]:
        """What the parsed template uses that the allow-list doesn't, in the moderator's words."""
        problems: list[str] = []
        for node, parent, depth in _walk(tree):
            if depth > DEPTH_MAX:
                return [_too_deep(f"more than {DEPTH_MAX} levels of filters, conditions and calls "
                                  "inside each other")]
            if not isinstance(node, _ALLOWED_NODES):
                problems.append(next((label for kind, label in _FRIENDLY.items() if isinstance(node, kind)),
                                     _UNKNOWN_FEATURE))
            elif isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
                allowed = ", ".join(sorted(ALLOWED_FILTERS))
                problems.append(f"the filter |{node.name} is not allowed (allowed: {allowed})")
            elif isinstance(node, nodes.Call):
                if not (isinstance(node.node, nodes.Name) and node.node.name in ALLOWED_CALLS):
                    problems.append("only rate('key') and default_rate('key') can be called")
                elif len(node.args) != 1 or node.kwargs or node.dyn_args or node.dyn_kwargs:
                    problems.append(f"{node.node.name}() takes exactly one key in quotes, like "
                                    f"{node.node.name}('diamond_usd')")
            elif isinstance(node, nodes.Name) and node.ctx == "load":
                if node.name in ALLOWED_CALLS and not (isinstance(parent, nodes.Call) and parent.node is node):
                    problems.append(_only_called(node.name))
                elif node.name not in (*ALLOWED_CALLS, "server"):
                    problems.append(f"unknown name {node.name!r} "
                                    "(you can use rate('key'), default_rate('key') and server)")
        return list(dict.fromkeys(problems))
