"""Abuse: every rate limit of the site holds, logins are throttled by account and by address,
and the client address each limit counts by follows the trusted-proxy setting."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.test import Client, RequestFactory
from wagtail.models import PageViewRestriction

from masthead.core import ratelimit

README = Path(__file__).resolve().parent.parent / "README.md"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Each failed login checks a password: a cheap hash keeps twenty of them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser(
        "editor", "editor@example.org", PASSWORD, first_name="Eda"
    )


def log_in(client, password, username="editor"):
    return client.post("/admin/login/", {"username": username, "password": password})


def signed_in(client):
    return client.get("/admin/").status_code == 200


# ------------------------------------------------------------------ the table of limits


def readme_limits():
    """The rows of the README's table of rate limits: {limit name: setting}."""
    section = README.read_text().split("### Rate limits\n", 1)[1].split("\n#", 1)[0]
    return dict(re.findall(r"^\| `([a-z_]+)` \|.*\| `([A-Z_]+)` \|$", section, re.M))


def test_the_readme_table_lists_every_limit_and_its_setting():
    assert readme_limits() == ratelimit.LIMITS


@pytest.mark.parametrize("action", sorted(ratelimit.LIMITS))
def test_each_limit_holds_per_address(action, settings):
    setattr(settings, ratelimit.LIMITS[action], "3/60")
    reader = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    other = RequestFactory().post("/", REMOTE_ADDR="192.0.2.2")
    assert [ratelimit.limited(reader, action, key="k") for _ in range(4)][:3] == [0, 0, 0]
    assert 0 < ratelimit.limited(reader, action, key="k") <= 60
    assert ratelimit.limited(other, action, key="k") == 0
    with _later(61):
        assert ratelimit.limited(reader, action, key="k") == 0


class _later:
    """Moves the clock forward by `seconds` for the block."""

    def __init__(self, seconds):
        self.traveller = time_machine.travel(time.time() + seconds, tick=False)

    def __enter__(self):
        self.traveller.start()

    def __exit__(self, *exc):
        self.traveller.stop()


def test_the_default_limits_read(settings):
    for action in ratelimit.LIMITS:
        assert ratelimit.rates(action)[action]
    assert ratelimit.rates("login_failed") == {"login_failed": "5/300s/key,20/300s/ip"}
    assert ratelimit.rates("contact") == {"contact": "5/600s/ip"}


def test_a_get_counts_too(settings):
    settings.SEARCH_LIVE_RATE = "1/60"
    request = RequestFactory().get("/search/live/?q=ab")
    assert ratelimit.limited(request, "search_live") == 0
    assert ratelimit.limited(request, "search_live") > 0


# ------------------------------------------------------------------ logging in


def test_twenty_wrong_passwords_then_the_right_one_is_refused(client, editor):
    for _ in range(20):
        response = log_in(client, "wrong")
        assert response.status_code == 200
    response = log_in(client, PASSWORD)
    assert response.status_code == 200  # the form again, not the dashboard
    html = response.content.decode()
    assert "Too many failed attempts to log in" in html
    assert "Please wait 5 minutes" in html
    assert not signed_in(client)


def test_the_lockout_ends_with_its_window(client, editor):
    for _ in range(5):
        log_in(client, "wrong")
    assert not signed_in(client) and log_in(client, PASSWORD).status_code == 200
    with _later(301):
        assert log_in(client, PASSWORD).status_code == 302
        assert signed_in(client)


def test_an_account_is_locked_from_every_address(editor):
    for _ in range(5):
        log_in(Client(REMOTE_ADDR="192.0.2.1"), "wrong")
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert "Too many failed attempts" in log_in(elsewhere, PASSWORD).content.decode()
    assert not signed_in(elsewhere)


def test_an_address_is_locked_for_every_account(editor):
    users = get_user_model().objects
    for name in ("a", "b", "c", "d"):
        users.create_user(name, f"{name}@example.org", PASSWORD)
        for _ in range(5):
            log_in(Client(REMOTE_ADDR="192.0.2.1"), "wrong", username=name)
    # 20 failures from that address: even an account that never failed is refused there...
    same = Client(REMOTE_ADDR="192.0.2.1")
    assert "Too many failed attempts" in log_in(same, PASSWORD).content.decode()
    assert not signed_in(same)
    # ...and not from another.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert log_in(other, PASSWORD).status_code == 302 and signed_in(other)


def test_a_good_login_forgets_the_accounts_failures(client, editor):
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302
    client.post("/admin/logout/")
    for _ in range(4):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 302


def test_the_user_name_is_one_account_whatever_its_case(client, editor):
    for _ in range(5):
        log_in(client, "wrong", username="EDITOR ")
    assert "Too many failed attempts" in log_in(client, PASSWORD).content.decode()


