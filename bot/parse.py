"""Free text → the estimate a question states, as plain data (no rates, no maths here).

"what are 40k dimonds worth" → Parsed("diamonds", {"amount": 40000}); "2 lions and a galaxy" →
Parsed("gifts", {"items": "2 Lion, 1 Galaxy"}); a question that only *mentions* a number
("is it still 16 to go live?") → None, and the knowledge base answers it instead.

The parser reads numbers with their units (commas, k/M, $, %, "rpm", gift names and counts,
"x 4 viewers" multipliers) and then picks the one calculation the question asks for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol

from bot.calc.gifts import normalize
from bot.calc.payout import EARNING_UNITS
from bot.chars import APOSTROPHES, CharTable

_NUMBER_RE = re.compile(
    r"(?P<cur>[$€£])?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<pow>\^|\*\*)\s?(?P<exp>[+-]?\d+)|e(?P<sci>[+-]?\d+))?"
    r"(?:\s?(?P<mult>k|m|mil|million|millions|thousand|thousands|b|bn|billion|rb|ribu|jt|juta|millones|millon"
    r"|milhoes|milhao|millionen|mila|mille|bin|trieu|الف|الاف|مليون)(?![a-z]))?"
    r"(?P<pct>\s?(?:%|percent|pct)(?![a-z]))?"
    r"(?P<cur2>\s?(?:usd|dollars?|bucks|dolares|dolardan|dolarlik|dolar|euros?|eur|pounds|gbp|quid)(?![a-z]))?"  # € and £ as $, with a note
)
_DIGIT_RE = re.compile(r"\d")
_NUMBER_STARTS = frozenset("$€£.")
_MULTIPLIERS = {"k": 1_000, "thousand": 1_000, "thousands": 1_000, "m": 1_000_000, "mil": 1_000_000,
                "million": 1_000_000, "millions": 1_000_000, "b": 1_000_000_000, "bn": 1_000_000_000,
                "billion": 1_000_000_000, "rb": 1_000, "ribu": 1_000, "jt": 1_000_000, "juta": 1_000_000,
                "millones": 1_000_000, "millon": 1_000_000, "milhoes": 1_000_000, "milhao": 1_000_000,
                "millionen": 1_000_000, "mila": 1_000, "mille": 1_000, "bin": 1_000, "trieu": 1_000_000,  # Turkish, Vietnamese
                "الف": 1_000, "الاف": 1_000, "مليون": 1_000_000}
# "20 mil" is 20 million in English chat and 20,000 in Spanish, Portuguese and Italian: a question
# with one of these words is read the second way.
_MIL_RE = re.compile(r"(\d)\s?mil\b")
_THOUSAND_MIL_RE = re.compile(
    r"\b(?:cuanto|cuantos|cuantas|quanto|quantos|quantas|vale|valen|valem|diamantes|monedas|moedas|regalos|presentes"
    r"|dolares|dolar|reais|pesos|euros|tengo|tenho|gane|ganhei|recibi|recebi|mis|meus|minhas|cuesta|custa|costa"
    r"|seguidores|visualizacoes|vistas|visualizzazioni|diamanti|monete)\b")
# Written-out numbers of two words or more: "a million views", "half a million", "forty thousand",
# "sixty two thousand five hundred", "twenty-five roses" (the number in digits).
_ONES = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                    "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_FRACTIONS = {"half": Decimal("0.5"), "quarter": Decimal("0.25")}  # "half a million", "a quarter of a million"
_SPELT_WORD = "|".join(["a", "an", "of", "hundred", *_FRACTIONS, *_ONES, *_TENS, *_SCALES])
_SPELT_RUN_RE = re.compile(rf"\b(?:{_SPELT_WORD})(?:(?:\s+and)?[\s-]+(?:{_SPELT_WORD}))+\b")
# "two grand", "1.5 grand", "a grand": thousands of dollars.
_GRAND_RE = re.compile(rf"\b(\d+(?:\.\d+)?|a|{'|'.join(_ONES)}|{'|'.join(_TENS)})\s?grand\b")
# "how many roses make a dollar": one dollar, in a question asking how many it takes.
_A_DOLLAR_RE = re.compile(r"\b(?:a|one)\s+(?:dollar|buck)\b")
# "10 000", "1 250 000": groups of three digits after a space belong to the number before them.
_SPACED_THOUSANDS_RE = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])")
# "10.000", "1.250.000": points between groups of three digits separate thousands, as much of the
# world writes them (a decimal never starts a number written like that: "0.005" is left alone).
_POINT_THOUSANDS_RE = re.compile(r"(?<![\d.,])[1-9]\d{0,2}(?:\.\d{3})+(?![\d]|[.,]\d)")
# Units some languages write in two words (folded): Vietnamese diamonds.
_UNIT_PHRASES = {"kim cuong": "diamonds"}
# "12500 $", "4.99$": a dollar sign after the amount (after the thousands above are joined).
_SIGN_AFTER_RE = re.compile(r"(?<![\w.,$])(\d[\d.,]*)\s?\$(?![\w$])")
# "1,5k", "2,5 mil", "12,50": a comma before one or two digits is a decimal comma (a thousands
# separator is followed by three).
_DECIMAL_COMMA_RE = re.compile(r"(?<=\d),(?=\d{1,2}(?!\d|,\d))")
# "3x lion", "2x galaxy": a count written with an x.
_TIMES_X_RE = re.compile(r"\b(\d+)x\b")
# "galaxy x3", "lion ×2": a count written after the gift.
_NAME_TIMES_RE = re.compile(r"(?<=[a-z])\s+[x×*]\s?(?=\d)")
# "%50": the percent sign first, as Turkish and Arabic write it.
_PERCENT_FIRST_RE = re.compile(r"(?<![\w.])%\s?(\d+(?:\.\d+)?)(?![\d.])")
# "3x a week", "2x daily": a number of times, not of the thing after it.
_TIMES_A_RE = re.compile(r"\b(\d+)x(?=\s*(?:a|per|every|each)\s|\s*(?:daily|weekly|monthly)\b)")
# "10^30", "10**30", "1e30" are powers; an exponent beyond this makes the number unreadable.
_MAX_EXPONENT = 100
_SUPERSCRIPT_RE = re.compile(r"(?<=\d)[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "single": 1, "two": 2, "couple": 2, "pair": 2, "three": 3,
                 "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "fifty": 50, "hundred": 100,
                 "dozen": 12,
                 # "un león", "um leão", "une galaxie", "ein Löwe", "seis leões": gifts counted in other languages
                 "un": 1, "una": 1, "uno": 1, "une": 1, "um": 1, "uma": 1, "ein": 1, "eine": 1, "einen": 1, "bir": 1,
                 "dos": 2, "dois": 2, "duas": 2, "deux": 2, "zwei": 2, "dua": 2, "tres": 3, "trois": 3, "drei": 3,
                 "tiga": 3, "cuatro": 4, "quatro": 4, "quatre": 4, "vier": 4, "empat": 4, "cinco": 5, "cinq": 5,
                 "funf": 5, "lima": 5, "seis": 6, "sechs": 6, "enam": 6, "siete": 7, "sete": 7, "sept": 7,
                 "sieben": 7, "tujuh": 7, "ocho": 8, "oito": 8, "huit": 8, "acht": 8, "delapan": 8, "nueve": 9,
                 "nove": 9, "neuf": 9, "neun": 9, "sembilan": 9, "diez": 10, "dez": 10, "dix": 10, "zehn": 10,
                 "sepuluh": 10}
# Words that may come before a gift's name without being part of it ("tiktok lion", "12 tane rose").
_BEFORE_GIFT_NAME = frozenset({"tiktok", "tt", "big", "little", "tane", "adet", "buah"})
# "that galaxy cost", "the lion he sent": one of a well-known gift, when a word after its name says it
# was sent or asks what it cost ("the cap is $1,000 a day" is no Cap).
_THAT_ONE = frozenset({"that", "this", "the"})
_SENT_CUES = frozenset({"sent", "send", "sends", "sending", "gift", "gifted", "cost", "costs", "worth", "he", "she",
                        "they", "someone", "somebody", "from"})
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u0621-\u064a]+|[$€£%×*+=/]|💎|🪙|🌹|🦁")  # Arabic words too

# Unit words that may follow a number (first token decides; "super fans" is two tokens).
_UNITS: dict[str, str] = {}
for _unit, _words in {
    "diamonds": "diamond diamonds dimond dimonds diamons diamonts diamants diamantes diamanten diamanti elmas 💎"
                " diament diamenty diamentow elmasim elmaslarim elmasi دايموند الدايموند دايموندات"
                " ماسة ماسه ماس الماس الماسة",
    "coins": "coin coins coinz koin koins monedas moedas monete munzen jeton jetons monet monety coinleri 🪙 عملة عملات كوينز كوين الكوين",
    "views": "view views vues vistas plays vids visualizacoes visualizacao visualizaciones visualizzazioni aufrufe",
    "viewers": "viewer viewers viewrs viwers watchers watching people ppl concurrent ccv audience gifters supporters",
    "subs": "sub subs subscriber subscribers subcribers subscibers superfans members memberships suscriptores"
            " suscriptor assinantes assinante abonnenten iscritti abone abonem aboneler abonelerim",
    "followers": "follower followers folowers followrs fans abonnes",  # TikTok's French for followers
    "units": "unit units sales sold orders items products pieces pcs unidades unidad pedidos ventas vendas",
    "hours": "hour hours hrs hr h",
    "minutes": "min mins minute minutes",
    "streams": "stream streams lives sessions",
    "days": "day days night nights",
    "weeks": "week weeks",
    "posts": "post posts deliverable deliverables video videos reel reels",
    "likes": "like likes taps",
}.items():
    for _w in _words.split():
        _UNITS[_w] = _unit
_FILLER = frozenset("of de in on worth tiktok tt more qualified total extra about around roughly like the my creator rewards live"
                    " avg average tane adet buah".split())  # "1,200 avg viewers", Turkish and Indonesian counters
_GIFT_WINDOW = 4
# Words before a gift named a second time ("those 3 Galaxies"): the same gifts, not more of them.
_AGAIN_WORDS = frozenset({"those", "these", "that", "the", "this", "both"})
# Words between the two sides of a rate ("1 diamond = 5 cents", "2 coins make 1 diamond"); those of the
# second set only beside one of the first ("is worth").
_RATE_WORDS = frozenset({"=", "make", "makes", "equals", "equal", "is", "worth", "to"})
_RATE_WORDS_ALONE = frozenset({"is", "worth", "to"})
# A number followed by one of these is cents of a dollar.
_CENT_WORDS = frozenset({"c", "cent", "cents", "¢", "centavos", "centimos"})
_PRICE_WORDS = frozenset({"at", "@", "priced", "costs", "cost", "price", "paying"})
DEFAULT_HOURS = Decimal(2)
# A number with no unit in a withdrawal question is a balance from here up ("withdraw 4k"); below it
# is more likely a count ("can i withdraw 2 times a day").
_BARE_BALANCE_MIN = 100
# A bare count from here up in a question that names diamonds (or coins) elsewhere is that many of them.
_BARE_UNIT_MIN = 100
_BARE_UNIT_REACH = 8  # words before the count in which the unit is named
_BARE_UNITS = frozenset({"diamonds", "coins"})
# Words a bare amount to earn follows: "how many diamonds to make 500".
_GOAL_WORDS = frozenset({"make", "earn", "reach", "hit", "making", "earning", "get"})

# Questions about a fact that happen to hold a number: "is it still 16 to go live?",
# "do 2 coins make 1 diamond?", "how do i get brand deals with 3k followers". The knowledge base answers.
# Whole words that are cues on their own ("is it still legit", "my cousin says", "a stranger dm'd me",
# "is it safe"), and words starting with these, are looked up in a set (one regex of them all was
# the slowest step of reading a question); the cues of several words are `_FACT_RE`.
_FACT_WORDS = frozenset("""realistic legit normal scam free change changed bonus age why true heard minimum min
    wrong tip tips advice refund refunds dm dms dmd dmed pmd pmed inbox offer offered offers offering promise
    promised said says saying claim claims claimed swear swears sus login password proof safe won trick deposit
    giftcard giftcards upfront""".split())
_FACT_PREFIXES = ("verif", "risk")
_WORD_RUN_RE = re.compile(r"\w+")
# Each way that starts with a word is written `word(?<=\bword)` rather than `\bword`: the same match,
# but a pattern that starts with letters lets `re` jump from one likely start to the next instead of
# trying every alternative at every position (about four times faster over varied questions).
_FACT_RE = re.compile(
    r"or(?<=\bor)\b[^?]*(?:\?|$)|still\s+\$?\d|is(?<=\bis)\s+it\s+(?:still|true)\b"
    r"|is\s+that\s+(?:right|true|real|correct|good|fair)|did\s+they\s+change"
    r"|year(?<=\byear)s?\s+old\b|\d\s?yo\b|to(?<=\bto)\s+go\s+live\b|get(?<=\bget)\s+(?:it|that|them|my\s+money)\s+back\b"
    r"|pm(?<=\bpm)'e?d\b"  # someone else's offer: scams
    r"|buy(?<=\bbuy)\s+(?:my|your|ur)\s+(?:diamonds?|account|balance)"  # someone buying a creator's diamonds: scams
    r"|^(?:so\s+|ok\s+|and\s+|but\s+|if\s+[^,?]*?\s)?(?:do|does|did|can|could|is|are|will|would|should)\s"
    r"|how(?<=\bhow)\s+(?:do|can|should|would)\s+i\s+(?:get|find|start|land|grow|become|reach)\b"
    r"|how(?<=\bhow)\s+(?:do\s+i\s+|can\s+i\s+|to\s+)?(?:turn|increase|boost|improve|raise|double|scale)\b"  # growing earnings
    r"|can(?<=\bcan)'?t\s+be\s+right"  # checking a claim
    r"|log(?<=\blog)\s+in\b|gift(?<=\bgift)\s+cards?\b|up(?<=\bup)\s+front\b"  # is this offer a scam
    r"|(?:processing(?<=\bprocessing)|unlock(?<=\bunlock)|release(?<=\brelease))\s+fee\b"
    r"|where(?<=\bwhere)\s+(?:did|does|do|is)\b[^?]*\bgo(?:es|ne)?\b"  # "where did the rest go": the cut
    r"|how\s*much\s*(?:percent|%)|what\s+(?:percent|percentage)\b"  # a share asked for, not a sum
    r"|can(?<=\bcan)\s+i\s+(?:join|apply|qualify|enter|sign\s+up)\b|eligible(?<=\beligible)\s+(?:for|to)\b"
    r"|am(?<=\bam)\s+i\s+eligible"
    # a yes/no question after the story: "… 22 viewers avg. but those hearts, do they count toward my earnings"
    r"|[.?!,;:]\s*(?:so\s+|but\s+|and\s+|ok\s+)?(?:do|does|did|can|could|is|are|will|would|should)"
    r"\s+(?:they|it|those|these|that|there|this|tiktok)\b"
)
# Asking for a figure outright, which beats a fact cue ("can you calculate 40k diamonds"); not "paid
# according to how many viewers join", which asks how pay works.
_STRONG_RE = re.compile(  # words first, boundaries after them, as in `_FACT_RE`
    r"(?:how|hw)\s*much(?!\s*(?:percent|%))|how(?<!\bto\show)(?<!\bon\show)\s*many"
    r"|cuant(?<=\bcuant)[oa]s?\b|quant(?<=\bquant)[oa]s?\b|combien(?<=\bcombien)|kac(?<=\bkac)\s+dolar"  # "how much" elsewhere
    r"|worth(?<=\bworth)\b(?!\s+(?:it\b|the\s+same|of\b|(?:a|one|half\s+a)\s+(?:cent|penny|dollar|buck)\b))"
    r"|in\s+(?:usd|dollars?|\$)|payout(?<=\bpayout)\b|=\s*\??\s*$|=\s*how|calc(?<=\bcalc)\b"
    r"|calculat(?<=\bcalculat)(?:e|ion)\b|calculator(?<=\bcalculator)\b(?!\s+(?:says?|said|shows?|showed|gives?|gave)\b)"
    r"|convert(?<=\bconvert)|estimate(?<=\bestimate)|number(?<=\bnumber)\s+of\s+days\b"
    r"|what\s+(?:do|would|will|did|could|can)\s+i\s+(?:\w+\s+)?(?:get|make|earn|keep|receive)"
    r"|what(?:\s+is|'s|s)\s+(?:it|that|this)\s+(?:actually|really|in\s+(?:real\s+)?money)"  # after a claim: the figure
    r"|(?:real(?<=\breal)|actual(?<=\bactual)|true(?<=\btrue)|correct(?<=\bcorrect)|right(?<=\bright))\s+(?:number|figure|amount|total)\b"
    r"|is\s+(?:that|this|the|their|his|her)\s+(?:figure|number|amount|total|math|maths)\s+(?:right|correct|accurate)"
    r"|what\s+(?:does|did|would|will|should)\s+(?:\S+\s+){0,3}(?:cost|pay\s+me)\b"
    r"|what(?:'s|s|\s+is)\s+my\s+(?:\w+\s+){0,2}(?:number|figure|cut|take|payout|income|earnings)\b"
)
# A LIVE or monthly projection from defaults needs an explicit ask, not just "30 viewers".
_PROJECTION_RE = re.compile(r"how\s*much|hw\s*much|what\s+(?:could|can|would|will|do|did|might)\s+i\s+(?:\w+\s+)?(?:make|earn|get)"
                            r"|what(?:'s|s|\s+is|\s+would\s+be)\s+that\b"
                            r"|\bestimate|\bcalc|\bprojection|\bpotential|\bexpect|\bearn(?:ings?)?\b|\bincome\b")
# An amount earned each stream or period is added up only when the question asks for the sum: "$3 a
# stream, 4 nights a week … what moves the needle" asks something else.
_TOTAL_RE = re.compile(r"how\s*much|hw\s*much|what(?:'s|s|\s+is|\s+would\s+be|\s+does|\s+do)\s+(?:that|this|it)\b"
                       r"|total(?<=\btotal)\b|in(?<=\bin)\s+all\b|altogether|come(?<=\bcome)s?\s+to\b|add(?<=\badd)s?\s+up\b"
                       r"|end(?<=\bend)\s+up\s+with\b|left(?<=\bleft)\s+for\s+me\b|cuanto(?<=\bcuanto)|quanto(?<=\bquanto)"
                       r"|berapa(?<=\bberapa)|combien(?<=\bcombien)|wie(?<=\bwie)\s*viel")
_INVERSE_RE = re.compile(
    r"how\s*many\s+(?P<what>[a-z💎🪙🌹🦁' ]{2,40}?)\s*(?:do\s+i\s+|would\s+i\s+|can\s+|does\s+|will\s+|to\s+|for\b|with\b|is\b|are\b|make|=|equals?|until|till|til|\?|$)"
    r"|(?P<what2>[a-z💎🪙🌹🦁' ]{2,30}?)\s+(?:needed|required|i\s+need|do\s+i\s+need)\s+(?:for|to)"
    r"|\b[cq]uant[oa]s\s+(?P<what3>[a-z' ]{2,30}?)\s+(?:necesito|preciso|para|pra|por|=)"  # Spanish, Portuguese
    r"|(?:berapa(?<=\bberapa)|ilang(?<=\bilang))\s+(?P<what4>[a-z' ]{2,30}?)\s+(?:yang\s+)?(?:dibutuhkan|diperlukan|perlu|butuh|untuk|buat"
    r"|kailangan|para|=)"  # Indonesian, Tagalog
)
# The words of `_WITHDRAW_RE` a bare balance stands next to ("withdraw 4k", "4k to cash out"); "got my 1k
# finally … when i hit withdraw" counts followers.
_WITHDRAW_WORDS = ("withdraw", "widthdraw", "wdraw", "cash", "out", "payout", "auszahl", "retir", "saca", "saque", "tarik",
                   "cekme", "cekim")
_WITHDRAW_RE = re.compile(r"withdraw|widthdraw|wdraw|cash(?:ing)?[\s-]*(?:it\s+)?(?:all\s+)?out|take\s+(?:it\s+)?(?:all\s+)?out|pull\s+(?:it\s+)?(?:all\s+)?out"
                          r"|(?:get|its|it\s+is)\s+(?:it\s+)?all\s+out|payout\s+limit|(?:daily|a\s+day|per\s+day)\s+(?:cap|limit)"
                          r"|auszahl|retir(?<=\bretir)(?:ar|o|er|ada)\b|retrait(?<=\bretrait)|sac(?<=\bsac)(?:ar|o)\b"
                          r"|saque(?<=\bsaque)|tarik(?<=\btarik)\b|cek(?<=\bcek)(?:mek|im|er|erim)\b|rut(?<=\brut)\s+(?:tien|het|duoc)"
                          r"|سحب|اسحب")
_POINTS_RE = re.compile(r"\bpoints?\b")
# An amount next to one of these is the daily cash-out cap, not the balance to withdraw.
_CAP_WORDS = frozenset({"cap", "limit", "daily", "max", "maximum"})
# A gift counted only by a word ("a rose", "un león") is an amount to work out when the question asks
# what it is worth; "when someone sends a rose where does that go" asks how gifts work.
_VALUE_RE = re.compile(r"how\s*much|how\s*many|\bget\b|worth|value|\bpay|\bpaid|\bmake|\bmade|\bearn|\bcost|\bprice|\bmoney|\bcash"
                       r"|[$€£=]|dollar|dolar|\busd\b|cuant|quant|berapa|wie\s*viel|combien|magkano|ne\s+kadar|kac\b|dinero|dinheiro"
                       r"|\bwert\b")
# Words that join gifts in a list ("galaxy + 5 roses", "a lion and a universe"); commas are not tokens.
_LIST_JOINS = frozenset(("+", "and", "plus", "n", "&"))
_LIST_JOIN_TOKENS = tuple([w] for w in _LIST_JOINS)
# Words right after a gift named with no count that ask what it is worth.
_NAMED_WORTH = frozenset(("=", "worth", "value", "price"))
# Views of a LIVE ("my live got 10k views") pay nothing: Creator Rewards pay for views of videos.
_LIVE_VIEWS_RE = re.compile(r"\b(?:live|lives|stream|streams|streaming|livestream)\b")
_VIDEO_VIEWS_RE = re.compile(r"\bvideos?\b|\bvids?\b|\bposts?\b|creator\s*rewards|creativity|\brpm\b|qualif")
# "how long till i can withdraw $100 if i earn 2,000 diamonds a day": the days of earning an amount takes.
_HOW_LONG_RE = re.compile(r"how\s+long|how\s+many\s+days|how\s+soon|\b(?:till|until|til)\b")
_AFFILIATE_RE = re.compile(r"commission|comission|commision|comision|comissao|commissione|\bcomm\b|affiliate|\bsold\b|\bsales?\b|\bshop\b|\beach\b")
# A sales total with a commission: "sold $3,000 of products", "gmv $10k", "$500 in sales".
_SALES_TOTAL_RE = re.compile(r"commission|comission|commision|comision|comissao|commissione|affiliate|\bgmv\b|\bsold\b|\bsales?\b")
_COMMISSION_WORDS = ("commission", "comission", "commision", "comision", "comissao", "commissione", "comm",
                     "affiliate", "gives", "pays")
_SPEND_RE = re.compile(r"(?:worth\s+of|in|into|to|of|on|de|en|em)\s+(?:gifts?|coins?|monedas|moedas|regalos|presentes)|gifts?\s+(?:worth|on\s+screen|counter|total|tally)|spent|spend|bought"
                       r"|\bbuy(?:s|ing)?\b|recharged?")
# Money right before one of these was spent on it: "a $100 gift", "the $100 coin pack".
_SPENT_ON = (["gift"], ["gifts"], ["coin"], ["coins"])
# Words after a bare sales total: "5k in sales", "10k worth of sales", "8k gmv".
_SALES_AFTER = (("gmv",), ("in", "gmv"), ("in", "sales"), ("of", "sales"), ("worth", "of", "sales"), ("in", "sale"))
# What the viewers who sent the gifts paid: "how much did the viewer spend for 10k diamonds".
_VIEWER_COST_RE = re.compile(r"\b(?:viewers?|senders?|gifters?|fans?|supporters?)\s+(?:\w+\s+){0,2}(?:spen[dt]|paid|pay)\b"
                             r"|\bcost\s+(?:the\s+|my\s+|a\s+)?(?:viewers?|senders?|gifters?|fans?)\b")
_WEB_RE = re.compile(r"web\s?site|\bweb\b|tiktok\.com|browser|online\s+store")
_APP_RE = re.compile(r"\bapp\b|iphone|ios|android|play\s+store|app\s+store")
# Gift emoji people type for the gift itself: "3 🦁 and 10 🌹".
_EMOJI_GIFTS = {"🦁": "lion", "🌹": "rose"}
# "How many coins to make $100" is about the creator's pay, not what a viewer spends.
_EARN_RE = re.compile(r"\b(?:make|earn|get\s+paid|paid\s+out|payout|cash\s+out|withdraw)\b")
# "only half of them qualified": a 50% qualified share.
_HALF_QUALIFIED_RE = re.compile(r"\bhalf\b(?:\s+\w+){0,3}\s+qualif|qualif\w*(?:\s+\w+){0,2}\s+half\b")
# A number right after one of these is that many of it ("diamonds: 23,400", "coins 5000").
_UNIT_BEFORE = frozenset({"diamonds", "coins"})
_DOLLAR_WORDS = frozenset({"usd", "dollars", "dollar", "$", "cash", "money"})
# "rpm in 2025", "since 2024": a year, not an amount.
_YEAR_WORDS = frozenset({"in", "since", "of", "for", "from", "until", "by", "before", "after", "during"})
# "what's $1000 in diamonds": dollars to diamonds.
_IN_DIAMONDS_RE = re.compile(r"\b(?:in|to|into)\s+(?:diamonds?|dimonds?|💎)\b")
# "how much per hour" with no stream length: one hour.
_PER_HOUR_RE = re.compile(r"\bper\s+hour\b|\ban\s+hour\b|\bhourly\b|/\s?h(?:ou)?r?\b")
# Currencies people name, by ISO code: a symbol, or words (a regex each, folded text). Only names
# that mean one currency ("rupees" and "pesos" are several countries').
_CURRENCY_NAMES: dict[str, tuple[str, str]] = {
    "EUR": ("€", r"euros?|eur"), "GBP": ("£", r"pounds?|quid|gbp"), "NGN": ("₦", r"naira|ngn"),
    "INR": ("₹", r"inr|indian\s+rupees?"), "PHP": ("₱", r"php|philippine\s+pesos?"), "MXN": ("", r"mxn|mexican\s+pesos?"),
    "BRL": ("", r"reais|brl"), "IDR": ("", r"rupiah|idr"), "JPY": ("", r"yen|jpy"), "CAD": ("", r"cad"),
    "AUD": ("", r"aud"), "GHS": ("", r"cedis?|ghs"), "ZAR": ("", r"rand|zar"), "KES": ("", r"kes|ksh"),
    "PKR": ("", r"pkr"), "TRY": ("", r"lira"), "VND": ("", r"vnd"), "MYR": ("", r"ringgit|myr"),
    "THB": ("", r"baht|thb"), "BDT": ("", r"taka|bdt"), "EGP": ("", r"egp"),
}
_CURRENCY_NAME = "|".join(f"(?P<{code}>{words})" for code, (_, words) in _CURRENCY_NAMES.items())
_CURRENCY_SIGN = "".join(sign for sign, _ in _CURRENCY_NAMES.values())
# Another currency named in the question ("€50 of coins", "10k diamonds in pounds"): without a rate
# its amounts are read as US dollars, and the answer says so. (No named groups: this runs on every
# question with a number, and Python's `re` searches an alternation of groups four times slower.)
_OTHER_CURRENCY_RE = re.compile(rf"[{_CURRENCY_SIGN}]|\b(?:{'|'.join(w for _, w in _CURRENCY_NAMES.values())}"
                                r"|pesos?|rupees?)\b")
# A rate the question states ("if $1 = 1,500 naira", "1 usd = 0.80 gbp", "£1 is $1.25", "at 1500
# naira to the dollar"): the answer shows its amounts in that currency at that rate too.
_RATE_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ONE_DOLLAR = r"(?:\$\s?1(?:\.0+)?(?![\d.,])|\b(?:1|one|a)\s?(?:usd|us\s?dollars?|dollars?|bucks?)\b|\b1\s?\$)"
_RATE_IS = r"\s*(?:=+|≈|~|:|->|→|to|equals|(?:is|'s|gets?(?:\s+you)?)(?:\s+(?:about|around|roughly|like|worth))?)\s*"
_THEIRS = rf"(?:(?P<sign>[{_CURRENCY_SIGN}])\s?(?P<sign_rate>{_RATE_NUMBER})|(?P<rate>{_RATE_NUMBER})\s?(?:{_CURRENCY_NAME}))"
_STATED_RATE_RES = (
    re.compile(rf"{_ONE_DOLLAR}{_RATE_IS}{_THEIRS}(?![a-z\d])"),  # $1 = 1,500 naira
    re.compile(rf"{_THEIRS}\s*(?:to|per|for|a|an|each)\s+(?:the\s+|one\s+|1\s+|a\s+|each\s+)?"
               r"(?:\$|usd|us\s?dollars?|dollars?|bucks?)(?![a-z])"),  # 1,500 naira to the dollar
    re.compile(rf"(?:(?P<sign_one>[{_CURRENCY_SIGN}])\s?1|\b1\s?(?:{_CURRENCY_NAME})){_RATE_IS}"
               rf"(?:\$\s?(?P<usd>{_RATE_NUMBER})|(?P<usd2>{_RATE_NUMBER})\s?(?:usd|us\s?dollars?|dollars?|bucks?|\$))"
               r"(?![a-z\d])"),  # £1 = $1.25
)
_RATE_PLACES = Decimal("0.000001")  # a dollar's worth worked out from the other currency's, to six places
_CODE_OF_SIGN = {sign: code for code, (sign, _) in _CURRENCY_NAMES.items() if sign}
_IN_USD = ("amounts in US dollars, as LiveTally's rates are (moderators can show a local currency too: "
           "`/rates set key:currency value:EUR`)")
# A percentage near one of these is the creator's share of a price ("i keep 50%", "me quedo con el 50%").
_SHARE_WORDS = ("share", "keep", "split", "get", "cut", "%", "quedo", "queda", "fico", "fica", "recibo", "recebo",
                "kaliyor", "bana")
# A percentage near one of these is the creator's own US Scaled LIVE Rewards rate.
_SCALED_WORDS = ("scaled", "rewards", "reward", "tier", "missions", "mission", "slr")
# Units whose single one ("1 diamond", "one coin") is asked about as what one is worth.
_ONE_OF = frozenset({"diamonds", "coins"})
_BUY_WORDS = frozenset({"bought", "buy", "buys", "purchased", "ordered", "order", "orders"})
# "average gift 300 coins", "avg 50 coins": a gift's typical size, just before its coins.
# Amounts a question lists to be added up, what may stand between them, and words that make two a range.
_SUMMED_UNITS = frozenset({"diamonds", "coins", "views"})
_LIST_WORDS = frozenset({"and", "+", "&", "/", "plus", "then", "y", "e", "dan", "ve", "und", "et", "n",
                         "yesterday", "today", "tonight", "monday", "tuesday", "wednesday", "thursday", "friday",
                         "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun"})
_LIST_UNIT_REACH = 6  # words before a list of bare numbers in which its unit may be named
_RANGE_WORDS = frozenset({"between", "from", "entre", "antara", "either"})
_AVERAGE_WORDS = frozenset({"average", "avg", "averages", "averaging", "averaged", "typical", "usual", "usually",
                            "mean", "median", "media", "promedio", "moyenne"})
# "each gifter sends 50 coins": the coins one person sends.
_GIFTER_WORDS = frozenset({"gifter", "gifters", "viewer", "fan", "supporter", "one", "person", "of"})
# Words for an agency ("the company that manages me takes 20%").
_AGENCY_WORDS = ("agency", "agent", "manager", "mcn", "agencies", "agensy", "manages", "management", "agencia",
                 "agensi", "agence", "agentur", "agenzia", "ajans", "ajansim", "ajansi")
# Followers with one of these ask what a sponsored post pays. Not "rate" or "charge" alone: "at the normal
# rate", "does tiktok charge a fee", with a follower count only as the story around the question.
_BRAND_RE = re.compile(r"brand|sponsor|sponser|collab|promo|\bdeal\b|\bposts?\b|\bmy\s+rate\b|rate\s+card"
                       r"|\b(?:should|can|could|do|would)\s+i\s+charge\b|\bcharge\s+(?:a\s+brand|brands|them|for\b)")
# A share of views near one of these is the share that qualifies for Creator Rewards.
_QUALIFIED_WORDS = ("qualified", "qualify", "qualifying", "eligible", "calificadas", "calificados", "calificada",
                    "qualificadas", "qualificados", "validas", "valides", "memenuhi")
# A share of viewers near one of these is the share who send gifts.
_GIFTING_WORDS = ("gift", "gifts", "gifters", "gifting", "send", "tip")
# "1,000 coins every stream": an amount per stream, times the streams.
_PER_STREAM_RE = re.compile(r"\b(?:per|every|each|a)\s+(?:stream|live|session)\b")
# Asking what viewers themselves are paid for ("how much does tiktok pay for that kind of traffic").
_PAID_FOR_VIEWERS_RE = re.compile(r"\bpay(?:s|ing)?\s+(?:me\s+|you\s+|u\s+|ya\s+|us\s+|streamers\s+)?(?:anything\s+)?(?:for|per)\s+"
                                  r"(?:that|this|those|these|them|the|all|each|every|a|[\d.,]+k?)?\s*(?:kind\s+of\s+)?"
                                  r"(?:(?:live|tiktok|stream|concurrent|extra)\s+)?(?:traffic|views?|viewers?|people|ppl|watchers|visitors|person)\b"
                                  # "300 people watching … how much does tiktok pay me for that?"
                                  r"|\bpay(?:s|ing)?\s+(?:me|you|u|us)\s+for\s+(?:that|this|it|them)\s*[?.!]*\s*$")
# Shorter words ("in", "of") are never a misspelt part of a gift's name.
_TYPO_MIN_LENGTH = 4
# "my last 3 lives": streams a question takes its figures from, not the streams it asks about.
_SAMPLE_WORDS = frozenset({"last", "past", "previous", "recent", "prior", "latest", "first"})
# "20 times a month", "go live 10 times": streams.
_TIMES_RE = re.compile(r"\b(\d{1,3})\s*(?:times|vezes|veces|fois)\b")
# "3,000 diamonds a day … what's that a month": an amount per period, asked over a longer one. Days in
# each period, and how many of one make the next (a month is 30 days, as for streams "every day").
_PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365}
_PERIOD_WORDS = {"day": "day", "daily": "day", "week": "week", "weekly": "week", "wk": "week", "month": "month",
                 "monthly": "month", "year": "year", "yearly": "year", "annually": "year", "yr": "year",
                 "dia": "day", "semana": "week", "semaine": "week", "mes": "month", "mois": "month"}
_PER_WORDS = frozenset({"a", "per", "each", "every", "/", "in", "for", "over", "the", "whole", "an", "entire", "full",
                        "por", "par", "al", "la", "cada"})
_OVER: dict[tuple[str, str], tuple[Decimal, str]] = {
    ("day", "week"): (Decimal(7), "7 days in a week"), ("day", "month"): (Decimal(30), "30 days in a month"),
    ("day", "year"): (Decimal(365), "365 days in a year"), ("week", "month"): (Decimal(30) / 7, "30 ÷ 7 weeks in a month"),
    ("week", "year"): (Decimal(52), "52 weeks in a year"), ("month", "year"): (Decimal(12), "12 months in a year"),
}
_MONTH_RE = re.compile(r"\bmonth|\bmonthly|/\s?mo\b|\ba\s+mo\b|per\s+mo\b|\bweek|\bdays?\s+a\b|\bevery\s+day\b|\bdaily\b")


class GiftResolver(Protocol):
    def resolve(self, name: str, *, typos: bool = True) -> Any: ...


@dataclass(frozen=True)
class Quantity:
    """A number the question states, with its unit and where it sits (token positions)."""

    value: Decimal
    unit: str  # usd, percent, diamonds, coins, views, viewers, subs, followers, units, hours, … or "gift"
    start: int
    end: int
    gift: Any = None
    parts: tuple[Decimal, ...] = ()  # the listed amounts a total was added up from ("12k, 8.5k and 20k diamonds")
    averaged: bool = False  # the value is the parts' average ("my lives averaged 4k, 6k and 8k diamonds")


@dataclass(frozen=True)
class Parsed:
    """The calculation a question asks for: a kind of `bot.calc.registry.KINDS`, its parameters
    (as `compute()` takes them), anything the question left out that had to be assumed, and the
    working that led from the question's own numbers to the parameters."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    assumed: tuple[str, ...] = ()
    worked: tuple[str, ...] = ()
    # A currency the question gave a rate for: its ISO code and units per US dollar.
    currency: tuple[str, Decimal] | None = None


