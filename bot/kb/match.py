"""Question → topic. TF-IDF over each topic's phrasings, title, summary and keywords: the nearest
phrasing and the whole topic are blended, keyword hits add a bonus, a classifier trained on the same
texts adds its probability to rank the topics, and gates keep LiveTally honest (a question must hold a
word of our domain, and set-up questions, another platform's own questions and other domains' questions
are not ours). Whether a question is known at all is decided by similarity, or, for a question that
passed every gate, by the best topic's whole score. Server FAQ entries are matched beside the
knowledge base."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

import numpy as np

from bot.kb.model import Topic
from bot.kb.text import Analyzer, stem

# Field weights inside a topic's own vector, and how the two similarities are blended.
TITLE_WEIGHT, KEYWORD_WEIGHT, SUMMARY_WEIGHT = 2.0, 2.5, 1.0
PHRASE_BLEND, TOPIC_BLEND = 0.45, 0.55
BIGRAM_WEIGHT = 0.3
# A linear classifier over the same features, trained on the topics' own texts when the knowledge base
# loads, learns which words tell topics apart (similarity only sees which words a question shares with
# a topic). Its probability for each topic, times this, is added to the topic's score to rank topics;
# whether LiveTally knows the question at all is a matter of similarity (MIN_SCORE), or of the best
# topic's whole score (KNOWN_SCORE) when a long question's similarity is spread thin.
CLASSIFIER_BLEND = 0.3
# Full-batch gradient steps (Adam) of softmax regression with a small L2 penalty: the same weights on
# every load of the same knowledge base.
TRAIN_STEPS, TRAIN_RATE, TRAIN_L2 = 40, 0.3, 1e-4
# Below this a question is "not known yet"; tuned on the independent dev set in tests/kb/.
MIN_SCORE = 0.22
# ... unless the best topic's similarity and classifier bonus together reach this, for a question that
# passed every gate: on the dev and probe sets 0.30 answered four more questions, all rightly, and no
# question that isn't ours.
KNOWN_SCORE = 0.30
# Each keyword of a topic found whole in the question adds this much to that topic (capped).
KEYWORD_BONUS, KEYWORD_BONUS_MAX = 0.12, 0.24
# A question needs at least one "domain" term to be about our topics (weather, jokes and homework
# have none): a word of a topic's title or keywords, a word the lexicon maps to, or a word that
# recurs in the phrasings of at most DISTINCTIVE_TOPICS topics.
DISTINCTIVE_TOPICS = 3
# Too general alone, but a money word with another of these ("does tiktok pay you for going live")
# is a question about creator money, and streaming is going live ("is 3x a week better for money");
# "tiktok" and "live" alone ("my tiktok live keeps crashing") are not.
_MONEY_TERMS = frozenset(stem(w) for w in ("money", "pay"))
_CORE_TERMS = _MONEY_TERMS | frozenset(stem(w) for w in ("tiktok", "live", "stream"))
# A knowledge-base topic that fails a gate keeps this share of its score: a strong match still wins.
# A question about another platform alone ("how much does twitch pay per sub") keeps less: the
# words it shares with our topics are what every platform's money questions say.
GATE_FACTOR = 0.5
# An amount of money ("take out $5,000", "€20 a day") puts a question in the domain whatever its words.
_AMOUNT_RE = re.compile(r"[$€£]\s?\d")
OTHER_PLATFORM_FACTOR = 0.3
# A question from another domain that shares our words ("is a 1 carat lab diamond worth it") keeps
# less still: its words match our topics well, and only the other domain's own words tell them apart.
ELSEWHERE_FACTOR = 0.2
# Words too general to show that a question is about creator money, even inside a title or keyword
# (stemmed, as the terms they are taken from): "whats the weather today" and "can you dm me" are not ours.
GENERIC_TERMS = frozenset(stem(w) for w in
    """what why how when where who which much many per make go up more own time full tiktok live money pay
    get do can work need say take come give see know want think use find keep real true good best new now
    day year thing way one two lot people someone anyone tell help top under over off big small
    today tonight yesterday tomorrow weekend morning dm
    account actual add allow another around bad because become better bigger build button certain change course
    detail differ down effect email enough explain fast few fix friend hard her his hit hold idea into itself
    leave list little low lower mad mean never nothing often other person phone piece please put right run said
    second set stop stuff thank through turn until used usual well whole wonder write yet guy mom daughter
    son spot mas dos con ce je lang uma pour mu sich gehen mis untuk gon theyll
    nah lowkey crazy already against both cover eat else end everything hear instead kind look matter mention mid
    min next nobody once open part plus possible side sign since sing smaller somewhere try while wise without
    da em os ga br ca aja ada sih gak jadi mais mesmo muss gibt sont aux isang sal posso puedo tengo hacer fazer qual""".split()
)

# Words after which the rest of a long question is the question itself: "my agency keeps pushing a like
# goal, but honestly i just want to know if likes pay". (Who said what is not such a marker: "my agency
# says 50%, who is right" asks about the agency's claim, with the agency as its subject.)
_MAIN_ASK_RE = re.compile(
    r"(?:what\s+i\s+(?:actually\s+|really\s+|just\s+)?(?:want|wanna|need)\s+to\s+know\s+is"
    r"|\b(?:just|really|honestly|actually|only)\s+(?:want|wanna|need)\s+to\s+know"
    r"|all\s+i\s+(?:want|wanna|need)\s+to\s+know\s+is|\b(?:my|the)\s+(?:real\s+|actual\s+|main\s+)?question\s+is)\b",
    re.IGNORECASE)


def main_ask(text: str) -> str | None:
    """The part of `text` after its last main-question marker, or None (most questions have none)."""
    low = text.lower()
    if "know" not in low and "question" not in low:
        return None
    last = None
    for last in _MAIN_ASK_RE.finditer(text):
        pass
    rest = text[last.end():].strip(" ,:;-") if last is not None else ""
    return rest or None


Vector = dict[str, float]
# A feature's postings: the ids of the phrasings (or topics) that hold it, and its weight in each.
Postings = tuple[np.ndarray, np.ndarray]


class Query(NamedTuple):
    """A question's features that an index knows (each once, in the question's order), and the norm
    of its vector over them: a feature's weight in it is fixed (`_Index._query_weight`)."""

    features: list[str]
    norm: float

    def __bool__(self) -> bool:
        return bool(self.features)


