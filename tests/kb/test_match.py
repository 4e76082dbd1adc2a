"""Question matching: accuracy on the public sample and on an independent dev set (printed),
robustness to typos, slang, emoji and other languages, honest 'unknown', and server entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb import Topic
from tests.conftest import shared_path
from tests.kb.evaluate import read_rows, score_topics

DEV = Path(__file__).with_name("questions_dev.tsv")
# Written later, in twenty-two rounds, to probe the matcher in other voices (long stories, older and gaming
# streamers, parents, shop sellers, decoy words, a dozen languages from Arabic to Vietnamese); each round's misses
# were then worked on, so it guards against regressions and is not an independent measure.
PROBE = Path(__file__).with_name("questions_probe.tsv")
BAR = 0.95


def topic_of(service):
    def answer(question: str) -> str | None:
        reply = service.ask(question)
        return reply.topic if reply.kind != "unknown" else None
    return answer


def topic_accuracy(service, rows: list[dict[str, str]], name: str) -> float:
    """The share of `rows` whose question reaches one of its topics, printed with the misses."""
    score = score_topics(((r["question"], set(r["topics"].split(","))) for r in rows), topic_of(service))
    print(f"\n{name}: {score.right}/{score.total} = {score.accuracy:.1%}")
    for q, want, got in score.misses:
        print(f"  MISS {q!r}: want {want}, got {got}")
    return score.accuracy


def test_public_sample_topics(service):
    rows = [r for r in read_rows(shared_path("eval", "questions-public.tsv")) if r["topics"]]
    assert topic_accuracy(service, rows, "public sample (questions with a topic)") >= BAR


def test_dev_set_topics(service):
    assert topic_accuracy(service, read_rows(DEV), "independent dev set") >= 0.90


def test_probe_set_topics(service):
    assert topic_accuracy(service, read_rows(PROBE), "probe set") >= 0.88


def test_no_phrasing_is_a_question_of_the_sets_that_measure_it(service):
    """The question sets measure matching on questions the knowledge base doesn't hold word for word."""
    from bot.kb.text import fold

    asked = {fold(r["question"]) for path in (DEV, PROBE, shared_path("eval", "questions-public.tsv"))
             for r in read_rows(path)}
    copied = [(t.id, p) for t in service.kb for p in t.phrasings if fold(p) in asked]
    assert not copied


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("do you get paid for likes on tiktok live", "likes_pay"),
        ("¿tiktok paga por los likes en live?", "likes_pay"),
        ("hw much r dimonds worth", "diamond_value"),
        ("LIKES PAY???", "likes_pay"),
        ("💎 worth?", "diamond_value"),
        ("how do i widthdraw my money to paypal", "withdraw_payout"),
        ("subcribers on live how much do i keep", "subscriptions"),
        # Arabic script: words are words in any script, and the lexicon knows the common ones
        ("هل اللايكات في اللايف تعطيني فلوس؟", "likes_pay"),
        ("متى أقدر أسحب فلوس الهدايا من تيك توك؟", "withdraw_payout"),
        ("Muss ich Einnahmen aus TikTok beim Finanzamt melden?", "taxes"),
    ],
)
def test_robust_to_how_people_type(service, question: str, topic: str):
    assert service.ask(question).topic == topic


@pytest.mark.parametrize("question", ["", "   ", "asdfghjkl", "what's the best pizza topping", "🙂🙂🙂"])
def test_unknown_is_honest_and_suggests(service, question: str):
    reply = service.ask(question) if question.strip() else None
    if reply is None:
        return
    assert reply.kind == "unknown" and reply.topic is None
    assert "don't know" in reply.markdown


def test_very_long_question_still_matches(service):
    rambling = ("ok so i've been streaming for like 3 months now, mostly at night, and my followers keep "
                "tapping the screen like crazy during my lives, thousands of taps every stream. " * 6
                + "do all those likes actually turn into money for me or not?")
    assert service.ask(rambling).topic == "likes_pay"


def test_answer_offers_related_topics(service):
    reply = service.ask("do likes pay")
    assert 2 <= len(reply.related) <= 3 and "likes_pay" not in reply.related



