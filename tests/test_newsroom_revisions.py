"""Wagtail's revisions on Masthead's articles: the history lists them, two compare, and an
old one is restored by opening it in the editor and publishing it."""

import pytest
from django.urls import reverse

from tests.test_newsroom_roles import Newsroom, article_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def revised(paper):
    newsroom = Newsroom(paper)
    article = newsroom.article(title="The first headline")
    first = article.latest_revision
    article.title = "The second headline"
    article.standfirst = "A standfirst rewritten."
    second = article.save_revision(user=newsroom.someone)
    second.publish()
    article.refresh_from_db()
    return newsroom, article, first, second


def test_the_history_lists_both_revisions_and_compares_them(client, revised):
    newsroom, article, first, second = revised
    client.force_login(newsroom.users["section_editor"])
    history = client.get(reverse("wagtailadmin_pages:history", args=[article.pk]))
    assert history.status_code == 200
    compare = reverse(
        "wagtailadmin_pages:revisions_compare", args=[article.pk, first.pk, second.pk]
    )
    response = client.get(compare)
    assert response.status_code == 200
    html = response.content.decode()
    # The title's words, the one that went and the one that came.
    assert (
        'The <span class="deletion">first</span><span class="addition">second</span> headline'
        in " ".join(html.split())
    )
    assert "A standfirst rewritten." in html
    response = client.get(reverse("wagtailadmin_pages:revisions_view", args=[article.pk, first.pk]))
    assert response.status_code == 200 and "The first headline" in response.content.decode()


def test_an_old_revision_is_restored_and_published(client, revised):
    newsroom, article, first, _ = revised
    client.force_login(newsroom.users["section_editor"])
    revert = reverse("wagtailadmin_pages:revisions_revert", args=[article.pk, first.pk])
    response = client.get(revert)
    assert response.status_code == 200
    assert 'value="The first headline"' in response.content.decode()
    restored = first.as_object()
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[article.pk]),
        {**article_form(restored, "action-publish"), "revision": first.pk},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "The first headline" and article.live
    assert article.revisions.count() == 3  # the restore is a revision of its own
    page = client.get(article.url)
    assert page.status_code == 200
    assert "The first headline" in page.content.decode()


def test_someone_outside_the_desk_cannot_open_the_history(client, revised):
    newsroom, article, first, second = revised
    client.force_login(newsroom.users["contributor"])
    compare = reverse(
        "wagtailadmin_pages:revisions_compare", args=[article.pk, first.pk, second.pk]
    )
    response = client.get(compare)
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    response = client.get(
        reverse("wagtailadmin_pages:revisions_revert", args=[article.pk, first.pk])
    )
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
