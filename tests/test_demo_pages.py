"""Every page of the demo newspaper, reached by following links from the front page."""

import functools
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from masthead.articles.models import ArticlePage
from masthead.comments.models import Comment
from masthead.core.storage import MinifiedStaticFilesStorage
from masthead.demo.content import article_sections
from tests.test_dates import dates_out_of_style

pytestmark = pytest.mark.django_db

# What an editor's markup looks like when it leaks: shortcodes, escaped tags, template syntax.
RAW_MARKUP = [
    re.compile(r"\[/?[a-z][a-z0-9_]*(?:\s[^\]]*)?\]"),
    re.compile(r"&lt;/?(?:p|div|span|a|b|i|strong|em|br|h\d|ul|li|script)\b"),
    re.compile(r"\{\{|\{%|%\}|\}\}"),
    # Inline scripts: only the class switch; JSON-LD data blocks are data, never run.
    re.compile(
        r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>"
        r"(?!document\.documentElement\.className)"
    ),
]


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.images, self.text, self.h1 = [], [], [], 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "img":
            self.images.append(attrs)
        elif tag == "h1":
            self.h1 += 1
        elif tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def internal(href):
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(("/admin/", "/media/", "/static/", "/documents/")):
        return None
    # A reader's own comment pages (writing, reporting) ask for a login first.
    if parts.path.startswith("/comments/"):
        return None
    if parts.path.startswith("/accounts/"):
        # Every page links the login with its own ?next=: one visit of each account page is
        # enough (tests/test_accounts.py checks them, Nu checker included).
        return parts.path
    return urldefrag(href)[0]


# A page, with the stylesheets and scripts it loads as a production server serves them (minified).
PAGE_BUDGET = 100_000
ASSET = re.compile(r'<(?:link rel="stylesheet"|script)[^>]* (?:href|src)="/static/([^"]+)"')


@functools.cache
def asset_bytes(name):
    with open(finders.find(name), encoding="utf-8") as source:
        text = source.read()
    minify = MinifiedStaticFilesStorage.minifiers.get("." + name.rsplit(".", 1)[-1])
    return len((minify(text) if minify else text).encode())


def page_weight(body):
    return len(body.encode()) + sum(asset_bytes(name) for name in set(ASSET.findall(body)))


# Early in the day, in the newsroom's time zone: the demo's today has little room yet.
EARLY = "2027-03-10 02:30 +0000"


@time_machine.travel(EARLY, tick=True)
def test_every_demo_page_renders_without_raw_markup_and_dates_in_the_one_style(client):
    call_command("demo", articles=30, stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Every section has news of today, and nothing is dated after now.
    now, today = timezone.now(), timezone.localdate()
    published = ArticlePage.objects.published()
    assert not ArticlePage.objects.filter(date__gt=now).exists()
    assert not Comment.objects.filter(created__gt=now).exists()
    fresh = [a for a in published.specific() if timezone.localtime(a.date).date() == today]
    assert {a.get_parent().url_path.split("/", 2)[2].strip("/") for a in fresh} == {
        key for key, _ in article_sections()
    }
    news = client.get("/sitemaps/news.xml")
    assert news.status_code == 200
    assert news.content.decode().count("<news:news>") == len(fresh)
    seen, queue, weights = set(), ["/"], {}
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        parser = PageParser()
        parser.feed(body)
        assert parser.h1 == 1, f"{url} has {parser.h1} h1"
        for image in parser.images:
            assert "alt" in image, (url, image)
            assert image.get("width") and image.get("height"), (url, image)
        text = " ".join(parser.text)
        assert dates_out_of_style(" ".join(text.split())) == [], url
        for pattern in RAW_MARKUP:
            assert not pattern.search(text if pattern is RAW_MARKUP[0] else body), (url, pattern)
        assert not re.search(r">\s*None\s*<|=\"None\"", body), url
        assert body.count('class="main-nav"') == 1, url
        weights[url] = page_weight(body)
        queue.extend(link for link in map(internal, parser.links) if link and link not in seen)
    kinds = {
        "article": sum(1 for url in seen if url.count("/") >= 4 and "authors" not in url),
        "author": sum(1 for url in seen if url.startswith("/authors/")),
        "tag": sum(1 for url in seen if url.startswith("/tags/")),
    }
    assert len(seen) > 60, sorted(seen)
    assert all(kinds.values()), kinds
    assert {url: weight for url, weight in weights.items() if weight >= PAGE_BUDGET} == {}
    # The article with the demo's long discussion was among them.
    discussed = ArticlePage.objects.annotate(n=Count("comments")).filter(n__gt=200).get()
    assert discussed.url in weights