@pytest.mark.parametrize(("forms", "stemmed"), [
    (("change", "changed", "changing", "changes"), "chang"),
    (("match", "matches"), "match"),
    (("live", "lives", "living"), "liv"),
    (("rate", "rates", "rated"), "rat"),
    (("gift", "gifts", "gifted", "gifting"), "gift"),
    (("fee", "fees"), "fee"),
    (("18", "18s"), "18"),
])
def test_stemmer_joins_a_word_with_its_endings(forms, stemmed):
    from bot.kb.text import stem

    assert {stem(f) for f in forms} == {stemmed}


@pytest.mark.parametrize(("question", "topic"), [
    ("yo how much does tt take from gifts", "platform_cut"),
    ("is a 16yo allowed to go live", "eligibility"),
    ("can under 18s go live", "eligibility"),
    ("is tiktok live paying less in the us now", None),
])
def test_two_general_words_together_make_a_question_ours(service, question, topic):
    """"tiktok", "live", "pay" and "money" are too general alone to pass the domain gate; a money word
    with another of them is enough."""
    reply = service.ask(question)
    assert reply.kind == "answer" and (topic is None or reply.topic == topic)


@pytest.mark.parametrize(("question", "topic"), [
    # taking money or diamonds out is withdrawing
    ("can i take out $5,000 in one day", "withdraw_payout"),
    ("how do i take out my money", "withdraw_payout"),
    ("can i get paid thru cashapp", "withdraw_payout"),
    # questions that weigh TikTok against another platform are ours
    ("should i stream on twitch and youtube too", "merch_multichannel"),
    ("is youtube better for money than tiktok", "merch_multichannel"),
    ("do twitch subs pay more than tiktok subs", "subscriptions"),
    # someone else's offer, in the DMs or not, is a question about scams, not a sum to work out
    ("a guy in my dms says he can get me 10k diamonds for $50", "scams"),
    ("someone offered to buy my tiktok account is that legit", "scams"),
    ("got pm'd about cheap coins, 5000 coins for $20", "scams"),
    ("someone wants to buy my diamonds for 40 dollars", "scams"),
    ("whats the difference between coins and diamonds", "gifts_diamonds"),
    ("how much do tiktok agents make", "agencies"),  # an agent is an agency's
    ("can minors get paid on tiktok", "eligibility"),
    ("how many followers to make money on tiktok", "eligibility"),
    ("do you get paid for going viral", "creativity_program"),
    # a month or an hour is part of a money question ("what could i make a month"), today is not
    ("what could i make a month", "earnings_benchmarks"),
    ("what could i make a month streaming 2 hours a day", "earnings_benchmarks"),
    ("do you get paid to go live on tiktok", "gifts_diamonds"),  # by gifts: not by going live, nor by age
    ("how do battles make money", "live_match"),  # a battle's money, not TikTok's
    ("who gets the rest of the gift money", "platform_cut"),
    ("is it possible to make a living on tiktok live", "earnings_benchmarks"),  # "make a living" is earning
    ("moving my fans to youtube memberships, good idea?", "merch_multichannel"),  # moving is a multi-platform cue
    ("wie funktioniert das mit geschenken und diamanten bei tiktok live?", "gifts_diamonds"),  # German "wie", "mit", "bei"
    ("what missions do i need for the 53% rate", "platform_cut"),
    ("withdrew 3 days ago and its still pending, how long does it usually take", "withdraw_payout"),  # "withdrew"
    ("PK savaşında puanlar nasıl hesaplanıyor?", "live_match"),  # Turkish "savaş" is a battle
    ("Ile płacą za 1000 wyświetleń na transmisji live?", "per_view_pay"),  # Polish
    ("Polubienia na live zamieniają się na pieniądze?", "likes_pay"),
    ("Làm sao để rút tiền kim cương về tài khoản ngân hàng?", "withdraw_payout"),  # Vietnamese
    ("Kim cương trên TikTok đổi ra bao nhiêu tiền?", "diamond_value"),
    ("TikTok'ta kazandığım elmasları nasıl çekebilirim, ne kadar sürer?", "withdraw_payout"),  # Turkish "çekmek"
    ("TikTok giữ lại bao nhiêu phần trăm khi người xem tặng quà?", "platform_cut"),  # Vietnamese "phần trăm"
    # "5 min" is minutes; Tagalog "kada" (per) and "kumikita" (earning)
    ("is it true lives shorter than 5 min get a lower rate", "platform_cut"),
    ("may bayad ba kada viewer sa live o sa gifts lang kumikita", "per_view_pay"),
    # a percent sign after a word is the word
    ("what % of the gift money ends up with the creator", "platform_cut"),
    # someone posing as staff, coins at half price; a subscription named by its perks
    ("a guy pretending to be tiktok staff says he can sell me coins at half price, legit?", "scams"),
    ("what do sub emotes and the subscriber badge cost fans and what does the creator get", "subscriptions"),
    # an age stated without "years old" ("im 13", "my son is 15 and…") is an age question
    ("i am 13, am i allowed to go live", "eligibility"),
    ("my son is 15 and his friends keep gifting him, can he actually keep the money", "eligibility"),
    ("she just turned 17, can she withdraw what she earned on lives", "eligibility"),
    # the concept without the usual word: a broadcast, a virtual currency, a head-to-head, a talent network
    ("does a broadcast with lots of people watching get compensated by the platform itself", "per_view_pay"),
    ("why is the tipping currency cheaper to buy on a laptop than in the app", "coin_value"),
    ("how do points work in a head-to-head against another creator", "live_match"),
    ("a talent network wants to sign me, do they take a share of what my fans send", "agencies"),
    # everyday idioms for earning, an audience and merch
    ("roughly what do the top live hosts bring in from one stream", "earnings_benchmarks"),
    ("is a big turnout on my broadcast rewarded on its own", "per_view_pay"),
    ("worth selling mugs and hoodies with my logo to my regulars?", "merch_multichannel"),
    # ages and age groups written out
    ("is someone under eighteen allowed to go live and get gifts", "eligibility"),
    ("my teenagers both want to host lives for money, what are the rules", "eligibility"),
    # "declare" is about tax even beside words of earnings
    ("college kid here, pulling a couple hundred a month off lives, do i have to declare it", "taxes"),
    ("tengo que declarar lo que gano en los lives de tiktok?", "taxes"),
    # another platform named only as where a claim was heard: diamonds are TikTok's
    ("some youtube short claims 10 diamonds equal a dollar, is that for real", "diamond_value"),
    ("hi all, where does tiktok get its money from if the app is free", "tiktok_revenue"),  # "all" says nothing
    ("whats the timeline of live rule changes", "regional_rules"),
    # a minor's age, stated of a younger brother
    ("my little bro is 15 and keeps trying to send me gifts, is he even allowed to buy coins", "eligibility"),
    # streaming is going live: with a money word it is a question about creator money
    ("should i stream every day or is 3x a week better for money", "grow_earnings"),
    # streamers' shorthand for the viewers watching at once
    ("is peak ccv monetized directly or only thru gifts", "per_view_pay"),
    ("are concurrents monetized or only gifts", "per_view_pay"),
    # more languages: Arabic "confrontations" are battles, Vietnamese "tuổi" is age
    ("المواجهات في تيك توك كيف يتم احتساب النقاط", "live_match"),
    ("cần bao nhiêu tuổi để live trên tiktok", "eligibility"),
    ("ile bierze agencja tiktok live?", "agencies"),  # Polish
    ("틱톡 라이브 선물은 몇 살부터 받을 수 있어요?", "eligibility"),  # Korean
    # an age after going live or streaming, and subscribing
    ("can i go live at 14?", "eligibility"),
    ("how much do i get when someone subscribes to me", "subscriptions"),
    ("could i live off streaming on tiktok", "earnings_benchmarks"),  # living off it is earning
    ("my overlay counts more diamonds than tiktok shows, why", "diamond_value"),  # set-up words beside diamonds
    # "like" before "step by step" is chat filler, not likes
    ("can someone explain how gifts become cash like step by step", "gifts_diamonds"),
])
def test_question_reaches_its_topic(service, question, topic):
    assert service.ask(question).topic == topic


