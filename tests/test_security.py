"""The browser policy: Content-Security-Policy, Permissions-Policy, HSTS and security.txt."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from masthead.pages.models import ContactPage, StandardPage
from tests.jobs_fixtures import JobsBoard

pytestmark = pytest.mark.django_db


def policy(response):
    """The Content-Security-Policy of `response` as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    return {
        name: sources
        for name, *sources in (part.split() for part in header.split(";") if part.strip())
    }


def assert_strict_basics(directives):
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    for name, sources in directives.items():
        assert "*" not in sources and "'unsafe-eval'" not in sources, name
        assert not any(source in ("http:", "https:") for source in sources), name


@pytest.fixture
def site(paper):
    paper.article(tags=["Rates"], authors=paper.authors)
    paper.home.add_child(instance=StandardPage(title="About", slug="about"))
    paper.home.add_child(
        instance=ContactPage(title="Contact", slug="contact", recipients="desk@example.org")
    )
    paper.jobs = JobsBoard(paper)
    paper.jobs.vacancy(title="Port engineer")
    return paper


def public_paths(paper):
    article = paper.banking.get_children().live().first()
    return [
        "/",
        paper.banking.url,
        article.url,
        "/authors/ama-mensah/",
        "/tags/rates/",
        "/about/",
        "/contact/",
        "/top-stories/",
        paper.jobs.vacancies.url,
        paper.jobs.vacancies.url + "submit/",
        "/organisations/acme-mining/",
        "/search/?q=article",
        "/feeds/rss/",
        "/sitemap.xml",
        "/robots.txt",
        "/.well-known/security.txt",
    ]


def test_every_public_answer_has_the_site_policy_cached_or_not(client, site):
    for path in public_paths(site):
        first = client.get(path)
        again = client.get(path)
        assert first.status_code == again.status_code == 200, path
        for response in (first, again):
            directives = policy(response)
            assert_strict_basics(directives)
            assert directives["script-src"] == ["'self'"], path
            assert directives["style-src"] == ["'self'"], path
            assert directives["base-uri"] == ["'none'"], path
            assert directives["form-action"] == ["'self'"], path
            assert "https://www.youtube.com" in directives["frame-src"]
            assert "camera=()" in response["Permissions-Policy"]
            assert "geolocation=()" in response["Permissions-Policy"]
    # The page cache kept them and answered with the same headers.
    assert client.get("/")["X-Cache"] == "HIT"
    assert client.get("/.well-known/security.txt")["X-Cache"] == "HIT"


def test_errors_and_redirects_have_the_policy_too(client, site):
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert policy(missing)["script-src"] == ["'self'"]
    redirect = client.get("/about")
    assert redirect.status_code == 301
    assert policy(redirect)["object-src"] == ["'none'"]


def test_the_admin_has_its_own_looser_policy(client, site):
    assert "'unsafe-inline'" in policy(client.get("/admin/login/"))["script-src"]
    get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    client.login(username="ed", password="pw")
    for path in ("/admin/", f"/admin/pages/{site.banking.pk}/edit/"):
        response = client.get(path)
        assert response.status_code == 200, path
        directives = policy(response)
        assert_strict_basics(directives)
        assert "'unsafe-inline'" in directives["script-src"]
        assert directives["base-uri"] == ["'none'"]
        assert "'self'" in directives["frame-src"]  # the live preview
    # Signed in, the public pages are not the admin's.
    assert policy(client.get("/"))["script-src"] == ["'self'"]


# A script element the policy would run only if inline scripts were allowed (JSON data is
# never run, so the policy leaves it alone).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>")


def test_public_pages_hold_no_inline_script_style_or_handler(client, site):
    """What the policy would refuse: every script and style is a file of the site's."""
    for path in public_paths(site)[:12]:
        html = client.get(path).content.decode()
        assert '<script src="/static/masthead/has-js.js">' in html, path
        assert not INLINE_SCRIPT.search(html), (path, INLINE_SCRIPT.search(html))
        assert "<style" not in html, path
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_the_inline_script_pattern():
    assert INLINE_SCRIPT.search('<script>document.documentElement.className = "js";</script>')
    assert INLINE_SCRIPT.search('<script type="module">import("/x.js")</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/ld+json">{}</script>')


def test_the_admin_sends_no_address_to_gravatar(client, site):
    get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    client.login(username="ed", password="pw")
    for path in ("/admin/", "/admin/users/", "/admin/account/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "gravatar" not in response.content.decode(), path


def test_hsts_preload_and_subdomains_only_when_asked(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = False
    header = client.get("/robots.txt", secure=True)["Strict-Transport-Security"]
    assert header == "max-age=31536000"
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    header = Client().get("/robots.txt", secure=True)["Strict-Transport-Security"]
    assert header == "max-age=31536000; includeSubDomains; preload"


def test_security_txt(client, paper, settings):
    settings.DEFAULT_FROM_EMAIL = "The Test Times <newsroom@news.example.org>"
    # Later than the paper was made, so that what the cache holds is newer than every change.
    moment = (timezone.now() + timedelta(days=2)).replace(hour=15, minute=30)
    expires = (moment + timedelta(days=365)).strftime("%Y-%m-%dT00:00:00Z")
    with time_machine.travel(moment, tick=False):
        security_txt_is_served(client, settings, expires)


def security_txt_is_served(client, settings, expires):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "Contact: mailto:newsroom@news.example.org",
        f"Expires: {expires}",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
        "Preferred-Languages: en",
    ]
    assert "public" in response["Cache-Control"] and response["X-Cache"] == "MISS"
    assert client.get("/.well-known/security.txt")["X-Cache"] == "HIT"
    assert client.post("/.well-known/security.txt").status_code == 405


def test_security_txt_contact_from_admins_or_the_setting(client, paper, settings):
    settings.PAGE_CACHE = False
    settings.ADMINS = [("Security desk", "security@news.example.org")]
    body = client.get("/.well-known/security.txt").content.decode()
    assert body.splitlines()[0] == "Contact: mailto:security@news.example.org"
    settings.SECURITY_CONTACT = ["https://news.example.org/contact/", "mailto:sec@example.org"]
    lines = client.get("/.well-known/security.txt").content.decode().splitlines()
    assert lines[:2] == [
        "Contact: https://news.example.org/contact/",
        "Contact: mailto:sec@example.org",
    ]
