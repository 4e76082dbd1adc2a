"""The in-process benchmark scripts still run and print their tables (tiny sizes; no timing is
checked here: figures come from running them in full, see docs/benchmarks.md)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(("module", "argv", "rows"), [
    ("bench.cold_cache", ["--runs", "1", "--n", "20"], ["Matcher.match", "Service.ask", "Service.estimate (diamonds)"]),
    ("bench.components", ["--n", "5"], ["Matcher.match", "Service.estimate", "template topic_body.md.j2"]),
])
def test_bench_script_prints_its_table(module: str, argv: list[str], rows: list[str], capsys) -> None:
    import importlib

    assert importlib.import_module(module).main(argv) == 0
    out = capsys.readouterr().out
    assert "| piece" in out and all(row in out for row in rows), out