@pytest.mark.parametrize("question", [
    # TikTok LIVE without money
    "my tiktok live keeps crashing", "best ring light for tiktok live", "how do i take out a loan",
    # another platform's own question
    "how much does twitch pay per sub", "snapchat spotlight how much per view", "twitch affiliate requirements",
    "youtube membership how much do i keep",
    # a word of the knowledge base's that says nothing of creator money ("today" is in "can i take it
    # all out today"), or a word one letter from one ("agent", "agents")
    "whats the weather today", "what day is it today", "can you dm me", "how do i become a real estate agent",
    # everyday verbs the knowledge base happens to use ("add", "fix", "change") say nothing of money
    "how do i fix the echo on my live audio", "how do i change my profile picture before going live",
    "how do i add a moderator before going live",
    # set-up, gear and app features, even with gift words or a price in them
    "which webcam under $80 is good enough for lives", "how can i get my gift alerts to pop up in streamlabs",
    "is there a text to speech thing that reads out who sent gifts", "should i put hashtags on a live title",
    "how do i stop gift animations covering my face on live", "where are the diamonds in minecraft 1.21",
    "my tiktok keeps logging me out after the update", "how do i get my beauty filter back on lives",
    "how do i delete a video i posted by mistake", "can i change my tiktok username twice a month",
    # account support
    "i forgot my password and the reset code never comes", "how do i get my old account back",
    "the reset code for my tiktok never arrives, how do i get back into my account",
    # chat fillers the knowledge base's phrasings happen to hold ("nah", "lowkey") say nothing of money
    "dogecoin gonna moon or nah", "lowkey crazy weekend ngl",
])
def test_question_that_is_not_ours_is_unknown(service, question):
    assert service.ask(question).kind == "unknown"


