"""The full-page cache: one document for every anonymous reader, purged exactly by what changed."""

import os
import random
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from taggit.models import Tag

from masthead.articles.models import ArticlePage, TopStoriesPage, TopStory
from masthead.caching.middleware import next_midnight
from masthead.caching.scheduling import purge_keys
from masthead.caching.store import purge
from masthead.core.models import SiteSettings
from masthead.sections.models import SectionPage
from tests.conftest import make_section

pytestmark = pytest.mark.django_db
DUMMY = "django.core.cache.backends.dummy.DummyCache"


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def state(client, url):
    return get(client, url)["X-Cache"]


def text(client, url):
    return get(client, url).content.decode()


def main(client, url):
    """The page without its chrome (whose footer lists the newest articles everywhere)."""
    return text(client, url).split('<main id="main"')[1].split("</main>")[0]


def fresh(client, url):
    """What the page is now, built from the database alone: no page cache, no cached parts."""
    caches = {**django_settings.CACHES, "nothing": {"BACKEND": DUMMY}}
    with override_settings(CACHES=caches, PAGE_CACHE=False, PAGE_CACHE_ALIAS="nothing"):
        return text(client, url)


@pytest.fixture
def story(paper):
    return paper.article(title="Harbour reopens", tags=["Ports"], authors=paper.authors[:1])


@pytest.fixture
def elsewhere(paper):
    """An article that shares nothing with `story`: another section, tag and author."""
    return paper.article(
        section=paper.africa, title="Rains return", tags=["Weather"], authors=paper.authors[1:]
    )


# The document and its headers


def test_an_anonymous_page_is_built_once_then_served_from_the_cache(client, story):
    first = get(client, story.url)
    second = get(client, story.url)
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert first.content == second.content
    assert "Harbour reopens" in second.content.decode()
    for response in (first, second):
        control = response["Cache-Control"]
        assert "public" in control and "max-age=0" in control and "s-maxage=" in control
        assert "stale-while-revalidate=60" in control and "stale-if-error=86400" in control
        assert "Cookie" not in response.get("Vary", "")
        assert not response.cookies
    assert first["ETag"] == second["ETag"]


