"""Requests the site cannot take: other methods (405), bad hosts and too many fields (400),
bodies too large (413), and errors (500), which are reported, not only shown."""

import json
import os
import subprocess
import sys
from urllib.parse import urlencode

import pytest
from django.test import Client

from masthead.articles.models import ArticlePage
from masthead.navigation.models import LinkPage
from masthead.pages.models import ContactMessage, ContactPage, StandardPage
from tests.jobs_fixtures import JobsBoard

OTHER_METHODS = ["PUT", "DELETE", "PATCH", "TRACE", "OPTIONS"]
READ = "GET, HEAD"
FORM = "GET, HEAD, POST"


@pytest.fixture
def site(paper):
    article = paper.article(title="Central bank holds rates", tags=["Interest rates"])
    about = StandardPage(title="About", body=[{"type": "paragraph", "value": "<p>Who.</p>"}])
    paper.home.add_child(instance=about)
    contact = ContactPage(title="Contact", slug="contact", recipients="desk@example.org")
    paper.home.add_child(instance=contact)
    paper.home.add_child(
        instance=LinkPage(title="Podcast", link_url="https://podcast.example.org/")
    )
    jobs = JobsBoard(paper)
    vacancy = jobs.vacancy("Mine engineer")
    return {
        "/": READ,
        paper.banking.url: READ,
        article.url: READ,
        paper.top_stories.url: READ,
        about.url: READ,
        contact.url: FORM,
        "/podcast/": READ,
        jobs.vacancies.url: READ,
        f"{jobs.vacancies.url}submit/": FORM,
        vacancy.url: READ,
        f"/organisations/{jobs.acme.slug}/": READ,
        "/authors/ama-mensah/": READ,
        "/tags/interest-rates/": READ,
        "/search/?q=bank": READ,
        "/search/live/?q=bank": READ,
        "/feeds/rss/": READ,
        "/sitemap.xml": READ,
        "/robots.txt": READ,
        "/_fragments/recent-news/": READ,
    }


# ------------------------------------------------------------------ methods


@pytest.fixture
def robot():
    """A client that sends no CSRF token, as curl or a robot would, and is checked for one."""
    return Client(enforce_csrf_checks=True)


def test_other_methods_are_405_with_the_allowed_ones(robot, site):
    answers = {}
    for path in site:
        for method in OTHER_METHODS:
            response = robot.generic(method, path)
            answers[(path, method)] = (response.status_code, response.get("Allow"))
            assert response.content.decode().strip() == "", (path, method)  # never the page
    assert answers == {
        (path, method): (405, allowed) for path, allowed in site.items() for method in OTHER_METHODS
    }


def test_a_405_is_never_cached_and_get_and_head_still_work(robot, site):
    path = [path for path, allowed in site.items() if allowed == READ][2]  # an article
    refused = robot.put(path)
    assert refused.status_code == 405
    assert "no-cache" in refused["Cache-Control"] and "public" not in refused["Cache-Control"]
    assert refused.get("X-Cache") != "HIT"
    first, again = robot.get(path), robot.get(path)
    assert (first.status_code, first["X-Cache"]) == (200, "MISS")
    assert (again.status_code, again["X-Cache"]) == (200, "HIT")
    assert robot.delete(path).status_code == 405  # a cached page does not answer other methods
    head = robot.head(path)
    assert head.status_code == 200 and head.content == b""


def test_a_post_to_a_page_without_a_form_is_405(robot, site):
    assert robot.post("/").status_code == 405
    assert robot.post("/").get("Allow") == READ


def test_a_post_without_its_token_to_a_page_with_a_form_is_still_refused(robot, site):
    contact = [path for path, allowed in site.items() if allowed == FORM][0]
    assert robot.post(contact, {"name": "Ama"}).status_code == 403  # the CSRF check stands
    assert robot.put("/no-such-page/").status_code == 403  # no page there: nothing to say


def test_the_admin_keeps_its_own_methods(robot, site):
    assert robot.delete("/admin/").status_code == 403  # CSRF, as Django answers it


