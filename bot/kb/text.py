"""Turn a creator's free text into matching terms: normalise, map slang and other languages,
correct typos against the knowledge base's own vocabulary, and stem."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.chars import APOSTROPHES, LETTERS_WITHOUT_ACCENT, CharTable

WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# The same in other scripts (Arabic, Cyrillic, …), for text `fold` leaves with letters beyond a-z.
_UNICODE_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# "like" as chat filler ("made like $800", "i get like 15 viewers", "its like really low", "like step by
# step pls") is not likes.
_FILLER_LIKE_RE = re.compile(r"\blike\s+(?=[$€£]?\d|a\s+(?:few|lot|couple)\b|so\b|really\b|super\b|maybe\b|only\b|just\b|literally\b|half\b|nothing\b|zero\b|basically\b"
                             r"|step\b)"
                             r"|\b(?:feel|feels|looks?|looked|sounds?|seems?|something|anything|stuff|things|kinda|sorta|more"
                             r"|just|basically|exactly)\s+like\b"
                             # a comparison: "explain it like im 5", "like youtube has", "anything like that"
                             r"|\blike\s+(?=im\b|youre\b|u\s+r\b|that\b|this\b|those\b|these\b|crypto\b|how\b|what\b"
                             r"|when\b|if\b|the\b|an?\b|do\b|does\b|did\b|we\b|they\b|other\b|before\b"
                             # … or a pronoun or preposition after it: "pennies like people say", "id like to know"
                             r"|people\b|every(?:one|body)\b|some(?:one|body)\b|you\b|u\b|i\b|he\b|she\b"
                             r"|in\b|on\b|at\b|to\b|with\b|for\b)")
# "what % do they take": a percent sign after a word is the word (after a number it is that number's).
_LONE_PERCENT_RE = re.compile(r"(?<=[A-Za-z])\s?%(?=\s|$|[?!.,])")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# "5 min", "20 mins": minutes after a number ("min" alone is as often a minimum).
_MINUTES_RE = re.compile(r"(?<=\d)\s?mins?\b")
# "15 yo" is an age; "yo" alone is a greeting (or Spanish "I") and a stopword.
_YEARS_OLD_RE = re.compile(r"(?<=\d)\s?yo\b")
# "im 16", "my brother is 15 and…", "she just turned 17": a minor's age (up to 18, where the rules
# change), read with the word "age" after it (an age question), unless the number counts something ("im 16
# followers away", "she is 15k"). "My son is 19 and made…" is about something else.
_STATED_AGE_RE = re.compile(
    r"\b((?:im|i\s+am|hes|he\s+is|shes|she\s+is|theyre|they\s+are|"
    r"(?:son|daughter|kid|child|brother|sister|bro|sis|cousin|nephew|niece|friend|sibling|grandson|granddaughter"
    r"|teen|teenager)\s+is|(?:just\s+)?turn(?:ed|ing)|aged?"
    r"|(?:go(?:ing)?\s+live|stream(?:ing)?|start(?:ing)?|gift(?:ing)?)\s+at)"  # "can i go live at 15"
    r"\s+(?:only\s+|just\s+|about\s+)?(?:[5-9]|1[0-8]))"
    r"(?![\d.,:]|\s*(?:am\b(?!\s+i\b)|pm\b|k\b|m\b|%|\$|[a-z]*(?:follow|view|coin|diamond|dollar|buck|gift|min|hour|hr|day|week|month|year"
    r"|stream|live|time|sub|fan|people|ppl|rose|lion|percent|x\b)))")
_DIGIT_RE = re.compile(r"\d")
# "US" in capitals is the country, not the pronoun (which is a stopword).
_US_RE = re.compile(r"\b(?:U\.S\.A?\.?|US|USA)\b|(?<=\bthe )us\b")
# Words that carry no meaning for which topic is meant. Question words and "much"/"many" are kept:
# "how much" separates money questions from how-to questions.
STOPWORDS = frozenset(
    """a an the is are was were be been being am do does did doing i me my mine myself we our us you
    your it its it's this that these those to of in on at by for with from as and or but if so then
    there here just really actually still even also too very any some im ive id ill dont doesnt
    didnt isnt arent wasnt cant wont can could would should will shall may might must get got gets
    getting have has had having ok okay yeah yes no hey hi hello guys anyone someone pls please
    thanks lol lmao omg bro sis fr ngl tbh idk rn yo all yall
    el la los las un una en de del y o es se lo le les des du et est une il di e ke yang dan itu ini
    und der die das ist ein eine mit bei auf zu den dem ich man mein meine wird werden nicht auch noch
    ang ng sa mga na si ba ako
    في من الى على عن ما هي هو هل ثم انا انت او لا لم هذا هذه ذلك مع كل""".split()
)
MIN_FUZZY_LEN = 5  # shorter words are too easily another word (math/match, love/glove)
FUZZY_CUTOFF = 87.0  # one dropped or doubled letter passes; a swapped vowel (topping/tapping) does not


_ASCII_NON_WORD_RE = re.compile(r"[^a-z0-9']+")
# "tiktok's", "what's", "it's": the word itself; "don't", "i'm", "can't": written as most people type
# them ("dont", "im", "cant"), which the stopwords and the lexicon know.
_APOSTROPHE_S_RE = re.compile(r"'s\b")


def without_apostrophes(folded: str) -> str:
    """Folded text with "'s" dropped and other apostrophes taken out."""
    return _APOSTROPHE_S_RE.sub("", folded).replace("'", "") if "'" in folded else folded


def _fold_char(ch: str) -> str:
    """One character of NFKD text as `fold` keeps it: accents (combining marks) dropped, letters,
    digits and apostrophes kept (curly ones straightened), letters NFKD can't split written in a-z,
    emoji and other symbols spaced (for the lexicon), the rest a space."""
    category = unicodedata.category(ch)
    if category == "Mn":
        return ""
    if ch in APOSTROPHES:  # phones type "don’t"
        return "'"
    if ch in LETTERS_WITHOUT_ACCENT:  # "nasıl" is "nasil", not "nas" and "l"
        return LETTERS_WITHOUT_ACCENT[ch]
    if ch.isalnum() or ch == "'":
        return ch
    return f" {ch} " if category == "So" else " "


_FOLD_CHARS = CharTable(_fold_char)


def fold(text: str) -> str:
    """Lowercase, strip accents, keep emoji as separate symbols, turn other punctuation into spaces."""
    if text.isascii():  # most questions: no accents, no emoji, nothing for Unicode to normalise
        return " ".join(_ASCII_NON_WORD_RE.sub(" ", text.lower()).split())
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(text.translate(_FOLD_CHARS).split())


# (suffix, replacement, minimum word length), tried in order; the first that fits applies.
_SUFFIXES = (
    ("ically", "ic", 8), ("izations", "ize", 10), ("ization", "ize", 9), ("isation", "ize", 9), ("ations", "ate", 8),
    ("ation", "ate", 7), ("ables", "", 8), ("able", "", 7), ("ibles", "", 8), ("ible", "", 7),
    ("nesses", "", 9), ("ness", "", 7), ("ies", "y", 5), ("sses", "ss", 5), ("ings", "", 6), ("ing", "", 6),
    ("ers", "er", 5), ("ed", "", 5), ("ly", "", 6), ("s", "", 4),
)
_KEEP_DOUBLE = frozenset("lsz")


def stem(word: str) -> str:
    """A light, predictable English stemmer: joins 'gifts'/'gift', 'paying'/'pay', 'dropped'/'drop',
    'taxable'/'tax', 'monetization'/'monetize', and words ending in 'e' with their endings
    ('change'/'changed', 'match'/'matches'). Digits ('18s' → '18') and short words are left alone."""
    if word.isdigit() or len(word) <= 3 and not word[:-1].isdigit():
        return word
    if word[-1] == "s" and word[:-1].isdigit():  # "under 18s", "the 2020s"
        return word[:-1]
    for suffix, repl, min_len in _SUFFIXES:
        if word.endswith(suffix) and len(word) >= min_len:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            base = word[: len(word) - len(suffix)]
            if suffix in ("ed", "ing", "ings") and len(base) >= 3 and base[-1] == base[-2] and base[-1] not in _KEEP_DOUBLE:
                base = base[:-1]
            return _without_final_e(base + repl)
    return _without_final_e(word)


def _without_final_e(word: str) -> str:
    """'change'/'changed'/'changing' → 'chang', 'matches'/'match' → 'match', 'lives'/'living' → 'liv'."""
    return word[:-1] if len(word) >= 4 and word[-1] == "e" else word


# The lexicon's lists beside its synonyms (each optional), as `Lexicon` takes them.
_LEXICON_LISTS = ("other_platforms", "multi_platform_cues", "tiktok_words", "setup_words", "money_words",
                  "other_domain_words", "streaming_words", "investing_words", "tiktok_currency_words")


class _Phrases:
    """Words and runs of words ("ring light"), found in a question's words in that order."""

    def __init__(self, phrases: Iterable[str]) -> None:
        rests: dict[str, list[tuple[str, ...]]] = defaultdict(list)  # each phrase by its first word
        for first, *rest in (fold(p).split() for p in phrases):
            rests[first].append(tuple(rest))
        self.starts = frozenset(rests)
        self._rests = dict(rests)

    def found(self, words: Sequence[str], present: AbstractSet[str]) -> bool:
        return self.count(words, present, enough=1) > 0

    def count(self, words: Sequence[str], present: AbstractSet[str], enough: int = 2) -> int:
        """How many different phrases are in `words`, counting up to `enough`."""
        if present.isdisjoint(self.starts):
            return 0
        seen: set[tuple[str, tuple[str, ...]]] = set()
        rests_of = self._rests
        for i, word in enumerate(words):
            if word not in rests_of:  # most words start no phrase
                continue
            for rest in rests_of[word]:
                if tuple(words[i + 1:i + 1 + len(rest)]) == rest:
                    seen.add((word, rest))
                    if len(seen) >= enough:
                        return len(seen)
        return len(seen)


