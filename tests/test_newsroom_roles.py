"""The newsroom's roles (masthead/newsroom/roles.py) against every admin action and every public
address: one parametrised test per cell, so that the table below is what each role may do.

The desks: the contributor and the section editor belong to the News desk; Economics is
another desk. "Others'" pages are owned by someone else; "own" pages by the user acting.

What a cell says:
  200        the screen opens
  denied     Wagtail's refusal: back to the dashboard (302 to /admin/) with a message
  login      sent to log in (302 to /accounts/login/)
  403        refused outright (a reader in the admin: masthead/accounts keeps readers out)
  published / draft / submitted / unpublished / deleted: the POST went through (302) and the
             page is now in that state; "kept" when it went through and changed nothing
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction, Site

from masthead.articles.models import ArticlePage
from masthead.newsroom import roles
from masthead.newsroom.desks import ensure_desk
from masthead.newsroom.flows import create_share
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "contributor", "author", "section_editor", "chief", "admin"]


def person(name, *groups):
    # No password: the tests log in with force_login(), and hashing one costs a second each.
    user = get_user_model().objects.create_user(
        name, f"{name}@example.org", None, first_name=name.title()
    )
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.groups.add(*groups)
    return user


class Newsroom:
    def __init__(self, paper):
        self.paper = paper
        news_contributors, news_editors = ensure_desk(paper.news)
        group = Group.objects.get
        self.users = {
            "reader": person("reader"),
            "contributor": person("contributor", group(name=roles.CONTRIBUTOR), news_contributors),
            "author": person("author", group(name=roles.AUTHOR)),
            "section_editor": person(
                "sectioneditor", group(name=roles.SECTION_EDITOR), news_editors
            ),
            "chief": person("chief", group(name=roles.EDITOR_IN_CHIEF)),
            "admin": person("admin", group(name=roles.ADMINISTRATOR)),
        }
        self.someone = person("someone")

    def article(self, section=None, owner=None, live=True, **kwargs):
        article = make_article(section or self.paper.news, owner=owner or self.someone, **kwargs)
        article.save_revision(user=owner or self.someone).publish()
        if not live:
            article.unpublish()
        return ArticlePage.objects.get(pk=article.pk)


@pytest.fixture
def newsroom(paper):
    return Newsroom(paper)


def newsroom_with_economics_desk(paper):
    """The newsroom, and an editor of the Economics desk besides the News one."""
    room = Newsroom(paper)
    _, economics_editors = ensure_desk(paper.economics)
    room.users["economics_editor"] = person(
        "economicseditor", Group.objects.get(name=roles.SECTION_EDITOR), economics_editors
    )
    return room


def client_for(client, newsroom, role):
    if role != "anonymous":
        client.force_login(newsroom.users[role])
    return client


def outcome(response):
    """One cell's value: "login", "denied", the status of an answer that is not a redirect, or
    the status and address of any other redirect; each cell compares it to one expected value."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(("/accounts/login/", "/_util/login/")):
            return "login"
        if location == reverse("wagtailadmin_home"):
            return "denied"
        return f"302 {location}"
    return response.status_code


def article_form(article, action):
    return {
        "title": article.title,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "date": article.date.strftime("%Y-%m-%d %H:%M"),
        "article_authors-TOTAL_FORMS": "0",
        "article_authors-INITIAL_FORMS": "0",
        "article_authors-MIN_NUM_FORMS": "0",
        "article_authors-MAX_NUM_FORMS": "1000",
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
        "body-0-value": '{"blocks":[{"key":"a","text":"Edited body.","type":"unstyled",'
        '"depth":0,"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": "",
        "tags": "",
        "show_inline_related": "on",
        "comments_open": "on",
        action: action,
    }


def state(article):
    article = Page.objects.get(pk=article.pk).specific
    if article.workflow_in_progress:
        return "submitted"
    return "published" if article.live and not article.has_unpublished_changes else "draft"


# ------------------------------------------------------------------ admin screens (GET)

