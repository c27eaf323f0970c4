"""The demo newspaper's writer: headlines, standfirsts and bodies put together from phrases.txt.

Everything here is plain Python with no database: the same random.Random gives the same text.
"""

import re
import uuid
from functools import cache
from html import escape
from pathlib import Path

PHRASES_FILE = Path(__file__).with_name("phrases.txt")
SLOT = re.compile(r"\{(\w+)\}")

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
QUARTERS = ["first quarter", "second quarter", "third quarter", "fourth quarter"]

# Figures are drawn afresh each time a phrase asks for one.
FIGURES = {
    "pct": lambda rng: f"{rng.uniform(1.2, 9.8):.1f}%",
    "small_pct": lambda rng: f"{rng.uniform(0.2, 2.9):.1f}%",
    "rate": lambda rng: f"{rng.randrange(8, 33) * 0.25:.2f}%",
    "bn": lambda rng: f"${rng.uniform(0.4, 12):.1f} billion",
    "mn": lambda rng: f"${rng.randrange(5, 950)} million",
    "num": lambda rng: f"{rng.randrange(120, 9800):,}",
    "count": lambda rng: str(rng.randrange(3, 41)),
    "months": lambda rng: str(rng.randrange(3, 19)),
    "weekday": lambda rng: rng.choice(WEEKDAYS),
    "quarter": lambda rng: rng.choice(QUARTERS),
}

# The shared tag vocabulary: articles draw most of their tags from their topic's list below,
# so that articles share tags and tag pages fill up.
TAGS = [
    "Inflation",
    "Interest rates",
    "Central bank",
    "Budget",
    "Taxes",
    "Jobs",
    "Trade",
    "Elections",
    "Parliament",
    "Local government",
    "Schools",
    "Universities",
    "Public health",
    "Hospitals",
    "Climate",
    "Renewables",
    "Oil and gas",
    "Mining",
    "Agriculture",
    "Food prices",
    "Housing",
    "Mortgages",
    "Banking",
    "Insurance",
    "Pensions",
    "Stock markets",
    "Bonds",
    "Currencies",
    "Startups",
    "Artificial intelligence",
    "Cybersecurity",
    "Telecoms",
    "Electric vehicles",
    "Transport",
    "Infrastructure",
    "Diplomacy",
    "Migration",
    "Film",
    "Music",
    "Festivals",
]

TOPIC_TAGS = {
    "politics": ["Elections", "Parliament", "Local government", "Budget", "Taxes", "Migration"],
    "education": ["Schools", "Universities", "Budget", "Local government", "Jobs"],
    "health": ["Public health", "Hospitals", "Budget", "Local government"],
    "opinion": ["Elections", "Climate", "Housing", "Schools", "Taxes", "Transport"],
    "economy": ["Inflation", "Interest rates", "Central bank", "Jobs", "Budget", "Trade", "Taxes"],
    "finance": ["Banking", "Insurance", "Pensions", "Interest rates", "Central bank"],
    "banking": ["Banking", "Interest rates", "Mortgages", "Central bank", "Cybersecurity"],
    "insurance": ["Insurance", "Climate", "Housing", "Transport"],
    "pensions": ["Pensions", "Stock markets", "Bonds", "Jobs", "Taxes"],
    "markets": ["Stock markets", "Bonds", "Currencies", "Interest rates", "Inflation"],
    "business": ["Startups", "Jobs", "Trade", "Taxes", "Transport", "Telecoms"],
    "agribusiness": ["Agriculture", "Food prices", "Climate", "Trade", "Jobs"],
    "energy": ["Oil and gas", "Mining", "Renewables", "Climate", "Infrastructure"],
    "property": ["Housing", "Mortgages", "Interest rates", "Infrastructure", "Local government"],
    "world": ["Diplomacy", "Trade", "Migration", "Elections", "Climate", "Infrastructure"],
    "technology": ["Artificial intelligence", "Cybersecurity", "Startups", "Telecoms"],
    "wheels": ["Electric vehicles", "Transport", "Infrastructure", "Trade"],
    "entertainment": ["Film", "Music", "Festivals", "Telecoms"],
}

# Which kinds of picture (see pictures.SCENES) suit each topic.
TOPIC_PICTURES = {
    "politics": ["skyline", "abstract"],
    "education": ["landscape", "abstract"],
    "health": ["abstract", "landscape"],
    "opinion": ["abstract", "skyline", "landscape"],
    "economy": ["chart", "harbour", "skyline"],
    "finance": ["chart", "skyline", "abstract"],
    "banking": ["chart", "skyline"],
    "insurance": ["chart", "landscape", "abstract"],
    "pensions": ["chart", "abstract"],
    "markets": ["chart"],
    "business": ["skyline", "harbour", "chart"],
    "agribusiness": ["landscape"],
    "energy": ["landscape", "harbour"],
    "property": ["skyline"],
    "world": ["landscape", "harbour", "skyline"],
    "technology": ["abstract", "chart"],
    "wheels": ["landscape", "skyline", "abstract"],
    "entertainment": ["abstract"],
}

# Topics whose bodies also borrow sentences from narrower topics.
TOPIC_ALSO = {"finance": ["banking", "insurance", "pensions"]}


@cache
def phrases():
    """The phrase book as {list name: [entries]}."""
    lists, current = {}, None
    for raw in PHRASES_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = lists.setdefault(line[1:-1], [])
        elif current is None:
            raise ValueError(f"{PHRASES_FILE.name}: entry before any [list]: {line!r}")
        else:
            current.append(line)
    return lists


def topic_list(topic, kind):
    return phrases().get(f"{topic}.{kind}", [])


def capitalise(text):
    return text[:1].upper() + text[1:]