@pytest.mark.parametrize(("question", "topic"), [
    ("does going live from obs instead of my phone change how much money gifts pay me", "gifts_diamonds"),
    ("a ring light brand wants to sponsor my lives, how much should i charge them", "brand_deals"),
])
def test_set_up_words_beside_money_words_stay_ours(service, question, topic):
    assert service.ask(question).topic == topic


@pytest.mark.parametrize("question", [
    "should i get a 2 carat lab grown diamond or a natural one, which holds its worth",
    "whats the resale value of a diamond engagement ring",
    "how much are old silver coins worth at a pawn shop",
    "my county wants more property tax this year, can i pay it in installments",
    "our modeling agency wants a $300 portfolio fee, is that normal",
    "how many coins for a chest in clash royale",
    "can i get free diamonds in free fire without paying",
    "is it worth paying for the roblox premium subscription",
    "why is netflix charging my card twice for the same subscription",
    "are xbox gift cards cheaper at walmart",
    "my son spent $50 on robux by accident, refund?",
    "what should i get my wife for our anniversary under $100",
    "my acting agency wants new headshots, who is a good photographer",
    "how much do people pay a nanny per hour around here",
    "how do i get coins fast in animal crossing",
    "is bitcoin worth buying right now or did i miss it",
    "can i pay my phone bill with paypal",
    # two investments weighed against each other: their coins are crypto coins
    "which coin has more upside this year, xrp or cardano",
    "is it smarter to hold eth coins or bitcoin",
    # game ranks and currencies, dating-app matches, council tax
    "stuck in diamond 3 in valorant, any tips to rank up",
    "cheapest way to get fc coins for ultimate team",
    "why am i getting no matches on hinge",
    "where to top up mobile legends diamonds cheap",
    "¿cómo pago el impuesto predial en línea?", "quanto vale um anel de diamante de dois quilates",
    "how many coins to unlock every board in subway surfers",
    "how much are tickets for the derby match on sunday", "is a 2 carato diamante worth buying",
    "i forgot my tiktok password and the code never comes",
    "do i need a capture card to stream my switch to tiktok",
    "account banned, how do i appeal it", "berapa harga diamond ml sekarang",
    "is council tax cheaper for a single person",
])
def test_another_domain_that_shares_our_words_is_not_ours(service, question):
    assert service.ask(question).kind == "unknown"


