"""The renderer's shortcuts give exactly what the long way gives: `fit` on a card that already fits,
and templates whose text never changes."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import (
    DESCRIPTION_MAX, EMBED_TOTAL_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX, FIELDS_MAX, FOOTER_MAX, TITLE_MAX, Card, Renderer,
    _fits, _fitted, fit,
)
from bot.settings import TEMPLATES_DIR

# Text near every limit, with and without the characters `fit` acts on.
_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from("ab @<>!&#everyonhr1\n"), max_size=40),
    st.sampled_from(["", "@everyone", "@here", "<@123>", "<@&45>", "<#67>", "a@b.c", "x" * 255, "x" * 256, "x" * 257]),
    st.integers(0, 4200).map(lambda n: "y" * n),
)
_CARDS = st.builds(Card, title=_TEXT, description=_TEXT, footer=_TEXT,
                   fields=st.lists(st.tuples(_TEXT, _TEXT), max_size=FIELDS_MAX + 2).map(tuple))


@settings(max_examples=400, deadline=None)
@given(_CARDS)
def test_a_card_that_fits_is_left_as_it_is_and_every_card_ends_within_the_limits(card: Card) -> None:
    if _fits(card):
        assert _fitted(card) == card
    fitted = fit(card)
    assert fit(fitted) == fitted
    assert len(fitted.title) <= TITLE_MAX and len(fitted.description) <= DESCRIPTION_MAX
    assert len(fitted.footer) <= FOOTER_MAX and len(fitted.fields) <= FIELDS_MAX
    assert all(0 < len(n) <= FIELD_NAME_MAX and 0 < len(v) <= FIELD_VALUE_MAX for n, v in fitted.fields)
    assert fitted.total_chars() <= EMBED_TOTAL_MAX
    assert "@everyone" not in fitted.description and "<@1" not in fitted.title


def test_fixed_templates_are_rendered_once_and_the_rest_every_time(tmp_path: Path) -> None:
    (tmp_path / "fixed.md.j2").write_text("An estimate, not a promise {{ '·' }} {{ 'x' | upper }}\n")
    (tmp_path / "reads.md.j2").write_text("Hello {{ who }}\n")
    (tmp_path / "sets.md.j2").write_text("{% set n = 2 %}{{ n * 3 }}\n")
    (tmp_path / "pulls.md.j2").write_text("{% include 'reads.md.j2' %}\n")
    renderer = Renderer(tmp_path)
    assert renderer.text("fixed.md.j2") == "An estimate, not a promise · X"
    assert renderer.text("sets.md.j2") == "6"
    assert renderer.text("reads.md.j2", who="Ann") == "Hello Ann"
    assert renderer.text("reads.md.j2", who="Bo") == "Hello Bo"
    assert renderer.text("pulls.md.j2", who="Cy") == "Hello Cy"
    assert renderer.text("pulls.md.j2", who="Di") == "Hello Di"
    assert renderer._fixed == {"fixed.md.j2": "An estimate, not a promise · X", "sets.md.j2": "6",
                               "reads.md.j2": None, "pulls.md.j2": None}
    with pytest.raises(jinja2.UndefinedError):  # still strict
        renderer.text("reads.md.j2")


def test_each_template_is_judged_once(service, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.calc import compute

    renderer = Renderer(TEMPLATES_DIR)
    judged: list[str] = []
    judge = renderer._is_fixed
    monkeypatch.setattr(renderer, "_is_fixed", lambda name: judged.append(name) or judge(name))
    for amount in ("1000", "1037", "1074"):
        result = compute("diamonds", {"amount": amount}, service.rates_for(None), service.gifts)
        card = renderer.estimate(result, topic=service.kb["diamond_value"]).card
        assert f"{int(amount):,} diamonds" in card.title and card.footer == "An estimate, not a promise · LiveTally"
    assert len(judged) == len(set(judged)) and {"estimate_body.md.j2", "estimate_footer.md.j2"} <= set(judged)



def test_rendering_with_merged_globals_gives_what_template_render_gives(service, monkeypatch: pytest.MonkeyPatch) -> None:
    """`Renderer._render` is `Template.render` with the globals merged once: the same text for every
    template LiveTally has, on topics, estimates of every kind, unknown questions, rates and errors;
    globals such as `range` still work; a traceback still names the template."""
    from bot.calc import KINDS, InputError, compute

    renderer = Renderer(TEMPLATES_DIR)
    rendered: set[str] = set()
    fast = renderer._render

    def checked(name: str, context: dict) -> str:
        text = fast(name, context)
        assert text == renderer.env.get_template(name).render(**context), name
        rendered.add(name)
        return text

    monkeypatch.setattr(renderer, "_render", checked)
    for topic in service.kb:
        reply = renderer.topic(topic, related=service.related_topics(topic), note="⚠️ a note")
        assert reply.markdown
    samples = {"live": {"viewers": "150", "hours": "2"}, "month": {"viewers": "150", "hours": "2", "streams": "10"},
               "gifts": {"items": "2 lions, a galaxy"}}
    computed = 0
    for kind, spec in KINDS.items():
        options = samples.get(kind) or {p.name: "1000" for p in spec.params if p.required}
        try:
            estimate = compute(kind, options, service.rates_for(None), service.gifts)
        except InputError:  # a kind these sample options don't suit
            continue
        assert renderer.estimate(estimate, topic=service.kb.get("diamond_value"), assumed=("an assumption",)).markdown
        computed += 1
    assert renderer.unknown("what is the weather", list(service.kb)[:3]).markdown
    assert renderer.rates_list(service.rates_for(None)).markdown
    assert renderer.rate_card(service.rates_for(None), ["diamond_usd"], "A server").description
    assert renderer.error("That number is too large", "E42").markdown
    assert computed >= 8
    assert rendered == {path.name for path in TEMPLATES_DIR.glob("*.j2")}

    scratch = Renderer(TEMPLATES_DIR)  # the same environment, with templates made from strings
    template = scratch.env.from_string("{% for i in range(n) %}{{ i }}{% endfor %}{{ missing }}")
    scratch._loaded["inline"] = (template, dict(template.globals))
    with pytest.raises(jinja2.UndefinedError):
        scratch._render("inline", {"n": 3})
    template = scratch.env.from_string("{% for i in range(n) %}{{ i }}{% endfor %}")
    scratch._loaded["inline"] = (template, dict(template.globals))
    assert scratch._render("inline", {"n": 3}) == "012"

def test_a_card_over_the_total_gives_way_past_its_description() -> None:
    """Trimming the description alone can't always bring a card under 6,000 characters."""
    card = Card(title="t" * 200, description="d" * 10, footer="f" * 2000,
                fields=tuple((f"name {i}", "v" * 1000) for i in range(6)))
    fitted = fit(card)
    assert fitted.total_chars() <= EMBED_TOTAL_MAX and fitted.description == ""
    assert fitted.footer == "" and fitted.fields[:3] == card.fields[:3]
    assert fitted.fields[-1][1].endswith("…") or len(fitted.fields) < len(card.fields)