# ------------------------------------------------------------------ 400 and 413


def test_a_bad_host_gets_the_sites_400_without_the_database(
    client, paper, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
    assert "masthead/site.css" in response.content.decode()


def test_three_thousand_query_parameters_get_the_sites_400(client, paper):
    query = urlencode({f"p{number}": "1" for number in range(3000)})
    response = client.get(f"/search/?q=bank&{query}")
    assert response.status_code == 400
    assert "too many fields" in response.content.decode()


def test_a_form_with_too_many_fields_gets_the_sites_400(client, site):
    data = {f"f{number}": "x" for number in range(3000)}
    response = client.post("/contact/", data)
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()
    assert ContactMessage.objects.count() == 0


def test_a_30_mb_form_is_refused_before_it_is_read(client, site, django_assert_num_queries):
    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    with django_assert_num_queries(0):
        response = client.generic(
            "POST",
            "/contact/",
            b"",
            "application/x-www-form-urlencoded",
            CONTENT_LENGTH=str(30 * 1024 * 1024),
            **{"wsgi.input": Unreadable()},
        )
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_form_past_the_field_size_cap_is_413(client, site):
    response = client.post("/contact/", {"name": "Ama", "message": "m" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()
    assert ContactMessage.objects.count() == 0


def test_a_content_length_that_is_not_a_number_is_400(client, site):
    response = client.generic("POST", "/contact/", b"x=1", CONTENT_LENGTH="lots")
    assert response.status_code == 400


def test_a_form_without_its_csrf_cookie_gets_the_sites_403(site):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/contact/", {"name": "Ama"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert ContactMessage.objects.count() == 0


# ------------------------------------------------------------------ 500


def test_a_500_is_emailed_to_admins_through_smtp(client, paper, monkeypatch, smtp_server, settings):
    settings.ADMINS = [("Night desk", "errors@example.org")]
    article = paper.article()

    def broken(*args, **kwargs):
        raise RuntimeError("the press jammed")

    monkeypatch.setattr(ArticlePage, "get_context", broken)
    client.raise_request_exception = False
    response = client.get(article.url)
    assert response.status_code == 500
    html = response.content.decode()
    assert "reported to the site's technical team" in html
    assert "newsroom has been told" not in html
    [message] = smtp_server.messages
    assert message.recipients == ["errors@example.org"]
    assert "Internal Server Error" in message["Subject"] and article.url in message["Subject"]
    assert "the press jammed" in message.get_body(("plain",)).get_content()


def test_without_admins_a_500_emails_nobody(client, paper, monkeypatch, smtp_server, settings):
    settings.ADMINS = []
    article = paper.article()
    monkeypatch.setattr(ArticlePage, "get_context", lambda *a, **k: 1 / 0)
    client.raise_request_exception = False
    assert client.get(article.url).status_code == 500
    assert smtp_server.messages == []


SETTINGS_PROBE = """
import json
from masthead import settings
print(json.dumps({"admins": settings.ADMINS, "server_email": settings.SERVER_EMAIL}))
"""


def test_admins_and_a_sentry_dsn_without_sentry_installed(tmp_path):
    env = {
        **os.environ,
        "ADMINS": "Night Desk <errors@example.org>, ops@example.org",
        "SENTRY_DSN": "https://key@sentry.example.org/1",
        "MASTHEAD_DATA_DIR": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["admins"] == [["Night Desk", "errors@example.org"], ["", "ops@example.org"]]
    assert found["server_email"] == "Masthead <newsroom@localhost>"


def test_the_error_pages_stand_alone():
    """400, 413, 429 and 500 render from their templates alone: nothing from the database."""
    from django.template import loader

    for name, says in [
        ("400.html", "We could not read that request"),
        ("413.html", "What you sent is too large"),
        ("429.html", "Too many attempts"),
        ("500.html", "Something went wrong on our side"),
        ("403_csrf.html", "Your form could not be sent"),
    ]:
        assert says in loader.render_to_string(name)