@pytest.mark.parametrize(("question", "topic"), [
    ("a modeling agency messaged me after my tiktok live and wants 30% of my gifts", "agencies"),
    ("i stream roblox on live, how much do viewers pay for coins", "coin_value"),
    ("are tiktok diamonds anything like real lab diamonds, what is one worth", "diamond_value"),
    ("is there a birthday gift bonus if fans send lots of roses on my birthday live", "gifts_diamonds"),
    # investing words beside TikTok's own currencies
    ("do diamonds go up and down in value like crypto", "diamond_value"),
    ("a guy wants to buy my diamonds and pay me in bitcoin, legit?", "scams"),
    ("can i cash out my diamonds as bitcoin or eth instead of dollars", "withdraw_payout"),
])
def test_another_domains_words_beside_streaming_words_stay_ours(service, question, topic):
    assert service.ask(question).topic == topic


def test_set_up_words_in_a_row_count_only_in_that_order(service):
    lexicon = service.matcher.analyzer.lexicon
    assert lexicon.about_setup(["my", "green", "screen"], {"my", "green", "screen"})
    assert not lexicon.about_setup(["green", "gifts", "on", "screen"], {"green", "gifts", "on", "screen"})
    assert not lexicon.about_setup(["obs", "pays", "more"], {"obs", "pays", "more"})


def test_server_entry_found_beside_knowledge_base(service):
    entry = Topic(id="faq:schedule", title="When does the agency stream schedule come out?", summary="",
                  body="Every Sunday.", phrasings=("when is the stream schedule posted", "schedule"),
                  guild_id=42, extra={"name": "schedule"})
    service.matcher.set_guild_entries(42, [entry])
    try:
        assert service.ask("when does the schedule come out", guild_id=42).topic == "faq:schedule"
        assert service.ask("when does the schedule come out", guild_id=7).topic != "faq:schedule"
        assert service.ask("do likes pay", guild_id=42).topic == "likes_pay"
    finally:
        service.matcher.set_guild_entries(42, [])


def _plain_scores(index, query):
    """`_Index.scores` written as plain loops over the postings: the definition it must keep to."""
    from bot.kb.match import KEYWORD_BONUS, KEYWORD_BONUS_MAX

    phrase_dot: dict[int, float] = {}
    topic_dot: dict[int, float] = {}
    for f in query.features:  # each posting's weight already holds the feature's and the blend's
        for i, w in zip(*index._postings[f]):  # phrasings first, then topics numbered after them
            if i < index.phrase_count:
                phrase_dot[int(i)] = phrase_dot.get(int(i), 0.0) + w
            else:
                ti = int(i) - index.phrase_count
                topic_dot[ti] = topic_dot.get(ti, 0.0) + w
    best: dict[int, float] = {}
    for pi, dot in phrase_dot.items():
        ti = index._phrase_topic[pi]
        best[ti] = max(best.get(ti, 0.0), dot)
    hits = {ti: sum(1 for kws in index._keywords_by_term.values() for t, kw in kws if t == ti and kw <= set(query.features))
            for ti in range(len(index.topics))}
    return [(best.get(i, 0.0) + topic_dot.get(i, 0.0)) / query.norm
            + (min(KEYWORD_BONUS_MAX, KEYWORD_BONUS * hits[i]) if hits[i] else 0.0)
            for i in range(len(index.topics))]