def _accentless_char(ch: str) -> str:
    """One character of NFKD text as `fold` keeps it: combining marks (accents) dropped, curly
    apostrophes straightened, everything else as it is (numbers keep their signs and points)."""
    if unicodedata.category(ch) == "Mn":
        return ""
    return "'" if ch in APOSTROPHES else ch


_ACCENTLESS = CharTable(_accentless_char)


def fold(text: str) -> str:
    if text.isascii():  # nothing for Unicode to normalise, no accents to drop
        return text.lower()
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold()).translate(_ACCENTLESS)


def tokenize(text: str) -> list[str]:
    """Numbers (with $, k/M, % folded in as single tokens) and words."""
    if not _DIGIT_RE.search(text):  # every number holds a digit: words only
        return _TOKEN_RE.findall(text)
    return _numbers_and_words(text)


def _numbers_and_words(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    for match in _NUMBER_RE.finditer(text):
        out += _TOKEN_RE.findall(text[pos:match.start()])
        out.append(match.group(0).strip())
        pos = match.end()
    out += _TOKEN_RE.findall(text[pos:])
    return out


def number_of(token: str) -> tuple[Decimal, bool, bool] | None:
    """(value, is_money, is_percent) of a number token, or None if the token is not a number."""
    if not token or not (token[0] in _NUMBER_STARTS or token[0].isdigit() or token[0].isspace()):
        return None  # a number starts with a currency sign, a digit or a point (words are most tokens)
    match = _NUMBER_RE.fullmatch(token)
    if not match:
        return None
    try:
        value = Decimal(match.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    exponent = match.group("exp") or match.group("sci")
    if exponent is not None:
        power = int(exponent)
        if abs(power) > _MAX_EXPONENT:
            return None
        try:
            value = value ** power if match.group("pow") else value.scaleb(power)
        except ArithmeticError:  # 0^0
            return None
        if not value.is_finite():  # 0^-1
            return None
    if match.group("mult"):
        value *= _MULTIPLIERS[match.group("mult")]
    return value, bool(match.group("cur") or match.group("cur2")), bool(match.group("pct"))


class QuestionParser:
    """Finds the estimate a question states; the gift catalogue resolves gift names."""

    def __init__(self, gifts: GiftResolver, words: Collection[str] = frozenset()) -> None:
        self.gifts = gifts
        # The first words of the well-known gifts' names (and their plurals): "that galaxy" is looked up
        # only when a name can start after "that" (most questions hold a "the").
        firsts = {normalize(n).split()[0] for g in getattr(gifts, "gifts", ()) if g.popular for n in (g.name, *g.aliases)}
        self._popular_starts = frozenset(firsts | {f + "s" for f in firsts} | {f + "es" for f in firsts}
                                         | {f[:-1] + "ies" for f in firsts if f.endswith("y")})
        # Words known to be spelt right (the knowledge base's): never read as a gift's name misspelt,
        # so "a price list" has no Prince in it and "a diamond in pounds" no Diamond Ring.
        self.words = words

    # --- reading quantities -----------------------------------------------------------------

    def quantities(self, tokens: Sequence[str]) -> list[Quantity]:
        found: list[Quantity] = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            first = token[:1]  # `number_of` says None for a token that can't start a number (most are words)
            parsed = number_of(token) if first in _NUMBER_STARTS or first.isdigit() else None
            word_count = _WORD_NUMBERS.get(token)
            if parsed is None and word_count is None:
                if token in _THAT_ONE and i + 1 < len(tokens) and tokens[i + 1] in self._popular_starts \
                        and (gift := self._gift_after(tokens, i + 1, typos=False))[0] is not None \
                        and gift[0].popular and not _SENT_CUES.isdisjoint(tokens[gift[1]:gift[1] + 4]):
                    # "what did that galaxy cost him", "the lion he sent": one of a well-known gift
                    found.append(Quantity(Decimal(1), "gift", i, gift[1], gift[0]))
                    i = gift[1]
                    continue
                i += 1
                continue
            if parsed is None:
                gift, end = self._gift_after(tokens, i + 1)
                if gift is not None:
                    found.append(Quantity(Decimal(word_count), "gift", i, end, gift))
                    i = end
                    continue
                i += 1
                continue
            value, is_money, is_percent = parsed
            if is_percent:
                found.append(Quantity(value, "percent", i, i + 1))
                i += 1
                continue
            if is_money:
                found.append(Quantity(value, "usd", i, i + 1))
                i += 1
                continue
            if i + 1 < len(tokens) and tokens[i + 1] in _CENT_WORDS:  # "rpm at 45c", "50 cents"
                found.append(Quantity(value / 100, "usd", i, i + 2))
                i += 2
                continue
            if i >= 2 and tokens[i - 1] in ("x", "×", "*") and (
                    named := self._gift_before(tokens, i - 1, found[-1].end if found else 0)) is not None:
                found.append(Quantity(value, "gift", named[1], i + 1, named[0]))  # "galaxy x3", "confetti x15 diamonds to usd"
                i += 1
                continue
            unit, end = self._unit_after(tokens, i + 1)
            if unit is None:
                gift, end = self._gift_after(tokens, i + 1)
                if gift is not None:
                    found.append(Quantity(value, "gift", i, end, gift))
                    i = end
                    continue
                # "30 subs at 4.99", "sold 40 @ 12.50 each": a bare price is money.
                priced = i > 0 and tokens[i - 1] in _PRICE_WORDS or (i + 1 < len(tokens) and tokens[i + 1] == "each")
                unit, end = ("usd" if priced and "rpm" not in tokens[i + 1:i + 3] else "count"), i + 1
                if unit == "count" and (before := _unit_before(tokens, i)) is not None:
                    unit = before
                elif unit == "count" and _is_year(value) and i > 0 and tokens[i - 1] in _YEAR_WORDS:  # "in 2025"
                    i += 1
                    continue
            found.append(Quantity(value, unit, i, end))
            i = end
        return _apply_multipliers(found, tokens)

    def _gift_named_first(self, tokens: Sequence[str]) -> list[Quantity]:
        """One of the popular gifts named first and asked its worth with no count ("castle fantasy = how
        much", "galaxy worth?"). Only these: many gift names are everyday words (Star, Family, Heart), and
        "worth it" asks something else. The TikTok gift is the platform's name ("tiktok value")."""
        if _NAMED_WORTH.isdisjoint(tokens[1:_GIFT_WINDOW + 2]) and "how" not in tokens[1:_GIFT_WINDOW + 2]:
            return []
        first = next((t for t in tokens if t not in _BEFORE_GIFT_NAME), "")
        if first not in self._popular_starts:  # most questions start with no gift's name
            return []
        gift, end = self._gift_after(tokens, 0)
        if gift is None or not gift.popular or gift.name == "TikTok":
            return []
        if tokens[end:end + 1] == ["gift"]:
            end += 1
        asks = tokens[end:end + 1] and tokens[end] in _NAMED_WORTH and tokens[end + 1:end + 2] != ["it"]
        if asks or tokens[end:end + 2] == ["how", "much"]:  # "sports car gift how much i get"
            return [Quantity(Decimal(1), "gift", 0, end, gift)]
        return []

    def _listed_gifts(self, text: str, tokens: Sequence[str], found: list[Quantity]) -> list[Quantity]:
        """`found` with the popular gifts named without a count in a list beside a counted gift: one
        each ("sports car + galaxy + 5 doughnuts", "interstellar and a private jet"); with no counted
        gift, a list of two or more in a question that asks for a figure ("phoenix + pegasus, my cut in usd")."""
        gifts = [q for q in found if q.unit == "gift"]
        if not _LIST_JOINS.intersection(tokens) or not (gifts or _strong_compute(text)):
            return found
        taken = {i for q in found for i in range(q.start, q.end)}
        listed: list[Quantity] = []
        for i in range(len(tokens)):
            after_join_or_quantity = i == 0 or tokens[i - 1] in _LIST_JOINS or i - 1 in taken
            if i in taken or tokens[i] in _LIST_JOINS or not after_join_or_quantity:
                continue
            gift, end = self._gift_after(tokens, i, typos=False)
            if gift is not None and gift.popular and gift.name != "TikTok" and not taken.intersection(range(i, end)):
                listed.append(Quantity(Decimal(1), "gift", i, end, gift))
        if not gifts:  # the list starts at a gift one join word before another
            first = next((q for q in listed if tokens[q.end:q.end + 1] in _LIST_JOIN_TOKENS
                          and any(r.start == q.end + 1 for r in listed)), None)
            if first is None:
                return found
            gifts, listed = [first], [q for q in listed if q is not first]
        # Keep those joined to the list: next to a gift in it, or one join word away, link by link.
        linked = True
        while listed and linked:
            ends = {q.end for q in gifts} | {q.end + 1 for q in gifts if tokens[q.end:q.end + 1] in _LIST_JOIN_TOKENS}
            starts = {q.start for q in gifts} | {q.start - 1 for q in gifts if tokens[q.start - 1:q.start] in _LIST_JOIN_TOKENS}
            joined = [q for q in listed if q.start in ends or q.end in starts]
            linked = bool(joined)
            gifts += joined
            listed = [q for q in listed if q not in joined]
        extra = [q for q in gifts if q not in found]
        return sorted(found + extra, key=lambda q: q.start) if extra else found

    def _unit_after(self, tokens: Sequence[str], start: int) -> tuple[str | None, int]:
        j = start
        while j < len(tokens) and j < start + 3 and tokens[j] in _FILLER:
            j += 1
        if j >= len(tokens):
            return None, start
        word = tokens[j]
        if word == "super" and j + 1 < len(tokens) and tokens[j + 1] in ("fan", "fans"):
            return "subs", j + 2
        if word == "qualified" and j + 1 < len(tokens) and tokens[j + 1] in ("view", "views"):
            return "views", j + 2
        unit = _UNITS.get(word)
        if unit is None and word in ("rpm", "cpm"):
            return "rpm_after", j + 1
        return (unit, j + 1) if unit else (None, start)

    def _gift_before(self, tokens: Sequence[str], end: int, free_from: int) -> tuple[Any, int] | None:
        """The gift named by the words just before `end`, none of them before `free_from` (words another
        quantity took): (gift, where its name starts), or None."""
        for start in range(max(free_from, end - _GIFT_WINDOW), end):
            gift, stop = self._gift_after(tokens, start)
            if gift is not None and stop == end:
                return gift, start
        return None

    def _gift_after(self, tokens: Sequence[str], start: int, typos: bool = True) -> tuple[Any, int]:
        """The longest run of up to four words after `start` that names a gift, spelt right; else (if
        `typos`) the longest one a typo away ("5 lions make" is Lions, not a misspelt Lion's Mane)."""
        j = start
        while j < len(tokens) and tokens[j] in _BEFORE_GIFT_NAME:
            j += 1
        words = tokens[j:j + _GIFT_WINDOW]
        sizes = [size for size in range(len(words), 0, -1)
                 if not any(number_of(w) or w in "$€£%×*+=/" for w in words[:size])]
        for typo in (False, True)[:1 + typos]:
            for size in sizes:
                if typo and all(len(w) < _TYPO_MIN_LENGTH or w in self.words for w in words[:size]):
                    continue  # every word spelt right: not a typo of a name
                gift = (self.gifts.resolve(" ".join(tokens[start:j + size]), typos=typo) if j > start else None) or (
                    self.gifts.resolve(" ".join(words[:size]), typos=typo))  # "tiktok stars" before "stars"
                if gift is not None:
                    return gift, j + size
        return None, start

    # --- choosing the calculation -----------------------------------------------------------

    def parse(self, question: str) -> Parsed | None:
        text = _plain_numbers(fold(_superscript_powers(question)))
        tokens, quantities = self._read(text)
        if not quantities:
            return None
        other_currency = _OTHER_CURRENCY_RE.search(text)
        stated = _stated_rate(text) if other_currency else None
        if stated is not None:  # the rate's numbers are not amounts the question asks about; its own are in dollars
            text, converted = _in_dollars(stated[1], *stated[0])
            tokens, quantities = self._read(text)
            if not quantities:
                return None
        if all(q.unit == "gift" and (tokens[q.start] in _WORD_NUMBERS or tokens[q.start] in _THAT_ONE) for q in quantities) \
                and not _VALUE_RE.search(text):
            return None  # "someone sent me a universe, what happens now": how gifts work
        if len(quantities) == 1 and quantities[0].value == 1 and quantities[0].unit in _ONE_OF and not other_currency:
            return None  # "what's 1 diamond worth": what one is worth, which the knowledge base explains
        if not _strong_compute(text) and _fact_cue(text):  # the cheaper test first
            return None
        if "point" in text and _POINTS_RE.search(text) and not any(q.unit in ("diamonds", "usd") for q in quantities):
            return None  # "is a rose worth 1 point in a match": LIVE Match points are no money to work out
        parsed = self._choose(text, tokens, quantities)
        if parsed is not None:
            parsed = _with_sums(parsed, quantities)
        if parsed is not None and stated is not None:
            parsed = replace(parsed, currency=stated[0], worked=(*parsed.worked, *converted))
        elif parsed is not None and other_currency:
            parsed = replace(parsed, assumed=(*parsed.assumed, _IN_USD))
        return parsed

    def _read(self, text: str) -> tuple[list[str], list[Quantity]]:
        """The question's tokens and the quantities it states (gifts listed or named first included)."""
        tokens = tokenize(text)
        found = self._listed_gifts(text, tokens, self.quantities(tokens)) or self._gift_named_first(tokens)
        return tokens, _added_up(tokens, found)

    def _choose(self, text: str, tokens: Sequence[str], qs: list[Quantity]) -> Parsed | None:
        by_unit: dict[str, list[Quantity]] = {}
        for q in _without_repeats(tokens, _without_rates(tokens, qs)):
            by_unit.setdefault(q.unit, []).append(q)
        _drop_sampled_streams(text, tokens, by_unit)
        _bare_count_of_unit_named(tokens, by_unit)
        money = by_unit.get("usd", [])
        percents = by_unit.get("percent", [])
        agency = self._agency_cut(tokens, percents)

        inverse = _INVERSE_RE.search(text) if _may_be_inverse(text) else None
        goal = money[-1] if money else _earning_goal(tokens, qs) if inverse else None
        if inverse and goal is not None:
            target = goal.value
            assumed = () if money else (f"{target.normalize():,f} read as US dollars",)  # "to make 500 a month"
            what = next(w for w in inverse.group("what", "what2", "what3", "what4") if w)
            gift, _ = self._gift_after(tokenize(what), 0)
            if gift is not None and _SPEND_RE.search(text) and not _EARN_RE.search(text):  # a viewer buying
                return Parsed("gifts_bought", {"name": gift.name, "usd": target, **_channel(text), **agency}, assumed)
            if gift is not None:
                return Parsed("gifts_for_usd", {"name": gift.name, "usd": target, **agency}, assumed)
            if any(_UNITS.get(w) == "diamonds" for w in what.split()) or "diamond" in what:
                return Parsed("diamonds_for_usd", {"usd": target, **agency}, assumed)
            if any(_UNITS.get(w) == "coins" for w in what.split()):
                if _EARN_RE.search(text):  # "how many coins do i need to make $100": the creator's side
                    return Parsed("diamonds_for_usd", {"usd": target, **agency}, assumed)
                return Parsed("coins_for_usd", {"usd": target, **_channel(text), **agency}, assumed)  # a viewer buying

        if money and not by_unit.get("diamonds") and _IN_DIAMONDS_RE.search(text) and not _WITHDRAW_RE.search(text):
            # "what's $1000 in diamonds" (but "$3,000 in diamonds, can i pull it all out" is a withdrawal)
            return Parsed("diamonds_for_usd", {"usd": money[0].value, **agency})

        if money and by_unit.get("diamonds") and _HOW_LONG_RE.search(text):  # days of earning to reach an amount
            daily = next((q for q in by_unit["diamonds"] if _period_at(tokens, q.end) == "day"), None)
            if daily is not None:
                return Parsed("diamonds_for_usd", {"usd": money[0].value, "per_day": daily.value, **agency})

        if _WITHDRAW_RE.search(text):
            if by_unit.get("diamonds"):
                return Parsed("withdraw", {"diamonds": by_unit["diamonds"][0].value, **agency})
            balances = [q for q in money if not _CAP_WORDS.intersection(tokens[max(0, q.start - 3):q.end + 3])]
            if balances or money:  # "$4,200 … with the $1,000 a day cap": the balance, not the cap
                return Parsed("withdraw", {"usd": (balances or money)[0].value, **agency})
            near = [i for i, t in enumerate(tokens) if t.startswith(_WITHDRAW_WORDS)]
            balance = next((q.value for q in by_unit.get("count", ()) if q.value >= _BARE_BALANCE_MIN
                            and any(abs(q.start - i) <= 3 for i in near)
                            and tokens[q.end:q.end + 1] not in (["form"], ["forms"])), None)  # "a 1099 form"
            if balance is not None:  # "how many days to withdraw 4k": a balance, most likely in dollars
                return Parsed("withdraw", {"usd": balance, **agency},
                              (f"{balance:,f} read as US dollars (say “diamonds” if it is a diamond balance)",))

        if by_unit.get("gift"):
            gifts, each = by_unit["gift"], ()
            gifting = self._percent_near(tokens, percents, _GIFTING_WORDS, reach=6) if by_unit.get("viewers") else None
            if gifting is not None:  # "if 1% of my 500 viewers send a rose": the gifters, one gift each
                average = sum((q.value * q.gift.coins for q in gifts), Decimal(0))
                return self._average_gifts(text, by_unit, by_unit["viewers"][0].value, gifting, average, agency)
            senders = [q for q in qs if q.unit in ("viewers", "count") and q.end <= gifts[0].start]
            if senders and (any(_each(tokens, q) for q in gifts) or "each" in tokens[senders[-1].end:senders[-1].end + 3]):
                people = senders[-1].value  # "10 people send me a rose each", "20 viewers each sent 5 roses"
                listed = " + ".join(f"{_plain(q.value)} {q.gift.name}" for q in gifts)
                gifts = [replace(q, value=q.value * people) for q in gifts]
                total = " + ".join(f"{_plain(q.value)} {q.gift.name}" for q in gifts)
                each = (f"{_plain(people)} people × {f'({listed})' if len(gifts) > 1 else listed} = {total}",)
            coins = sum((q.value * q.gift.coins for q in gifts), Decimal(0))
            sent = " + ".join(f"{_plain(q.value)} × {q.gift.name}" for q in gifts)
            per_period, said = _over_period(tokens, gifts[-1], "coins", coins, f"{sent} ({coins:,f} coins)")
            if said:  # "2 lions a week … a month": the coins of gifts over the period
                return Parsed("coins", {"amount": per_period, **agency}, worked=(*each, *said))
            items = ", ".join(f"{_plain(q.value)} {q.gift.name}" for q in gifts)
            return Parsed("gifts", {"items": items, **agency}, worked=each)

        if not money and percents and (sales := _bare_sales(tokens, qs)) is not None:  # "did 5k in sales at 8%"
            commission = self._percent_near(tokens, percents, _COMMISSION_WORDS) or percents[-1].value
            return Parsed("affiliate", {"sales": sales.value, "commission": _pct(commission)},
                          (f"{sales.value.normalize():,f} read as US dollars",))
        sold = by_unit.get("units") or by_unit.get("count") or _buyers(tokens, qs)
        if money and percents and ((by_unit.get("units") or _AFFILIATE_RE.search(text)) if sold
                                   else _SALES_TOTAL_RE.search(text)):  # or "sold $3,000 at 10% commission"
            commission = self._percent_near(tokens, percents, _COMMISSION_WORDS) or percents[-1].value
            basis = {"units": sold[0].value, "price": money[0].value} if sold else {"sales": money[0].value}
            return Parsed("affiliate", {**basis, "commission": _pct(commission)})

        if by_unit.get("views") and _LIVE_VIEWS_RE.search(text) and not _VIDEO_VIEWS_RE.search(text):
            return None  # views of a LIVE: the knowledge base says what pays instead
        if by_unit.get("views") or (by_unit.get("count") and "rpm" in tokens):
            seen = (by_unit.get("views") or by_unit["count"])[0]
            per_video = _per_counted(tokens, seen, by_unit)  # "250k views per video, 12 videos a month"
            views = seen.value * per_video[0] if per_video else seen.value
            params: dict[str, Any] = {"views": views}
            rpm = self._rpm(tokens, qs)
            if rpm is not None:
                params["rpm"] = rpm
            qualified = self._percent_near(tokens, percents, _QUALIFIED_WORDS, reach=7)  # "25% of my 2m views ended up qualified"
            if qualified is not None:
                params["qualified_share"] = _pct(qualified)
            elif _HALF_QUALIFIED_RE.search(text):  # "only half of them qualified"
                params["qualified_share"] = "50%"
            elif re.search(r"qualif", text) or rpm is not None:
                # "500k qualified views", or the creator's own RPM, which TikTok states per qualified view.
                params["qualified_share"] = "100%"
            worked = (f"{seen.value.normalize():,f} views a {per_video[1]} × {_plain(per_video[0])} {per_video[1]}s"
                      f" = {views.normalize():,f} views",) if per_video else ()
            return Parsed("views", {**params, **agency}, worked=worked)

        subs = by_unit.get("subs") or (self._paying_fans(text, tokens, qs) if money else None)
        if subs:
            params = {"subscribers": subs[0].value}
            if money:
                params["price"] = money[0].value
            share = self._percent_near(tokens, percents, _SHARE_WORDS)
            if share is not None:
                params["share"] = _pct(share)
            if re.search(r"super\s*fan", text):
                params["plan"] = "super_fan"
            elif re.search(r"subscription|on[-\s]?feed", text) and not re.search(r"\blive\b", text):
                params["plan"] = "subscription"
            return Parsed("subs", {**params, **agency})

        if by_unit.get("followers") and _BRAND_RE.search(text) and not by_unit.get("viewers") and "series" not in tokens \
                and not any(by_unit.get(u) for u in ("diamonds", "coins", "gift", "views")):
            params = {"followers": by_unit["followers"][0].value}
            engagement = self._percent_near(tokens, percents, ("engagement", "er", "engage"))
            if engagement is not None:
                params["engagement"] = _pct(engagement)
            if by_unit.get("posts"):
                params["posts"] = by_unit["posts"][0].value
            return Parsed("brand", {**params, **agency})

        if "series" in tokens and money:
            # "40 buyers", "150 people bought", "200 fans", "30 subs": whoever paid for it.
            buyers = next((by_unit[u] for u in ("count", "units", "subs", "viewers", "followers") if by_unit.get(u)), None)
            if buyers:
                share = self._percent_near(tokens, percents, _SHARE_WORDS)  # "if i keep 80%"
                return Parsed("series", {"buyers": buyers[0].value, "price": money[0].value,
                                         **({"share": _pct(share)} if share is not None else {}), **agency})

        if by_unit.get("diamonds"):
            diamonds, hours = by_unit["diamonds"][0], self._hours(by_unit)
            if hours and _per_hour(tokens, diamonds):  # "300 diamonds an hour, 4 hours a day, 5 days a week"
                amount, said = self._hourly(text, by_unit, diamonds.value, hours, "diamonds")
            elif (streams := self._per_stream(text, tokens, by_unit, diamonds)) is not None:
                amount = _whole(diamonds.value * streams)  # "20 streams averaging 6,000 diamonds each"
                said = (f"{diamonds.value.normalize():,f} diamonds a stream × {_plain(streams)} streams = {amount:,f} diamonds",)
            else:
                amount, said = _over_period(tokens, diamonds, "diamonds")
            rates = [p for p in percents if _pct(p.value) != agency.get("agency")]
            scaled = self._percent_near(tokens, rates, _SCALED_WORDS, reach=5)
            if scaled is None and ("scaled" in tokens or "slr" in tokens):  # "scaled rewards … my rate came out at 38%"
                scaled = self._percent_near(tokens, rates, ("rate",), reach=5)
            if scaled is not None:  # "i'm on 38% scaled rewards, 20k diamonds" (over 53%: the reason it can't be)
                return Parsed("diamonds", {"amount": amount, "scaled_rate": _pct(scaled), **agency}, worked=said)
            if agency and not said:  # "my agency takes 30% of my 250k diamonds": what each side gets
                return Parsed("agency", {"diamonds": amount, "percent": agency["agency"]})
            if _VIEWER_COST_RE.search(text):  # "what did the viewer spend for 10k diamonds": the coins behind them
                return Parsed("coins", {"amount": amount, **agency},
                              worked=(*said, f"{amount:,f} diamonds come from {amount:,f} coins of gifts"))
            return Parsed("diamonds", {"amount": amount, **agency}, worked=said)

        if by_unit.get("coins"):
            coins, hours = by_unit["coins"][0], self._hours(by_unit)
            if hours and _per_hour(tokens, coins):  # "2,000 coins an hour, 3 hour streams": the LIVE model
                return self._live_or_month(text, by_unit, {"coins_per_hour": coins.value, "hours": hours}, agency)
            people = by_unit.get("viewers")
            each = people and _each(tokens, coins)
            if people and (each or _one_gift(tokens, coins)):
                gifting = self._percent_near(tokens, percents, _GIFTING_WORDS)
                if gifting is not None:  # "200 viewers, 5% send a gift, average gift 300 coins"
                    return self._average_gifts(text, by_unit, people[0].value, gifting, coins.value, agency)
            if each:  # "150 gifters sending 20 coins each"
                return Parsed("coins", {"amount": coins.value, "times": people[0].value, **agency})
            streams = self._per_stream(text, tokens, by_unit, coins)
            if streams is not None:  # "1,000 coins every stream, 20 streams"
                return Parsed("coins", {"amount": coins.value, "times": int(streams), **agency})
            amount, said = _over_period(tokens, coins, "coins")
            return Parsed("coins", {"amount": amount, **agency}, worked=said)

        if money and (_SPEND_RE.search(text) or tokens[money[0].end:money[0].end + 1] in _SPENT_ON):
            return Parsed("coins_for_usd", {"usd": money[0].value, **_channel(text), **agency})

        if by_unit.get("viewers") and _PAID_FOR_VIEWERS_RE.search(text):
            return None  # "4k people came through, how much does tiktok pay for that traffic": pay per view
        if by_unit.get("viewers") and _PROJECTION_RE.search(text):
            params = {"viewers": by_unit["viewers"][0].value}
            assumed: tuple[str, ...] = ()
            hours = self._hours(by_unit)
            if hours is None and _PER_HOUR_RE.search(text):  # "how much per hour": one hour
                hours = Decimal(1)
            if hours is None:
                hours, assumed = DEFAULT_HOURS, (f"{DEFAULT_HOURS} h per stream (say how long you stream for a closer figure)",)
            params["hours"] = hours
            gifters = self._percent_near(tokens, percents, _GIFTING_WORDS)
            if gifters is not None:
                params["gifter_share"] = _pct(gifters)
            return self._live_or_month(text, by_unit, params, agency, assumed)

        if money and _TOTAL_RE.search(text) and (earned := self._earned_over(text, tokens, by_unit, money[0])) is not None:
            times, per = earned  # "$15 a live, 20 lives a month", "$8 a day … a year", "$600 per video, 3 videos"
            return Parsed("earnings", {"amount": money[0].value, "times": times, "per": per, **agency})
        if money and agency:  # "my agency takes 20% of the $500 i made"
            return Parsed("agency", {"amount": money[0].value, "percent": agency["agency"]})
        return None

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _percent_near(tokens: Sequence[str], percents: list[Quantity], words: Sequence[str], reach: int = 4) -> Decimal | None:
        for q in percents:
            window = tokens[max(0, q.start - reach):q.end + reach]
            if any(w in window for w in words):
                return q.value
        return None

    def _agency_cut(self, tokens: Sequence[str], percents: list[Quantity]) -> dict[str, Decimal]:
        words = [t.removesuffix("'s") for t in tokens]  # "after my agency's 20%"
        if not any(w in _AGENCY_WORDS for w in words):
            return {}
        cut = self._percent_near(words, percents, (*_AGENCY_WORDS, "takes", "take", "cut", "their"), reach=6)
        return {"agency": _pct(cut)} if cut is not None else {}

    @staticmethod
    def _rpm(tokens: Sequence[str], qs: list[Quantity]) -> Decimal | None:
        for q in qs:
            if q.unit == "rpm_after":
                return q.value
            if q.unit in ("usd", "count"):
                near = [t.removesuffix("'s") for t in tokens[max(0, q.start - 4):q.end + 2]]  # "rpm is sitting at $1.10"
                if "rpm" in near or "cpm" in near or ("per" in near and ("1k" in near or "1000" in near or "thousand" in near)):
                    return q.value
        return None

    def _average_gifts(self, text: str, by_unit: dict[str, list[Quantity]], viewers: Decimal, share: Decimal,
                       average: Decimal, agency: dict[str, str]) -> Parsed:
        """Viewers × the share who gift × an average gift: one gift from each gifter a stream, over the
        streams the question counts; with gifts an hour or a month uncounted, the LIVE model's."""
        streams = self._streams(text, by_unit)
        hours = self._hours(by_unit)
        if _PER_HOUR_RE.search(text) or (streams is None and _MONTH_RE.search(text)):
            params = {"viewers": viewers, "hours": hours or DEFAULT_HOURS, "gifter_share": _pct(share), "avg_gift": average}
            return self._live_or_month(text, by_unit, params, agency)
        gifters = viewers * share / 100
        times = gifters * (streams or 1)
        over = f", over {_plain(streams)} streams" if streams is not None else ""
        said = f"{_plain(viewers)} viewers × {_plain(share)}% = {_plain(gifters)} gifters, one gift each per stream{over}"
        if times == times.to_integral_value():
            return Parsed("coins", {"amount": average, "times": int(times), **agency}, worked=(said,))
        total = _whole(average * times)  # "3.9 gifters": the coins, whole
        return Parsed("coins", {"amount": total, **agency},
                      worked=(f"{said}: {_plain(times)} × {average:,f} coins = {total:,f} coins",))

    def _live_or_month(self, text: str, by_unit: dict[str, list[Quantity]], params: dict[str, Any],
                       agency: dict[str, str], assumed: tuple[str, ...] = ()) -> Parsed:
        """One LIVE, or a month of them when the question counts streams or asks about a month."""
        streams = self._streams(text, by_unit)
        if streams is not None or _MONTH_RE.search(text):
            if streams is not None:
                params["streams"] = int(streams)
            return Parsed("month", {**params, **agency}, assumed)
        return Parsed("live", {**params, **agency}, assumed)

    def _hourly(self, text: str, by_unit: dict[str, list[Quantity]], per_hour: Decimal, hours: Decimal,
                unit: str) -> tuple[Decimal, tuple[str, ...]]:
        """An amount per hour over the hours of a stream, and over the streams the question counts,
        with the product as an assumption to show."""
        streams = self._streams(text, by_unit)
        total = _whole(per_hour * hours * (streams or 1))
        over = f" × {_plain(streams)} streams" if streams is not None else ""
        return total, (f"{per_hour:,f} {unit} an hour × {_plain(hours)} h{over} = {total:,f} {unit}",)

    @staticmethod
    def _hours(by_unit: dict[str, list[Quantity]]) -> Decimal | None:
        if by_unit.get("hours"):
            return by_unit["hours"][0].value
        if by_unit.get("minutes"):
            return by_unit["minutes"][0].value / 60
        return None

    @staticmethod
    def _paying_fans(text: str, tokens: Sequence[str], qs: list[Quantity]) -> list[Quantity] | None:
        """"100 fans paying $4.99 for Super Fan": fans or people counted in a question about Super Fan
        or a subscription are its subscribers (followers are not: most never pay)."""
        if not re.search(r"super\s*fan|subscri|\bsubs?\b|\bmembership", text):
            return None
        fans = [q for q in qs if q.unit in ("followers", "viewers") and tokens[q.end - 1] in ("fans", "people", "ppl")]
        return fans or None

    @staticmethod
    def _streams(text: str, by_unit: dict[str, list[Quantity]]) -> Decimal | None:
        """Streams a month from "20 streams a month", "20 times a month", "5 nights a week" (× 30/7)
        or "every day"."""
        counted = _stream_count(text, by_unit)
        if counted is None:
            return None
        count, period = counted
        return count if period == "month" else (count * _OVER[period, "month"][0]).quantize(Decimal("0.1"))

    def _earned_over(self, text: str, tokens: Sequence[str], by_unit: dict[str, list[Quantity]],
                     q: Quantity) -> tuple[Decimal, str] | None:
        """How many of what the money `q` is earned per, when the question counts them or asks about a
        longer span: "$15 a live, 20 lives a month" (20, "stream"), "$8 a day … a year" (365, "day"),
        "$600 per video for 3 videos" (3, "video"). None when it is not an amount each time."""
        if (streams := self._per_stream(text, tokens, by_unit, q)) is not None:
            return streams, "stream"
        if (span := _span(tokens, q.end)) is not None:
            source, factor, count, _, _ = span
            return _whole(factor * count, Decimal("0.1")), source
        return _per_counted(tokens, q, by_unit)

    def _per_stream(self, text: str, tokens: Sequence[str], by_unit: dict[str, list[Quantity]],
                    q: Quantity) -> Decimal | None:
        """The streams to multiply `q` by when it is an amount per stream ("6k diamonds a stream, 3 times
        a week", "20 streams averaging 6,000 diamonds each"): over the span the question asks about
        ("… over 4 weeks": 12), else a month's. None when it isn't per stream or no streams are counted."""
        counted = (by_unit.get("streams") or _TIMES_RE.search(text)) and (
            _each(tokens, q) or _AVERAGE_WORDS.intersection(tokens[:q.start]))
        if not (counted or _PER_STREAM_RE.search(text)) or (stream_count := _stream_count(text, by_unit)) is None:
            return None
        count, period = stream_count
        if period == "month":
            return count
        lasting = _lasting(tokens, 0)
        if lasting is not None and _PERIODS[lasting[1]] >= _PERIODS[period]:
            factor = Decimal(1) if lasting[1] == period else _OVER[period, lasting[1]][0]
            return _whole(count * factor * lasting[0], Decimal("0.1"))
        asked = [_PERIOD_WORDS[w] for i, w in enumerate(tokens)
                 if w in _PERIOD_WORDS and (i == 0 or tokens[i - 1] in _PER_WORDS or w.endswith("ly"))]
        if asked.count(period) >= 2 and max(asked, key=_PERIODS.__getitem__) == period:
            return count  # "6 times a week … how much a week"
        target = max(asked, key=_PERIODS.__getitem__, default="month")
        if _PERIODS[target] <= _PERIODS[period]:
            target = "month"
        return (count * _OVER[period, target][0]).quantize(Decimal("0.1"))


def _pct(value: Decimal) -> str:
    """A percentage as `compute()` reads it unambiguously ("1%" is one percent, not 100%)."""
    return f"{_plain(value)}%"


def _whole(value: Decimal, step: Decimal = Decimal(1)) -> Decimal:
    """A figure worked out from the question's numbers, rounded to `step` (a whole count, a cent, …);
    one too long to round exactly (10^30 diamonds a day for 10^30 weeks, €10^30 at a stated rate) is
    left as it is, for the calculator's limits to refuse."""
    return value.quantize(step, rounding=ROUND_HALF_UP) if value.adjusted() - step.as_tuple().exponent < 25 else value


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _each(tokens: Sequence[str], q: Quantity) -> bool:
    """The quantity is per person: "20 coins each", "a 20 coin gift apiece"."""
    return any(w in ("each", "apiece", "cada") for w in tokens[q.end:q.end + 3])


def _one_gift(tokens: Sequence[str], q: Quantity) -> bool:
    """The coins are one gift's or one gifter's: "average gift 300 coins", "each gifter sends about 50 coins"."""
    before = tokens[max(0, q.start - 4):q.start]
    if _AVERAGE_WORDS.intersection(before):
        return True
    return any(w == "each" and nxt in _GIFTER_WORDS for w, nxt in zip(before, before[1:]))


def _over_period(tokens: Sequence[str], q: Quantity, unit: str, amount: Decimal | None = None,
                 given: str | None = None) -> tuple[Decimal, tuple[str, ...]]:
    """The amount (the quantity's own, unless given) over the longest period the question asks about,
    when the quantity is per a shorter one ("3,000 diamonds a day … a month": 90,000), with the sum as
    an assumption to show (`given` says what the amount is, if not "3,000 diamonds"); else the amount."""
    amount = q.value if amount is None else amount
    span = _span(tokens, q.end)
    if span is None:
        return amount, ()
    source, factor, count, how, target = span
    total = _whole(amount * factor * count)
    given = given or f"{amount.normalize():,f} {unit}"
    return total, (f"{given} a {source} × {how} = {total:,f} {unit}{f' a {target}' if target else ''}",)


def _span(tokens: Sequence[str], end: int) -> tuple[str, Decimal, Decimal, str, str | None] | None:
    """For an amount per period that ends at `end` ("3,000 diamonds a day"), when the question asks
    about a longer span: (its period, the periods in one of the span's, how many of those, the working,
    the span's period when it is one period). "… for four weeks" (a day): ("day", 7, 4, "7 days in a
    week × 4 weeks", None); "… what's that a month": ("day", 30, 1, "30 days in a month", "month")."""
    source = _period_at(tokens, end)
    if source is None:
        return None
    if (lasting := _lasting(tokens, end)) is not None and _PERIODS[lasting[1]] >= _PERIODS[source]:
        count, period = lasting  # "18,400 diamonds a week for four weeks": × 4
        factor, days = (Decimal(1), "") if period == source else _OVER[source, period]
        return source, factor, count, f"{f'{days} × ' if days else ''}{_plain(count)} {period}s", None
    targets = [_PERIOD_WORDS[w] for i, w in enumerate(tokens) if w in _PERIOD_WORDS and not end <= i < end + 2
               and (i == 0 or tokens[i - 1] in _PER_WORDS or w.endswith("ly"))]
    target = max(targets, key=_PERIODS.__getitem__, default=None)
    if target is None or _PERIODS[target] <= _PERIODS[source]:
        return None
    factor, days = _OVER[source, target]
    return source, factor, Decimal(1), days, target


def _lasting(tokens: Sequence[str], start: int) -> tuple[Decimal, str] | None:
    """How long the question says it goes on, after position `start`: "for four weeks", "over 10 days"
    → (4, "week"), (10, "day")."""
    for i in range(start, len(tokens) - 2):
        if tokens[i] in ("for", "over") and (period := _PERIOD_WORDS.get(tokens[i + 2].removesuffix("s"))):
            count = _WORD_NUMBERS.get(tokens[i + 1])
            number = number_of(tokens[i + 1]) if count is None else None
            if count is not None and count > 1:
                return Decimal(count), period
            if number is not None and not number[1] and not number[2] and number[0] > 1:
                return number[0], period
    return None


def _per_counted(tokens: Sequence[str], q: Quantity, by_unit: dict[str, list[Quantity]]) -> tuple[Decimal, str] | None:
    """An amount each of the posts or videos the question counts ("$600 per video … 3 videos"): how many,
    and which."""
    if q.end + 1 < len(tokens) and tokens[q.end] in ("per", "a", "each", "every", "/"):
        word = tokens[q.end + 1].removesuffix("s")
        counted = [c for c in by_unit.get(_UNITS.get(word, ""), ()) if c is not q]
        if word in EARNING_UNITS and counted:
            return counted[0].value, word
    return None


def _earning_goal(tokens: Sequence[str], qs: list[Quantity]) -> Quantity | None:
    """A bare amount someone wants to earn ("how many diamonds to earn 300", "to make 500 a month"), as dollars."""
    return next((replace(q, unit="usd") for q in qs if q.unit == "count" and q.start > 0
                 and tokens[q.start - 1] in _GOAL_WORDS), None)


def _bare_sales(tokens: Sequence[str], qs: list[Quantity]) -> Quantity | None:
    """A sales total written without a currency sign: "5k in sales", "10k worth of sales", "8k gmv" (not
    "340 sales", which may count them)."""
    return next((q for q in qs if q.unit in ("count", "units") and any(
        tuple(tokens[q.start + 1:q.start + 1 + len(words)]) == words for words in _SALES_AFTER)), None)


def _buyers(tokens: Sequence[str], qs: list[Quantity]) -> list[Quantity]:
    """People counted as buying something: "80 people bought a $35 pan", "200 viewers ordered it"."""
    return [q for q in qs if q.unit in ("viewers", "followers") and _BUY_WORDS.intersection(tokens[q.end:q.end + 2])]


def _without_repeats(tokens: Sequence[str], qs: list[Quantity]) -> list[Quantity]:
    """The quantities without gifts named again ("she sent 3 Galaxies … how much did those 3 Galaxies
    cost her", "he sends a Lion … what does one Lion cost"): the same gift and count once more, after
    "those", "the" or as one of it. "2 lions yesterday and 2 lions today" are four."""
    seen: dict[tuple[str, Decimal], int] = {}  # each gift and count, and where its last mention ends
    out = []
    for q in qs:
        if q.unit == "gift":
            key = (q.gift.name, q.value)
            again = (q.start > 0 and tokens[q.start - 1] in _AGAIN_WORDS) or tokens[q.start] in ("one", "a", "an")
            if key in seen and again and q.start - seen[key] > 2:  # "a lion and a lion" is a list of two
                continue
            seen[key] = q.end
        out.append(q)
    return out


def _without_rates(tokens: Sequence[str], qs: list[Quantity]) -> list[Quantity]:
    """The quantities without those that state a rate, one thing in another ("1 diamond = 5 cents",
    "2 coins make 1 diamond", "1 lion is worth 29,999 coins"): a claim's or a fact's terms, not amounts
    to work out ("reddit says 1 diamond = 5 cents so my 30k diamonds should be $1,500")."""
    rates: set[int] = set()
    for i, (q, nxt) in enumerate(zip(qs, qs[1:])):
        between = tokens[q.end:nxt.start]
        if (q.unit != nxt.unit and 1 in (q.value, nxt.value) and 0 < len(between) <= 2
                and all(t in _RATE_WORDS for t in between) and not _RATE_WORDS_ALONE.issuperset(between)):
            rates |= {i, i + 1}
    return [q for i, q in enumerate(qs) if i not in rates] if rates else qs


def _bare_count_of_unit_named(tokens: Sequence[str], by_unit: dict[str, list[Quantity]]) -> None:
    """"My agency takes 30% off my diamonds, got 45,000 this week": the one bare count of a question,
    with diamonds or coins named shortly before it and counted nowhere else, is that many of them (a
    number before the word is something else: "a 1099 form after cashing out her diamonds"). Not
    subscribers: "sub 5k" is under 5,000 and "our members" are a server's."""
    counts = by_unit.get("count", [])
    if len(counts) != 1 or counts[0].value < _BARE_UNIT_MIN:
        return
    named = set(_units_named_before(tokens, counts[0].start, _BARE_UNIT_REACH, _BARE_UNITS))
    if len(named) != 1:
        return
    unit = named.pop()
    if by_unit.get(unit) or any(by_unit.get(u) for u in ("usd", "gift", "views")):
        return  # counted already, or the question's amount is something else
    by_unit[unit] = [replace(counts[0], unit=unit)]
    del by_unit["count"]


def _drop_sampled_streams(text: str, tokens: Sequence[str], by_unit: dict[str, list[Quantity]]) -> None:
    """"My last 3 lives averaged 5k diamonds … if I go live 20 times": the streams an amount was taken
    from are not the streams to count, when the question counts others too."""
    streams = by_unit.get("streams", [])
    sampled = [q for q in streams if q.start > 0 and tokens[q.start - 1] in _SAMPLE_WORDS]
    if sampled and (len(sampled) < len(streams) or by_unit.get("days") or _TIMES_RE.search(text)):
        by_unit["streams"] = [q for q in streams if q not in sampled]
        if not by_unit["streams"]:
            del by_unit["streams"]


def _stream_count(text: str, by_unit: dict[str, list[Quantity]]) -> tuple[Decimal, str] | None:
    """How many streams the question counts and over what: "5 nights a week" (5, week), "20 streams"
    or "20 times a month" (20, month), "every day" (1, day)."""
    counts = [by_unit[unit][0].value for unit in ("streams", "days") if by_unit.get(unit)]
    times = _TIMES_RE.search(text)
    count = counts[0] if counts else Decimal(times.group(1)) if times else None
    if count is not None:
        weekly = re.search(r"\b(?:a|per|each|every|/)\s?w(?:ee)?k\b|\b(?:por|par|a\s+la|na)\s+sema(?:na|ine)\b", text)
        return count, "week" if weekly else "month"
    if re.search(r"every\s+day|daily|\ba\s+day\b|per\s+day", text):
        return Decimal(1), "day"
    return None


def _period_at(tokens: Sequence[str], i: int) -> str | None:
    """The period right after a quantity: "a day", "per week", "/month", "daily"."""
    word = tokens[i] if i < len(tokens) else ""
    if word.endswith("ly") and word in _PERIOD_WORDS:  # daily, weekly, monthly, yearly, annually
        return _PERIOD_WORDS[word]
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    return _PERIOD_WORDS.get(after) if word in ("a", "per", "each", "every", "/") else None


def _unit_before(tokens: Sequence[str], i: int) -> str | None:
    """The unit of the number at `i` when it is written before it: "diamonds: 23,400", "diamonds to
    usd 7500"; and "usd to coins 20", where the number is the dollars."""
    converts = i >= 3 and tokens[i - 2] in ("to", "in", "into")
    if converts and tokens[i - 3] in _DOLLAR_WORDS and _UNITS.get(tokens[i - 1]) in _UNIT_BEFORE:
        return "usd"
    if i > 0 and _UNITS.get(tokens[i - 1]) in _UNIT_BEFORE:
        return _UNITS[tokens[i - 1]]
    if converts and tokens[i - 1] in _DOLLAR_WORDS and _UNITS.get(tokens[i - 3]) in _UNIT_BEFORE:
        return _UNITS[tokens[i - 3]]
    return None


def _per_hour(tokens: Sequence[str], q: Quantity) -> bool:
    window = tokens[q.end:q.end + 5]
    return any(w in ("hour", "hr", "h") for w in window) or ("an" in window and "hour" in window)


def _superscript_powers(text: str) -> str:
    """"10³" → "10^3": NFKC would otherwise fold it into "103"."""
    if text.isascii():  # superscript digits are not
        return text
    return _SUPERSCRIPT_RE.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPT_DIGITS), text)