SCREENS = {
    # action: (what it opens, and on which page)
    "create": lambda n: reverse(
        "wagtailadmin_pages:add", args=["articles", "articlepage", n.paper.news.pk]
    ),
    "create_elsewhere": lambda n: reverse(
        "wagtailadmin_pages:add", args=["articles", "articlepage", n.paper.economics.pk]
    ),
    "edit_others": lambda n: reverse("wagtailadmin_pages:edit", args=[n.article().pk]),
    "edit_elsewhere": lambda n: reverse(
        "wagtailadmin_pages:edit", args=[n.article(n.paper.economics).pk]
    ),
    "unpublish_others": lambda n: reverse("wagtailadmin_pages:unpublish", args=[n.article().pk]),
    "delete_others": lambda n: reverse("wagtailadmin_pages:delete", args=[n.article().pk]),
    "move_others": lambda n: reverse("wagtailadmin_pages:move", args=[n.article().pk]),
    "settings": lambda n: reverse(
        "wagtailsettings:edit",
        args=["core", "sitesettings", Site.objects.get(is_default_site=True).pk],
    ),
    "users": lambda n: reverse("wagtailusers_users:index"),
    "groups": lambda n: reverse("wagtailusers_groups:index"),
    "images": lambda n: reverse("wagtailimages:index"),
    "authors": lambda n: reverse("wagtailsnippets_authors_author:list"),
}

SCREEN_MATRIX = {
    #                  anonymous reader   contributor author    section_ed chief     admin
    "create":           ("login", 403, 200,     200,      200,       200,      "denied"),
    "create_elsewhere": ("login", 403, "denied", 200,     "denied",  200,      "denied"),
    "edit_others":      ("login", 403, "denied", "denied", 200,      200,      "denied"),
    "edit_elsewhere":   ("login", 403, "denied", "denied", "denied", 200,      "denied"),
    "unpublish_others": ("login", 403, "denied", "denied", 200,      200,      "denied"),
    "delete_others":    ("login", 403, "denied", "denied", 200,      200,      "denied"),
    "move_others":      ("login", 403, "denied", "denied", 200,      200,      "denied"),
    "settings":         ("login", 403, "denied", "denied", "denied", "denied", 200),
    "users":            ("login", 403, "denied", "denied", "denied", "denied", 200),
    "groups":           ("login", 403, "denied", "denied", "denied", "denied", 200),
    "images":           ("login", 403, 200,     200,      200,       200,      "denied"),
    "authors":          ("login", 403, "denied", 200,     200,       200,      "denied"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("action", "role", "expected"),
    [
        pytest.param(action, role, cell, id=f"{action}-{role}")
        for action, row in SCREEN_MATRIX.items()
        for role, cell in zip(ROLES, row, strict=True)
    ],
)
def test_admin_screens(client, newsroom, action, role, expected):
    url = SCREENS[action](newsroom)
    response = client_for(client, newsroom, role).get(url)
    assert outcome(response) == expected


# ------------------------------------------------------------------ admin actions (POST)


DRAFT_ACTIONS = {
    "save_own_draft",
    "submit_own",
    "publish_own",
    "publish_others",
    "publish_elsewhere",
}


def act(newsroom, client, action, role):
    """Do `action` as `role`; returns (outcome of the response, the page's state before and
    after)."""
    user = newsroom.users.get(role)
    if action == "save_own_draft":
        article = newsroom.article(owner=user, live=False)
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[article.pk]),
            article_form(article, "action-save"),
        )
    elif action == "submit_own":
        article = newsroom.article(owner=user, live=False)
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[article.pk]),
            article_form(article, "action-submit"),
        )
    elif action == "publish_own":
        article = newsroom.article(owner=user, live=False)
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[article.pk]),
            article_form(article, "action-publish"),
        )
    elif action == "publish_others":
        article = newsroom.article(live=False)
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[article.pk]),
            article_form(article, "action-publish"),
        )
    elif action == "publish_elsewhere":
        article = newsroom.article(newsroom.paper.economics, live=False)
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[article.pk]),
            article_form(article, "action-publish"),
        )
    elif action == "unpublish_others":
        article = newsroom.article()
        response = client.post(reverse("wagtailadmin_pages:unpublish", args=[article.pk]))
    elif action == "delete_others":
        article = newsroom.article()
        response = client.post(reverse("wagtailadmin_pages:delete", args=[article.pk]))
        if not Page.objects.filter(pk=article.pk).exists():
            return outcome(response), "published", "deleted"
    return outcome(response), "draft" if action in DRAFT_ACTIONS else "published", state(article)