def test_a_query_vector_is_the_normalised_tf_idf_of_its_features(service):
    """`_Index.query` keeps only the norm; the postings carry each feature's fixed weight in a query
    (1 for a term, BIGRAM_WEIGHT for a pair, times its idf) and its blend factor."""
    import math

    from bot.kb.match import BIGRAM_WEIGHT, PHRASE_BLEND, TOPIC_BLEND, features

    index = service.matcher._kb
    feats = features(service.matcher.analyzer.terms("do likes pay on tiktok live zzqx"))
    query = index.query(feats)
    assert query.features == [f for f, _ in feats if f in index._postings] and "zzqx" not in query.features
    assert any(" " in f for f in query.features)  # pairs of terms count too, at BIGRAM_WEIGHT
    weight = {f: (BIGRAM_WEIGHT if " " in f else 1.0) * index.idf(f) for f in query.features}
    assert math.isclose(query.norm, math.sqrt(sum(w * w for w in weight.values())))
    # A topic's postings for a term: that term's weight in the topic's (normalised) vector, times the
    # term's weight in a query and TOPIC_BLEND; a phrasing's the same with PHRASE_BLEND.
    term = next(f for f in query.features if " " not in f)
    ids, weights = index._postings[term]
    for i, w in zip(ids, weights):
        if i >= index.phrase_count + len(index.topics):  # the classifier's columns (its own test below)
            continue
        blend = PHRASE_BLEND if i < index.phrase_count else TOPIC_BLEND
        assert 0 < w / (weight[term] * blend) <= 1.0 + 1e-12


def test_scores_are_exactly_the_plain_sums(service):
    """The array arithmetic adds the same products in the same order as plain loops: equal to the
    last bit, for the knowledge base and for a server's entries (one of them without phrasings)."""
    from bot.kb.match import _Index, features

    from bench._common import varied_questions

    matcher = service.matcher
    entries = [Topic(id="faq:payday", title="When is payday here?", summary="", body="Fridays",
                     phrasings=("when do we get paid", "payday"), guild_id=5, extra={"name": "payday"}),
               Topic(id="faq:bare", title="Agency rules", summary="", body="Be kind", phrasings=(), guild_id=5)]
    guild_index = _Index(entries, matcher.analyzer, matcher._idf, matcher._default_idf)
    checked = 0
    for question in [*varied_questions(600), "when is payday", "agency rules diamonds payday"]:
        feats = features(matcher.analyzer.terms(question))
        for index in (matcher._kb, guild_index):
            query = index.query(feats)
            if query:
                assert index.scores(query) == _plain_scores(index, query), question
                checked += 1
    assert checked > 600


def test_typo_correction_does_not_depend_on_the_order_words_were_learnt(service):
    """'dimond' is as close to 'dimonds' as to 'diamond': the same one must win however the
    vocabulary was built (it is built from sets, whose order changes from run to run)."""
    from bot.kb.text import Analyzer

    lexicon = service.matcher.analyzer.lexicon
    first, second = Analyzer(lexicon), Analyzer(lexicon)
    first.extend_vocabulary(["dimonds"])
    first.extend_vocabulary(["diamond"])
    second.extend_vocabulary(["diamond"])
    second.extend_vocabulary(["dimonds"])
    assert first.terms("dimond") == second.terms("dimond")


def test_an_unknown_form_of_a_known_word_is_that_word_not_a_typo_of_another(service):
    """'spends' is 'spend' (it was corrected to 'sends'); 'withdrawls' is a known misspelling's plural."""
    from bot.kb.text import Analyzer

    analyzer = service.matcher.analyzer
    assert analyzer.terms("spends spending") == ["spend", "spend"]
    assert analyzer.terms("withdrawls") == ["withdraw"]
    lexicon = analyzer.lexicon
    first, second = Analyzer(lexicon), Analyzer(lexicon)
    first.extend_vocabulary(["paying"])
    first.extend_vocabulary(["pays"])
    second.extend_vocabulary(["pays"])
    second.extend_vocabulary(["paying"])
    # an unknown form of "pay" is read as the same known one whichever was learnt first
    assert first._known_stems["pay"] == second._known_stems["pay"]


def _question_corpus(service, count: int = 3000) -> list[str]:
    """Varied member questions, every phrasing and keyword, and word salad with slang and emoji."""
    import random

    from bench._common import varied_questions

    texts = [*varied_questions(count)]
    texts += [text for t in service.kb for text in (*t.phrasings, t.title, *t.keywords)]
    forms = list(service.matcher.analyzer.lexicon.table)
    rng = random.Random(11)
    words = " ".join(texts).split() + forms
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    return texts


