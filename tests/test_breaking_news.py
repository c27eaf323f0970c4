"""The breaking-news banner: switched on and off in the admin's settings, shown on every public
page through the page cache (a fragment of its own, purged alone), gone at its expiry."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Site

from masthead.caching.scheduling import purge_keys
from masthead.core.models import BreakingNews

pytestmark = pytest.mark.django_db

BANNER = 'class="breaking-news"'


@pytest.fixture
def story(paper):
    return paper.article(title="Harbour reopens", tags=["Ports"])


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-desk-123")
    client.force_login(user)
    return user


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def switch(**fields):
    news = BreakingNews.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(news, name, value)
    news.save()
    return news


def urls(paper, story):
    return ["/", story.url, paper.banking.url, "/search/?q=harbour", "/tags/ports/"]


def test_off_by_default_then_on_every_cached_page_at_once_then_off(client, paper, story):
    for url in urls(paper, story):
        assert BANNER not in get(client, url).content.decode()
    assert get(client, story.url)["X-Cache"] == "HIT"  # the pages are in the page cache

    switch(on=True, headline="Bridge closed after storm", link_page=story)
    for url in urls(paper, story):
        response = get(client, url)
        html = response.content.decode()
        assert BANNER in html, url
        assert "Bridge closed after storm" in html
        assert f'href="{story.url}"' in html
    # Switched on, it purged the pages, which showed no banner; now they include it, and a
    # change of the banner purges the banner alone.
    switch(on=True, headline="Bridge reopens at noon", link_page=story)
    response = get(client, story.url)
    assert response["X-Cache"] == "HIT" and "Bridge reopens at noon" in response.content.decode()

    switch(on=False)
    for url in urls(paper, story):
        response = get(client, url)
        assert BANNER not in response.content.decode(), url
    assert get(client, story.url)["X-Cache"] == "HIT"


def test_a_front_cache_gets_the_banner_as_an_include_with_its_own_key(client, paper, story):
    esi = {"HTTP_SURROGATE_CAPABILITY": 'varnish="ESI/1.0"'}
    page = get(client, story.url, **esi)
    # No banner showing: no include for Varnish to look up on every hit; the page is purged
    # when one is switched on.
    assert "/_fragments/breaking-news/" not in page.content.decode()
    assert "breaking-news" in page["xkey"].split()

    switch(on=True, headline="Polls close", link_url="https://example.org/live")
    page = get(client, story.url, **esi)
    assert page["X-Cache"] == "MISS"
    assert '<esi:include src="/_fragments/breaking-news/"/>' in page.content.decode()
    assert "breaking-news" not in page["xkey"].split()  # a change of the banner purges no page
    fragment = get(client, "/_fragments/breaking-news/", HTTP_SURROGATE_CAPABILITY="x=ESI/1.0")
    assert "breaking-news" in fragment["xkey"].split()
    assert 'href="https://example.org/live"' in fragment.content.decode()


def test_the_banner_goes_by_itself_at_its_expiry(client, paper, story):
    now = timezone.now()
    with time_machine.travel(now):
        switch(on=True, headline="Flood warning", expires_at=now + timedelta(minutes=30))
        assert "Flood warning" in get(client, story.url).content.decode()
        fragment = get(client, "/_fragments/breaking-news/", HTTP_SURROGATE_CAPABILITY="x=ESI/1.0")
        assert 0 < int(fragment["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 1800
    with time_machine.travel(now + timedelta(minutes=29)):
        assert "Flood warning" in get(client, story.url).content.decode()
    with time_machine.travel(now + timedelta(minutes=30, seconds=1)):
        assert "Flood warning" not in get(client, story.url).content.decode()
        assert BANNER not in get(client, "/").content.decode()


def test_switching_it_on_with_an_expiry_enqueues_a_purge_at_that_time(
    paper, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {**settings.TASKS, "worker": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    expiry = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        switch(on=True, headline="Storm", expires_at=expiry)
    [result] = DBTaskResult.objects.filter(task_path=purge_keys.module_path)
    assert result.run_after == expiry
    assert result.args_kwargs["args"] == [["breaking-news"]]


def test_an_editor_switches_it_on_and_off_in_the_admin(client, paper, story, editor):
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/core/breakingnews/{site.pk}/"
    form = get(client, url).content.decode()
    assert "Times are in UTC" in form
    response = client.post(
        url, {"on": "on", "headline": "Minister resigns", "link_url": "https://example.org/x"}
    )
    assert response.status_code == 302
    client.logout()
    client.cookies.clear()
    assert "Minister resigns" in get(client, story.url).content.decode()
    client.force_login(editor)
    assert client.post(url, {"headline": "Minister resigns"}).status_code == 302
    client.logout()
    client.cookies.clear()
    assert "Minister resigns" not in get(client, story.url).content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"on": "on", "headline": ""}, "A banner that is on needs a headline."),
        ({"on": "on", "headline": "x" * 10_000}, "at most 200 characters"),
        ({"on": "on", "headline": "Fine", "link_url": "javascript:alert(1)"}, "valid URL"),
        (
            {"on": "on", "headline": "Fine", "link_url": "https://a.org/\r\nSet-Cookie: x=1"},
            "valid URL",
        ),
        ({"on": "on", "headline": "Fine", "expires_at": "not a time"}, "valid date"),
        (
            {"on": "on", "headline": "Fine", "expires_at": "2001-01-01 10:00"},
            "This time has passed",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_the_banner_kept(
    client, paper, story, editor, fields, message
):
    switch(on=True, headline="What was on")
    site = Site.objects.get(is_default_site=True)
    response = client.post(f"/admin/settings/core/breakingnews/{site.pk}/", fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert BreakingNews.for_site(site).headline == "What was on"


def test_a_hostile_headline_is_shown_as_text(client, paper, story):
    switch(on=True, headline="<script>alert('x')</script> & '; DROP TABLE pages; --")
    html = get(client, story.url).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &#x27;; DROP TABLE" in html