def test_a_reader_revalidating_gets_304(client, story):
    etag = get(client, story.url)["ETag"]
    response = client.get(story.url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert client.get(story.url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_head_answers_like_get_with_no_body(client, story):
    get(client, story.url)
    response = client.head(story.url)
    assert response.status_code == 200 and response["X-Cache"] == "HIT"
    assert response.content == b""
    assert int(response["Content-Length"]) == len(get(client, story.url).content)


def test_signed_in_editors_always_get_a_fresh_private_page(client, story, django_user_model):
    get(client, story.url)
    editor = django_user_model.objects.create_superuser("chief", "chief@example.org", "pass")
    client.force_login(editor)
    response = get(client, story.url)
    assert response["X-Cache"] == "BYPASS"
    assert "private" in response["Cache-Control"]
    assert "wagtail-userbar" in response.content.decode()  # the editors' bar, for them only
    client.logout()
    client.cookies.clear()
    anonymous = get(client, story.url)
    assert anonymous["X-Cache"] == "HIT" and "wagtail-userbar" not in anonymous.content.decode()


def test_pages_with_a_form_are_never_cached(client, paper):
    from masthead.pages.models import ContactPage

    contact = ContactPage(title="Contact", slug="contact", recipients="desk@example.org")
    paper.home.add_child(instance=contact)
    assert state(client, "/contact/") == "MISS"
    assert state(client, "/contact/") == "MISS"


def test_the_page_cache_can_be_switched_off(client, story, settings):
    settings.PAGE_CACHE = False
    assert state(client, story.url) == "MISS"
    assert state(client, story.url) == "MISS"


def test_a_front_cache_gets_includes_and_keys(client, paper, story):
    response = get(client, story.url, HTTP_SURROGATE_CAPABILITY='varnish="ESI/1.0"')
    body = response.content.decode()
    assert '<esi:include src="/_fragments/recent-news/"/>' in body
    assert response["Surrogate-Control"] == 'content="ESI/1.0"'
    keys = response["xkey"].split()
    assert f"url:{story.pk}" in keys and "menu" in keys and "settings" in keys
    reader = get(client, story.url)
    assert "esi:include" not in reader.content.decode() and "xkey" not in reader
    assert "Recent news" in reader.content.decode()
    fragment = get(client, "/_fragments/recent-news/", HTTP_SURROGATE_CAPABILITY="x=ESI/1.0")
    assert "Harbour reopens" in fragment.content.decode()
    # the articles it lists, and the site it belongs to (its settings and root page)
    assert fragment["xkey"].split() == sorted(
        {"articles", f"page:{story.pk}", "settings", f"page:{paper.home.pk}"}
    )


def test_the_front_page_holds_its_fragments_inside_it(client, paper, story):
    """Every article published or edited purges the front page anyway: its recent news, most
    read and banner are inside it, not includes that Varnish would look up on every hit."""
    from masthead.popularity.models import count_view

    count_view(story.pk)
    esi = {"HTTP_SURROGATE_CAPABILITY": 'varnish="ESI/1.0"'}
    response = get(client, "/", **esi)
    body = response.content.decode()
    assert "<esi:include" not in body and "Surrogate-Control" not in response
    assert body.count('id="most-read-title"') == 1 and "Recent news" in body
    keys = set(response["xkey"].split())
    assert {"articles", "most-read", "breaking-news", f"children:{paper.home.pk}"} <= keys
    # the most read is built again after ten minutes, and so is the page that holds it
    assert int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 600

    published = paper.article(section=paper.africa, title="Ferry timetable changes")
    body = get(client, "/", **esi).content.decode()
    recent = body.split('id="recent-news-title"')[1].split("</section>")[0]
    assert f'href="{published.url}"' in recent


def test_the_footers_newsletter_form_is_inside_the_cached_page_and_follows_the_lists(
    client, paper, story
):
    """Lists change rarely: the form is no include (each costs Varnish on every hit), and a
    change of the lists purges the pages that show it."""
    from masthead.newsletter.models import NewsletterList

    NewsletterList.objects.create(name="Daily Briefing", slug="daily-briefing")
    response = get(client, story.url, HTTP_SURROGATE_CAPABILITY='varnish="ESI/1.0"')
    body = response.content.decode()
    assert "/_fragments/newsletter-signup/" not in body
    assert body.count('id="newsletter-footer-email"') == 1 and "Daily Briefing" in body
    assert "newsletter-lists" in response["xkey"].split()
    assert '<esi:include src="/_fragments/recent-news/"/>' in body  # still apart
    assert state(client, story.url) == "HIT"
    NewsletterList.objects.create(name="Weekend Reads", slug="weekend-reads")
    response = get(client, story.url)
    assert response["X-Cache"] == "MISS" and "Weekend Reads" in response.content.decode()


def test_an_unknown_fragment_is_404_and_fragments_answer_get_and_head_only(client, paper):
    assert client.get("/_fragments/nothing-here/").status_code == 404
    assert client.get("/_fragments/%3Cscript%3E/").status_code == 404
    assert client.get("/_fragments/" + "x" * 5000 + "/").status_code == 404
    assert client.post("/_fragments/recent-news/").status_code == 405
    assert client.head("/_fragments/recent-news/").status_code == 200


# Purging exactly what changed


def test_an_edited_headline_is_fresh_everywhere_it_appears_and_nothing_else_is_purged(
    client, paper, story, elsewhere
):
    shown_on = [
        "/",
        story.url,
        paper.banking.url,
        paper.economics.url,
        "/tags/ports/",
        "/authors/ama-mensah/",
        "/feeds/rss/",
        "/feeds/sections/economics/finance/banking/rss/",
        "/feeds/tags/ports/atom/",
        "/feeds/authors/ama-mensah/json/",
        elsewhere.url,  # in its footer's recent news
        paper.africa.url,  # likewise
    ]
    untouched = [paper.africa.url, "/tags/weather/", "/authors/jonas-berg/", elsewhere.url]
    for url in shown_on + untouched:
        get(client, url)

    story.title = "Harbour reopens after storm"
    story.save_revision().publish()

    for url in shown_on:
        assert "Harbour reopens after storm" in text(client, url), url
    for url in untouched:
        assert state(client, url) == "HIT", url  # its footer is a fragment, purged on its own


def test_a_new_article_appears_on_every_list_at_once(client, paper, story, elsewhere):
    lists = ["/", paper.banking.url, paper.finance.url, "/tags/ports/", "/authors/ama-mensah/"]
    feeds = ["/feeds/rss/", "/feeds/tags/ports/rss/", "/sitemaps/news.xml"]
    for url in [*lists, *feeds, story.url, elsewhere.url, "/tags/weather/", "/authors/jonas-berg/"]:
        get(client, url)

    newest = paper.article(title="Cranes arrive", tags=["Ports"], date=timezone.now())

    for url in [*lists, *feeds]:
        assert "Cranes arrive" in text(client, url), url
    page = text(client, story.url)  # related by tag and section, and its next article
    assert "Cranes arrive" in page.split('class="inline-related"')[1].split("</aside>")[0]
    assert 'rel="next"' in page and newest.url in page.split('rel="next"')[1][:200]
    assert "Cranes arrive" in text(client, elsewhere.url)  # recent news
    assert state(client, "/tags/weather/") == "HIT"
    assert state(client, "/authors/jonas-berg/") == "HIT"


def test_unpublished_moved_and_deleted_articles_leave_every_cached_page(client, paper, story):
    urls = ["/", paper.banking.url, "/tags/ports/", "/authors/ama-mensah/", "/feeds/rss/"]
    for url in urls:
        get(client, url)
    story.unpublish()
    for url in urls:
        assert "Harbour reopens" not in text(client, url), url

    story.save_revision().publish()
    for url in urls:
        assert "Harbour reopens" in text(client, url), url
    get(client, paper.africa.url)
    story.move(paper.africa, pos="last-child")
    assert "Harbour reopens" not in main(client, paper.banking.url)
    assert "Harbour reopens" in main(client, paper.africa.url)

    ArticlePage.objects.get(pk=story.pk).delete()
    for url in [*urls, paper.africa.url]:
        assert "Harbour reopens" not in text(client, url), url


def test_authors_tags_settings_and_the_menu_purge_the_pages_that_show_them(
    client, paper, story, elsewhere
):
    for url in (story.url, elsewhere.url, "/tags/ports/"):
        get(client, url)
    author = paper.authors[0]
    author.name = "Ama Mensah-Owusu"
    author.save()
    assert "Ama Mensah-Owusu" in text(client, story.url)
    assert state(client, elsewhere.url) == "HIT"

    tag = Tag.objects.get(name="Ports")
    tag.name = "Harbours"
    tag.save()
    assert "Harbours" in text(client, story.url)
    assert state(client, elsewhere.url) == "HIT"

    settings = SiteSettings.for_site(paper.home.get_site())
    settings.tagline = "News from the coast"
    settings.save()
    assert "News from the coast" in text(client, elsewhere.url)

    get(client, elsewhere.url)
    make_section(paper.home, "Culture")
    assert ">Culture<" in text(client, elsewhere.url)
    culture = SectionPage.objects.get(title="Culture")
    culture.title = "Arts"
    culture.save_revision().publish()
    assert ">Arts<" in text(client, story.url) and ">Culture<" not in text(client, story.url)


# Time


def test_every_page_expires_at_midnight_in_the_newsrooms_time_zone(client, story, settings):
    settings.TIME_ZONE = "Africa/Accra"
    with time_machine.travel("2027-03-10 23:58 +0000"):
        response = get(client, story.url)
        assert response["X-Cache"] == "MISS"
        max_age = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
        assert 115 <= max_age <= 120  # two minutes to midnight, less the time the test takes
        assert next_midnight().isoformat() == "2027-03-11T00:00:00+00:00"
        assert state(client, story.url) == "HIT"
    with time_machine.travel("2027-03-11 00:00:01 +0000"):
        response = get(client, story.url)
        assert response["X-Cache"] == "MISS"
        assert "Thursday 11 March 2027" in response.content.decode()


def test_a_future_article_is_purged_into_the_lists_at_its_time(client, paper, story, settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel("2027-03-10 09:00 +0000"):
        later = timezone.now() + timedelta(hours=2)
        paper.article(title="Budget day", date=later)
        assert "Budget day" not in text(client, "/")
        assert state(client, "/") == "HIT"
    task = DBTaskResult.objects.get(task_path="masthead.caching.scheduling.purge_keys")
    assert abs(task.run_after - later) < timedelta(milliseconds=1)
    keys = task.args_kwargs["args"][0]
    assert f"children:{paper.home.pk}" in keys and "articles" in keys
    with time_machine.travel(later + timedelta(seconds=1)):
        assert "Budget day" not in text(client, "/")  # cached before its time...
        purge_keys.call(keys)  # ...until the worker runs the task at its time
        assert "Budget day" in main(client, "/")


# Hundreds of changes, and never a stale page


def test_no_page_is_ever_stale_after_random_changes(client, paper):
    rng = random.Random(9)
    sections = [paper.banking, paper.finance, paper.africa, paper.world, paper.economics]
    tags = ["Ports", "Weather", "Budget", "Rail"]
    now = timezone.now()
    for number in range(14):
        paper.article(
            section=sections[number % 5],
            title=f"Story {number}",
            date=now - timedelta(hours=number + 1),
            tags=rng.sample(tags, 2),
            authors=[paper.authors[number % 2]],
        )

    def urls():
        articles = list(ArticlePage.objects.live().filter(date__lte=timezone.now()))
        return [
            "/",
            paper.top_stories.url,
            *(section.url for section in SectionPage.objects.live()),
            *(article.url for article in articles),
            *(
                f"/tags/{tag.slug}/"
                for tag in Tag.objects.filter(articles_articletag_items__isnull=False).distinct()
            ),
            "/authors/ama-mensah/",
            "/authors/jonas-berg/",
            "/feeds/rss/",
            "/feeds/sections/economics/rss/",
            "/feeds/tags/ports/json/",
            "/sitemaps/news.xml",
            "/sitemaps/sections.xml",
        ]

    def live_articles():
        return list(ArticlePage.objects.live())

    def edit_headline():
        article = rng.choice(live_articles())
        article.title = f"{article.title.split(' (')[0]} ({rng.randrange(10_000)})"
        article.save_revision().publish()

    def publish_new():
        paper.article(
            section=rng.choice(sections),
            title=f"New story {rng.randrange(10_000)}",
            date=timezone.now() - timedelta(minutes=rng.randrange(600)),
            tags=rng.sample(tags, rng.randrange(1, 3)),
            authors=[rng.choice(paper.authors)],
        )

    def unpublish_or_republish():
        article = rng.choice(list(ArticlePage.objects.all()))
        if article.live:
            article.unpublish()
        else:
            article.save_revision().publish()

    def move():
        article = rng.choice(live_articles())
        target = rng.choice([s for s in sections if s.pk != article.get_parent().pk])
        article.move(target, pos="last-child")

    def delete():
        if len(live_articles()) > 8:
            rng.choice(live_articles()).delete()

    def retag():
        article = rng.choice(live_articles())
        article.tags.set(rng.sample(tags, rng.randrange(0, 3)))
        article.save_revision().publish()

    def redate():
        article = rng.choice(live_articles())
        article.date = timezone.now() - timedelta(minutes=rng.randrange(2000))
        article.save_revision().publish()

    def rename_author():
        author = rng.choice(paper.authors)
        author.name = f"{author.name.split(' (')[0]} ({rng.randrange(100)})"
        author.save()

    def rename_tag():
        tag = Tag.objects.get(slug=rng.choice(["weather", "budget", "rail"]))
        tag.name = f"{tag.name.split(' ')[0]} {rng.randrange(100)}"
        tag.save()

    def rename_section():
        section = SectionPage.objects.get(pk=rng.choice(sections).pk)
        section.title = f"{section.title.split(' (')[0]} ({rng.randrange(100)})"
        section.save_revision().publish()

    def edit_settings():
        site_settings = SiteSettings.for_site(paper.home.get_site())
        site_settings.tagline = f"Tagline {rng.randrange(100)}"
        site_settings.save()

    def top_stories():
        page = TopStoriesPage.objects.get(pk=paper.top_stories.pk)
        page.stories = [TopStory(article=article) for article in rng.sample(live_articles(), 3)]
        page.save_revision().publish()

    events = [edit_headline] * 6 + [publish_new] * 4 + [unpublish_or_republish] * 3
    events += [move, delete, retag, retag, redate, redate, rename_author, rename_tag, top_stories]
    events += [rename_section, edit_settings]
    for url in urls():
        get(client, url)
    for step in range(200):
        event = rng.choice(events)
        event()
        candidates = urls()
        for url in ["/", *rng.sample(candidates, 5)]:
            cached = client.get(url)
            assert cached.status_code == 200, (step, event.__name__, url)
            assert cached.content.decode() == fresh(client, url), (step, event.__name__, url)


def test_a_change_made_in_another_process_purges_this_ones_pages(client, story, purge_times_dir):
    """The task worker, a second web worker or a command purges what this process keeps in its
    own memory: the purge times are shared (files, without Redis)."""
    for url in (story.url, "/"):
        assert state(client, url) == "MISS"
        assert state(client, url) == "HIT"
    purge_elsewhere = f"from masthead.caching.store import purge; purge('url:{story.pk}')"
    env = {**os.environ, "MASTHEAD_DATA_DIR": str(purge_times_dir), "REDIS_URL": ""}
    subprocess.run(
        [sys.executable, "-m", "masthead", "shell", "-c", purge_elsewhere], env=env, check=True
    )
    assert state(client, story.url) == "MISS"
    assert state(client, story.url) == "HIT"
    assert state(client, "/") == "HIT"  # the home page does not show the article's own document


def test_purge_times_on_files_are_never_written_over_by_add(tmp_path):
    from masthead.caching.backends import PurgeTimesCache

    times = PurgeTimesCache(str(tmp_path), {})
    assert times.add("purged:page:1", 0.0, timeout=None) is True
    times.set("purged:page:1", 1234.5, timeout=None)  # a purge, made meanwhile
    assert times.add("purged:page:1", 0.0, timeout=None) is False
    assert times.get("purged:page:1") == 1234.5
    assert times.add("purged:page:2", 7.0, timeout=1) is True
    time.sleep(1.1)
    assert times.add("purged:page:2", 0.0, timeout=None) is True  # the one there had expired
    assert times.get_many(["purged:page:1", "purged:page:2"]) == {
        "purged:page:1": 1234.5,
        "purged:page:2": 0.0,
    }
    assert [path.suffix for path in tmp_path.iterdir()] == [".djcache", ".djcache"]  # no temp files


@pytest.fixture
def worker_backend(settings):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """The worker `make run` starts, for one pass over the tasks that are due."""
    call_command(
        "db_worker", "--backend", "worker", "--batch", "--no-startup-delay", "--interval", "0"
    )


# Committed, as the worker sees the database: it closes a connection left inside a transaction.
@pytest.mark.live
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_purges_a_future_article_into_the_lists_at_its_time(
    client, paper, story, worker_backend
):
    soon = timezone.now() + timedelta(hours=1)
    paper.article(title="Budget day", date=soon)
    assert "Budget day" not in main(client, "/")
    run_worker()  # not due yet: nothing runs
    assert state(client, "/") == "HIT"
    with time_machine.travel(soon + timedelta(seconds=1)):
        assert "Budget day" not in main(client, "/")  # still the page cached before its time
        run_worker()
        assert "Budget day" in main(client, "/")
    purges = DBTaskResult.objects.filter(task_path="masthead.caching.scheduling.purge_keys")
    assert purges.exists()
    assert set(purges.values_list("status", flat=True)) == {"SUCCESSFUL"}


# Committed, as the worker sees the database: it closes a connection left inside a transaction.
@pytest.mark.live
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_publishes_a_scheduled_page_and_expires_it_without_cron(
    client, paper, story, worker_backend
):
    soon = timezone.now() + timedelta(hours=1)
    story.title = "Harbour reopens at dawn"
    story.save_revision().publish()
    story = ArticlePage.objects.get(pk=story.pk)
    story.title = "Harbour reopens at noon"
    story.go_live_at = soon
    story.save_revision().publish()  # scheduled: the live page stays as it is until then
    assert "at dawn" in main(client, story.url)
    run_worker()
    assert "at dawn" in main(client, story.url)
    with time_machine.travel(soon + timedelta(seconds=1)):
        run_worker()
        assert "at noon" in main(client, story.url)


@pytest.fixture
def redis_cache(settings):
    """The page cache in a real Redis (`REDIS_URL`), as several workers would share it."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
    }
    settings.PAGE_CACHE_ALIAS = settings.PAGE_CACHE_PURGES_ALIAS = "pages"
    yield url
    redis.Redis.from_url(url).flushdb()


def test_the_page_cache_in_redis_is_shared_and_purged(client, paper, story, redis_cache):
    import redis

    assert state(client, story.url) == "MISS"
    assert state(client, story.url) == "HIT"
    stored = list(redis.Redis.from_url(redis_cache).scan_iter(":1:page:*"))
    assert len(stored) == 1  # the article, in Redis where every worker finds it
    story.title = "Harbour reopens in Redis"
    story.save_revision().publish()
    assert "Harbour reopens in Redis" in main(client, story.url)


def test_what_this_process_found_fresh_it_serves_from_memory_until_a_purge(
    client, paper, story, redis_cache
):
    import redis

    shared = redis.Redis.from_url(redis_cache)
    assert state(client, story.url) == "MISS"
    assert state(client, story.url) == "HIT"
    for name in shared.scan_iter(":1:page:*"):
        shared.delete(name)  # gone from the shared cache, and no purge was made
    assert state(client, story.url) == "HIT"  # from this process's memory, Redis not asked
    purge(f"url:{story.pk}")  # in any process: the generation changes
    assert state(client, story.url) == "MISS"
    assert state(client, story.url) == "HIT"
    shared.delete(":1:purged-generation")  # evicted: nothing found before is trusted
    for name in shared.scan_iter(":1:page:*"):
        shared.delete(name)
    assert state(client, story.url) == "MISS"
