"""The front page as editors arrange it (HomePage.front), section pages with a lead and a rail,
and tag and author pages without a label repeated on every card."""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.caching.store import collecting
from masthead.core.templatetags.dates import news_date
from masthead.popularity.models import count_view
from masthead.sections.models import HomePage
from tests.conftest import make_article, make_section

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def arrange(home, *blocks):
    home = HomePage.objects.get(pk=home.pk)
    home.front = [{"type": kind, "value": value} for kind, value in blocks]
    home.save_revision().publish()
    return home


def part(page, start, end="</section>"):
    return page.split(start, 1)[1].split(end, 1)[0]


def headlines(fragment):
    return re.findall(r'<a href="/[^"]*">([^<]+)</a></h[23]>', fragment)


@pytest.fixture
def opinions(paper):
    return make_section(paper.news, "Opinions")


def test_editors_arrange_the_front_page_block_by_block(client, paper, opinions):
    now = timezone.now()
    live = paper.article(title="Storm hits the coast", date=now - timedelta(minutes=5))
    lead = paper.article(title="Budget passes", date=now - timedelta(days=2))
    second = paper.article(title="Second story", date=now - timedelta(days=3))
    for n in range(3):
        paper.article(title=f"Bank item {n}", date=now - timedelta(hours=n + 1))
    paper.article(section=opinions, title="Why rates matter", date=now - timedelta(days=1))
    arrange(
        paper.home,
        ("live", {"label": "Live", "story": live.pk, "summary": "Updates as they come."}),
        ("lead", {"story": lead.pk, "secondary": [second.pk], "rail": "most_read"}),
        ("section", {"section": paper.banking.pk, "layout": "times", "count": 5}),
        ("section", {"section": opinions.pk, "layout": "opinion", "count": 3}),
    )
    page = html(client.get("/"))
    assert page.index("front-live") < page.index("front__lead") < page.index("front-section")
    assert "Storm hits the coast" in part(page, 'class="front-live"')
    assert headlines(part(page, 'class="front__lead"')) == ["Budget passes"]
    assert headlines(part(page, 'class="front__secondary"')) == ["Second story"]
    assert 'id="most-read-title"' in part(page, 'class="front__rail"', "</div>\n</div>")
    banking = part(page, 'class="front-section front-section--times"')
    assert re.findall(r"<time[^>]*>([^<]+)</time>\s*<a[^>]*>(Bank item \d)", banking) == [
        (news_date(now - timedelta(hours=n + 1)), f"Bank item {n}") for n in range(3)
    ]
    # Stories shown above are not repeated below.
    assert "Budget passes" not in banking and "Second story" not in banking
    opinion = part(page, 'class="front-section front-section--opinion"')
    assert "Why rates matter" in opinion
    assert 'class="opinion__portrait"' in opinion  # Ama Mensah has a portrait
    assert "Ama Mensah" in opinion


def test_a_new_arrangement_and_a_chosen_story_changed_purge_the_front_page(client, paper):
    first = paper.article(title="First lead")
    second = paper.article(title="Another lead")
    arrange(paper.home, ("lead", {"story": first.pk, "secondary": [], "rail": "none"}))
    assert headlines(part(html(client.get("/")), 'class="front__lead"')) == ["First lead"]
    assert client.get("/")["X-Cache"] == "HIT"

    arrange(paper.home, ("lead", {"story": second.pk, "secondary": [], "rail": "none"}))
    assert headlines(part(html(client.get("/")), 'class="front__lead"')) == ["Another lead"]

    second.title = "Another lead, corrected"
    second.save_revision().publish()
    lead = part(html(client.get("/")), 'class="front__lead"')
    assert headlines(lead) == ["Another lead, corrected"]


def test_choices_that_cannot_be_shown_leave_their_block_out_or_fall_back(client, paper):
    gone = paper.article(title="Deleted story")
    hidden = paper.article(title="Not public yet", date=timezone.now() + timedelta(days=1))
    paper.article(title="Newest story", date=timezone.now() - timedelta(minutes=1))
    gone_section = make_section(paper.home, "Closed desk")
    arrange(
        paper.home,
        ("live", {"label": "Breaking", "story": hidden.pk, "summary": "<script>x()</script>"}),
        ("lead", {"story": gone.pk, "secondary": [hidden.pk, 987654], "rail": "latest"}),
        ("section", {"section": gone_section.pk, "layout": "lead_list", "count": 5}),
    )
    gone.delete()
    gone_section.delete()
    page = html(client.get("/"))
    assert "front-live" not in page and "<script>x()" not in page
    assert headlines(part(page, 'class="front__lead"')) == ["Newest story"]
    assert "Not public yet" not in page and "Closed desk" not in page