def test_lexicon_forms_are_replaced_as_the_whole_word_regex_defines(service):
    """`Lexicon.apply` works word by word; its definition is one regex of every form, longest first,
    matched only as whole words. Both give the same words on the same single-spaced text."""
    import re

    from bot.kb.text import WORD_RE, fold

    lexicon = service.matcher.analyzer.lexicon
    forms = sorted(lexicon.table, key=len, reverse=True)
    pattern = re.compile(r"(?<!\S)(" + "|".join(re.escape(f) for f in forms) + r")(?!\S)")
    checked = 0
    for text in _question_corpus(service):
        folded = fold(text)
        expected = pattern.sub(lambda m: lexicon.table[m.group(1)], folded)
        assert WORD_RE.findall(lexicon.apply(folded)) == WORD_RE.findall(expected), text
        assert lexicon.apply(folded) == " ".join(expected.split()), text
        checked += expected != folded
    assert checked > 1000  # plenty of texts held a form


def test_an_age_is_read_only_where_a_person_is_that_old(service):
    words = service.matcher.analyzer.words
    assert words("im 16 can i go live")[:3] == ["im", "16", "age"]
    assert words("my brother is 15 and streams")[:5] == ["my", "brother", "is", "15", "age"]
    for counted in ("im 15k diamonds in", "she is 12 followers away", "he is 12 days from payout", "my son is 19 and"):
        assert "age" not in words(counted), counted


def test_like_as_a_comparison_is_not_likes(service):
    words = service.matcher.analyzer.words
    assert "like" not in words("explain coins vs diamonds like im 5") and "like" not in words("talk like youre new")
    assert "like" in words("i like it") and "like" in words("like im getting likes")  # canonical "like" either way
    # comparisons: "like that", "like a train", "like crypto"; before another platform a multi-platform cue
    assert "like" not in words("does tiktok live have anything like that") and "like" not in words("looked like a train")
    assert "like" not in words("does it move around like crypto")
    assert words("pay per view for lives like youtube ads") == ["pay", "per", "view", "for", "live", "also", "youtube", "ads"]


def test_the_analyzer_skips_only_the_substitutions_that_cannot_apply(service):
    """`words` runs the "US", thousands-separator, lone "%", filler-"like", "15 yo", "im 16" and "5 min"
    substitutions only on text that holds what they need."""
    from bot.kb.text import (
        _FILLER_LIKE_RE, _LONE_PERCENT_RE, _MINUTES_RE, _STATED_AGE_RE, _THOUSANDS_RE, _UNICODE_WORD_RE, _US_RE,
        _YEARS_OLD_RE, WORD_RE, fold, without_apostrophes,
    )

    analyzer = service.matcher.analyzer
    extra = ["made like $800 in the US", "the us rules", "U.S.A. gifts", "i get like 15 viewers", "USA LIVE likes",
             "it feels like nothing", "likes in the usa", "my 15 yo sister", "16yo can go live?", "yo how much",
             "can i take out $5,000 in one day", "1,234,567 views", "3,10 or 3,1000", "lions, 2,3 roses",
             "هل اللايكات تعطيني فلوس؟", "сколько стоит алмаз", "she's 15, can she go live", "im 16k in",
             "WHAT % do they take", "is it 20 % or 20%?", "%50 share", "lives under 5 min", "20mins a day"]
    for text in [*_question_corpus(service, 1500), *extra]:
        plain = _LONE_PERCENT_RE.sub(" percent ", _THOUSANDS_RE.sub("", _US_RE.sub(" usa ", text)))
        folded = without_apostrophes(fold(plain))
        unfilled = analyzer.like_a_platform_re.sub(" also ", _FILLER_LIKE_RE.sub(" ", folded))
        full = _MINUTES_RE.sub(" minutes", _STATED_AGE_RE.sub(r"\1 age", _YEARS_OLD_RE.sub(" years old", unfilled)))
        pattern = WORD_RE if full.isascii() else _UNICODE_WORD_RE  # words in any script
        assert analyzer.words(text) == pattern.findall(analyzer.lexicon.apply(full)), text


