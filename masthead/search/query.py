"""What a reader types, made into a search query that no input can break; and highlighting.

Readers type words and "quoted phrases". Everything else (FTS5 or tsquery syntax such as
`*`, `^`, `:`, `(`, `NEAR`, punctuation, emoji) is dropped here, so that the search engine only
ever sees plain words: no input can reach it as syntax.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.search.query import And, Phrase, PlainText

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
OPERATORS = {"AND", "OR", "NOT", "NEAR"}
SNIPPET_LENGTH = 240


def words_in(text):
    """The words of `text`: runs of letters, digits and combining marks, in any script."""
    chars = [
        char if char.isalnum() or unicodedata.category(char) in ("Mn", "Mc") else " "
        for char in text
    ]
    return "".join(chars).split()


@dataclass
class SearchText:
    """A reader's query: the text as typed (shortened), its words and phrases, and notes."""

    text: str = ""
    words: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def query(self):
        """The query for Wagtail's search: all words and phrases must match; None when empty."""
        parts = []
        if self.words:
            parts.append(PlainText(" ".join(self.words), operator="and"))
        parts += [Phrase(" ".join(phrase)) for phrase in self.phrases]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(parts)

    @property
    def autocomplete(self):
        """The words for live search, the last one a prefix: "rut" finds "Rutte"."""
        words = self.words + [word for phrase in self.phrases for word in phrase]
        return " ".join(words)

    def __bool__(self):
        return bool(self.words or self.phrases)


def parse(raw):
    """Read what the reader typed. Never fails; says in `notes` what it left out."""
    text = unicodedata.normalize("NFKC", raw or "").strip()  # also folds ｆｕｌｌwidth letters
    text = "".join(char for char in text if unicodedata.category(char) not in ("Cc", "Cf"))
    result = SearchText()
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        result.notes.append(
            f"Your search was long, so only its first {MAX_QUERY_LENGTH} characters were used."
        )
    result.text = text
    if not text:
        return result

    # Text between pairs of double quotes is a phrase; an unpaired quote is ignored.
    parts = re.split(r"[\"“”„«»]", text)
    if len(parts) % 2 == 0:
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    count = 0
    for position, part in enumerate(parts):
        words = words_in(part)
        if position % 2 == 0:
            words = [word for word in words if word not in OPERATORS] or words
        words = words[: MAX_WORDS - count]
        count += len(words)
        if not words:
            continue
        if position % 2 and len(words) > 1:
            result.phrases.append(words)
        else:
            result.words += words
    if count >= MAX_WORDS and len(words_in(text)) > MAX_WORDS:
        result.notes.append(f"Only the first {MAX_WORDS} words were searched for.")
    if not result:
        result.notes.append(
            "Your search has no letters or numbers to look for. Try a word from the headline."
        )
    return result


# Highlighting: which words to mark in titles and snippets.

SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s")


def stem(word):
    """A rough English stem, to highlight "tariff" when the reader typed "tariffs"."""
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def highlighter(search_text):
    """A compiled pattern that finds the reader's words (any form) and phrases, or None."""
    patterns = [r"\s+".join(re.escape(word) for word in phrase) for phrase in search_text.phrases]
    patterns += [re.escape(stem(word)) + r"\w*" for word in search_text.words if len(word) > 1]
    if not patterns:
        return None
    patterns.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + ")", re.IGNORECASE)


def mark(text, pattern, start=0, end=None):
    """`text[start:end]`, escaped, with every match of `pattern` inside <mark>."""
    end = len(text) if end is None else end
    out, position = [], start
    if pattern is not None:
        for match in pattern.finditer(text, start, end):
            out += [escape(text[position : match.start()]), "<mark>", escape(match[0]), "</mark>"]
            position = match.end()
    out.append(escape(text[position:end]))
    return mark_safe("".join(out))


def snippet(text, pattern, length=SNIPPET_LENGTH):
    """The part of `text` around the first match, highlighted; its start when nothing matches."""
    text = " ".join(text.split())
    first = pattern.search(text) if pattern is not None else None
    if first is None:
        return None
    start = max(0, first.start() - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else first.start()
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space > 0 else end
    body = mark(text, pattern, start, end)
    return mark_safe(("… " if start else "") + body + (" …" if end < len(text) else ""))