def _stated_rate(text: str) -> tuple[tuple[str, Decimal], str] | None:
    """The exchange rate a question states, as (ISO code, units per USD), and the question without it."""
    for pattern in _STATED_RATE_RES:
        if (match := pattern.search(text)) is None:
            continue
        found = match.groupdict()
        sign = found.get("sign") or found.get("sign_one")
        code = _CODE_OF_SIGN[sign] if sign else next(c for c in _CURRENCY_NAMES if found.get(c))
        usd = found.get("usd") or found.get("usd2")
        number = Decimal((usd or found.get("sign_rate") or found["rate"]).replace(",", ""))
        per_usd = _whole(1 / number, _RATE_PLACES) if usd and number else number  # "£1 = $1.25": 0.8 pounds
        return (code, per_usd), f"{text[:match.start()]} {text[match.end():]}"
    return None


def _local_amount_re(code: str) -> re.Pattern[str]:
    """Amounts written in one currency: "€20", "5,000 naira", "50k ngn"."""
    sign, words = _CURRENCY_NAMES[code]
    amount = rf"(?:{_RATE_NUMBER})(?:\s?(?:k|m|mil|million|thousand)(?![a-z]))?"
    signed = rf"{re.escape(sign)}\s?(?P<signed>{amount})|" if sign else ""
    return re.compile(rf"(?:{signed}(?P<named>{amount})\s?(?:{words}))(?![a-z])")