@dataclass(frozen=True, slots=True)
class Match:
    """The best topic (or None when LiveTally doesn't know), with every topic ranked by score."""

    topic: Topic | None
    score: float
    ranked: tuple[tuple[Topic, float], ...]

    @property
    def known(self) -> bool:
        return self.topic is not None

    def suggestions(self, count: int = 3) -> list[Topic]:
        """The closest topics other than the answer itself, best first."""
        return [t for t, s in self.ranked if t is not self.topic and s > 0][:count]


def features(terms: Sequence[str]) -> list[tuple[str, float]]:
    """Unique terms plus adjacent-term bigrams (lower weight)."""
    seen: dict[str, float] = {}
    for term in terms:
        seen.setdefault(term, 1.0)
    for a, b in zip(terms, terms[1:]):
        if a != b:
            seen.setdefault(f"{a} {b}", BIGRAM_WEIGHT)
    return list(seen.items())


def _sublinear(tf: float) -> float:
    return 1 + math.log(tf) if tf >= 1 else tf


def _fields(topic: Topic) -> list[tuple[str, float]]:
    fields = [(topic.title, TITLE_WEIGHT), (topic.summary, SUMMARY_WEIGHT)]
    fields += [(p, 1.0) for p in topic.phrasings]
    fields += [(k, KEYWORD_WEIGHT) for k in topic.keywords]
    return fields


def _normalise(vec: Vector) -> Vector:
    norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
    return {f: w / norm for f, w in vec.items()}