# The article is the user's own draft, another's draft or live article in News, or another's
# draft in Economics (another desk). A refusal leaves the page as it was.
ACTION_MATRIX = {
    #                   anonymous reader contributor author   section_ed   chief        admin
    "save_own_draft":   (None,  None, "draft",     "draft",     "draft",     "draft",     None),
    "submit_own":       (None,  None, "submitted", "submitted", "submitted", "submitted", None),
    "publish_own":      (None,  None, "draft",     "published", "published", "published", None),
    "publish_others":   ("login", 403, "denied",   "denied",   "published", "published", "denied"),
    "publish_elsewhere":("login", 403, "denied",   "denied",   "denied",    "published", "denied"),
    "unpublish_others": ("login", 403, "denied",   "denied",   "draft",     "draft",     "denied"),
    "delete_others":    ("login", 403, "denied",   "denied",   "deleted",   "deleted",   "denied"),
}  # fmt: skip
REFUSALS = ("login", 403, "denied")


@pytest.mark.parametrize(
    ("action", "role", "expected"),
    [
        pytest.param(action, role, cell, id=f"{action}-{role}")
        for action, row in ACTION_MATRIX.items()
        for role, cell in zip(ROLES, row, strict=True)
        if cell is not None  # nobody's own page to act on
    ],
)
def test_admin_actions(client, newsroom, action, role, expected):
    response, before, after = act(newsroom, client_for(client, newsroom, role), action, role)
    if expected in REFUSALS:
        assert (response, after) == (expected, before)
    else:
        assert (str(response).split()[0], after) == ("302", expected)


# ------------------------------------------------------------------ public addresses


def public_url(newsroom, kind):
    paper = newsroom.paper
    if kind == "published":
        return newsroom.article().url
    if kind == "draft":
        article = newsroom.article(live=False)
        return article.url or f"{paper.news.url}{article.slug}/"
    if kind == "view_draft":
        return reverse("wagtailadmin_pages:view_draft", args=[newsroom.article(live=False).pk])
    if kind == "private":
        article = newsroom.article()
        PageViewRestriction.objects.create(page=article, restriction_type="login")
        return article.url
    if kind == "shared_draft":
        article = newsroom.article(live=False)
        return create_share(article, newsroom.someone)[1].removeprefix("http://127.0.0.1:8000")
    raise ValueError(kind)


PUBLIC_MATRIX = {
    #                anonymous reader  contributor author section_editor chief admin
    "published":     (200,     200,    200,        200,   200,           200,  200),
    "draft":         (404,     404,    404,        404,   404,           404,  404),
    "view_draft":    ("login", 403, "denied", "denied", 200,        200,  "denied"),
    "private":       ("login", 200,    200,        200,   200,           200,  200),
    "shared_draft":  (200,     200,    200,        200,   200,           200,  200),
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "role", "expected"),
    [
        pytest.param(kind, role, cell, id=f"{kind}-{role}")
        for kind, row in PUBLIC_MATRIX.items()
        for role, cell in zip(ROLES, row, strict=True)
    ],
)
def test_public_addresses(client, newsroom, settings, kind, role, expected):
    settings.SITE_URL = "http://127.0.0.1:8000"
    url = public_url(newsroom, kind)
    response = client_for(client, newsroom, role).get(url)
    assert outcome(response) == expected
