"""Every public page stays one cached document for everybody, signed-in readers included:
the same bytes, nothing of the reader in it (no name, no CSRF token), whoever built it; what is
theirs comes from /accounts/me/. Editors still get fresh pages with Wagtail's user bar."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.accounts.profiles import update_profile
from masthead.pages.models import StandardPage
from tests.jobs_fixtures import JobsBoard

PASSWORD = "a long reader password 9"
READER_NAME = "Zanele Readerwoman"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(paper):
    paper.article(tags=["Rates"], authors=paper.authors)
    paper.home.add_child(instance=StandardPage(title="About", slug="about"))
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
        "/top-stories/",
        paper.jobs.vacancies.url,
        "/organisations/acme-mining/",
        "/search/?q=article",
        "/feeds/rss/",
        "/sitemap.xml",
    ]


def account(email, **extra):
    user = get_user_model().objects.create_user(email.split("@")[0], email, PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def logged_in(email):
    """A browser logged in through the site's own login, with the cookies it sets."""
    browser = Client()
    response = browser.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    assert browser.get("/accounts/me/").json()["signed_in"]
    return browser


@pytest.fixture
def reader(site):
    user = account("zanele@example.com")
    update_profile(user, display_name=READER_NAME)
    return logged_in("zanele@example.com")


def nothing_of_the_reader_in(body, browser):
    text = body.decode()
    assert READER_NAME not in text and "zanele" not in text
    # The dialog's token field is empty: /accounts/me/ fills it in.
    assert not re.search(r'name="csrfmiddlewaretoken" value="[^"]', text)
    token = browser.cookies.get("csrftoken")
    assert token is None or token.value not in text
    assert "wagtail-userbar" not in text


def test_a_signed_in_reader_gets_the_same_bytes_as_anyone_on_every_page_type(site, reader):
    anonymous = Client()
    for path in public_paths(site):
        first = anonymous.get(path)
        theirs = reader.get(path)
        assert first.status_code == theirs.status_code == 200, path
        assert theirs["X-Cache"] == "HIT", path
        assert theirs.content == first.content, path
        assert theirs["ETag"] == first["ETag"], path
        assert "public" in theirs["Cache-Control"], path
        assert not theirs.cookies, path
        nothing_of_the_reader_in(theirs.content, reader)


def test_a_page_built_on_a_readers_request_holds_nothing_of_them(site, reader):
    for path in public_paths(site):
        built = reader.get(path)
        assert built.status_code == 200 and built["X-Cache"] == "MISS", path
        nothing_of_the_reader_in(built.content, reader)
        later = Client().get(path)
        assert later["X-Cache"] == "HIT" and later.content == built.content, path
    # The reader is still signed in: building the pages did not touch their session.
    assert reader.get("/accounts/me/").json()["display_name"] == READER_NAME


def test_the_header_says_log_in_with_the_way_back_for_everyone(site, reader):
    article = site.banking.get_children().live().first()
    body = reader.get(article.url).content.decode()
    assert f'href="/accounts/login/?next={article.url}"' in body
    assert "data-login-dialog" in body and '<dialog class="login-dialog"' in body
    assert "Welcome back!" in body and "Forgotten password?" in body


def test_editors_still_get_fresh_pages_with_the_user_bar(site):
    account("desk@example.com", is_staff=True, is_superuser=True)
    editor = logged_in("desk@example.com")
    assert editor.cookies["masthead_editor"].value == "1"
    article = site.banking.get_children().live().first()
    Client().get(article.url)
    for _ in range(2):
        response = editor.get(article.url)
        assert response.status_code == 200 and response["X-Cache"] == "BYPASS"
        assert "private" in response["Cache-Control"]
        assert "wagtail-userbar" in response.content.decode()
    editor.post("/accounts/logout/")
    assert editor.cookies["masthead_editor"]["max-age"] == 0  # the browser drops it
    del editor.cookies["masthead_editor"]
    assert editor.get(article.url)["X-Cache"] == "HIT"


def test_account_addresses_are_never_cached(site, reader):
    for path in ("/accounts/me/", "/accounts/login/", "/accounts/profile/"):
        for browser in (reader, Client()):
            response = browser.get(path)
            assert response["X-Cache"] in ("BYPASS", "MISS"), path
            assert "public" not in response.get("Cache-Control", ""), path


def test_a_page_only_a_reader_may_see_is_theirs_and_never_stored(site, reader, settings):
    """A page that is no page for everyone (here a form, never cached) is built again with the
    reader's session, and answered as theirs alone."""
    from masthead.pages.models import ContactPage

    site.home.add_child(
        instance=ContactPage(title="Contact", slug="contact", recipients="desk@example.org")
    )
    response = reader.get("/contact/")
    assert response.status_code == 200 and response["X-Cache"] == "MISS"
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= control
    assert "csrfmiddlewaretoken" in response.content.decode()
