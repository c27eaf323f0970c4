"""The demo newsroom (masthead/demo/newsroom.py): an account for each role that logs in and
reaches the admin, and never created on a site served to the world."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from masthead.demo.newsroom import STAFF, is_local, served_to_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_hashing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args):
    out = StringIO()
    call_command("demo", "--articles", "3", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("[::1]", True),
        ("newsroom.localhost", True),
        ("192.168.1.20", True),
        ("10.0.0.5", True),
        ("0.0.0.0", True),
        ("testserver", True),
        ("news.example.org", False),
        (".example.org", False),
        ("*", False),
        ("93.184.215.14", False),
        ("8.8.8.8", False),
    ],
)
def test_what_counts_as_this_machine_or_a_private_network(host, local):
    assert is_local(host) is local


@pytest.mark.parametrize(
    ("allowed_hosts", "site_url", "public"),
    [
        (["127.0.0.1", "localhost"], "http://127.0.0.1:8000", []),
        (["127.0.0.1", "news.example.org"], "http://127.0.0.1:8000", ["news.example.org"]),
        (["*"], "http://127.0.0.1:8000", ["*"]),
        (["localhost"], "https://news.example.org", ["news.example.org"]),
    ],
)
def test_served_to_world_names_the_public_hosts(settings, allowed_hosts, site_url, public):
    settings.ALLOWED_HOSTS, settings.SITE_URL = allowed_hosts, site_url
    assert served_to_world() == public


@pytest.mark.parametrize(
    ("allowed_hosts", "site_url"),
    [
        (["news.example.org"], "https://news.example.org"),
        (["*"], "http://127.0.0.1:8000"),
        (["127.0.0.1"], "https://news.example.org"),
    ],
)
def test_the_demo_refuses_its_accounts_on_a_site_served_to_the_world(
    settings, allowed_hosts, site_url
):
    settings.ALLOWED_HOSTS, settings.SITE_URL = allowed_hosts, site_url
    users = get_user_model().objects.count()
    with pytest.raises(CommandError, match="served to the world.*--content-only"):
        run_demo()
    with pytest.raises(CommandError, match="served to the world"):
        run_demo("--if-empty")
    assert get_user_model().objects.count() == users


def test_content_only_builds_the_paper_without_any_account_to_log_in_to(settings):
    settings.ALLOWED_HOSTS, settings.SITE_URL = ["news.example.org"], "https://news.example.org"
    output = run_demo("--content-only")
    assert "Demo ready" in output
    User = get_user_model()
    assert not User.objects.filter(email__in=[row[0] for row in STAFF]).exists()
    assert not User.objects.filter(email__in=["editor@example.com", "reader@example.com"]).exists()
    # The commenters exist, but nobody can log in as them.
    assert User.objects.exists()
    assert not any(user.has_usable_password() for user in User.objects.all())
    assert "There is no demo account on this database." in output
    assert "masthead-" not in output


def test_each_demo_role_logs_in_by_e_mail_and_reaches_the_admin(client, settings):
    output = run_demo()
    for email, password, _, _, role, _ in STAFF:
        assert f"{email} / {password}" in output
        client.logout()
        response = client.post("/accounts/login/", {"login": email, "password": password})
        assert response.status_code == 302, (email, response.content.decode()[:500])
        response = client.get("/admin/")
        assert response.status_code == 200, email
        user = get_user_model().objects.get(email=email)
        assert user.groups.filter(name=role).exists()
        assert not user.is_superuser
    desks = set(
        get_user_model()
        .objects.get(email="section-editor@example.com")
        .groups.values_list("name", flat=True)
    )
    assert desks == {"Section editor", "Section editors: News", "Section editors: Business"}
    assert "Contributors: News" in get_user_model().objects.get(
        email="contributor@example.com"
    ).groups.values_list("name", flat=True)
    # Running again creates none twice.
    again = run_demo()
    assert "nothing was added" in again
    assert get_user_model().objects.filter(email__in=[row[0] for row in STAFF]).count() == 5