def test_djangos_authenticate_is_throttled_as_well(editor):
    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.1")
    assert authenticate(request, username="editor", password=PASSWORD) == editor
    for _ in range(5):
        assert authenticate(request, username="editor", password="wrong") is None
    assert authenticate(request, username="editor", password=PASSWORD) is None
    assert request.login_throttled > 0


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "", "password": ""},
        {"username": "x" * 10_000, "password": "y"},
        {"username": "editor\x00", "password": PASSWORD},
        {"username": "' OR 1=1 --", "password": "' OR 1=1 --"},
        {"username": "\u202eeditor", "password": PASSWORD},
    ],
)
def test_bad_login_input_is_a_form_error(client, editor, data):
    response = client.post("/admin/login/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not signed_in(client)


def test_password_resets_are_limited_per_address_typed(client, editor, settings):
    for _ in range(5):
        response = client.post("/admin/password_reset/", {"email": "editor@example.org"})
        assert response.status_code == 302  # the same answer whether or not one was sent
    assert len(mail.outbox) == 3


def test_password_resets_are_limited_per_client_address(client, editor, settings):
    settings.PASSWORD_RESET_RATE = "3/3600/key,2/3600/ip"
    users = get_user_model().objects
    for name in ("a", "b", "c"):
        users.create_user(name, f"{name}@example.org", PASSWORD)
        client.post("/admin/password_reset/", {"email": f"{name}@example.org"})
    assert [message.to for message in mail.outbox] == [["a@example.org"], ["b@example.org"]]


@pytest.mark.parametrize("email", ["", "not an address", "x" * 500 + "@example.org"])
def test_bad_password_reset_input_is_a_form_error(client, editor, email):
    response = client.post("/admin/password_reset/", {"email": email})
    assert response.status_code == 200 and response.context["form"].errors
    assert mail.outbox == []


def test_a_private_pages_password_is_throttled(client, paper, settings):
    settings.PAGE_PASSWORD_RATE = "3/300"
    article = paper.article(title="Members only")
    restriction = PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    url = f"/_util/authenticate_with_password/{restriction.pk}/{article.pk}/"
    for _ in range(3):
        assert client.post(url, {"password": "guess", "return_url": "/"}).status_code == 200
    response = client.post(url, {"password": "s3cret", "return_url": article.url})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()


# ------------------------------------------------------------------ behind a proxy


def address(settings, remote="127.0.0.1", count=0, header=None, **headers):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = header
    return ratelimit.client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_forwarded_for_is_ignored(settings):
    assert address(settings, HTTP_X_FORWARDED_FOR="203.0.113.5") == "127.0.0.1"


def test_one_trusted_proxy_gives_the_address_it_appended(settings):
    assert address(settings, count=1, HTTP_X_FORWARDED_FOR="203.0.113.5") == "203.0.113.5"
    # What the reader typed into the header comes before; only the proxy's entry is believed.
    spoofed = "10.0.0.1, 203.0.113.5"
    assert address(settings, count=1, HTTP_X_FORWARDED_FOR=spoofed) == "203.0.113.5"


def test_two_trusted_proxies(settings):
    chain = "6.6.6.6, 203.0.113.5, 10.0.0.2"  # spoofed, the reader, then the first proxy
    assert address(settings, count=2, HTTP_X_FORWARDED_FOR=chain) == "203.0.113.5"


def test_a_request_that_bypassed_the_proxies_counts_by_its_own_address(settings):
    assert address(settings, remote="192.0.2.8", count=2, HTTP_X_FORWARDED_FOR="1.2.3.4") == (
        "192.0.2.8"
    )


def test_a_cdns_client_header(settings):
    found = address(settings, header="CF-Connecting-IP", HTTP_CF_CONNECTING_IP="203.0.113.9")
    assert found == "203.0.113.9"


def test_readers_behind_one_proxy_each_get_their_allowance(client, settings, paper):
    """The live search limit, through the proxy: one reader's flood holds up only that reader."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.SEARCH_LIVE_RATE = "2/60"
    settings.PAGE_CACHE = False
    flood = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert [client.get("/search/live/", {"q": "ab"}, **flood).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert (
        client.get("/search/live/", {"q": "ab"}, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code
        == 200
    )
    # A reader who forges the header is still counted by the address the proxy appended.
    forged = {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.5"}
    assert client.get("/search/live/", {"q": "ab"}, **forged).status_code == 429


# ------------------------------------------------------------------ shared by every worker

WORKER = """
import django, json, os
django.setup()
from django.test import RequestFactory
from masthead.core import ratelimit
request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.77")
print(json.dumps([ratelimit.limited(request, "contact") == 0 for _ in range(3)]))
"""


def redis_up(url):
    import redis

    try:
        return redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        return False


def test_two_workers_share_one_count_through_redis(tmp_path):
    url = "redis://127.0.0.1:6379/11"
    if not redis_up(url):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(url).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
        "REDIS_URL": url,
        "CONTACT_RATE": "4/60",
        "MASTHEAD_DATA_DIR": str(tmp_path),
    }
    allowed = []
    for _ in range(2):  # two processes, as two gunicorn workers
        run = subprocess.run(
            [sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, check=True
        )
        allowed += json.loads(run.stdout.strip().splitlines()[-1])
    assert allowed == [True, True, True, True, False, False]
    redis.Redis.from_url(url).flushdb()
