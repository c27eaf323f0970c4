"""In headless Chromium: no page asks another origin unless an editor embedded it, and nothing
on a page, public or admin, breaks the Content-Security-Policy."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from masthead.pages.models import ContactPage, StandardPage
from tests.jobs_fixtures import JobsBoard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIDEO = "https://www.youtube.com/watch?v=masthead01"
PLAYER = "https://www.youtube.com/embed/masthead01"


class Watch:
    """Every request a page makes, and every message of the console about the policies."""

    def __init__(self, page, origin):
        self.origin = origin
        self.requests = []
        self.violations = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.violations.append(f"page error: {error}"))

    def console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Permissions-Policy" in text:
            self.violations.append(text)

    def elsewhere(self, allowed=()):
        return sorted(
            {
                url
                for url in self.requests
                if not url.startswith((self.origin + "/", "data:", "blob:", *allowed))
            }
        )


def embed_a_video():
    """As if an editor had embedded a YouTube video: its oEmbed answer kept in the database, so
    that no test asks YouTube for it."""
    Embed.objects.create(
        url=VIDEO,
        hash=get_embed_hash(VIDEO),
        type="video",
        html=f'<iframe width="560" height="315" src="{PLAYER}" title="Harbour at dawn" '
        "allowfullscreen></iframe>",
        title="Harbour at dawn",
        provider_name="YouTube",
        width=560,
        height=315,
    )


def every_public_page(paper):
    embed_a_video()
    article = paper.article(
        title="Harbour reopens",
        tags=["Ports"],
        authors=paper.authors,
        body=[
            {"type": "paragraph", "value": "<p>The harbour opened at dawn.</p>"},
            {"type": "embed", "value": {"embed": VIDEO, "caption": "The first ship in"}},
            {"type": "quote", "value": {"text": "At last.", "attribution": "A docker"}},
        ],
    )
    paper.article(title="Rates hold", tags=["Ports"])
    paper.home.add_child(instance=StandardPage(title="About", slug="about"))
    paper.home.add_child(
        instance=ContactPage(title="Contact", slug="contact", recipients="desk@example.org")
    )
    jobs = JobsBoard(paper)
    vacancy = jobs.vacancy(title="Port engineer")
    scholarship = jobs.scholarship(title="Marine science grant")
    return article, [
        ("home", "/"),
        ("section", paper.banking.url),
        ("article", article.url),
        ("author", "/authors/ama-mensah/"),
        ("tag", "/tags/ports/"),
        ("top-stories", "/top-stories/"),
        ("standard", "/about/"),
        ("contact", "/contact/"),
        ("board", jobs.vacancies.url),
        ("vacancy", vacancy.url),
        ("scholarship", scholarship.url),
        ("submit", jobs.vacancies.url + "submit/"),
        ("organisation", "/organisations/acme-mining/"),
        ("search", "/search/?q=harbour"),
        ("not-found", "/no-such-page/"),
        ("security-txt", "/.well-known/security.txt"),
    ]


def test_public_pages_ask_only_the_site_and_the_embedded_player(browser, live_paper, screenshot):
    article, pages = every_public_page(live_paper)
    for viewport, width in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = browser.new_page(viewport=viewport)
        watch = Watch(page, live_paper.url)
        for name, path in pages:
            page.goto(live_paper.url + path)
            page.wait_for_load_state("networkidle")
            if name in ("home", "article", "board", "search"):
                screenshot(page, f"policy-{name}-{width}")
        # Live search asks the site as the reader types.
        page.goto(live_paper.url + "/")
        if width == "phone":
            page.click(".menu-toggle")
        page.fill("input[name=q]", "harb")
        page.wait_for_selector("[role=option]")
        assert watch.violations == [], watch.violations
        # The embedded player is the only other origin, and only on the article.
        assert watch.elsewhere() == [PLAYER], watch.elsewhere()
        assert any(url.startswith(live_paper.url + "/search/live/") for url in watch.requests)
        page.close()

    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_paper.url + article.url)
    frame = page.locator(".body-embed iframe")
    assert frame.get_attribute("src") == PLAYER
    box = frame.bounding_box()
    assert box["width"] > 500 and abs(box["height"] - box["width"] * 9 / 16) < 2  # 16:9
    assert page.evaluate("document.documentElement.className") == "js"
    page.close()


def test_the_policy_is_enforced(browser, live_paper):
    """The watch would see it: a script written into a page is refused, and said so."""
    page = browser.new_page(viewport=DESKTOP)
    watch = Watch(page, live_paper.url)
    page.goto(live_paper.url + "/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.ran = true";
            document.head.append(script);
            const picture = document.createElement("img");
            picture.src = "https://elsewhere.example.org/pixel.gif";
            document.body.append(picture);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.ran") is None
    assert any("script-src" in text for text in watch.violations), watch.violations
    assert any("img-src" in text for text in watch.violations), watch.violations
    page.close()


ADMIN_PAGES = [
    ("dashboard", "/admin/"),
    ("explorer", "/admin/pages/{home}/"),
    ("editor", "/admin/pages/{article}/edit/"),
    ("history", "/admin/pages/{article}/history/"),
    ("add-article", "/admin/pages/{banking}/add_subpage/"),
    ("images", "/admin/images/"),
    ("documents", "/admin/documents/"),
    ("snippets", "/admin/snippets/"),
    ("sites", "/admin/sites/"),
    ("site-settings", "/admin/settings/core/sitesettings/"),
    ("navigation", "/admin/settings/navigation/navigationsettings/"),
    ("users", "/admin/users/"),
    ("account", "/admin/account/"),
    ("redirects", "/admin/redirects/"),
    ("search", "/admin/pages/search/?q=harbour"),
    ("reports", "/admin/reports/locked/"),
]


def test_editor_works_in_the_admin_under_its_policy(browser, live_paper, screenshot):
    article, _pages = every_public_page(live_paper)
    get_user_model().objects.create_superuser("editor", "editor@example.org", "a long passphrase")
    page = browser.new_page(viewport=DESKTOP)
    watch = Watch(page, live_paper.url)
    page.goto(live_paper.url + "/admin/login/")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", "a long passphrase")
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")

    ids = {"home": live_paper.home.pk, "article": article.pk, "banking": live_paper.banking.pk}
    for name, path in ADMIN_PAGES:
        response = page.goto(live_paper.url + path.format(**ids))
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("networkidle")
        if name in ("dashboard", "editor"):
            screenshot(page, f"policy-admin-{name}")

    # The page editor: its tabs, a block added to the body, the live preview.
    page.goto(live_paper.url + f"/admin/pages/{article.pk}/edit/")
    page.click("a[role=tab]:has-text('Promote')")
    page.click("a[role=tab]:has-text('Content')")
    page.fill("input[name=title]", "Harbour reopens at dawn")
    page.click("[data-side-panel-toggle=preview]")
    # Wagtail loads the preview into a second frame, then drops the first.
    preview = page.frame_locator("iframe.w-preview__iframe").last
    assert preview.locator("h1").inner_text(timeout=15000) == "Harbour reopens at dawn"
    screenshot(page, "policy-admin-preview")
    page.click("[data-side-panel-toggle=preview]")
    page.click("button:has-text('Save draft')")
    page.wait_for_selector("text=has been updated")

    # Signed in, the public page carries Wagtail's user bar under the site's own policy.
    page.goto(live_paper.url + article.url)
    page.locator("#wagtail-userbar-trigger").click()
    assert page.locator("#wagtail-userbar-items").is_visible()
    screenshot(page, "policy-userbar")

    assert watch.violations == [], watch.violations
    assert watch.elsewhere(allowed=(PLAYER,)) == [], watch.elsewhere()
    assert not any("gravatar" in url for url in watch.requests)
    page.close()
