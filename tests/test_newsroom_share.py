"""Share-a-draft links (masthead/newsroom/flows.py): signed, expiring, revocable; the latest
revision, read-only under a "draft" notice, never indexed and never cached."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from masthead.newsroom.flows import MAX_TOKEN_LENGTH, create_share, open_share, revoke_share
from masthead.newsroom.models import DraftShare
from tests.test_newsroom_roles import Newsroom

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(paper):
    return Newsroom(paper)


@pytest.fixture
def draft(newsroom):
    """A live article with newer, unpublished changes."""
    article = newsroom.article()
    article.title = "The draft headline nobody has seen"
    article.save_revision(user=newsroom.someone)
    return article


def path_of(url):
    assert url.startswith(settings.SITE_URL.rstrip("/") + "/newsroom/draft/")
    return url.removeprefix(settings.SITE_URL.rstrip("/"))


def assert_private(response):
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Cache"] == "MISS"  # built for this request, never from the cache


def test_a_link_shows_the_latest_revision_read_only_with_a_draft_notice(client, draft, newsroom):
    _, url = create_share(draft, newsroom.users["section_editor"])
    response = client.get(path_of(url))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The draft headline nobody has seen" in html
    assert 'class="draft-notice"' in html and "not published" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert not re.search(r'name="csrfmiddlewaretoken" value="[^"]', html)
    assert_private(response)
    # The live page still shows what is published.
    live = client.get(draft.url)
    assert live.status_code == 200
    assert "The draft headline nobody has seen" not in live.content.decode()
    assert "draft-notice" not in live.content.decode()


def test_a_link_is_never_kept_by_the_page_cache(client, draft, newsroom):
    _, url = create_share(draft, newsroom.users["section_editor"])
    for _ in range(3):
        response = client.get(path_of(url))
        assert response.status_code == 200
        assert_private(response)
    revoke_share(DraftShare.objects.get(), newsroom.users["section_editor"])
    response = client.get(path_of(url))
    assert response.status_code == 410  # not an old copy from a cache
    assert_private(response)


def test_a_link_follows_the_newest_draft(client, draft, newsroom):
    _, url = create_share(draft, newsroom.users["section_editor"])
    draft.title = "A second thought"
    draft.save_revision(user=newsroom.someone)
    response = client.get(path_of(url))
    assert response.status_code == 200
    assert "A second thought" in response.content.decode()


def test_an_expired_link_is_gone(client, draft, newsroom):
    _, url = create_share(draft, newsroom.users["section_editor"])
    with time_machine.travel(timezone.now() + timedelta(days=settings.DRAFT_SHARE_DAYS, hours=1)):
        response = client.get(path_of(url))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "The draft headline" not in response.content.decode()
    assert_private(response)


def test_the_expiry_is_the_setting(client, draft, newsroom, settings):
    settings.DRAFT_SHARE_DAYS = 2
    share, url = create_share(draft, newsroom.users["section_editor"])
    assert share.expires_at - share.created_at == timedelta(days=2)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert client.get(path_of(url)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1)):
        assert client.get(path_of(url)).status_code == 410


def test_a_revoked_link_is_gone(client, draft, newsroom):
    share, url = create_share(draft, newsroom.users["section_editor"])
    revoke_share(share, newsroom.users["section_editor"])
    response = client.get(path_of(url))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_a_deleted_page_takes_its_links_with_it(client, draft, newsroom):
    _, url = create_share(draft, newsroom.users["section_editor"])
    draft.delete()
    assert client.get(path_of(url)).status_code == 404


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "1:abc:def",
        "<script>alert(1)</script>",
        "1' OR '1'='1",
        "a" * 10_000,
        "%0d%0aSet-Cookie:%20x=1",
    ],
    ids=["short", "forged", "script", "sql", "huge", "header-injection"],
)
def test_a_token_that_is_not_ours_is_not_found(client, draft, token):
    response = client.get(f"/newsroom/draft/{token}/")
    assert response.status_code == 404
    assert "Set-Cookie" not in response or "x=1" not in response["Set-Cookie"]
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_tampered_token_is_not_found(client, draft, newsroom):
    share, url = create_share(draft, newsroom.users["section_editor"])
    token = path_of(url).split("/")[3]
    other, _ = create_share(newsroom.article(), newsroom.users["section_editor"])
    value, stamp, signature = token.split(":")
    for forged in [
        f"{value}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{value}x:{stamp}:{signature}",
        token.replace(value, str(other.pk), 1) if value != str(other.pk) else token[:-2],
        token + "a" * (MAX_TOKEN_LENGTH - len(token) + 1),
    ]:
        response = client.get(f"/newsroom/draft/{forged}/")
        assert response.status_code == 404, forged
    with pytest.raises(Exception, match="not a draft link"):
        open_share("")


def test_editors_create_and_withdraw_links_from_the_page_admin(client, draft, newsroom):
    editor = newsroom.users["section_editor"]
    client.force_login(editor)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk]))
    assert edit.status_code == 200
    links = reverse("newsroom_shares", args=[draft.pk])
    assert f'href="{links}"' in edit.content.decode()  # the header's "Share draft"
    response = client.get(links)
    assert response.status_code == 200 and "No draft links yet." in response.content.decode()
    response = client.post(links)
    assert response.status_code == 200
    share = DraftShare.objects.get()
    assert (share.page_id, share.created_by) == (draft.pk, editor)
    html = response.content.decode()
    start = html.index(settings.SITE_URL.rstrip("/") + "/newsroom/draft/")
    url = html[start : html.index('"', start)]
    assert client.logout() is None
    assert client.get(path_of(url)).status_code == 200
    client.force_login(editor)
    response = client.post(reverse("newsroom_revoke_share", args=[draft.pk, share.pk]))
    assert response.status_code == 302 and response["Location"] == links
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert client.get(path_of(url)).status_code == 410
    assert (
        client.get(reverse("newsroom_revoke_share", args=[draft.pk, share.pk])).status_code == 405
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("contributor", "denied"), ("author", "denied"), ("admin", "denied"), ("reader", 403)],
)
def test_who_cannot_edit_the_page_cannot_share_it(client, draft, newsroom, role, expected):
    client.force_login(newsroom.users[role])
    for response in (
        client.get(reverse("newsroom_shares", args=[draft.pk])),
        client.post(reverse("newsroom_shares", args=[draft.pk])),
    ):
        if expected == "denied":
            assert response.status_code == 302
            assert response["Location"] == reverse("wagtailadmin_home")
        else:
            assert response.status_code == expected
    assert not DraftShare.objects.exists()


def test_a_share_of_a_missing_page_or_of_another_pages_link_is_not_found(client, draft, newsroom):
    client.force_login(newsroom.users["chief"])
    assert client.get(reverse("newsroom_shares", args=[999999])).status_code == 404
    share, _ = create_share(newsroom.article(), newsroom.users["chief"])
    response = client.post(reverse("newsroom_revoke_share", args=[draft.pk, share.pk]))
    assert response.status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None