_LOCAL_AMOUNT_RES = {code: _local_amount_re(code) for code in _CURRENCY_NAMES}


def _in_dollars(text: str, code: str, per_usd: Decimal) -> tuple[str, tuple[str, ...]]:
    """The question with its amounts in `code` written in US dollars at the stated rate, and each
    conversion as a line of working."""
    said: list[str] = []

    def dollars(match: re.Match[str]) -> str:
        written = match.group("signed") if match.groupdict().get("signed") else match.group("named")
        parsed = number_of(written.replace(" ", ""))
        if parsed is None or not per_usd:
            return match.group(0)
        usd = _whole(parsed[0] / per_usd, Decimal("0.01"))
        said.append(f"{parsed[0]:,f} {code} at your rate of {per_usd:,f} {code} a dollar = ${usd:,f}")
        return f" ${usd:f} "

    return _LOCAL_AMOUNT_RES[code].sub(dollars, text), tuple(said)


def _plain_numbers(text: str) -> str:
    """Folded text with the numbers people write in many ways written one way: gift emoji as the
    gifts' names, units of two words as one, written-out amounts in digits, and thousands and decimals
    as `_NUMBER_RE` reads them. Text without a digit only has the first three to do."""
    for emoji, name in _EMOJI_GIFTS.items():
        if emoji in text:
            text = text.replace(emoji, f" {name} ")
    for words, unit in _UNIT_PHRASES.items():  # "200.000 kim cuong": a unit written in two words
        if words in text:
            text = re.sub(rf"\b{words}\b", unit, text)
    if "grand" in text:
        text = _GRAND_RE.sub(_grand_in_dollars, text)
    if "illion" in text or "thousand" in text or "hundred" in text or "ty" in text:  # "forty thousand"
        text = _SPELT_RUN_RE.sub(_spelt_in_digits, text)
    if ("dollar" in text or "buck" in text) and _may_be_inverse(text):
        text = _A_DOLLAR_RE.sub("$1", text)
    if not _DIGIT_RE.search(text):  # every pattern below needs a digit
        return text
    if "mil" in text and _MIL_RE.search(text) and _THOUSAND_MIL_RE.search(text):
        text = _MIL_RE.sub(r"\1 thousand", text)
    if "." in text:  # "10.000 diamantes": a thousands point
        text = _POINT_THOUSANDS_RE.sub(lambda m: m.group(0).replace(".", ""), text)
    if "," in text:  # "1,5k", "12,50 dollars": a decimal comma
        text = _DECIMAL_COMMA_RE.sub(".", text)
    if " " in text:  # "10 000 diamonds": thousands set apart with spaces
        text = _SPACED_THOUSANDS_RE.sub(lambda m: m.group(0).replace(" ", ""), text)
    if "$" in text:  # "12.500 $": the sign after the number, as German and French write it
        text = _SIGN_AFTER_RE.sub(r"$\1", text)
    if "x" in text or "×" in text or "*" in text:  # "3x a week": three times; "3x lion": three lions; "lion x3"
        text = _NAME_TIMES_RE.sub(" x ", _TIMES_X_RE.sub(r"\1 ", _TIMES_A_RE.sub(r"\1 times", text)))
    if "%" in text:
        text = _PERCENT_FIRST_RE.sub(r"\1%", text)
    return text


