"""The command line (a stable contract; see PRODUCT.md):

    python -m bot                      run the bot (needs DISCORD_TOKEN; exits 2 without one)
    python -m bot ask [--json] Q|-     answer a question (`-`: one question per stdin line)
    python -m bot estimate KIND ...    the calculator (`python -m bot estimate --help`)
    python -m bot convert ...          currency and coin/diamond conversions
    python -m bot check                validate knowledge, rates, gifts and templates
    python -m bot chat                 an offline console taking the commands a member types
    python -m bot sync [--guild ID]    register the slash commands with Discord
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from bot import __version__
from bot.render import Reply
from bot.settings import SettingsError, load_settings

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def reply_json(reply: Reply) -> dict[str, object]:
    """The `ask --json` object: kind, topic id, the text as users see it, sources (+ figures)."""
    out: dict[str, object] = {
        "kind": reply.kind if reply.kind != "error" else "unknown",
        "topic": reply.topic,
        "text": reply.markdown,
        "sources": list(reply.sources),
    }
    if reply.related:
        out["related"] = list(reply.related)
    out.update(reply.data)
    return out


def _print_reply(reply: Reply, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(reply_json(reply), ensure_ascii=False) + "\n")
    else:
        out.write(reply.markdown + "\n")
    out.flush()


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.service import build_service

    service = build_service()
    if args.question == ["-"]:
        for line in sys.stdin:
            question = line.strip()
            if question:
                _print_reply(service.ask(question), args.json, sys.stdout)
        return EXIT_OK
    question = " ".join(args.question).strip()
    if not question:
        print("ask: give a question, or '-' to read one per line from stdin", file=sys.stderr)
        return EXIT_USAGE
    _print_reply(service.ask(question), args.json, sys.stdout)
    return EXIT_OK


def _print_estimate(reply_fn, as_json: bool) -> int:
    """Run an estimate; a bad input is a usage error (exit 2) with the calculator's message."""
    from bot.calc import InputError

    try:
        reply = reply_fn()
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _print_reply(reply, as_json, sys.stdout)
    return EXIT_OK


def cmd_estimate(args: argparse.Namespace) -> int:
    from bot.calc import KINDS
    from bot.service import build_service

    spec = KINDS[args.kind]
    params = {p.name: getattr(args, p.name) for p in spec.params if getattr(args, p.name) is not None}
    service = build_service()
    return _print_estimate(lambda: service.estimate(args.kind, params), args.json)


def cmd_convert(args: argparse.Namespace) -> int:
    from bot.service import build_service

    service = build_service()
    return _print_estimate(lambda: service.convert(args.amount, args.source, args.target, args.rate), args.json)


def cmd_check(_: argparse.Namespace) -> int:
    from bot.service import check_all

    problems = check_all()
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"- {problem}", file=sys.stderr)
        return EXIT_ERROR
    print("ok: knowledge base, lexicon, rates, gifts and templates are valid")
    return EXIT_OK


def cmd_chat(_: argparse.Namespace) -> int:
    from bot.console import run_console
    from bot.service import build_service

    return run_console(build_service(), sys.stdin, sys.stdout, interactive=sys.stdin.isatty())


def cmd_run(_: argparse.Namespace) -> int:
    from bot.runner import run_bot

    return run_bot(load_settings())


def cmd_sync(args: argparse.Namespace) -> int:
    from bot.runner import sync_commands

    return sync_commands(load_settings(), args.guild)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="LiveTally: creators' money questions, answered with sources.")
    parser.add_argument("--version", action="version", version=f"LiveTally {__version__}")
    parser.set_defaults(func=cmd_run)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question", description="Answer a question as Markdown, or as JSON with --json.")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("question", nargs="*", help="the question; '-' reads one question per line from stdin")
    ask.set_defaults(func=cmd_ask)

    _add_estimate_parsers(sub)

    convert = sub.add_parser("convert", help="USD ↔ coins ↔ diamonds, or USD ↔ another currency",
                             description="Examples: convert 40000 diamonds · convert 25 usd coins · convert 100 usd eur --rate 0.92")
    convert.add_argument("amount", help="the amount, e.g. 40000, 40k, $25")
    convert.add_argument("source", metavar="FROM", help="usd, coins, diamonds, or a currency code such as EUR")
    convert.add_argument("target", metavar="TO", nargs="?", default=None, help="usd, coins, diamonds or a currency code")
    convert.add_argument("--rate", default=None, help="units of the other currency per USD")
    convert.add_argument("--json", action="store_true", help="print the figures and assumptions as JSON")
    convert.set_defaults(func=cmd_convert)

    sub.add_parser("check", help="validate knowledge, rates, gifts and templates").set_defaults(func=cmd_check)
    sub.add_parser("chat", help="offline console: type /ask …, /likes, /estimate …").set_defaults(func=cmd_chat)

    sync = sub.add_parser("sync", help="register the slash commands with Discord (not done on start)")
    sync.add_argument("--guild", type=int, default=None, help="a server id: register there instantly instead of globally")
    sync.set_defaults(func=cmd_sync)
    return parser


def _add_estimate_parsers(sub: argparse._SubParsersAction) -> None:
    """`estimate KIND --flag value`: one sub-command per kind, flags from the calculator's registry."""
    from bot.calc import KINDS

    estimate = sub.add_parser("estimate", help="the calculator: estimate KIND --flag value ... [--json]",
                              description="Every estimate shows its formula and assumptions.")
    kinds = estimate.add_subparsers(title="kinds", metavar="KIND", dest="kind", required=True)
    for spec in KINDS.values():
        kind = kinds.add_parser(spec.name, help=spec.help, description=spec.help)
        for param in spec.params:
            kind.add_argument(param.flag, dest=param.name, required=param.required, default=None,
                              help=param.help + (" (required)" if param.required else ""))
        kind.add_argument("--json", action="store_true", help="print the figures and assumptions as JSON")
        kind.set_defaults(func=cmd_estimate)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bot.calc import DataError
    from bot.kb import KnowledgeError

    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (KnowledgeError, DataError) as exc:
        print(f"error: {exc}\nRun `python -m bot check` to see every problem.", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
