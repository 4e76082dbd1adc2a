"""Where a command's own work goes: the service-level pieces behind /ask, /likes, /estimate and
/rates show, each timed alone (best of 5 repeats of N calls, in µs per call).

    .venv/bin/python -m bench.components [--n 2000]

Every piece is worked out afresh (the reply cache emptied before each call, inside the timing; it
holds one entry, so that costs next to nothing), then the same calls answered from the reply cache.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import machine, table


def per_call_us(fn: Any, n: int) -> float:
    fn()
    return min(timeit.repeat(fn, number=n, repeat=5)) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args(argv)

    from bot.calc import compute
    from bot.sender import to_embed
    from bot.service import build_service

    service = build_service()
    renderer = service.renderer
    topic = service.kb["likes_pay"]
    question = "do you get paid for likes on tiktok live"
    context = {"topic": topic, "related": service.related_topics(topic), "note": None}
    reply = service.topic_reply(topic)
    def fresh(fn: Any) -> Any:
        def call() -> Any:
            service.forget_replies()
            return fn()
        return call

    rows: list[tuple[str, Any]] = [
        ("/ask topic: Service.ask", fresh(lambda: service.ask(question))),
        ("  Matcher.match", lambda: service.matcher.match(question)),
        ("  QuestionParser.parse (no estimate in it)", lambda: service.parser.parse(question)),
        ("/likes: Service.topic_reply", fresh(lambda: service.topic_reply(topic))),
        *[(f"  template {name}", (lambda name=name: renderer.text(name, **context)))
          for name in ("topic_body.md.j2", "sources.md.j2", "related.md.j2", "topic_footer.md.j2")],
        ("  template topic.md.j2 (terminal Markdown, rendered only when read)",
         lambda: renderer.text("topic.md.j2", **context)),
        ("  sender.to_embed (Card → discord.Embed), uncached", lambda: to_embed.__wrapped__(reply.card)),
        ("/estimate diamonds: Service.estimate", fresh(lambda: service.estimate("diamonds", {"amount": "40000"}, None))),
        ("  calc.compute only", lambda: compute("diamonds", {"amount": "40000"}, service.rates_for(None), service.gifts)),
        ("/rates show: Service.rates_reply", fresh(lambda: service.rates_reply(None))),
        ("/topic autocomplete: Service.topic_choices", lambda: service.topic_choices("withdr")),
        ("/gift autocomplete: Service.gift_choices", fresh(lambda: service.gift_choices("lio"))),
        ("repeats, from the reply cache: /ask topic", lambda: service.ask(question)),
        ("repeats, from the reply cache: /likes", lambda: service.topic_reply(topic)),
        ("repeats, from the reply cache: /estimate diamonds",
         lambda: service.estimate("diamonds", {"amount": "40000"}, None)),
    ]
    out = [[label, f"{per_call_us(fn, args.n):,.1f}"] for label, fn in rows]
    print(f"Service-level cost of each piece (best of 5 × {args.n} calls)\nmachine: {machine()}\n")
    print(table(["piece", "µs per call"], out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
