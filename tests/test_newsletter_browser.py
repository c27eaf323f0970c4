"""Newsletter sign-up in headless Chromium at 1280 and 390 px: from the article page's form and
the footer's, the confirmation link from the e-mail a real SMTP server received, the
preferences page; a signed-in reader's one click."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.newsletter.models import NewsletterList, Subscriber

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(__file__).resolve().parent.parent / "var" / "screens"
LINK = re.compile(r"(/newsletter/[a-z]+/[^/\s]+/)")


def shoot(page, name):
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def lists(live_paper, settings):
    settings.SITE_URL = live_paper.url
    return [
        NewsletterList.objects.create(
            name="Daily Briefing",
            slug="daily-briefing",
            description="The morning's essential stories.",
        ),
        NewsletterList.objects.create(
            name="Breaking News",
            slug="breaking-news",
            description="Only when it matters.",
            position=1,
        ),
    ]


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_sign_up_from_the_article_confirm_and_choose_lists(
    browser, live_paper, lists, smtp_server, screen
):
    article = live_paper.article(title="Harbour fees rise")
    context = browser.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    page.goto(live_paper.url + article.url)
    form = page.locator(".newsletter-signup--article")
    form.scroll_into_view_if_needed()
    shoot(page, f"newsletter-article-{screen}")
    form.get_by_label("Breaking News").check()
    form.get_by_label("Your e-mail address").fill(f"reader-{screen}@example.org")
    form.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/newsletter/check-your-inbox/")
    shoot(page, f"newsletter-inbox-{screen}")
    assert "Check your inbox" in page.locator("h1").inner_text()
    assert len(smtp_server.messages) == 1
    (confirm_path,) = LINK.findall(smtp_server.messages[0].get_content())

    page.goto(live_paper.url + confirm_path)
    shoot(page, f"newsletter-confirm-{screen}")
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_text("you are subscribed to Daily Briefing, Breaking News").wait_for()
    subscriber = Subscriber.objects.get(email=f"reader-{screen}@example.org")
    assert Subscriber.objects.receiving(lists[1]).get() == subscriber
    welcome = smtp_server.messages[-1]
    preferences_path = LINK.findall(welcome.get_content())[0]

    page.goto(live_paper.url + preferences_path)
    shoot(page, f"newsletter-preferences-{screen}")
    choice = page.locator(".newsletter-preferences")
    choice.get_by_label("Breaking News").uncheck()
    choice.get_by_role("button", name="Save my choice").click()
    page.get_by_text("Your choice is saved.").wait_for()
    assert not Subscriber.objects.receiving(lists[1]).exists()
    assert Subscriber.objects.receiving(lists[0]).get() == subscriber
    context.close()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_sign_up_from_the_footer_and_the_newsletter_page(
    browser, live_paper, lists, smtp_server, screen
):
    article = live_paper.article(title="Harbour fees rise")
    context = browser.new_context(viewport=SCREENS[screen])
    page = context.new_page()
    page.goto(live_paper.url + "/newsletter/")
    assert not page.locator(".site-footer .newsletter-signup").is_visible()
    shoot(page, f"newsletter-page-{screen}")
    page.goto(live_paper.url + article.url)
    footer = page.locator(".site-footer .newsletter-signup")
    footer.get_by_label("Your e-mail address").fill("footer@example.org")
    footer.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/newsletter/check-your-inbox/")
    assert [m["To"] for m in smtp_server.messages] == ["footer@example.org"]

    page.goto(live_paper.url + "/newsletter/")
    form = page.locator(".newsletter-signup--page")
    form.get_by_label("Daily Briefing").uncheck()
    form.get_by_label("Your e-mail address").fill("someone@example.org")
    form.get_by_role("button", name="Subscribe").click()
    page.get_by_text("Choose at least one newsletter.").wait_for()
    assert page.get_by_label("Your e-mail address").first.input_value() == "someone@example.org"
    shoot(page, f"newsletter-error-{screen}")
    context.close()


def test_a_signed_in_reader_subscribes_in_one_click_from_the_footer(
    browser, live_paper, lists, smtp_server
):
    reader = get_user_model().objects.create_user("ada", "ada@example.org", "a-long-password")
    EmailAddress.objects.create(user=reader, email="ada@example.org", verified=True, primary=True)
    client = Client()
    client.force_login(reader)
    context = browser.new_context(viewport=SCREENS["desktop"])
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_paper.url,
            },
            {"name": settings.SIGNED_IN_COOKIE_NAME, "value": "1", "url": live_paper.url},
        ]
    )
    page = context.new_page()
    article = live_paper.article(title="Harbour fees rise")
    page.goto(live_paper.url + article.url)
    footer = page.locator(".site-footer .newsletter-signup")
    footer.get_by_text("Subscribe as ada@example.org").wait_for()
    footer.scroll_into_view_if_needed()
    shoot(page, "newsletter-signed-in-desktop")
    footer.get_by_role("button", name="Subscribe").click()
    page.wait_for_url("**/newsletter/subscribe/account/")
    shoot(page, "newsletter-one-click-desktop")
    page.get_by_text("You are subscribed to Daily Briefing").wait_for()
    assert [m["Subject"] for m in smtp_server.messages] == ["Welcome to Daily Briefing"]
    page.goto(live_paper.url + article.url)
    page.get_by_text("Daily Briefing (subscribed)").first.wait_for()
    context.close()
