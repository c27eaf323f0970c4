"""Fixtures that build a small newspaper: a home page, a section tree, authors and articles."""

import email
import email.policy
import io
import itertools
import os
import socket
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.files.images import ImageFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.models import Page, Site

from masthead.articles.models import ArticleAuthor, ArticlePage, TopStoriesPage
from masthead.authors.models import Author
from masthead.caching.store import forget_found_fresh
from masthead.core.address import site_address
from masthead.core.models import SiteSettings
from masthead.images.models import NewsImage
from masthead.navigation.models import NavigationSettings
from masthead.sections.models import HomePage, SectionPage
from tests.servers import (  # noqa: F401 (the fault tests' servers: a private Redis, PostgreSQL...)
    postgres_site,
    postgres_site_template,
    private_postgres,
    private_redis,
    sqlite_site,
    sqlite_site_template,
    static_root,
)

_counter = itertools.count(1)


@pytest.fixture(scope="session", autouse=True)
def purge_times_dir(tmp_path_factory):
    """The purge times shared by the site's processes, in a folder of this test process's own
    (tests run two processes at once). A process started by a test finds them with
    MASTHEAD_DATA_DIR set to the folder this returns."""
    data_dir = tmp_path_factory.mktemp("data")
    if not django_settings.CACHES["purges"]["BACKEND"].endswith("PurgeTimesCache"):
        yield data_dir  # in Redis (REDIS_URL)
        return
    purges = {**django_settings.CACHES["purges"], "LOCATION": str(data_dir / "cache" / "purges")}
    with override_settings(CACHES={**django_settings.CACHES, "purges": purges}):
        yield data_dir


@pytest.fixture(autouse=True)
def _static_and_cache(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    caches["purges"].clear()
    forget_found_fresh()
    yield
    cache.clear()
    caches["purges"].clear()
    forget_found_fresh()


@pytest.fixture(autouse=True)
def _tasks_in_the_request(settings):
    """Tasks run where they are enqueued; tests of the worker set the database backend."""
    immediate = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    settings.TASKS = {"default": immediate, "worker": immediate}


@pytest.fixture(autouse=True)
def _editors_marked_at_login(monkeypatch):
    """The test client's force_login() skips the login view, and so the marker cookie that a
    real login gives editors (masthead.accounts.middleware): give it here as that view would,
    or a force-logged-in editor would be served the readers' cached pages."""
    from django.test import Client

    from masthead.accounts.staff import is_editor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        self.cookies[django_settings.SIGNED_IN_COOKIE_NAME] = "1"
        if is_editor(user):
            self.cookies[django_settings.EDITOR_COOKIE_NAME] = "1"

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def uncached(settings):
    """Every request renders its page: for tests that count what a render costs."""
    settings.PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


def make_image(title="Picture", color=(40, 90, 160), size=(1200, 800), credit=""):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, "JPEG")
    return NewsImage.objects.create(
        title=title,
        description=f"{title}, a plain coloured picture",
        credit=credit,
        file=ImageFile(buffer, name=f"{title.lower().replace(' ', '-')}.jpg"),
    )


def make_section(parent, title, **kwargs):
    section = SectionPage(title=title, show_in_menus=True, **kwargs)
    parent.add_child(instance=section)
    return section


def make_article(
    section, title=None, date=None, authors=(), tags=(), image=None, body=None, **kwargs
):
    number = next(_counter)
    article = ArticlePage(
        title=title or f"Article number {number}",
        standfirst=f"Standfirst of article {number}.",
        date=date or timezone.now() - timedelta(hours=number),
        lead_image=image,
        lead_image_caption="A caption for the lead picture" if image else "",
        body=body
        if body is not None
        else [
            {"type": "paragraph", "value": f"<p>First paragraph of article {number}.</p>"},
            {"type": "paragraph", "value": "<p>Second paragraph.</p>"},
            {"type": "subheading", "value": "A subheading"},
            {"type": "paragraph", "value": "<p>Third paragraph.</p>"},
            {"type": "quote", "value": {"text": "Words worth quoting.", "attribution": "A Source"}},
            {"type": "paragraph", "value": "<p>Fourth paragraph.</p>"},
        ],
        **kwargs,
    )
    article.article_authors = [
        ArticleAuthor(author=author, sort_order=order) for order, author in enumerate(authors)
    ]
    article.tags.add(*tags)
    section.add_child(instance=article)
    return article


class Newspaper:
    """A small paper: home › News › (World › Africa), Economics › Finance › Banking, Top Stories."""

    def __init__(self):
        root = Page.objects.get(depth=1)
        for page in Page.objects.filter(depth=2):
            page.delete()
        self.home = HomePage(title="The Test Times", slug="home")
        root.add_child(instance=self.home)
        hostname, port = site_address()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": hostname,
                "port": port,
                "root_page": self.home,
                "site_name": "The Test Times",
            },
        )
        # As the demo does: made on a site's first page view otherwise, purging what it built.
        site = Site.objects.get(is_default_site=True)
        SiteSettings.for_site(site)
        NavigationSettings.for_site(site)
        self.top_stories = TopStoriesPage(
            title="Top Stories", slug="top-stories", show_in_menus=True
        )
        self.home.add_child(instance=self.top_stories)
        self.news = make_section(self.home, "News")
        self.world = make_section(self.news, "World")
        self.africa = make_section(self.world, "Africa")
        self.economics = make_section(self.home, "Economics")
        self.finance = make_section(self.economics, "Finance")
        self.banking = make_section(self.finance, "Banking")
        self.image = make_image("Harbour at dawn", credit="Photo Desk")
        self.authors = [
            Author.objects.create(
                name="Ama Mensah",
                slug="ama-mensah",
                role="Economics editor",
                photo=make_image("Ama Mensah portrait", (200, 120, 90), (400, 400)),
            ),
            Author.objects.create(name="Jonas Berg", slug="jonas-berg", role="World correspondent"),
        ]

    def article(self, section=None, **kwargs):
        kwargs.setdefault("authors", self.authors[:1])
        kwargs.setdefault("image", self.image)
        return make_article(section or self.banking, **kwargs)


@pytest.fixture
def paper(db):
    return Newspaper()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """Debian's Chromium driven by Playwright; browser tests skip where it is not installed."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Inside Playwright's event loop Django hands out new connection objects, which lack the
    # snapshot that serialized rollback restores (root page, locale...) when the test
    # database was set up before this fixture, as it is when other tests run first.
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, snapshot in snapshots.items():
            connections[alias]._test_serialized_contents = snapshot
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/ to look at after the run."""

    def take(page, name):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take


@pytest.fixture
def live_paper(request, django_db_serialized_rollback, transactional_db, live_server):
    """The small newspaper, committed, behind a live server on 127.0.0.1.

    Serialized rollback brings back what migrations created (root page, locale, collection).
    The browser's contexts are closed before the server stops: a connection Chromium keeps
    alive would otherwise end only with the browser, in a server thread whose database
    connection is gone by then."""
    paper = Newspaper()
    paper.url = live_server.url
    yield paper
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()


class Mailbox:
    """What a real SMTP server on 127.0.0.1 received, as parsed e-mail messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """aiosmtpd listening on a free port, with Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield mailbox
    controller.stop()
