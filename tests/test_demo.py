"""The demo newspaper (`masthead demo`): what it builds, that it builds it the same way every time,
and that running it again duplicates nothing."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page, Revision, Site

from masthead.articles.models import ArticleAuthor, ArticlePage, TopStoriesPage
from masthead.authors.models import Author
from masthead.core.address import site_address
from masthead.core.models import SiteSettings
from masthead.demo import content, pictures
from masthead.demo import jobs as demo_jobs
from masthead.demo.writing import TAGS
from masthead.images.models import NewsImage
from masthead.jobs.models import Scholarship, Vacancy
from masthead.navigation.models import LinkPage, NavigationSettings
from masthead.pages.models import AdvertisePage, ContactPage, StandardPage
from masthead.sections.models import HomePage, SectionPage

ARTICLES = 24

# The main menu of the-page.md, three levels deep, in its order.
MENU = [
    ("Top Stories", []),
    ("News", ["General News", "Education", "Health", "Opinions"]),
    (
        "Economics",
        ["Economy", ("Finance", ["Banking", "Insurance", "Pension"]), "Securities/Markets"],
    ),
    ("Business", ["Agribusiness", "Masthead Business", "Extractives/Energy", "Real Estate"]),
    ("World", ["Africa", "America", "Europe", "UK", "USA", "Asia", "Around the Globe"]),
    ("Innovation", ["Technology", "Wheels"]),
    ("Entertainment", []),
    ("Podcast", []),
    ("Jobs & Scholarships", ["Job Vacancies", "Scholarships"]),
]


@pytest.fixture(autouse=True)
def media_and_hashing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo hashes and checks its editor's password on every run: make that quick here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args):
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def tree(page):
    """The live pages in menus below `page`, as the nested shape of MENU."""
    shape = []
    for child in page.get_children().live().in_menu().order_by("path"):
        below = tree(child)
        shape.append((child.title, [title if not sub else (title, sub) for title, sub in below]))
    return shape


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Page,
            ArticlePage,
            SectionPage,
            StandardPage,
            Author,
            ArticleAuthor,
            NewsImage,
            Tag,
            Revision,
            Site,
            get_user_model(),
        )
    }


# ------------------------------------------------------------------ without a database


def test_plans_are_the_same_every_time_and_grow_by_appending():
    plans = content.plan_articles(60)
    assert plans == content.plan_articles(60)
    assert content.plan_articles(25) == plans[:25]  # a larger --articles only adds
    assert len({plan.headline for plan in plans}) == 60
    for plan in plans:
        text = [plan.headline, plan.standfirst, plan.lead_caption]
        text += [v for _, v, _ in plan.body if isinstance(v, str)]
        assert not any("{" in t or "}" in t for t in text), plan
        assert 0 < plan.age <= content.DAYS * 24 * 3600
        assert 1 <= len(plan.authors) <= 3
        assert 2 <= len(plan.tags) <= 5 and set(plan.tags) <= set(TAGS)
        assert 6 <= len(plan.body) <= 14
        types = [block_type for block_type, _, _ in plan.body]
        assert types[:2] == ["paragraph", "paragraph"] and types[-1] == "paragraph"
        assert types.count("paragraph") >= 4 and 1 <= types.count("subheading") <= 2
        assert types.count("image") <= 2 and types.count("quote") <= 1
        for block_type, value, _ in plan.body:
            if block_type == "read_also":  # an earlier article, dated earlier
                assert value < plan.index and plans[value].age > plan.age


def test_every_section_with_a_topic_gets_articles():
    sections = [key for key, _ in content.article_sections()]
    assert len(sections) == 29
    assert {plan.section for plan in content.plan_articles(len(sections))} == set(sections)


def test_the_first_article_of_every_section_is_minutes_to_hours_old_and_stays_today():
    sections = content.article_sections()
    plans = content.plan_articles(len(sections) + 10)
    first = plans[: len(sections)]
    assert {plan.section for plan in first} == {key for key, _ in sections}
    assert all(content.FRESH_MIN_SECONDS <= plan.age < content.FRESH_SECONDS for plan in first)
    # Built at 02:00, a fresh article is squeezed into the two hours since midnight; at noon
    # it keeps its age; an older one is never changed.
    at_two = datetime(2027, 3, 10, 2, 0, tzinfo=UTC)
    at_noon = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    with override_settings(TIME_ZONE="UTC"):
        for plan in first:
            assert 0 <= content.age_on(at_two, plan.age) < 2 * 3600
            assert content.age_on(at_noon, plan.age) == plan.age
        assert content.age_on(at_two, 3 * 86400) == 3 * 86400
    ages = [content.age_on(at_two, plan.age) for plan in first]
    assert sorted(ages) == [content.age_on(at_two, age) for age in sorted(p.age for p in first)]


def test_pictures_are_drawn_the_same_every_time():
    for kind in pictures.SCENES:
        image, description = pictures.draw_scene(kind, 3)
        again, description_again = pictures.draw_scene(kind, 3)
        assert image.size == pictures.SCENE_SIZE
        assert description == description_again
        assert pictures.jpeg_bytes(image) == pictures.jpeg_bytes(again)
    portrait, look = pictures.draw_portrait("someone")
    assert portrait.size == pictures.PORTRAIT_SIZE
    assert "head-and-shoulders" in look


# ------------------------------------------------------------------ the built newspaper


@pytest.mark.django_db
def test_demo_builds_the_newspaper_of_the_page():
    before = timezone.now()
    output = run_demo("--articles", str(ARTICLES), "--if-empty")  # an empty site gets the demo
    site_name = django_settings.WAGTAIL_SITE_NAME

    # The home page replaced Wagtail's welcome page, and the default site points at it.
    home = HomePage.objects.get()
    assert (home.depth, home.title) == (2, site_name)
    assert Page.objects.filter(depth=2).count() == 1
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_page_id, site.site_name) == (
        *site_address(),
        home.pk,
        site_name,
    )
    assert site.root_url == django_settings.SITE_URL

    # The section tree of the-page.md, three levels deep, in order, readable slugs.
    assert tree(home) == MENU
    banking = SectionPage.objects.get(slug="banking")
    assert banking.url_path == "/home/economics/finance/banking/"
    assert SectionPage.objects.filter(slug="securities-markets").exists()
    assert SectionPage.objects.filter(slug="extractives-energy").exists()
    podcast = LinkPage.objects.get()
    assert (podcast.menu_badge, podcast.link_url) == ("New", "https://podcast.example.org/")

    # Standard pages, out of the menu, in the utility links; site settings.
    standard = StandardPage.objects.child_of(home).order_by("path")
    assert [page.title for page in standard] == ["About", "Advertise", "Privacy Policy", "Contact"]
    for page in standard:
        assert not page.show_in_menus
        assert [block.block_type for block in page.body].count("paragraph") >= 3
    # Contact and Advertise carry their forms, with demo recipients.
    assert [type(page.specific) for page in standard] == [
        StandardPage,
        AdvertisePage,
        StandardPage,
        ContactPage,
    ]
    assert ContactPage.objects.get().recipient_list() == ["desk@example.org"]
    assert AdvertisePage.objects.get().recipient_list() == ["advertising@example.org"]
    for page in (ContactPage.objects.get(), AdvertisePage.objects.get()):
        page.full_clean()
        assert page.confirmation.startswith("Thank you")
    links = NavigationSettings.for_site(site).utility_links.order_by("sort_order")
    assert [link.title for link in links] == ["About", "Advertise", "Privacy Policy", "Contact"]
    site_settings = SiteSettings.for_site(site)
    assert site_settings.tagline
    assert site_settings.facebook_url == "https://www.facebook.com/example"

    # A dozen authors, each with a drawn portrait that says what it shows.
    assert Author.objects.count() == 12
    for author in Author.objects.select_related("photo"):
        assert author.role and author.bio and author.social_links
        assert (author.photo.width, author.photo.height) == pictures.PORTRAIT_SIZE
        assert author.photo.description.startswith(f"Illustrated portrait of {author.name}")
        assert author.photo.credit

    # The articles.
    articles = list(ArticlePage.objects.select_related("lead_image").order_by("pk"))
    assert len(articles) == ARTICLES
    oldest = before - timedelta(days=content.DAYS, minutes=1)
    for article in articles:
        assert article.live and article.first_published_at == article.date
        assert oldest <= article.date <= timezone.now(), "dated within the last 120 days"
        assert article.article_authors.exists()
        assert 2 <= article.tags.count() <= 5
        assert article.lead_image and article.lead_image_caption
        assert article.lead_image.description != article.lead_image_caption
        assert isinstance(article.get_parent().specific, SectionPage)
        blocks = list(article.body)
        paragraphs = [b for b in blocks if b.block_type == "paragraph"]
        assert len(paragraphs) >= 4
        assert all(re.fullmatch(r"<p>[^<>]+</p>", b.value.source) for b in paragraphs)
        for block in blocks:
            if block.block_type == "image":
                assert block.value["caption"] != block.value["image"].description
    assert ArticlePage.objects.published().count() == ARTICLES
    assert not ArticlePage.objects.filter(date__gt=timezone.now()).exists()

    # Tags come from a shared vocabulary, and articles share them.
    used = Tag.objects.filter(articles_articletag_items__isnull=False).distinct()
    assert set(used.values_list("name", flat=True)) <= set(TAGS)
    shared = [tag for tag in used if tag.articles_articletag_items.count() > 1]
    assert shared

    # The articles are the planned ones: the same text on every run.
    planned = content.plan_articles(ARTICLES)
    assert [(a.title, a.slug, a.standfirst) for a in articles] == [
        (p.headline, p.slug, p.standfirst) for p in planned
    ]
    for article, plan in zip(articles, planned, strict=True):
        assert article.get_parent().url_path == f"/home/{plan.section}/"
        assert [
            link.author.slug for link in article.article_authors.order_by("sort_order")
        ] == list(plan.authors)
    # ... and the same pictures: the stored file is the one drawn afresh.
    skyline = NewsImage.objects.get(title=content.picture_title("skyline", 1))
    image, description = pictures.draw_scene("skyline", 1)
    assert skyline.description == description
    assert skyline.file_hash == hashlib.sha1(pictures.jpeg_bytes(image)).hexdigest()
    assert (skyline.width, skyline.height) == pictures.SCENE_SIZE
    # 40 scenes, 12 portraits and 6 organisations' logos.
    assert NewsImage.objects.count() == content.PICTURE_COUNT + 12 + len(demo_jobs.ORGANISATIONS)

    # The jobs boards: open listings, some closing this week, one closed.
    vacancies = Vacancy.objects.live()
    assert vacancies.count() == len(demo_jobs.VACANCIES)
    assert Scholarship.objects.live().count() == len(demo_jobs.SCHOLARSHIPS)
    assert any(v.closing_soon for v in vacancies) and any(not v.is_open for v in vacancies)
    assert all(v.organisation.logo for v in vacancies)

    # Top stories: the five most recent articles, in order.
    top = TopStoriesPage.objects.get()
    newest = list(ArticlePage.objects.order_by("-date", "-pk")[:5])
    assert [story.article for story in top.stories.order_by("sort_order")] == newest

    # The demo editor, and the login printed at the end.
    editor = get_user_model().objects.get(username="editor")
    assert editor.is_superuser and editor.email == "editor@example.com"
    assert editor.check_password("masthead-demo")
    assert f"{django_settings.SITE_URL}/admin/" in output
    assert "Log in as: editor@example.com" in output and "Password:  masthead-demo" in output


@pytest.mark.django_db
def test_running_again_duplicates_nothing_and_if_empty_adds_nothing():
    run_demo("--articles", "12")
    first = counts()
    assert first["ArticlePage"] == 12

    output = run_demo("--articles", "12")
    assert counts() == first
    assert "already there" in output
    assert "Password:  masthead-demo" in output

    output = run_demo("--if-empty")  # what `make run` does on every start
    assert counts() == first
    assert "Password:  masthead-demo" in output

    # However the plans change from one version to the next, a demo never grows past --articles.
    ArticlePage.objects.filter(pk=ArticlePage.objects.order_by("pk").first().pk).update(
        slug="renamed-by-an-editor"
    )
    run_demo("--articles", "12")
    assert counts() == first

    # A larger count adds the missing articles, and only those.
    run_demo("--articles", "15")
    assert ArticlePage.objects.count() == 15
    assert Author.objects.count() == 12
    assert TopStoriesPage.objects.get().stories.count() == 5  # editors' choice is kept
    titles = list(ArticlePage.objects.order_by("pk").values_list("title", flat=True))
    planned = [plan.headline for plan in content.plan_articles(16)]
    assert titles == planned[:12] + [planned[0]] + planned[12:14]  # the renamed one came back

    # On a site with content, --if-empty never adds the demo's superuser with its known password.
    get_user_model().objects.filter(username="editor").delete()
    output = run_demo("--if-empty")
    assert not get_user_model().objects.filter(username="editor").exists()
    assert "no demo account" in output
    assert "Password" not in output
