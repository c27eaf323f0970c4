"""Every absolute address the site emits is under SITE_URL, which the default site follows."""

import re
from html import unescape
from urllib.parse import quote, urldefrag, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from wagtail.models import Site

from masthead.core.address import address_problem, site_address, sync_default_site
from masthead.pages.models import ContactPage, StandardPage
from tests.conftest import Newspaper
from tests.jobs_fixtures import JobsBoard
from tests.test_jobs_submission import submit

pytestmark = pytest.mark.django_db

PUBLIC = "https://news.example.org"

# Names of vocabularies and formats, never fetched: the only other origins a document may name.
NAMESPACES = (
    "http://www.sitemaps.org/schemas/sitemap/0.9",
    "http://www.google.com/schemas/sitemap-image/1.1",
    "http://www.google.com/schemas/sitemap-news/0.9",
    "http://www.w3.org/",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/rss/1.0/modules/content/",
    "http://search.yahoo.com/mrss/",
    "https://jsonfeed.org/version/1.1",
    "https://schema.org",
    "http://schema.org",
    "https://ogp.me/ns",
)
# What the test's editors typed: an organisation's website and where to apply.
EDITORS_LINKS = ("https://acme.example.org", "https://harbour.example.org")
# The article's share links: each network's own share page, given the article's public address.
SHARE_PAGES = (
    "https://x.com/intent/post?",
    "https://www.facebook.com/sharer/sharer.php?",
    "https://www.linkedin.com/sharing/share-offsite/?",
    "https://wa.me/?",
    "https://bsky.app/intent/compose?",
)

ABSOLUTE = re.compile(r"""(?:https?:)?//[^\s"'<>\\)]+""")
TAG_URI = re.compile(r"\btag:([^,\s\"'<]+),")
LINKED = re.compile(r"""(?:href|src|action)=["']([^"']+)["']|<loc>([^<]+)</loc>|Sitemap: (\S+)""")


def absolute_addresses(text):
    """Every absolute or protocol-relative address in `text` (HTML, XML, JSON or plain)."""
    found = set()
    for match in ABSOLUTE.finditer(unescape(text)):
        address = match.group(0).rstrip(".,;")
        if match.start() > 0 and text[match.start() - 1] == ":":
            continue  # the "//" of an address already matched whole
        found.add(address)
    return found


def foreign(addresses, origin):
    """The addresses that are neither under `origin` nor names of vocabularies."""
    return sorted(
        address
        for address in addresses
        if not address.startswith(origin + "/")
        and address != origin
        and not address.startswith(NAMESPACES + EDITORS_LINKS + SHARE_PAGES)
    )


def crawl(client, origin, seeds, limit=400):
    """GET every address of the site linked from `seeds` and what they link to; returns
    {path: body}. Only the site's own pages, feeds and sitemaps are followed."""
    seen, queue, bodies = set(), list(seeds), {}
    while queue and len(bodies) < limit:
        path = queue.pop(0)
        # Readers' account pages (the comments' "log in" links lead there) have tests of their
        # own; until the accounts app is merged they answer 404.
        if path in seen or path.startswith("/accounts/"):
            continue
        seen.add(path)
        response = client.get(path, HTTP_HOST="127.0.0.1")
        assert response.status_code in (200, 301, 302), (path, response.status_code)
        if response.status_code != 200:
            location = response["Location"]
            assert location.startswith(("/", origin + "/")), (path, location)
            queue.append(location.removeprefix(origin))
            continue
        body = response.content.decode()
        bodies[path] = body
        for groups in LINKED.findall(body):
            link = unescape(next(group for group in groups if group))
            address = urldefrag(urljoin(origin + path, link)).url
            if not address.startswith(origin + "/"):
                continue
            linked = address[len(origin) :]
            if not linked.startswith(("/static/", "/media/", "/admin/", "/documents/")):
                queue.append(linked)
    return bodies


@pytest.fixture
def public_address(settings):
    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = PUBLIC
    settings.CSRF_TRUSTED_ORIGINS = [PUBLIC]
    return PUBLIC


@pytest.fixture
def newspaper(public_address):
    """The test paper, with a page of each type, served as https://news.example.org."""
    paper = Newspaper()
    paper.article(tags=["Rates", "Bonds"], authors=paper.authors)
    paper.article(section=paper.africa, title="Harbour reopens", tags=["Ports"])
    paper.home.add_child(instance=StandardPage(title="About", slug="about"))
    paper.home.add_child(
        instance=ContactPage(
            title="Contact", slug="contact", recipients="desk@example.org", confirmation="Thanks."
        )
    )
    paper.jobs = JobsBoard(paper)
    paper.jobs.vacancies.moderators_email = "jobs-desk@example.org"
    paper.jobs.vacancies.save()
    paper.jobs.vacancy(title="Port engineer")
    paper.jobs.scholarship(title="Marine science grant")
    return paper


SEEDS = [
    "/",
    "/robots.txt",
    "/sitemap.xml",
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/json/",
    "/search/?q=harbour",
    "/search/live/?q=ha",
    "/_fragments/recent-news/",
]