class _Index:
    """Vectors for a set of topics, scored against a query through inverted indexes."""

    def __init__(self, topics: Iterable[Topic], analyzer: Analyzer, idf: dict[str, float], default_idf: float) -> None:
        self.topics: list[Topic] = list(topics)
        self._idf, self._default_idf = idf, default_idf
        self._phrase_topic: list[int] = []
        phrase_post: dict[str, list[tuple[int, float]]] = defaultdict(list)
        topic_post: dict[str, list[tuple[int, float]]] = defaultdict(list)
        # Each keyword (a set of terms) filed under one of its terms: a query only tries the
        # keywords that share a term with it.
        self._keywords_by_term: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        for ti, topic in enumerate(self.topics):
            for kw in (frozenset(analyzer.terms(k)) for k in topic.keywords):
                if kw:
                    self._keywords_by_term[min(kw)].append((ti, kw))
        platforms = analyzer.lexicon.other_platforms
        self.mentions_platforms: list[bool] = [
            any(w in platforms for text, _ in _fields(t) for w in analyzer.words(text)) for t in self.topics
        ]
        for ti, topic in enumerate(self.topics):
            combined: dict[str, float] = defaultdict(float)
            for text, weight in _fields(topic):
                feats = features(analyzer.terms(text))
                for f, w in feats:
                    combined[f] += w * weight
            for phrasing in topic.phrasings:
                self._add_phrase(ti, features(analyzer.terms(phrasing)), phrase_post)
            if not topic.phrasings:  # an empty slot keeps every topic's phrasings a non-empty run
                self._phrase_topic.append(ti)
            vec = _normalise({f: _sublinear(tf) * self.idf(f) for f, tf in combined.items()})
            for f, w in vec.items():
                topic_post[f].append((ti, w))
        # Each feature's postings as one pair of arrays, for `scores`: its phrasings' ids, then its
        # topics' ids offset by the number of phrasings (so one `bincount` makes every dot product),
        # each weight multiplied by the feature's weight in a query and by its blend factor.
        # Phrasings are numbered topic by topic: each topic's are one run from `_phrase_starts[topic]`.
        self.phrase_count = len(self._phrase_topic)
        self._query_weight = {f: (BIGRAM_WEIGHT if " " in f else 1.0) * self.idf(f) for f in topic_post}
        self._query_weight_squared = {f: w * w for f, w in self._query_weight.items()}
        self._postings: dict[str, Postings] = {
            f: _arrays([(pi, self._query_weight[f] * PHRASE_BLEND * w) for pi, w in phrase_post.get(f, [])]
                       + [(self.phrase_count + ti, self._query_weight[f] * TOPIC_BLEND * w) for ti, w in post])
            for f, post in topic_post.items()
        }
        self._phrase_starts = np.searchsorted(np.array(self._phrase_topic), np.arange(len(self.topics)))
        self._class_bias: list[float] | None = None  # the classifier's, set by `add_classifier`
        self._width = self.phrase_count + len(self.topics)  # one `bincount`'s columns

    def idf(self, feature: str) -> float:
        return self._idf.get(feature, self._default_idf)

    def _add_phrase(self, topic_index: int, feats: list[tuple[str, float]],
                    phrase_post: dict[str, list[tuple[int, float]]]) -> None:
        pi = len(self._phrase_topic)
        self._phrase_topic.append(topic_index)
        for f, w in _normalise({f: w * self.idf(f) for f, w in feats}).items():
            phrase_post[f].append((pi, w))

    def query(self, feats: Iterable[tuple[str, float]]) -> Query:
        """The features of `feats` this index knows, and the norm of the query's vector over them."""
        known = self._postings
        found = [f for f, _ in feats if f in known]
        return Query(found, math.sqrt(sum(map(self._query_weight_squared.__getitem__, found))) or 1.0)

    def add_classifier(self, classifier: "_Classifier") -> None:
        """Fold the classifier's weights into the postings: one `bincount` then gives its logits too
        (`scores_and_probabilities`), in columns after the topics'."""
        self._class_bias = classifier.bias.tolist()
        width = self.phrase_count + len(self.topics)
        columns = np.arange(width, width + len(self._class_bias), dtype=np.intp)
        self._width = width + len(self._class_bias)
        for f, (ids, weights) in self._postings.items():
            self._postings[f] = (np.concatenate([ids, columns]), np.concatenate([weights, classifier.scaled_row(f)]))

    def scores(self, query: Query) -> list[float]:
        """Blended similarity of `query` to every topic plus keyword hits, in topic order."""
        return self.scores_and_probabilities(query)[0]

    def scores_and_probabilities(self, query: Query) -> tuple[list[float], list[float] | None]:
        """Blended similarity of `query` to every topic plus keyword hits, in topic order, and the
        classifier's probability of each topic (None without one).

        The postings hold each weight already multiplied by its feature's weight in any query
        (`_query_weight`) and by its blend factor (a positive factor commutes with the best
        phrasing's maximum), so the query's vector is only divided by its norm at the end. Each dot
        product is summed feature by feature in the query's order (`bincount` adds its weights in
        input order): the figures are exactly those of the plain loops of that definition."""
        postings = [self._postings[f] for f in query.features]  # the features this index knows
        count = self.phrase_count
        dot = np.bincount(np.concatenate([ids for ids, _ in postings]), np.concatenate([w for _, w in postings]),
                          minlength=self._width)
        # The few figures per topic are finished in plain Python: each numpy call on a short array
        # costs more than its arithmetic, several times more with the processor's caches cold.
        best = np.maximum.reduceat(dot[:count], self._phrase_starts).tolist()
        rest = dot[count:].tolist()  # each topic's similarity, then the classifier's logits
        norm = query.norm
        blended = [(phrasing + topic) / norm for phrasing, topic in zip(best, rest)]
        probabilities = None
        if self._class_bias is not None:
            probabilities = _softmax([logit / norm + bias for logit, bias in zip(rest[len(best):], self._class_bias)])
        terms = frozenset(query.features)
        keyword_hits: dict[int, int] = defaultdict(int)
        for f in query.features:
            for ti, kw in self._keywords_by_term.get(f, ()):
                if kw <= terms:
                    keyword_hits[ti] += 1
        for ti, hits in keyword_hits.items():
            blended[ti] += min(KEYWORD_BONUS_MAX, KEYWORD_BONUS * hits)
        return blended, probabilities