def _is_year(value: Decimal) -> bool:
    return value == value.to_integral_value() and 1990 <= value <= 2099


def _grand_in_dollars(match: re.Match[str]) -> str:
    count = match.group(1)
    value = Decimal(1) if count == "a" else Decimal(_ONES.get(count, _TENS.get(count, 0))) or Decimal(count)
    return f"${value * 1000:f}"


def _spelt_in_digits(match: re.Match[str]) -> str:
    value = _spelt(match.group(0).replace("-", " ").split())
    return match.group(0) if value is None else format(value, "f")


def _spelt(words: list[str]) -> Decimal | None:
    """The number words spell ("sixty two thousand five hundred": 62,500; "half a million", "a quarter
    of a million"), or None when they are not one number ("two three", "a ten", "one and a half")."""
    words = [w for w in words if w != "and"]
    core = [w for w in words if w not in ("a", "an", "of")]
    if len(core) == 2 and core[0] in _FRACTIONS and core[1] in _SCALES and words[-1] == core[1]:
        return _SCALES[core[1]] * _FRACTIONS[core[0]]
    total, group, last = 0, 0, ""
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word in ("a", "an") and i == 0 and after in ("hundred", *_SCALES):
            group = 1
        elif word in _ONES and (last not in _ONES or last == "") and not (last in _TENS and _ONES[word] >= 10):
            group += _ONES[word]
        elif word in _TENS and group % 100 == 0 and last not in _TENS:
            group += _TENS[word]
        elif word == "hundred" and 0 <= group < 10 and last != "hundred":
            group = (group or 1) * 100
        elif word in _SCALES and last not in _SCALES and total % (_SCALES[word] * 1000) == 0:
            total, group = total + (group or 1) * _SCALES[word], 0
        else:
            return None
        last = word
    if not any(w in _TENS or w == "hundred" or w in _SCALES for w in words):
        return None  # "one two": no number of several words
    return Decimal(total + group)


