"""The in-process benchmark scripts still run and print their tables (tiny sizes; no timing is
checked here: figures come from running them in full, see docs/benchmarks.md)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("module", "argv", "rows"), [
    ("bench.cold_cache", ["--runs", "1", "--n", "20"], ["Matcher.match", "Service.ask", "Service.estimate (diamonds)"]),
    ("bench.components", ["--n", "5"], ["Matcher.match", "Service.estimate", "template topic_body.md.j2"]),
    ("bench.callbacks", ["--runs", "1", "--n", "40", "--in-flight", "4"], ["discord.py (aiohttp)", "bot.transport"]),
])
def test_bench_script_prints_its_table(module: str, argv: list[str], rows: list[str], capsys) -> None:
    import importlib

    assert importlib.import_module(module).main(argv) == 0
    out = capsys.readouterr().out
    assert "| piece" in out and all(row in out for row in rows), out


def test_instruction_counts_run_their_pieces_and_read_valgrind_s_summary() -> None:
    """bench.instructions: each measured piece runs (here without valgrind), and the count is read
    from cachegrind's summary line."""
    from bench import instructions

    for piece in set(instructions.PIECES.values()):
        instructions.work(instructions.ROOT, piece, 3)
    summary = "==123== \n==123== I   refs:      4,215,376,659\n"
    assert instructions.instructions(summary) == 4_215_376_659
    with pytest.raises(RuntimeError):
        instructions.instructions("valgrind: command not found")