@pytest.mark.parametrize(("typed", "plain"), [
    ("what's tiktok's cut", "whats tiktok cut"),  # "'s" goes: "tiktok's" is "tiktok"
    ("i don't get paid and i'm new", "i dont get paid and im new"),  # contractions as most people type them
    ("someone else's live", "someone else live"),
    ("got dm'd about coins", "got dmd about coins"),  # lexicon forms are read the same way
    ("what’s tiktok’s cut, i don’t get it", "whats tiktok cut i dont get it"),  # as phones type them
])
def test_apostrophes_change_nothing(service, typed, plain):
    analyzer = service.matcher.analyzer
    assert analyzer.terms(typed) == analyzer.terms(plain)
    assert not any("'" in term for term in analyzer.terms(typed))


def test_the_classifier_is_trained_the_same_on_every_load(service):
    import numpy as np

    from bot.service import build_service

    again = build_service().matcher._classifier
    assert np.array_equal(again.weights, service.matcher._classifier.weights)
    assert np.array_equal(again.bias, service.matcher._classifier.bias)


def test_the_classifier_learns_the_knowledge_base(service):
    """On its own, the classifier sends nearly every phrasing to the topic it belongs to."""
    import numpy as np

    from bot.kb.match import features

    matcher = service.matcher
    index, classifier = matcher._kb, matcher._classifier
    outcomes = [int(np.argmax(classifier.probabilities(query))) == ti
                for ti, topic in enumerate(index.topics) for p in topic.phrasings
                if (query := index.query(features(matcher.analyzer.terms(p))))]
    assert len(outcomes) > 500 and sum(outcomes) / len(outcomes) >= 0.95


def test_the_classifier_reorders_topics_and_only_adds_known_questions_it_gets_right(service, monkeypatch):
    """Against similarity alone (no classifier), on the dev and probe sets: every question known by
    similarity stays known; those the classifier's bonus lifts to KNOWN_SCORE all reach one of their
    topics (none is a question that isn't ours); and more reach one of their topics."""
    import bot.kb.match as match_module

    questions = [(r["question"], set(r["topics"].split(","))) for path in (DEV, PROBE) for r in read_rows(path)]

    def outcomes() -> list[tuple[bool, bool]]:
        found = [service.matcher.match(q) for q, _ in questions]
        return [(m.known, m.known and m.topic.id in want) for m, (_, want) in zip(found, questions)]

    blended = outcomes()
    monkeypatch.setattr(match_module, "CLASSIFIER_BLEND", 0.0)
    alone = outcomes()
    assert all(b for (a, _), (b, _) in zip(alone, blended) if a)
    added = [(q, right) for (q, _), (a, _), (b, right) in zip(questions, alone, blended) if b and not a]
    assert added and all(right for _, right in added), added
    assert sum(r for _, r in blended) > sum(r for _, r in alone)


def test_the_postings_give_the_classifiers_own_probabilities(service):
    """The classifier folded into the index's postings computes what its definition says."""
    import numpy as np

    from bot.kb.match import features

    matcher = service.matcher
    for question in _question_corpus(service, 300):
        query = matcher._kb.query(features(matcher.analyzer.terms(question)))
        if query:
            _, fused = matcher._kb.scores_and_probabilities(query)
            assert np.allclose(fused, matcher._classifier.probabilities(query), rtol=1e-9, atol=1e-12), question


@pytest.mark.parametrize(("question", "topic"), [
    ("my agency manager pushes a like goal every stream and says it feeds my payout, but honestly i just want to "
     "know if likes themselves put any money in my account", "likes_pay"),
    ("my agency wants me on 6 lives a week and i am tired. What I really want to know is whether TikTok pays "
     "per viewer on a live", "per_view_pay"),
    # the part after the marker says too little alone: the whole question decides
    ("do likes on my live turn into money? that is my question", "likes_pay"),
    ("i have a question i really want to know about, do likes pay", "likes_pay"),
])
def test_the_part_a_question_marks_as_its_question_decides(service, question, topic):
    assert service.ask(question).topic == topic


def test_main_ask_is_the_part_after_the_last_marker():
    from bot.kb.match import main_ask

    assert main_ask("long story. but what i actually want to know is: do likes pay?") == "do likes pay?"
    assert main_ask("I just want to know X, but my real question is Y") == "Y"
    assert main_ask("do likes pay") is None
    assert main_ask("what i want to know is") is None  # nothing after it