def _channel(text: str) -> dict[str, str]:
    """Where coins were bought, when the question says: {"channel": "web" | "app"} or nothing."""
    channel = "web" if _WEB_RE.search(text) else "app" if _APP_RE.search(text) else None
    return {"channel": channel} if channel else {}


def _may_be_inverse(text: str) -> bool:
    """False when `_INVERSE_RE` can't match: each of its ways holds one of these words ("uant" is in
    cuantos and quantos). (It is slow to search: most of it is a lazy run of letters that could start
    anywhere.)"""
    return "many" in text or "need" in text or "required" in text or "uant" in text or "berapa" in text or "ilang" in text


def _fact_cue(text: str) -> bool:
    """The question asks about a fact, a claim or an offer rather than for a figure (see `_FACT_WORDS`)."""
    words = set(_WORD_RUN_RE.findall(text))
    return (not words.isdisjoint(_FACT_WORDS) or any(w.startswith(_FACT_PREFIXES) for w in words)
            or _FACT_RE.search(text) is not None)


def _strong_compute(text: str) -> bool:
    """Questions that plainly ask for a figure even if they also contain a fact cue."""
    return bool(_STRONG_RE.search(text))


def _added_up(tokens: Sequence[str], found: list[Quantity]) -> list[Quantity]:
    """Amounts listed one after another ("12k, 8.5k and 20k diamonds", "5k diamonds monday, 7k tuesday",
    "4k + 6k coins", "9,000 / 6,500 diamonds") as one quantity, their total: a bare number in the list
    takes the unit the list names, after its numbers or shortly before them ("diamonds this week: 3,200
    / 4,750"). Only lists joined by commas, "and", "+", "/" or days; not a range ("between 5k and 10k")."""
    out: list[Quantity] = []
    index = 0
    while index < len(found):
        run = [found[index]]
        while index + len(run) < len(found) and _joined(tokens, run[-1], found[index + len(run)]):
            run.append(found[index + len(run)])
        units = {q.unit for q in run} - {"count"}
        if not units and len(run) > 1:  # "diamonds this week: 3,200 / 4,750"
            units = set(_units_named_before(tokens, run[0].start, _LIST_UNIT_REACH, _SUMMED_UNITS)[:1])
        unit = next(iter(units)) if len(units) == 1 else None
        largest = max(q.value for q in run)
        if (len(run) < 2 or unit not in _SUMMED_UNITS or run[0].start > 0 and tokens[run[0].start - 1] in _RANGE_WORDS
                or any(q.unit == "count" and q.value * 100 < largest for q in run)):  # "top 3 and 20k diamonds"
            out.append(found[index])
            index += 1
            continue
        parts = tuple(q.value for q in run)
        total = sum(parts, Decimal(0))
        if averaged := bool(_AVERAGE_WORDS.intersection(tokens[:run[0].start])):
            total = _whole(total / len(parts))
        out.append(Quantity(total, unit, run[0].start, run[-1].end, parts=parts, averaged=averaged))
        index += len(run)
    return out