def _arrays(postings: list[tuple[int, float]]) -> Postings:
    ids, weights = zip(*postings)
    return np.array(ids, dtype=np.intp), np.array(weights, dtype=np.float64)


class _Classifier:
    """Softmax regression from a question's features to the knowledge base's topics, trained on each
    topic's title, summary, phrasings and keywords (each text one example, as `_Index` weighs a query)."""

    def __init__(self, index: _Index, analyzer: Analyzer) -> None:
        rows: list[dict[int, float]] = []
        labels: list[int] = []
        self._row: dict[str, int] = {f: i for i, f in enumerate(index._query_weight)}
        for ti, topic in enumerate(index.topics):
            for text, _ in _fields(topic):
                weights = {self._row[f]: w * index.idf(f) for f, w in features(analyzer.terms(text)) if f in self._row}
                norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
                rows.append({j: w / norm for j, w in weights.items()})
                labels.append(ti)
        self.weights, self.bias = _softmax_regression(rows, labels, len(self._row), len(index.topics))
        self._query_weight = index._query_weight

    def scaled_row(self, feature: str) -> np.ndarray:
        """A feature's weight for each topic, times the feature's weight in any query."""
        return self.weights[self._row[feature]] * self._query_weight[feature]

    def probabilities(self, query: Query) -> np.ndarray:
        """The classifier's probability of each topic (topic order) for `query`: the definition that
        `_Index.scores_and_probabilities` computes from its postings."""
        logits = np.sum([self.scaled_row(f) for f in query.features], axis=0) / query.norm + self.bias
        e = np.exp(logits - logits.max())
        return e / e.sum()


def _softmax(logits: list[float]) -> list[float]:
    top = max(logits)
    e = [math.exp(x - top) for x in logits]
    total = sum(e)
    return [x / total for x in e]