class Lexicon:
    """Slang, chat shorthand, other languages and emoji mapped to the knowledge base's words,
    plus the names of other platforms (a question about one of those alone is not ours)."""

    def __init__(self, synonyms: Mapping[str, Iterable[str]], other_platforms: Iterable[str] = (),
                 multi_platform_cues: Iterable[str] = (), tiktok_words: Iterable[str] = ("tiktok",),
                 setup_words: Iterable[str] = (), money_words: Iterable[str] = (),
                 other_domain_words: Iterable[str] = (), streaming_words: Iterable[str] = (),
                 investing_words: Iterable[str] = (), tiktok_currency_words: Iterable[str] = ()) -> None:
        self.other_platforms = frozenset(fold(p) for p in other_platforms)
        self.multi_platform_cues = frozenset(fold(c) for c in multi_platform_cues)
        self.tiktok_words = frozenset(fold(w) for w in tiktok_words)
        self._setup = _Phrases(setup_words)
        self.money_words = frozenset(fold(w) for w in money_words)
        self._other_domains = _Phrases(other_domain_words)
        self.streaming_words = frozenset(fold(w) for w in streaming_words)
        self._investing = _Phrases(investing_words)
        self.tiktok_currency_words = frozenset(fold(w) for w in tiktok_currency_words)
        table: dict[str, str] = {}
        for canonical, forms in synonyms.items():
            for form in forms:
                key = without_apostrophes(fold(str(form)))
                if key and key != canonical:
                    table[key] = canonical
        self.table = table
        # Forms are whole runs of words: each first word, with the most words a form starting there has.
        self._longest_from: dict[str, int] = {}
        for key in table:
            first, *rest = key.split()
            self._longest_from[first] = max(self._longest_from.get(first, 0), 1 + len(rest))

    @classmethod
    def load(cls, path: Path) -> "Lexicon":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        synonyms = data.get("synonyms")
        if not isinstance(synonyms, dict) or not all(isinstance(v, list) for v in synonyms.values()):
            raise ValueError(f"{path}: 'synonyms' must map each word to a list of forms")
        lists = {name: data.get(name, []) for name in _LEXICON_LISTS}
        for name, value in lists.items():
            if not isinstance(value, list):
                raise ValueError(f"{path}: '{name}' must be a list")
        return cls(synonyms, **lists)

    def about_setup(self, words: Sequence[str], present: AbstractSet[str]) -> bool:
        """The words (`present` is them as a set) ask about streaming set-up, gear or an app feature
        and say nothing about money: "best ring light under $50", "gift alerts bigger in obs"."""
        return present.isdisjoint(self.money_words) and self._setup.found(words, present)

    def about_elsewhere(self, words: Sequence[str], present: AbstractSet[str]) -> bool:
        """The words ask about another domain that shares our words, and say nothing about
        streaming: "is a 1 carat lab diamond worth it", "how do i appeal my property tax"; or about
        investing, and say nothing of streaming nor of TikTok's diamonds, coins and gifts ("is bitcoin
        worth buying", but not "do diamonds go up and down like crypto"); or weigh two investments
        against each other, whose coins and gifts are not TikTok's, and say nothing of TikTok's own
        diamonds ("bitcoin or solana coins this month", but not "can i cash out diamonds as btc or eth")."""
        if not present.isdisjoint(self.streaming_words):
            return False
        if self._other_domains.found(words, present):
            return True
        investments = self._investing.count(words, present)
        if investments >= 2:
            return present.isdisjoint(self.tiktok_words)
        return investments == 1 and present.isdisjoint(self.tiktok_currency_words)

    def apply(self, folded: str) -> str:
        """Replace each form found as whole words with its canonical word(s), longest form first,
        left to right; replacements are not looked at again. Words end up single-spaced."""
        words = folded.split()
        longest_from, table = self._longest_from, self.table
        starts = [i for i, word in enumerate(words) if word in longest_from]  # most words start no form
        out: list[str] = []
        done = 0  # words before this are copied or replaced
        for i in starts:
            if i < done:  # inside a form already replaced
                continue
            first = words[i]
            for size in range(min(longest_from[first], len(words) - i), 0, -1):
                canonical = table.get(first if size == 1 else " ".join(words[i:i + size]))
                if canonical is not None:
                    out += words[done:i]
                    out.append(canonical)
                    done = i + size
                    break
        out += words[done:]
        return " ".join(out)

    @property
    def canonical_words(self) -> set[str]:
        return {w for c in self.table.values() for w in c.split()}