def _units_named_before(tokens: Sequence[str], start: int, reach: int, units: frozenset[str]) -> list[str]:
    """The `units` named in the `reach` words before position `start`, nearest first: "diamonds per day
    this week: 3,200 / 4,750", "my diamonds, got 45,000"."""
    return [_UNITS[word] for word in reversed(tokens[max(0, start - reach):start]) if _UNITS.get(word) in units]


def _joined(tokens: Sequence[str], q: Quantity, nxt: Quantity) -> bool:
    """`nxt` follows `q` in a list: only list words and days between them, and both amounts or counts."""
    between = tokens[q.end:nxt.start]
    return (q.unit in _SUMMED_UNITS or q.unit == "count") and (nxt.unit in _SUMMED_UNITS or nxt.unit == "count") \
        and len(between) <= 3 and all(t in _LIST_WORDS for t in between)


def _with_sums(parsed: Parsed, quantities: list[Quantity]) -> Parsed:
    """The working of each total the calculation used: "12,000 + 8,500 + 20,000 = 40,500 diamonds", or
    "(4,000 + 6,000 + 8,000) ÷ 3 = 6,000 diamonds" for an average."""
    lines = []
    for q in quantities:
        if q.parts and (q.value in parsed.params.values() or any(f"{q.value:,f} " in w for w in parsed.worked)):
            added = " + ".join(f"{p.normalize():,f}" for p in q.parts)
            added = f"({added}) ÷ {len(q.parts)}" if q.averaged else added
            lines.append(f"{added} = {q.value.normalize():,f} {q.unit}")
    return replace(parsed, worked=(*lines, *parsed.worked)) if lines else parsed


def _apply_multipliers(found: list[Quantity], tokens: Sequence[str]) -> list[Quantity]:
    """"50 roses x 4 viewers" → 200 roses: an 'x N' (or 'times N', '× N') after a gift multiplies it."""
    out: list[Quantity] = []
    skip: set[int] = set()
    for index, q in enumerate(found):
        if index in skip:
            continue
        nxt = found[index + 1] if index + 1 < len(found) else None
        if q.unit == "gift" and nxt is not None and nxt.start == q.end + 1 and tokens[q.end] in ("x", "×", "*", "times"):
            out.append(Quantity(q.value * nxt.value, "gift", q.start, nxt.end, q.gift))
            skip.add(index + 1)
            continue
        out.append(q)
    return out