def _softmax_regression(rows: list[dict[int, float]], labels: list[int], width: int, classes: int,
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Weights (width × classes) and biases fitted to sparse `rows` by TRAIN_STEPS of Adam."""
    count = len(rows)
    sizes = np.array([len(r) for r in rows])
    row_of = np.repeat(np.arange(count), sizes)
    col = np.fromiter((j for r in rows for j in r), np.intp, int(sizes.sum()))
    val = np.fromiter((v for r in rows for v in r.values()), np.float32, int(sizes.sum()))[:, None]
    nonempty = sizes > 0
    row_starts = (np.cumsum(sizes) - sizes)[nonempty]
    by_col = np.argsort(col, kind="stable")
    col_sorted = col[by_col]
    used = np.unique(col_sorted)  # every feature of the index occurs in some text: all of them, in order
    col_starts = np.searchsorted(col_sorted, used)
    target = np.eye(classes, dtype=np.float32)[labels]
    w, b = np.zeros((width, classes), np.float32), np.zeros(classes, np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, TRAIN_STEPS + 1):
        z = np.zeros((count, classes), np.float32)
        z[nonempty] = np.add.reduceat(val * w[col], row_starts, axis=0)
        z += b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        d = (p - target) / count
        g = np.zeros_like(w)
        g[used] = np.add.reduceat((val * d[row_of])[by_col], col_starts, axis=0)
        g += TRAIN_L2 * w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= TRAIN_RATE * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        b -= 0.5 * d.sum(axis=0)
    return w.astype(np.float64), b.astype(np.float64)  # float32 only to train faster


class Matcher:
    """Finds the topic a question is about, in the knowledge base and in a server's FAQ entries."""

    def __init__(self, topics: Iterable[Topic], analyzer: Analyzer, *, min_score: float = MIN_SCORE) -> None:
        self.analyzer = analyzer
        self.min_score = min_score
        topics = list(topics)
        analyzer.extend_vocabulary(analyzer.vocabulary_words(text for t in topics for text, _ in _fields(t)))
        self._idf, self._default_idf = self._build_idf(topics)
        self._kb = _Index(topics, analyzer, self._idf, self._default_idf)
        self._classifier = _Classifier(self._kb, analyzer) if len(topics) > 1 else None
        if self._classifier is not None:
            self._kb.add_classifier(self._classifier)
        self._domain = self._domain_terms(topics)
        self._guilds: dict[int, _Index] = {}
        self._versions: dict[int, int] = {}

    def _build_idf(self, topics: list[Topic]) -> tuple[dict[str, float], float]:
        df: dict[str, int] = defaultdict(int)
        units = [text for t in topics for text, _ in _fields(t)]
        for text in units:
            for f, _ in features(self.analyzer.terms(text)):
                df[f] += 1
        n = len(units)
        return {f: math.log(1 + n / d) for f, d in df.items()}, math.log(1 + n)

    def _domain_terms(self, topics: list[Topic]) -> frozenset[str]:
        """Terms that show a question is about creator money (see DISTINCTIVE_TOPICS)."""
        domain = {t for topic in topics for text in (topic.title, *topic.keywords) for t in self.analyzer.terms(text)}
        topics_of: dict[str, set[str]] = defaultdict(set)
        uses: dict[str, int] = defaultdict(int)
        for topic in topics:
            for phrasing in topic.phrasings:
                for term in set(self.analyzer.terms(phrasing)):
                    topics_of[term].add(topic.id)
                    uses[term] += 1
        domain |= {t for t, ids in topics_of.items() if len(ids) <= DISTINCTIVE_TOPICS and uses[t] >= 2 and len(t) >= 2}
        domain |= {stem(w) for w in self.analyzer.lexicon.canonical_words}
        return frozenset(domain - GENERIC_TERMS)

    def _other_platform(self, words: set[str]) -> str | None:
        """None, "multi" (another platform beside TikTok) or "only" (a question about another platform)."""
        lexicon = self.analyzer.lexicon
        if not words & lexicon.other_platforms or words & lexicon.tiktok_words:
            return None
        return "multi" if words & lexicon.multi_platform_cues else "only"

    def set_guild_entries(self, guild_id: int, entries: Sequence[Topic]) -> None:
        """Replace one server's FAQ entries in the index (an empty list removes them)."""
        self._versions[guild_id] = self._versions.get(guild_id, 0) + 1
        if not entries:
            self._guilds.pop(guild_id, None)
            return
        self.analyzer.extend_vocabulary(self.analyzer.vocabulary_words(text for t in entries for text, _ in _fields(t)))
        self._guilds[guild_id] = _Index(entries, self.analyzer, self._idf, self._default_idf)

    def guild_ids(self) -> list[int]:
        return list(self._guilds)

    def guild_version(self, guild_id: int | None) -> int | None:
        """None when the server has no entries; otherwise a number that changes with every update."""
        return self._versions[guild_id] if guild_id in self._guilds else None

    def guild_entries(self, guild_id: int | None) -> list[Topic]:
        index = self._guilds.get(guild_id) if guild_id is not None else None
        return list(index.topics) if index else []

    def not_ours_to_work_out(self, text: str) -> bool:
        """`text`'s numbers are not ours to work out: it asks about another platform alone ("how much
        does youtube pay per 1,000 views"), or about another domain that shares our words and states no
        amount of money ("hardstuck diamond 2 in valorant", "my fifa coins 200k worth how much"), unlike
        "need $75 for my phone bill, how many diamonds is that"."""
        words = self.analyzer.words(text)
        present = set(words)
        if self._other_platform(present) == "only":
            return True
        return not _AMOUNT_RE.search(text) and self.analyzer.lexicon.about_elsewhere(words, present)

    def match(self, text: str, guild_id: int | None = None) -> Match:
        """The topic `text` asks about; after words that say which part is the question ("… but what i
        actually want to know is …"), that part's topic when it is known on its own."""
        if (ask := main_ask(text)) is not None and (focused := self._match(ask, guild_id)).known:
            return focused
        return self._match(text, guild_id)

    def _match(self, text: str, guild_id: int | None) -> Match:
        words = self.analyzer.words(text)
        terms = self.analyzer.terms_of(words)
        feats = features(terms)
        # Gates for knowledge-base topics (a server's own entries always pass).
        present = set(words)
        lexicon = self.analyzer.lexicon
        other_platform = self._other_platform(present)
        in_domain = (bool(self._domain.intersection(terms)) or (
            bool(_MONEY_TERMS.intersection(terms)) and len(_CORE_TERMS.intersection(terms)) >= 2) or (
            bool(_AMOUNT_RE.search(text)))) and not lexicon.about_setup(words, present)
        elsewhere = lexicon.about_elsewhere(words, present)
        kb_allowed = in_domain and other_platform != "only" and not elsewhere
        ranked: list[tuple[Topic, float]] = []
        similarity = bonus = 0.0  # the best similarity, and the classifier's largest bonus to a topic
        guild_index = self._guilds.get(guild_id) if guild_id is not None else None
        for index, is_kb in ((self._kb, True), (guild_index, False)):
            if index is None or not (query := index.query(feats)):
                continue
            scores, probabilities = index.scores_and_probabilities(query)
            if not is_kb:  # a server's entry competes on similarity, with the best topic's bonus
                similarity = max(similarity, *scores)
                ranked += zip(index.topics, [score + bonus for score in scores])
                continue
            bonuses = [CLASSIFIER_BLEND * p for p in probabilities] if probabilities else [0.0] * len(scores)
            if not (kb_allowed and other_platform is None):
                factor = (ELSEWHERE_FACTOR if elsewhere else OTHER_PLATFORM_FACTOR if other_platform == "only"
                          else GATE_FACTOR)
                factors = [1.0 if kb_allowed and platforms else factor for platforms in index.mentions_platforms]
                scores = [score * f for score, f in zip(scores, factors)]
                bonuses = [more * f for more, f in zip(bonuses, factors)]
            similarity, bonus = max(scores), max(bonuses)
            ranked += zip(index.topics, [score + more for score, more in zip(scores, bonuses)])
        if not ranked:
            return Match(None, 0.0, ())
        if guild_index is None:  # the knowledge base alone: by score, ties in topic order (a stable sort)
            ranked.sort(key=itemgetter(1), reverse=True)
        else:  # a server's own entry wins ties: moderators added it for exactly these questions
            ranked.sort(key=lambda r: (r[1], r[0].is_server_entry), reverse=True)
        best, score = ranked[0]
        # the whole score counts only for a question that passed every gate (set-up, other platforms and domains)
        known = similarity >= self.min_score or (score >= KNOWN_SCORE and kb_allowed and other_platform is None)
        return Match(best if known else None, score, tuple(ranked))
