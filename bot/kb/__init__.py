"""Knowledge base: loading and validating topics, and matching questions to them."""

from bot.kb.loader import REQUIRED_TOPIC_IDS, KnowledgeBase, KnowledgeError, load_knowledge
from bot.kb.match import Match, Matcher
from bot.kb.model import Source, Topic
from bot.kb.text import Analyzer, Lexicon

__all__ = [
    "REQUIRED_TOPIC_IDS", "Analyzer", "KnowledgeBase", "KnowledgeError", "Lexicon", "Match", "Matcher",
    "Source", "Topic", "load_knowledge",
]
