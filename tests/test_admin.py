"""The newsroom's admin opens every editing screen Masthead adds."""

import pytest
from django.contrib.auth import get_user_model

from masthead.articles.models import ArticlePage
from masthead.navigation.models import LinkPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, paper):
    user = get_user_model().objects.create_superuser(
        "chief", "chief@example.org", "a long passphrase"
    )
    client.force_login(user)
    return client


def test_edit_screens_open(editor_client, paper):
    article = paper.article(tags=["Budget"], authors=paper.authors)
    link = LinkPage(title="Podcast", link_url="https://podcast.example.org/", show_in_menus=True)
    paper.home.add_child(instance=link)
    for page in [paper.home, paper.banking, article, paper.top_stories, link]:
        response = editor_client.get(f"/admin/pages/{page.pk}/edit/")
        assert response.status_code == 200, page
    for path in [
        "/admin/snippets/authors/author/",
        f"/admin/snippets/authors/author/edit/{paper.authors[0].pk}/",
        "/admin/snippets/authors/author/add/",
        "/admin/settings/core/sitesettings/",
        "/admin/settings/navigation/navigationsettings/",
        f"/admin/pages/add/articles/articlepage/{paper.banking.pk}/",
        "/admin/images/",
    ]:
        assert editor_client.get(path, follow=True).status_code == 200, path


def test_editor_publishes_an_article_from_the_admin(editor_client, paper, client):
    response = editor_client.post(
        f"/admin/pages/add/articles/articlepage/{paper.banking.pk}/",
        {
            "title": "Published from the admin",
            "slug": "published-from-the-admin",
            "standfirst": "<script>alert(1)</script> A standfirst.",
            "date": "2026-01-02 10:00",
            "article_authors-TOTAL_FORMS": "1",
            "article_authors-INITIAL_FORMS": "0",
            "article_authors-MIN_NUM_FORMS": "0",
            "article_authors-MAX_NUM_FORMS": "1000",
            "article_authors-0-author": str(paper.authors[0].pk),
            "article_authors-0-ORDER": "1",
            "article_authors-0-id": "",
            "article_authors-0-DELETE": "",
            "corrections-TOTAL_FORMS": "0",
            "corrections-INITIAL_FORMS": "0",
            "corrections-MIN_NUM_FORMS": "0",
            "corrections-MAX_NUM_FORMS": "1000",
            "live_entries-TOTAL_FORMS": "0",
            "live_entries-INITIAL_FORMS": "0",
            "live_entries-MIN_NUM_FORMS": "0",
            "live_entries-MAX_NUM_FORMS": "1000",
            "body-count": "1",
            "body-0-type": "paragraph",
            "body-0-value": '{"blocks":[{"key":"a","text":"Body text.","type":"unstyled","depth":0,'
            '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
            "body-0-deleted": "",
            "body-0-order": "0",
            "body-0-id": "",
            "tags": "Budget, Parliament",
            "show_inline_related": "on",
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = ArticlePage.objects.get(slug="published-from-the-admin")
    assert article.live and article.authors == [paper.authors[0]]
    page = client.get(article.url).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; A standfirst." in page
    assert "Body text." in page
