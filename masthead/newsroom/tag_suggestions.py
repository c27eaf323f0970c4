"""Tags to suggest for a draft: tags whose names appear in its text, tags used on articles that
share its tags (or those names), and names in the text that are no tag yet."""

import re
from collections import Counter

from django.db.models import Count
from django.db.models.functions import Lower
from taggit.models import Tag

from masthead.articles.models import ArticleTag

MAX_SUGGESTIONS = 12
MAX_CANDIDATES = 200
MAX_TAG_LENGTH = 100
# A name: capitalised words (or all-capital abbreviations), up to four, joined by spaces.
NAME = re.compile(r"\b(?:[A-Z][\w'’-]*[A-Za-z0-9])(?:\s+(?:[A-Z][\w'’-]*[A-Za-z0-9])){0,3}\b")
# Capitalised only because they start a sentence, or too common to tag.
COMMON = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "but",
    "by",
    "for",
    "from",
    "he",
    "her",
    "his",
    "i",
    "in",
    "it",
    "its",
    "mr",
    "mrs",
    "ms",
    "dr",
    "no",
    "not",
    "of",
    "on",
    "or",
    "our",
    "she",
    "so",
    "that",
    "the",
    "their",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "we",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "with",
    "you",
    "yes",
    "after",
    "before",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
}


def starts_sentence(text, position):
    before = text[max(0, position - 20) : position].rstrip()
    return (not before and position <= 20) or (before and before[-1] in '.!?:"“”')


def names_in(text):
    """Names found in the text, most frequent first; a single word that only ever starts a
    sentence is no name."""
    counts = Counter()
    for match in NAME.finditer(text):
        words = match.group().split()
        while words and words[0].lower() in COMMON:
            words = words[1:]
        name = " ".join(words)
        if not name or len(name) > MAX_TAG_LENGTH or name.lower() in COMMON:
            continue
        if len(words) == 1 and starts_sentence(text, match.start()):
            counts[name] += 0  # seen, but counts only if it appears inside a sentence too
        else:
            counts[name] += 1
    return [name for name, count in counts.most_common(MAX_CANDIDATES) if count > 0]


def suggest(text, chosen):
    """Up to MAX_SUGGESTIONS of {"name", "reason"}, none of them among `chosen` (the tags the
    draft has already)."""
    chosen_lower = {name.lower() for name in chosen}
    names = [name for name in names_in(text) if name.lower() not in chosen_lower]
    existing = {
        tag.name.lower(): tag
        for tag in Tag.objects.annotate(lower=Lower("name")).filter(
            lower__in=[name.lower() for name in names]
        )
    }
    suggestions, seen = [], set(chosen_lower)

    def add(name, reason):
        if name.lower() not in seen and len(suggestions) < MAX_SUGGESTIONS:
            seen.add(name.lower())
            suggestions.append({"name": name, "reason": reason})

    for name in names:
        if name.lower() in existing:
            add(existing[name.lower()].name, "in the text")
    seeds = [name.lower() for name in chosen] + list(existing)
    if seeds:
        related = (
            ArticleTag.objects.annotate(seed=Lower("content_object__tagged_items__tag__name"))
            .filter(seed__in=seeds)
            .values("tag__name")
            .annotate(articles=Count("content_object", distinct=True))
            .order_by("-articles", "tag__name")[: MAX_SUGGESTIONS * 2]
        )
        for row in related:
            add(row["tag__name"], "on similar articles")
    for name in names:
        add(name, "a name in the text (new tag)")
    return suggestions