def block_id(rng):
    """A StreamField block id, drawn from the article's generator so that reruns match."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Writer:
    """Writes one article about `topic`, with a cast of people and places chosen once so that the
    headline, body and captions talk about the same city, company or country."""

    def __init__(self, rng, topic, area=None):
        self.rng = rng
        self.topic = topic
        book = phrases()
        pick = rng.choice
        cities = book[f"cities.{area}"] if area else book["cities"]
        countries = book[f"countries.{area or 'globe'}"]
        city, city2 = rng.sample(cities, 2)
        country, country2 = rng.sample(countries, 2)
        person = pick(book["people"])
        bank, bank2 = rng.sample(book["banks"], 2)
        company, company2 = rng.sample(book["companies"], 2)
        self.person = person
        self._standfirst = ""
        self.cast = {
            "city": city,
            "city2": city2,
            "country": country,
            "country2": country2,
            # Abroad, the "province" of a generic sentence is the country the story is about.
            "province": country if area else pick(book["provinces"]),
            "area": book[f"area.{area}"][0] if area else "the region",
            "person": person,
            "surname": person.split()[-1],
            "party": pick(book["parties"]),
            "bank": bank,
            "bank2": bank2,
            "insurer": pick(book["insurers"]),
            "fund": pick(book["funds"]),
            "company": company,
            "company2": company2,
            "techfirm": pick(book["techfirms"]),
            "carmaker": pick(book["carmakers"]),
            "car": pick(book["cars"]),
            "agrifirm": pick(book["agrifirms"]),
            "crop": pick(book["crops"]),
            "energyfirm": pick(book["energyfirms"]),
            "developer": pick(book["developers"]),
            "film": pick(book["films"]),
            "artist": pick(book["artists"]),
            "festival": pick(book["festivals"]),
        }
        topics = [topic, *TOPIC_ALSO.get(topic, [])]
        self._sentences = [s for t in topics for s in topic_list(t, "sentences")]
        self._generic = list(topic_list("generic", "sentences"))
        rng.shuffle(self._sentences)
        rng.shuffle(self._generic)

    def fill(self, template, capital=True):
        def value(match):
            name = match.group(1)
            if name in FIGURES:
                return FIGURES[name](self.rng)
            return self.cast[name]

        text = SLOT.sub(value, template)
        return capitalise(text) if capital else text

    def choose(self, kind, generic=True, capital=True):
        options = topic_list(self.topic, kind)
        if generic or not options:
            options = options + topic_list("generic", kind)
        return self.fill(self.rng.choice(options), capital)

    def headline(self, uses=None):
        """A headline; a headline line may carry its own standfirst after a ' | '.

        `uses` counts how often each of the topic's headlines has served so far: the least used
        are chosen first, so that neighbouring articles rarely share a headline's pattern."""
        options = topic_list(self.topic, "headlines")
        if uses is not None:
            fewest = min(uses.get(line, 0) for line in options)
            options = [line for line in options if uses.get(line, 0) == fewest]
        line = self.rng.choice(options)
        if uses is not None:
            uses[line] = uses.get(line, 0) + 1
        headline, _, self._standfirst = line.partition(" | ")
        return self.fill(headline)

    def standfirst(self):
        """One or two sentences: the headline's own standfirst, or one of the topic's."""
        first = self.fill(self._standfirst) if self._standfirst else self.choose("standfirsts")
        if self._generic and self.rng.random() < 0.3:
            return f"{first} {self.fill(self._generic.pop())}"
        return first

    def sentence(self, avoid=()):
        """The next sentence: mostly from the topic, sometimes a general one; each is used once
        per article until both lists run out."""
        use_topic = self._sentences and (not self._generic or self.rng.random() < 0.7)
        pool = self._sentences if use_topic else self._generic
        if not pool:  # a very long article: start again from the whole topic
            self._sentences = [s for s in topic_list(self.topic, "sentences") if s not in avoid]
            self.rng.shuffle(self._sentences)
            pool = self._sentences
        template = pool.pop()
        return template, self.fill(template)

    def paragraph(self):
        used, sentences = set(), []
        for _ in range(self.rng.randint(3, 6)):
            template, sentence = self.sentence(avoid=used)
            used.add(template)
            sentences.append(sentence)
        return "<p>" + escape(" ".join(sentences), quote=False) + "</p>"

    def subheadings(self, count):
        options = topic_list(self.topic, "subheadings") + topic_list("generic", "subheadings")
        return [self.fill(text) for text in self.rng.sample(options, count)]

    def quote(self):
        text = self.choose("quotes")
        speaker = self.rng.choice([p for p in phrases()["people"] if p != self.person])
        role = self.choose("roles", capital=False)
        return {"text": text, "attribution": f"{speaker}, {role}"}

    def captions(self, kinds):
        """A caption for each picture, of these kinds: captions suit a kind of picture."""
        options = topic_list(self.topic, "captions") + topic_list("generic", "captions")
        used, captions = set(), []
        for kind in kinds:
            suitable = [
                text
                for line in options
                for suits, _, text in [line.partition(": ")]
                if suits == kind and text not in used
            ]
            text = self.rng.choice(suitable)
            used.add(text)
            captions.append(self.fill(text))
        return captions

    def credit(self):
        return self.rng.choice(phrases()["credits"])

    def tags(self):
        own = TOPIC_TAGS[self.topic]
        count = self.rng.randint(2, 5)
        chosen = self.rng.sample(own, min(count, len(own)))
        if len(chosen) < count or self.rng.random() < 0.25:
            chosen.append(self.rng.choice([tag for tag in TAGS if tag not in chosen]))
        return chosen[:5]