def test_the_migration_arranges_a_home_page_as_it_was_laid_out(paper, opinions):
    migration = importlib.import_module("masthead.sections.migrations.0004_arrange_front_page")
    blocks = migration.arrangement(apps.get_model("sections", "SectionPage"), paper.home)
    assert [(block["type"], block["value"].get("section")) for block in blocks] == [
        ("lead", None),
        ("section", paper.news.pk),
        ("section", paper.economics.pk),
        ("most_read", None),
        ("section", opinions.pk),
    ]
    assert [block["value"].get("layout") for block in blocks[1:]] == [
        "lead_list",
        "times",
        None,
        "opinion",
    ]
    # the same as a page that editors have not arranged shows
    assert [
        {key: value for key, value in block.items() if key != "id"} for block in blocks
    ] == HomePage.objects.get(pk=paper.home.pk).arrangement()


def front_queries(home):
    home = HomePage.objects.get(pk=home.pk)
    with CaptureQueriesContext(connection) as queries, collecting():
        assert home.content_context()["blocks"]
    return len(queries)


def test_building_the_front_page_costs_the_same_queries_on_a_larger_corpus(paper, opinions):
    for _ in range(8):  # enough for every block
        for section in (paper.banking, paper.africa, opinions):
            paper.article(section=section)
    paper.top_stories.stories.create(article=paper.article(title="Top story"))
    small = front_queries(paper.home)
    for _ in range(16):
        for section in (paper.banking, paper.africa, opinions):
            paper.article(section=section, authors=paper.authors)
    large = front_queries(paper.home)
    # The default arrangement with a top story, built with the page cache cold (warm, the front
    # page costs no query: tests/test_queries.py). Pinned, so a new block adds no query per story.
    assert small == large == 18


def test_a_section_page_has_its_lead_a_rail_and_no_label_of_its_own(client, paper):
    now = timezone.now()
    for n in range(4):
        paper.article(title=f"Banking story {n}", date=now - timedelta(hours=n))
    deeper = make_section(paper.banking, "Savings banks")
    make_article(deeper, title="Savings story", date=now - timedelta(hours=9))
    count_view(paper.article(title="Most read bank story", date=now - timedelta(days=3)).pk)
    page = html(client.get(paper.banking.url))
    lead = part(page, 'class="section-page-lead"')
    assert headlines(lead) == ["Banking story 0"]
    main = part(page, 'class="listing-layout__main"', 'class="listing-layout__rail"')
    assert ">Banking</a>" not in main  # no kicker naming the page itself
    assert ">Savings banks</a>" in main  # a subsection's kicker stays
    rail = page.split('class="listing-layout__rail"')[1]
    assert "Most read in Banking" in rail and "Most read bank story" in rail


def test_author_and_tag_pages_have_their_header_and_a_rail(client, paper):
    paper.article(title="Rates story", tags=["Rates"])
    author = html(client.get("/authors/ama-mensah/"))
    assert "<h1>Ama Mensah</h1>" in author and "Economics editor" in author
    cards = part(author, 'class="card-list"', 'class="listing-layout__rail"')
    assert "Rates story" in cards and "By Ama Mensah" not in cards
    assert 'id="most-read-title"' in author
    tag = html(client.get("/tags/rates/"))
    assert "<h1>Rates</h1>" in tag and "By Ama Mensah" in tag
    assert 'id="most-read-title"' in tag


def test_editors_find_the_front_page_blocks_in_the_admin(client, paper):
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-desk-1")
    client.force_login(editor)
    form = html(client.get(f"/admin/pages/{paper.home.pk}/edit/"))
    for label in (
        "Front page",
        "Lead, with its secondary stories",
        "Breaking news or live coverage",
        "Opinion, with the authors",
        "Most read",
    ):
        assert label in form, label