class Analyzer:
    """Text → terms. Typos are corrected only towards words the knowledge base actually uses."""

    def __init__(self, lexicon: Lexicon, vocabulary: Iterable[str] = ()) -> None:
        self.lexicon = lexicon
        # "like" before another platform's name compares platforms ("lives like youtube ads"): "also",
        # a multi-platform cue that is no term, rather than likes.
        platforms = "|".join(sorted(map(re.escape, lexicon.other_platforms)))
        self.like_a_platform_re = re.compile(rf"\blike\s+(?=(?:{platforms})\b)") if platforms else None
        self.vocabulary: set[str] = set()
        # Each known word's stem, with the first such word in sorted order (whatever order they were
        # learnt in): an unknown form of a known word ("spends", "withdrawls") is read as that word,
        # not corrected towards another ("sends").
        self._known_stems: dict[str, str] = {}
        self.vocabulary_version = 0  # changes whenever typo correction may give a different answer
        self._by_initial: dict[str, list[str]] = {}
        # Single-word lexicon forms are typo targets too: "subcriber" → "subscriber" → its canonical word.
        self.extend_vocabulary({f for f in lexicon.table if " " not in f and len(f) >= MIN_FUZZY_LEN})
        self.extend_vocabulary(vocabulary)

    def extend_vocabulary(self, words: Iterable[str]) -> None:
        new = {w for w in words if w not in self.vocabulary}
        if new:
            self.vocabulary |= new
            for word in new:
                self._by_initial.setdefault(word[0], []).append(word)
                key = stem(word)
                if word < self._known_stems.get(key, "\uffff"):
                    self._known_stems[key] = word
            for initial in {w[0] for w in new}:  # sorted: of two equally close words, the same one always wins
                self._by_initial[initial].sort()
            self._correct.cache_clear()
            self.vocabulary_version += 1

    def words(self, text: str) -> list[str]:
        """Folded, lexicon-mapped words, before typo correction and stemming."""
        if "U" in text or "the us" in text:  # the only ways `_US_RE` can match
            text = _US_RE.sub(" usa ", text)
        if "," in text:  # "5,000" is one number, not 5 and 000
            text = _THOUSANDS_RE.sub("", text)
        if "%" in text:  # before `fold`, which drops it
            text = _LONE_PERCENT_RE.sub(" percent ", text)
        text = without_apostrophes(fold(text))
        if "like" in text:  # in every `_FILLER_LIKE_RE` match
            text = _FILLER_LIKE_RE.sub(" ", text)
            if self.like_a_platform_re is not None:
                text = self.like_a_platform_re.sub(" also ", text)
        if "yo" in text:
            text = _YEARS_OLD_RE.sub(" years old", text)
        if _DIGIT_RE.search(text):
            text = _MINUTES_RE.sub(" minutes", _STATED_AGE_RE.sub(r"\1 age", text))
        return (WORD_RE if text.isascii() else _UNICODE_WORD_RE).findall(self.lexicon.apply(text))

    def terms(self, text: str) -> list[str]:
        """Matching terms: words minus stopwords, typo-corrected, stemmed."""
        return self.terms_of(self.words(text))

    def terms_of(self, words: Iterable[str]) -> list[str]:
        """`terms` for words already split by `words`."""
        return [t for w in words if w not in STOPWORDS for t in self._correct(w)]

    def vocabulary_words(self, texts: Iterable[str]) -> set[str]:
        """Words of `texts` (after the lexicon) long enough to be typo targets."""
        return {w for t in texts for w in self.words(t) if len(w) >= MIN_FUZZY_LEN and not w.isdigit()}

    @lru_cache(maxsize=8192)
    def _correct(self, word: str) -> tuple[str, ...]:
        """The stemmed term(s) for one word, correcting a typo towards the known vocabulary."""
        if word not in self.vocabulary and (known := self._known_stems.get(stem(word))) is not None:
            word = known
        elif word not in self.vocabulary and len(word) >= MIN_FUZZY_LEN and not word.isdigit():
            # Typos keep their first letter far more often than not: only words sharing it are candidates.
            best = process.extractOne(word, self._by_initial.get(word[0], ()), scorer=fuzz.ratio,
                                      score_cutoff=FUZZY_CUTOFF)
            if best:
                word = best[0]
        mapped = self.lexicon.table.get(word, word)
        return tuple(stem(w) for w in mapped.split() if w not in STOPWORDS)