def test_every_address_the_site_emits_is_under_site_url(client, newspaper):
    assert Site.objects.get(is_default_site=True).root_url == PUBLIC

    bodies = crawl(client, PUBLIC, SEEDS)
    # The crawl reached every kind of document the site serves.
    for path in (
        "/economics/finance/banking/",
        "/tags/rates/",
        "/authors/ama-mensah/",
        "/about/",
        "/contact/",
        "/organisations/acme-mining/",
        "/sitemaps/sections.xml",
        "/sitemaps/news.xml",
        "/sitemaps/listings.xml",
        "/feeds/sections/economics/rss/",
        "/feeds/tags/rates/atom/",
        "/feeds/authors/ama-mensah/json/",
        "/feeds/boards/jobs-scholarships/job-vacancies/rss/",
        newspaper.jobs.vacancies.url + "submit/",
    ):
        assert path in bodies, f"the crawl never reached {path}"
    assert any(path.startswith("/sitemaps/articles-") for path in bodies)
    assert len(bodies) > 40

    emitted = {}
    for path, body in bodies.items():
        for address in absolute_addresses(body):
            emitted.setdefault(address, path)
        for host in TAG_URI.findall(body):
            assert host == "news.example.org", (path, host)
    # Canonical links, og:url, JSON-LD, feeds and sitemaps all name the public address...
    assert PUBLIC + "/" in emitted and PUBLIC + "/sitemap.xml" in emitted
    assert PUBLIC + "/tags/rates/" in emitted
    shares = [address for address in emitted if address.startswith(SHARE_PAGES)]
    assert shares and all(quote(PUBLIC + "/", safe="") in address for address in shares)
    # ...and nothing else but vocabularies, the links editors typed and the share pages.
    assert foreign(emitted, PUBLIC) == [], {a: emitted[a] for a in foreign(emitted, PUBLIC)}


def test_the_e_mails_link_to_site_url(client, newspaper):
    mail.outbox.clear()
    client.post(
        "/contact/",
        {
            "name": "Ama Reader",
            "email": "ama@example.net",
            "subject": "A correction",
            "message": "The rate was 4%.",
            "homepage": "",
        },
    )
    submit(client, newspaper.jobs)
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    vacancy = newspaper.jobs.vacancies.get_children().get(title="Warehouse supervisor").specific
    state = vacancy.current_workflow_task_state
    state.task.specific.on_action(state, editor, "approve")
    client.post("/admin/password_reset/", {"email": "ed@example.org"})

    subjects = [message.subject for message in mail.outbox]
    assert len(mail.outbox) >= 4, subjects  # contact, moderators, submitter, password reset
    for message in mail.outbox:
        texts = [message.body] + [
            content for content, _type in getattr(message, "alternatives", [])
        ]
        addresses = set().union(*(absolute_addresses(text) for text in texts))
        assert addresses, f"no link in {message.subject!r}"
        assert foreign(addresses, PUBLIC) == [], message.subject
    bodies = " ".join(message.body for message in mail.outbox)
    assert PUBLIC + "/contact/" in bodies
    assert PUBLIC + "/admin/password_reset/confirm/" in bodies
    assert f"{PUBLIC}/admin/pages/{vacancy.pk}/edit/" in bodies


def test_the_crawl_catches_an_address_that_is_not_site_url(client, newspaper):
    """A site record left at Wagtail's localhost: the checks above would see it."""
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=80)
    bodies = crawl(client, PUBLIC, ["/robots.txt", "/feeds/rss/"], limit=2)
    emitted = set().union(*(absolute_addresses(body) for body in bodies.values()))
    assert "http://localhost/sitemap.xml" in foreign(emitted, PUBLIC)


def test_migrate_points_the_default_site_at_site_url(public_address, capsys):
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=80)
    call_command("migrate", verbosity=1, interactive=False)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("news.example.org", 443, PUBLIC)
    assert "now answers as https://news.example.org" in capsys.readouterr().out
    assert sync_default_site() is None  # in step: nothing to change


def test_a_check_fails_when_the_site_record_disagrees(public_address):
    Site.objects.filter(is_default_site=True).update(hostname="localhost", port=80)
    errors = [e for e in run_checks() if e.id == "masthead.E003"]
    assert len(errors) == 1 and "http://localhost" in errors[0].msg
    sync_default_site()
    assert [e for e in run_checks() if e.id.startswith("masthead.")] == []


def test_the_admin_base_url_must_be_site_url(public_address, settings):
    sync_default_site()
    settings.WAGTAILADMIN_BASE_URL = "http://localhost"
    assert [e.id for e in run_checks() if e.id.startswith("masthead.")] == ["masthead.E002"]


@pytest.mark.parametrize(
    "url",
    [
        "news.example.org",
        "ftp://news.example.org",
        "https://news.example.org:8443",
        "http://news.example.org:443",
        "https://news.example.org/paper",
        "https://",
    ],
)
def test_a_site_url_that_cannot_be_the_address_fails_the_check(settings, url):
    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = url
    assert address_problem(url)
    assert [e.id for e in run_checks() if e.id.startswith("masthead.")] == ["masthead.E001"]


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://news.example.org", ("news.example.org", 443)),
        ("http://127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("http://localhost", ("localhost", 80)),
    ],
)
def test_site_url_as_a_site_record(url, address):
    assert address_problem(url) == ""
    assert site_address(url) == address
    hostname, port = address
    assert Site(hostname=hostname, port=port).root_url == url
    assert urlsplit(url).hostname == hostname
