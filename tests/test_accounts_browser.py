"""Readers' accounts end to end in headless Chromium at 1280 and 390 px: sign up, verify through
the e-mailed link, log in through the header's dialog on a cached article (the same bytes as
anyone's), log out; reset a password through the e-mailed link; a staff account sets up an
authenticator app and logs in with a code; a reader at the admin is refused."""

import re
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth import get_user_model

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCREENS = Path(__file__).resolve().parent.parent / "var" / "screens"
PASSWORD = "a long reader password 9"
LINK = re.compile(r"https?://[^\s]+")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=False)


def emailed_link(mailbox, part, server):
    for message in reversed(mailbox.messages):
        for link in LINK.findall(message.get_content()):
            if part in link:
                parts = urlsplit(link)
                return server + parts.path
    raise AssertionError(f"no e-mailed link with {part}")


def anonymous_bytes(url):
    with urllib.request.urlopen(url) as response:
        return response.read(), response.headers["X-Cache"]


def account(email, **extra):
    user = get_user_model().objects.create_user(email.split("@")[0], email, PASSWORD, **extra)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_sign_up_verify_log_in_through_the_dialog_and_log_out(
    browser, live_paper, smtp_server, size
):
    article = live_paper.article(title="Harbour dredging finished")
    server = live_paper.url
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.goto(server + "/accounts/signup/")
    page.fill("#id_display_name", "Nia Quartey")
    page.fill("#id_email", f"nia-{size}@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    shot(page, f"accounts-signup-{size}")
    page.click("text=Create my account")
    page.wait_for_url("**/accounts/confirm-email/")
    assert page.locator("h1").inner_text() == "Check your e-mail"
    page.goto(emailed_link(smtp_server, "/confirm-email/", server))
    shot(page, f"accounts-confirm-{size}")
    page.click("button:text('Confirm')")
    page.wait_for_load_state()
    context.close()

    # A new browser: the article, cached, then the dialog.
    first, state = anonymous_bytes(server + article.url)
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    page.goto(server + article.url)
    login = page.locator(".account-nav__login")
    assert login.inner_text() == "Log in"
    if size == "phone":
        login.scroll_into_view_if_needed()
    login.click()
    dialog = page.locator("dialog.login-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator("h2").inner_text() == "Welcome back!"
    page.fill("#login-dialog-email", f"nia-{size}@example.com")
    page.fill("#login-dialog-password", "not the password")
    page.click("dialog >> button[type=submit]")
    page.wait_for_selector(".login-dialog__errors:not([hidden])")
    shot(page, f"accounts-dialog-error-{size}")
    page.fill("#login-dialog-password", PASSWORD)
    page.click("dialog >> button[type=submit]")
    name = page.locator(".account-nav__name")
    name.wait_for(state="visible")
    assert name.inner_text() == "Nia Quartey"
    assert not dialog.is_visible()
    assert page.url == server + article.url  # the reader never left the page
    shot(page, f"accounts-signed-in-{size}")

    # The page is the same document for them as for anyone, from the cache.
    theirs = context.request.get(server + article.url)
    assert theirs.status == 200 and theirs.headers["x-cache"] == "HIT"
    assert theirs.body() == first
    assert b"Nia Quartey" not in theirs.body()
    assert state in ("MISS", "HIT")

    name.click()
    shot(page, f"accounts-menu-{size}")
    page.click("text=Log out")
    page.wait_for_load_state()
    page.locator(".account-nav__login").wait_for(state="visible")
    assert page.locator(".account-nav__login").inner_text() == "Log in"
    context.close()


def test_the_dialog_brings_the_reader_back_to_the_same_place(browser, live_paper):
    article = live_paper.article(title="Tides and tallies")
    account("back@example.com")
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.goto(live_paper.url + article.url)
    # What the comments block will hold: a link to the login, back to its own place.
    page.evaluate(
        """url => {
        const link = document.createElement("a");
        link.id = "join"; link.textContent = "Log in to join the discussion";
        link.href = "/accounts/login/?next=" + encodeURIComponent(url + "#comments");
        link.setAttribute("data-login-dialog", "");
        const target = document.createElement("div"); target.id = "comments";
        document.querySelector("main").append(link, target);
    }""",
        article.url,
    )
    page.click("#join")
    page.fill("#login-dialog-email", "back@example.com")
    page.fill("#login-dialog-password", PASSWORD)
    page.click("dialog >> button[type=submit]")
    page.locator(".account-nav__name").wait_for(state="visible")
    assert page.url == live_paper.url + article.url + "#comments"
    page.close()


def test_without_javascript_log_in_is_a_page_that_comes_back(browser, live_paper):
    article = live_paper.article(title="Quiet reading")
    account("plain@example.com")
    context = browser.new_context(viewport=VIEWPORTS["desktop"], java_script_enabled=False)
    page = context.new_page()
    page.goto(live_paper.url + article.url)
    page.click(".account-nav__login")
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=.*"))
    page.fill("#id_login", "plain@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main >> button:text('Log in')")
    page.wait_for_url(f"**{article.url}")
    context.close()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_reset_a_password_through_the_emailed_link(browser, live_paper, smtp_server, size):
    account(f"forgot-{size}@example.com")
    server = live_paper.url
    page = browser.new_page(viewport=VIEWPORTS[size])
    page.goto(server + "/accounts/login/")
    shot(page, f"accounts-login-{size}")
    page.click("text=Forgotten password?")
    page.wait_for_url("**/accounts/password/reset/")
    page.fill("#id_email", f"forgot-{size}@example.com")
    shot(page, f"accounts-reset-{size}")
    page.click("text=Send me the link")
    page.wait_for_url("**/accounts/password/reset/done/")
    page.goto(emailed_link(smtp_server, "/password/reset/key/", server))
    assert page.locator("h1").inner_text() == "Choose a new password"
    new = "a fresh password for me 5"
    page.fill("#id_password1", new)
    page.fill("#id_password2", new)
    page.click("text=Save my new password")
    page.wait_for_url("**/accounts/password/reset/key/done/")
    page.goto(server + "/accounts/login/")
    page.fill("#id_login", f"forgot-{size}@example.com")
    page.fill("#id_password", new)
    page.click("main >> button:text('Log in')")
    page.wait_for_url(server + "/")
    page.locator(".account-nav__name").wait_for(state="visible")
    page.close()


def totp_code(secret):
    """The code of the current period, taken early enough in it to still be valid when the
    server checks it (under load, a code of a period's last seconds would reach it late)."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 8:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_staff_set_up_an_authenticator_and_log_in_with_a_code(browser, live_paper):
    account("desk@example.com", is_staff=True, is_superuser=True)
    server = live_paper.url
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.goto(server + "/admin/")
    page.wait_for_url(re.compile(r".*/accounts/login/\?next=/admin/$"))
    page.fill("#id_login", "desk@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main >> button:text('Log in')")
    page.wait_for_url("**/admin/")
    page.goto(server + "/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in page.url:
        page.fill("#id_password", PASSWORD)
        page.click("main >> button[type=submit]")
        page.wait_for_url("**/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    shot(page, "accounts-totp-setup-desktop")
    page.fill("#id_code", totp_code(secret))
    page.click("main >> button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/2fa/" in page.url
    shot(page, "accounts-recovery-codes-desktop")
    page.context.clear_cookies()

    page.goto(server + "/accounts/login/?next=/admin/")
    page.fill("#id_login", "desk@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main >> button:text('Log in')")
    page.wait_for_url(re.compile(r".*/accounts/2fa/authenticate/.*"))
    shot(page, "accounts-totp-code-desktop")
    page.fill("#id_code", totp_code(secret))
    page.click("main >> button[type=submit]")
    page.wait_for_url("**/admin/")
    assert page.title().startswith("Dashboard")
    page.close()


def test_a_reader_at_the_admin_is_refused(browser, live_paper):
    account("reader@example.com")
    server = live_paper.url
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    page.goto(server + "/accounts/login/")
    page.fill("#id_login", "reader@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main >> button:text('Log in')")
    page.wait_for_url(server + "/")
    response = page.goto(server + "/admin/")
    assert response.status == 403
    assert "for the newsroom" in page.locator("h1").inner_text()
    shot(page, "accounts-admin-refused-phone")
    page.close()


def test_the_account_pages_break_no_rule_of_the_browser_policy(browser, live_paper):
    """No inline script or style: the policy would refuse them and say so in the console."""
    account("policy@example.com")
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    complaints = []
    page.on("console", lambda message: complaints.append(message.text))
    page.on("pageerror", lambda error: complaints.append(str(error)))
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        page.goto(live_paper.url + path)
    page.goto(live_paper.url + "/accounts/login/")
    page.fill("#id_login", "policy@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("main >> button:text('Log in')")
    page.wait_for_url(live_paper.url + "/")
    for path in ("/accounts/profile/", "/accounts/email/", "/accounts/2fa/", "/"):
        page.goto(live_paper.url + path)
    page.locator(".account-nav__name").wait_for(state="visible")
    assert complaints == []
    page.close()
