"""The demo newspaper: a home page, the section tree, standard pages, authors, pictures and
articles, the same every time.

`build_demo()` does it all and is safe to run again: each piece is looked up by its slug, title or
user name first and only created when missing. Articles are planned by `iter_article_plans()`,
plain Python with no database, so that the text can be checked without building anything; the
plan for N articles starts with the plan for fewer, which is how a later, larger `--articles`
adds only the missing ones.
"""

import hashlib
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import slugify
from modelsearch.signal_handlers import post_save_signal_handler as search_signal_handler
from taggit.models import Tag
from wagtail.blocks import StreamValue
from wagtail.log_actions import log
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision, Site
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from masthead.articles.models import (
    ArticleAuthor,
    ArticlePage,
    ArticleTag,
    TopStoriesPage,
    TopStory,
)
from masthead.authors.models import Author
from masthead.core.address import site_address, sync_default_site
from masthead.core.models import SiteSettings
from masthead.demo import pictures
from masthead.demo.comments import ensure_comments
from masthead.demo.jobs import ensure_jobs
from masthead.demo.live import ensure_live_coverage
from masthead.demo.newsletter import ensure_newsletters
from masthead.demo.newsroom import ensure_staff, staff_lines
from masthead.demo.readership import ensure_view_counts
from masthead.demo.writing import TAGS, TOPIC_PICTURES, Writer, block_id
from masthead.images.models import NewsImage
from masthead.jobs.models import ScholarshipBoard, VacancyBoard
from masthead.navigation.models import LinkPage, NavigationSettings, UtilityLink
from masthead.pages.models import AdvertisePage, ContactPage, StandardPage
from masthead.sections.models import HomePage, SectionPage

SEED = "masthead-demo"
DEFAULT_ARTICLES = 300
DAYS = 120
# The first article of every section is at most this old, and squeezed into the hours since
# midnight when the demo is built earlier in the day: every section has news of today.
FRESH_SECONDS = 9 * 3600
FRESH_MIN_SECONDS = 4 * 60
# Articles past this many get no revision and no reference-index entries of their own: those add
# about half again to the cost of an article, and Wagtail edits a page without a revision just as
# well (the first save in the editor makes one).
REVISION_LIMIT = 300
BATCH = 250
PROGRESS_FROM = 1000  # print progress every 10% from this many articles
PICTURE_COUNT = 40
TOP_STORIES = 5

EDITOR_USERNAME = "editor"
EDITOR_PASSWORD = "masthead-demo"
EDITOR_EMAIL = "editor@example.com"
READER_EMAIL = "reader@example.com"
READER_PASSWORD = "masthead-reader"
READER_NAME = "Demo Reader"

PICTURE_CREDIT = "Illustration: Masthead demo"

# What the demo creates besides articles, indexed in bulk once it is all there.
STRUCTURE_MODELS = (
    HomePage,
    SectionPage,
    TopStoriesPage,
    LinkPage,
    StandardPage,
    ContactPage,
    AdvertisePage,
    Author,
    NewsImage,
)


# ------------------------------------------------------------------------------ the page tree


@dataclass(frozen=True)
class Node:
    """A page of the tree under the home page. Sections with a `topic` receive articles."""

    title: str
    topic: str | None = None
    area: str | None = None
    intro: str = ""
    kind: str = "section"  # or "top_stories", "link", "vacancy_board", "scholarship_board"
    badge: str = ""
    url: str = ""
    children: tuple = field(default=())

    @property
    def slug(self):
        return slugify(self.title.replace("/", " ").replace("&", "and"))


BOARDS = {"vacancy_board": VacancyBoard, "scholarship_board": ScholarshipBoard}


def _section(title, topic=None, intro="", area=None, children=()):
    return Node(title, topic=topic, area=area, intro=intro, children=tuple(children))


TREE = (
    Node(
        "Top Stories",
        kind="top_stories",
        intro="The stories our editors think matter most today.",
    ),
    _section(
        "News",
        "politics",
        "Politics, public services and the decisions that shape daily life.",
        children=[
            _section("General News", "politics", "The day's news from around the country."),
            _section("Education", "education", "Schools, universities, teachers and students."),
            _section("Health", "health", "Hospitals, public health and the people who run them."),
            _section("Opinions", "opinion", "Columns, arguments and letters."),
        ],
    ),
    _section(
        "Economics",
        "economy",
        "Prices, jobs, growth and the policies behind them.",
        children=[
            _section("Economy", "economy", "Inflation, growth, wages and public finances."),
            _section(
                "Finance",
                "finance",
                "Banks, insurers, pensions and the rules they live by.",
                children=[
                    _section("Banking", "banking", "Lenders, rates and regulation."),
                    _section("Insurance", "insurance", "Cover, claims and the insurers."),
                    _section(
                        "Pension", "pensions", "Retirement savings and the funds that hold them."
                    ),
                ],
            ),
            _section("Securities/Markets", "markets", "Shares, bonds and currencies."),
        ],
    ),
    _section(
        "Business",
        "business",
        "Companies, deals and the people who run them.",
        children=[
            _section("Agribusiness", "agribusiness", "Farming, food and the trade in crops."),
            _section(
                "Masthead Business", "business", "Our business desk's reporting and analysis."
            ),
            _section("Extractives/Energy", "energy", "Mining, oil, gas and power."),
            _section("Real Estate", "property", "Homes, offices, land and building."),
        ],
    ),
    _section(
        "World",
        "world",
        "News from every continent.",
        area="globe",
        children=[
            _section("Africa", "world", "News from across Africa.", area="africa"),
            _section("America", "world", "News from the Americas.", area="america"),
            _section("Europe", "world", "News from across Europe.", area="europe"),
            _section("UK", "world", "News from Britain.", area="uk"),
            _section("USA", "world", "News from the United States.", area="usa"),
            _section("Asia", "world", "News from across Asia.", area="asia"),
            _section("Around the Globe", "world", "Stories from everywhere else.", area="globe"),
        ],
    ),
    _section(
        "Innovation",
        "technology",
        "Technology, science and new ideas.",
        children=[
            _section("Technology", "technology", "Software, networks, start-ups and the rules."),
            _section("Wheels", "wheels", "Cars, buses, bikes and roads."),
        ],
    ),
    _section("Entertainment", "entertainment", "Film, music, festivals and the arts."),
    Node("Podcast", kind="link", badge="New", url="https://podcast.example.org/"),
    _section(
        "Jobs & Scholarships",
        intro="Vacancies and scholarships, with deadlines and how to apply.",
        children=[
            Node(
                "Job Vacancies",
                kind="vacancy_board",
                intro="Jobs on offer, newest first. Employers: submit a vacancy below.",
            ),
            Node(
                "Scholarships",
                kind="scholarship_board",
                intro="Scholarships and grants open for applications.",
            ),
        ],
    ),
)


def walk(nodes=TREE, parents=()):
    """Every node of the tree, parents first, as (slug path, node)."""
    for node in nodes:
        path = (*parents, node.slug)
        yield path, node
        yield from walk(node.children, path)


def article_sections():
    """The sections that receive articles, as (key, node), key being the slug path."""
    return [("/".join(path), node) for path, node in walk() if node.topic]


# ------------------------------------------------------------------------------ standard pages

STANDARD_PAGES = (
    (
        "About",
        "An independent newspaper, written for readers rather than for algorithms.",
        [
            (
                "paragraph",
                "{site} is an independent news organisation. We report on politics, "
                "the economy, business, technology and culture, at home and abroad, and we try to "
                "do it clearly, fairly and without shouting.",
            ),
            (
                "paragraph",
                "Our reporters are based in newsrooms and bureaus across the region. "
                "Editors check every story before it is published, and we correct our mistakes "
                "openly, at the foot of the article concerned.",
            ),
            ("subheading", "What we stand for"),
            (
                "paragraph",
                "We separate news from opinion and label both. We name our sources "
                "wherever we can, and explain why when we cannot. We do not accept payment for "
                "coverage, and advertising never decides what we write.",
            ),
            (
                "paragraph",
                "This site is a demonstration: every person, company and event in its "
                "articles is invented, and so are the pictures.",
            ),
        ],
    ),
    (
        "Advertise",
        "Reach readers who come to us for news they can trust.",
        [
            (
                "paragraph",
                "{site} reaches readers who follow politics, business and the economy "
                "closely. We offer display advertising, sponsored newsletters and partnerships "
                "for events.",
            ),
            ("subheading", "Our principles"),
            (
                "paragraph",
                "Advertising is always labelled and kept apart from our journalism. We "
                "do not run advertising that imitates news articles, and we do not share our "
                "readers' personal data with advertisers.",
            ),
            (
                "paragraph",
                "To receive our rates and audience figures, tell our advertising team "
                "about your organisation and what you would like to achieve with the form below. "
                "We reply within two working days.",
            ),
        ],
    ),
    (
        "Privacy Policy",
        "What we collect when you read us, why, and what you can ask us to do about it.",
        [
            (
                "paragraph",
                "We collect as little personal information as we can. Reading {site} "
                "does not require an account, and we do not use third-party trackers or sell "
                "information about our readers to anyone.",
            ),
            ("subheading", "What we keep"),
            (
                "paragraph",
                "If you create an account, we keep your name, e-mail address and the "
                "settings you choose. If you subscribe to a newsletter, we keep your address until "
                "you unsubscribe. Our servers keep short-lived technical logs to protect the site "
                "from abuse.",
            ),
            ("subheading", "Your rights"),
            (
                "paragraph",
                "You can ask for a copy of the information we hold about you, ask us "
                "to correct it, or ask us to delete it. Write to us through the contact page and "
                "we will reply within thirty days.",
            ),
        ],
    ),
    (
        "Contact",
        "How to reach the newsroom, send us a story or ask for a correction.",
        [
            (
                "paragraph",
                "We want to hear from you. If you have a story we should look into, "
                "information about something we have reported, or a complaint about our "
                "coverage, write to the newsroom with the form below.",
            ),
            ("subheading", "Corrections"),
            (
                "paragraph",
                "If you think we have got something wrong, tell us which article, what "
                "is wrong and how you know. An editor reads every request, and corrections are "
                "published at the foot of the article.",
            ),
            ("subheading", "The newsroom"),
            (
                "paragraph",
                "The newsroom is staffed every day from early morning until late "
                "evening. For advertising, see our advertising page; for questions about your "
                "data, see our privacy policy.",
            ),
        ],
    ),
)

SOCIAL_LINKS = {
    "facebook_url": "https://www.facebook.com/example",
    "x_url": "https://x.com/example",
    "instagram_url": "https://www.instagram.com/example",
    "youtube_url": "https://www.youtube.com/@example",
    "linkedin_url": "https://www.linkedin.com/company/example",
}
TAGLINE = "Independent news, clearly told"

# The standard pages that carry a form for readers, and where their messages go.
FORM_PAGES = {
    "advertise": (
        AdvertisePage,
        {
            "recipients": "advertising@example.org",
            "confirmation": "Thank you for your enquiry. Our advertising team will send you our "
            "rates and audience figures within two working days.",
        },
    ),
    "contact": (
        ContactPage,
        {
            "recipients": "desk@example.org",
            "confirmation": "Thank you: your message has reached the newsroom. An editor reads "
            "every message, and we reply to those that need an answer.",
        },
    ),
}


# ------------------------------------------------------------------------------ authors

# (name, role, beats, bio)
AUTHORS = (
    (
        "Adaeze Okonjo",
        "Economics editor",
        ("economy", "finance", "markets"),
        "Adaeze has covered central banks, budgets and prices for fifteen years. She believes "
        "every economic story is really about a household.",
    ),
    (
        "Kenta Ishikawa",
        "Technology correspondent",
        ("technology", "wheels"),
        "Kenta writes about software, networks and the people who build them. He trained as an "
        "engineer before he became a reporter.",
    ),
    (
        "Sofía Márquez Ruiz",
        "World affairs editor",
        ("world",),
        "Sofía has reported from more than thirty countries. She edits the World section and "
        "writes about diplomacy, trade and migration.",
    ),
    (
        "Priya Venkataraman",
        "Health and science reporter",
        ("health", "education"),
        "Priya covers hospitals, public health and research. She spent five years as a "
        "pharmacist before moving into journalism.",
    ),
    (
        "Lars Eklund",
        "Markets reporter",
        ("markets", "banking", "pensions"),
        "Lars follows shares, bonds and currencies, and the people who trade them. He writes the "
        "weekly markets column.",
    ),
    (
        "Fatou Diallo",
        "Political correspondent",
        ("politics", "opinion"),
        "Fatou reports on parliament, elections and local government. She has a particular "
        "interest in how public money is spent.",
    ),
    (
        "João Pereira Lobo",
        "Business reporter",
        ("business", "property", "energy"),
        "João writes about companies large and small, from family firms to listed groups, and "
        "about the housing market.",
    ),
    (
        "Hannah Whitcombe",
        "Chief political correspondent",
        ("politics", "world"),
        "Hannah has covered four general elections and more cabinet reshuffles than she can "
        "count. She leads our political team.",
    ),
    (
        "Kofi Agyeman",
        "Agriculture and energy correspondent",
        ("agribusiness", "energy"),
        "Kofi reports on farming, food prices, mining and power, usually from a long way outside "
        "the capital.",
    ),
    (
        "Mei-Hua Lin",
        "Culture editor",
        ("entertainment",),
        "Mei-Hua edits our culture pages and reviews films and music. She has sat on the juries of "
        "several film festivals.",
    ),
    (
        "Dariusz Kowalczyk",
        "Banking and insurance reporter",
        ("banking", "insurance", "finance"),
        "Dariusz covers banks, insurers and the regulators who watch them, and explains what their "
        "decisions mean for customers.",
    ),
    (
        "Layla Haddad",
        "Opinion editor",
        ("opinion", "education"),
        "Layla edits the comment pages and writes a fortnightly column about cities, schools and "
        "the way we live.",
    ),
)


def author_slug(name):
    return slugify(name)


def author_fields(name, role, bio):
    slug = author_slug(name)
    first = slug.split("-")[0]
    return {
        "slug": slug,
        "role": role,
        "bio": f"<p>{bio}</p>",
        "email": f"{slug.replace('-', '.')}@example.com",
        "website_url": f"https://example.com/{slug}",
        "x_url": f"https://x.com/example_{first}",
        "linkedin_url": f"https://www.linkedin.com/in/example-{slug}",
    }


# ------------------------------------------------------------------------------ article plans


@dataclass(frozen=True)
class ArticlePlan:
    index: int
    section: str  # slug path of the section, e.g. "economics/finance/banking"
    slug: str
    headline: str
    standfirst: str
    age: int  # seconds between the article's date and the moment the demo is built
    authors: tuple  # author slugs, in byline order
    tags: tuple
    lead_picture: int  # index into the picture pool
    lead_caption: str
    lead_credit: str
    body: tuple  # blocks as (type, value, id); images name a picture index, read_also a plan index


def picture_pool():
    """The pool of pictures articles share: (kind, number) for each."""
    kinds = list(pictures.SCENES)
    return [(kinds[n % len(kinds)], n // len(kinds) + 1) for n in range(PICTURE_COUNT)]


def _headline_slug(headline):
    slug = slugify(headline)
    if len(slug) > 80:
        slug = slug[:80].rsplit("-", 1)[0]
    return slug


def _body_layout(rng):
    """The order of an article's blocks: 6-14 blocks, at least four paragraphs, starting with two
    paragraphs and ending with one; a subheading is always followed by a paragraph."""
    total = rng.randint(6, 14)
    extras = ["image"] * rng.choice([0, 1, 1, 2]) + ["quote"] * rng.randint(0, 1)
    if rng.random() < 0.35:
        extras.append("read_also")
    subheadings = 2 if total >= 10 and rng.random() < 0.6 else 1
    while total - len(extras) - subheadings < 4:
        if extras:
            extras.pop()
        else:
            total += 1
    layout = ["paragraph"] * (total - len(extras) - subheadings)
    for extra in extras:
        layout.insert(rng.randint(2, len(layout) - 1), extra)
    for _ in range(subheadings):
        places = [
            i
            for i in range(2, len(layout))
            if layout[i] == "paragraph" and layout[i - 1] != "subheading"
        ]
        layout.insert(rng.choice(places), "subheading")
    return layout


def iter_article_plans(count, seed=SEED):
    """Plan `count` articles; the same plans every time, and plan i never depends on count."""
    sections = article_sections()
    authors_by_topic = {}
    for name, _role, beats, _bio in AUTHORS:
        for beat in beats:
            authors_by_topic.setdefault(beat, []).append(author_slug(name))
    all_authors = [author_slug(name) for name, *_ in AUTHORS]
    pool = picture_pool()
    pictures_by_kind = {}
    for number, (kind, _n) in enumerate(pool):
        pictures_by_kind.setdefault(kind, []).append(number)

    headlines, slugs, ages, headline_uses = set(), {}, [], {}
    order = []
    for index in range(count):
        # Sections are dealt like cards, a shuffled pack at a time, so that every section gets
        # its share whatever the count.
        if not order:
            cycle = index // len(sections)
            order = list(sections)
            random.Random(f"{seed}:sections:{cycle}").shuffle(order)
        key, node = order.pop()
        rng = random.Random(f"{seed}:article:{index}")
        writer = Writer(rng, node.topic, node.area)

        uses = headline_uses.setdefault(node.topic, {})
        headline = writer.headline(uses)
        for _ in range(30):
            if headline not in headlines:
                break
            headline = writer.headline(uses)
        headlines.add(headline)
        standfirst = writer.standfirst()
        slug = base = _headline_slug(headline)
        used = slugs.setdefault(key, set())
        suffix = 2
        while slug in used:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        used.add(slug)

        age = rng.randrange(10 * 60, DAYS * 24 * 3600)
        if index < len(sections):  # the first of each section: minutes to hours old
            age = FRESH_MIN_SECONDS + age % (FRESH_SECONDS - FRESH_MIN_SECONDS)
        ages.append(age)

        specialists = authors_by_topic.get(node.topic, all_authors)
        byline = [rng.choice(specialists)]
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            byline.append(rng.choice([a for a in all_authors if a not in byline]))

        kinds = TOPIC_PICTURES[node.topic]
        candidates = [n for kind in kinds for n in pictures_by_kind[kind]]
        layout = _body_layout(rng)
        image_count = layout.count("image")
        chosen_pictures = rng.sample(candidates, 1 + image_count)
        captions = writer.captions([pool[n][0] for n in chosen_pictures])
        subheadings = iter(writer.subheadings(layout.count("subheading")))

        body = []
        images = iter(zip(chosen_pictures[1:], captions[1:], strict=True))
        for block_type in layout:
            if block_type == "paragraph":
                value = writer.paragraph()
            elif block_type == "subheading":
                value = next(subheadings)
            elif block_type == "image":
                picture, caption = next(images)
                credit = writer.credit() if rng.random() < 0.2 else ""
                value = {"image": picture, "caption": caption, "credit": credit}
            elif block_type == "quote":
                value = writer.quote()
            else:  # read_also: an article planned earlier and dated earlier, if one comes up
                earlier = [rng.randrange(index) for _ in range(5)] if index else []
                value = next((other for other in earlier if ages[other] > age), None)
                if value is None:
                    block_type, value = "paragraph", writer.paragraph()
            body.append((block_type, value, block_id(rng)))

        yield ArticlePlan(
            index=index,
            section=key,
            slug=slug,
            headline=headline,
            standfirst=standfirst,
            age=age,
            authors=tuple(byline),
            tags=tuple(writer.tags()),
            lead_picture=chosen_pictures[0],
            lead_caption=captions[0],
            lead_credit=writer.credit() if rng.random() < 0.25 else "",
            body=tuple(body),
        )


def plan_articles(count, seed=SEED):
    return list(iter_article_plans(count, seed))


# ------------------------------------------------------------------------------ building


def _say(report, message):
    if report:
        report(message)


def record_revision(page, user, when=None):
    """Save the page's current state as its live revision, dated `when`, with a log entry.

    Cheaper than save_revision() + publish(): no second save of the page, no signals, and the
    dates stay those of the demo rather than now."""
    when = when or timezone.now()
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        user=user,
        content=page.serializable_data(),
        object_str=str(page),
        created_at=when,
    )
    Page.objects.filter(pk=page.pk).update(
        latest_revision=revision, live_revision=revision, latest_revision_created_at=when
    )
    # Page.save() has logged the creation already; this is the publication.
    log(instance=page, action="wagtail.publish", user=user, revision=revision, timestamp=when)
    return revision


def ensure_editor():
    """The demo's editor account; returns (user, created). An existing account is left alone."""
    User = get_user_model()
    user = User.objects.filter(username=EDITOR_USERNAME).first()
    if user:
        return user, False
    user = User.objects.create_superuser(EDITOR_USERNAME, EDITOR_EMAIL, EDITOR_PASSWORD)
    verified_address(user)
    return user, True


def verified_address(user):
    """The account's e-mail address, verified: allauth's login asks for one."""
    from allauth.account.models import EmailAddress

    if not user.email:
        return
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def ensure_reader():
    """A reader's account (no admin), with a verified address; returns (user, created)."""
    from masthead.accounts.profiles import update_profile

    User = get_user_model()
    user = User.objects.filter(email__iexact=READER_EMAIL).first()
    if user:
        return user, False
    user = User.objects.create_user("reader", READER_EMAIL, READER_PASSWORD)
    verified_address(user)
    update_profile(user, display_name=READER_NAME)
    return user, True


def ensure_home(user):
    """The HomePage at depth 2, replacing Wagtail's welcome page; returns (home, created)."""
    home = HomePage.objects.first()
    if home:
        return home, False
    root = Page.get_first_root_node()
    page_type = ContentType.objects.get_for_model(Page)
    for welcome in root.get_children().filter(content_type=page_type, numchild=0):
        # Wagtail's "Welcome to your new Wagtail site!"; its Site goes with it.
        ReferenceIndex.remove_for_object(welcome)
        welcome.delete()
    root.refresh_from_db()
    slug = "home"
    if Page.objects.child_of(root).filter(slug=slug).exists():
        slug = "masthead-home"
    home = HomePage(
        title=settings.WAGTAIL_SITE_NAME,
        slug=slug,
        intro=f"{settings.WAGTAIL_SITE_NAME}: news, business, the economy and the world.",
        live=True,
        owner=user,
    )
    root.add_child(instance=home)
    record_revision(home, user)
    return home, True


def ensure_front(home, user):
    """The front page arranged (as editors would in the admin), if nobody has yet."""
    if home.front.raw_data:
        return
    home.front = home.arrangement()
    home.save(update_fields=["front"])
    record_revision(home, user)


def ensure_site(home):
    """The default site, pointed at the home page and answering as SITE_URL; a site already
    serving it keeps its name."""
    site = Site.objects.filter(root_page=home).order_by("-is_default_site").first()
    if site:
        sync_default_site()
        site.refresh_from_db()
        return site
    hostname, port = site_address()
    site = (
        Site.objects.filter(is_default_site=True).first()
        or Site.objects.filter(hostname=hostname, port=port).first()
        or Site(hostname=hostname, port=port)
    )
    site.hostname, site.port = hostname, port
    site.root_page = home
    site.is_default_site = True
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.save()
    return site


def _child(parent, slug):
    return Page.objects.child_of(parent).filter(slug=slug).first()


def ensure_tree(home, user):
    """The sections, the top stories page and the podcast link; returns ({slug path: page},
    number created)."""
    pages, created = {(): home}, 0
    for path, node in walk():
        parent = pages[path[:-1]]
        existing = _child(parent, node.slug)
        if existing:
            pages[path] = existing.specific
            continue
        common = {"title": node.title, "slug": node.slug, "live": True, "show_in_menus": True}
        if node.kind == "top_stories":
            page = TopStoriesPage(intro=node.intro, owner=user, **common)
        elif node.kind == "link":
            page = LinkPage(link_url=node.url, menu_badge=node.badge, owner=user, **common)
        elif node.kind in BOARDS:
            page = BOARDS[node.kind](
                intro=node.intro, moderators_email="jobs-desk@example.org", owner=user, **common
            )
        else:
            page = SectionPage(
                intro=node.intro, show_on_home=bool(node.topic), owner=user, **common
            )
        parent.add_child(instance=page)
        if node.kind != "top_stories":  # its revision comes once its stories are chosen
            record_revision(page, user)
        pages[path] = page
        created += 1
    return pages, created


def ensure_standard_pages(home, user):
    pages, created = [], 0
    site_name = settings.WAGTAIL_SITE_NAME
    for title, intro, blocks in STANDARD_PAGES:
        slug = slugify(title)
        page = _child(home, slug)
        if page is None:
            rng = random.Random(f"{SEED}:page:{slug}")
            body = [
                {
                    "type": block_type,
                    "value": f"<p>{text.format(site=site_name)}</p>"
                    if block_type == "paragraph"
                    else text,
                    "id": block_id(rng),
                }
                for block_type, text in blocks
            ]
            page_class, form_fields = FORM_PAGES.get(slug, (StandardPage, {}))
            page = page_class(
                title=title,
                slug=slug,
                intro=intro,
                body=body,
                live=True,
                show_in_menus=False,
                owner=user,
                **form_fields,
            )
            home.add_child(instance=page)
            record_revision(page, user)
            created += 1
        pages.append(page)
    return pages, created


def ensure_settings(site, standard_pages):
    navigation = NavigationSettings.for_site(site)
    if not navigation.utility_links.exists():
        UtilityLink.objects.bulk_create(
            UtilityLink(settings=navigation, page=page, sort_order=order)
            for order, page in enumerate(standard_pages)
        )
    site_settings = SiteSettings.for_site(site)
    changed = False
    for name, value in {"tagline": TAGLINE, **SOCIAL_LINKS}.items():
        if not getattr(site_settings, name):
            setattr(site_settings, name, value)
            changed = True
    if changed:
        site_settings.save()


def _save_image(title, image, description, credit, user, filename):
    data = pictures.jpeg_bytes(image)
    news_image = NewsImage(
        title=title,
        description=description,
        credit=credit,
        file_size=len(data),
        file_hash=hashlib.sha1(data).hexdigest(),  # what Wagtail's own upload records
        uploaded_by_user=user,
    )
    news_image.file.save(filename, ContentFile(data), save=False)
    news_image.width, news_image.height = image.size  # ContentFile has no dimensions to read
    news_image.save()
    return news_image


def ensure_authors(user):
    """The authors, each with a drawn portrait; returns ({slug: author}, number created)."""
    existing = {author.slug: author for author in Author.objects.all()}
    authors, created = {}, 0
    for name, role, _beats, bio in AUTHORS:
        fields = author_fields(name, role, bio)
        author = existing.get(fields["slug"])
        if author is None:
            image, look = pictures.draw_portrait(fields["slug"])
            photo = _save_image(
                f"Portrait of {name}",
                image,
                f"Illustrated portrait of {name}: {look}",
                PICTURE_CREDIT,
                user,
                f"demo-portrait-{fields['slug']}.jpg",
            )
            author = Author.objects.create(name=name, photo=photo, **fields)
            created += 1
        authors[author.slug] = author
    return authors, created


def picture_title(kind, number):
    return f"Demo {kind} {number}"


def ensure_pictures(user):
    """The shared pool of article pictures; returns ([image pk by pool index], number created)."""
    pool = picture_pool()
    titles = [picture_title(kind, number) for kind, number in pool]
    existing = dict(NewsImage.objects.filter(title__in=titles).values_list("title", "pk"))
    ids, created = [], 0
    for (kind, number), title in zip(pool, titles, strict=True):
        if title not in existing:
            image, description = pictures.draw_scene(kind, number)
            saved = _save_image(
                title, image, description, PICTURE_CREDIT, user, f"demo-{kind}-{number}.jpg"
            )
            existing[title] = saved.pk
            created += 1
        ids.append(existing[title])
    return ids, created


def ensure_tags():
    tags = {}
    for name in TAGS:
        tag = Tag.objects.filter(name__iexact=name).first()
        tags[name] = tag or Tag.objects.create(name=name, slug=slugify(name))
    return tags


def _stream(blocks, images, article_ids):
    """The body as a StreamValue of native values: the search index and the reference index read
    it without a query, where raw JSON would make them fetch its images and pages again."""
    stream_block = ArticlePage._meta.get_field("body").stream_block
    children = []
    for block_type, value, uid in blocks:
        block = stream_block.child_blocks[block_type]
        if block_type == "image":
            value = {**value, "image": images[value["image"]]}
        elif block_type == "read_also":
            # Only the id of the page is stored; an unsaved stand-in carries it.
            value = {"article": ArticlePage(pk=article_ids[value]), "label": "Read also"}
        children.append((block_type, block.normalize(value), uid))
    return StreamValue(stream_block, children)


@contextmanager
def deferred_indexing(*models):
    """Within this block, saving one of `models` neither indexes it for search nor records its
    references, which the caller does in bulk: many times faster than one by one."""
    for model in models:
        post_save.disconnect(search_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.connect(search_signal_handler, sender=model)


@contextmanager
def indexed_at_the_end(*models):
    """Objects of `models` saved within this block are indexed for search and recorded in the
    reference index at its end, in bulk, rather than one by one as they are saved."""
    saved = {}

    def remember(sender, instance, raw=False, **kwargs):
        saved.setdefault(sender, {})[instance.pk] = instance

    for model in models:
        post_save.connect(remember, sender=model, weak=False)
    try:
        with deferred_indexing(*models):
            yield
    finally:
        for model in models:
            post_save.disconnect(remember, sender=model)
    for model, objects in saved.items():
        index_for_search(model, list(objects.values()))
        for instance in objects.values():
            ReferenceIndex.create_or_update_for_object(instance)


def index_for_search(model, objects):
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(model, objects)


def ensure_articles(count, home, tree, user, report=None, seed=SEED):
    """Create the planned articles that are not there yet, up to `count` articles in all;
    returns the number created.

    An article counts as there when its section has a child page with the planned slug; and
    when the site has `count` articles or more, nothing is planned or created at all, so that a
    demo built by an older version of this code never grows by a second, reworded set. The
    first REVISION_LIMIT articles get a revision and entries in Wagtail's reference index (what
    the admin shows as an image's or author's usage); the rest get neither, which keeps large
    runs fast (`masthead rebuild_references_index` fills in the references)."""
    sections = {"/".join(path): page for path, page in tree.items() if path}
    existing = {}
    for path, slug, pk in ArticlePage.objects.descendant_of(home).values_list("path", "slug", "pk"):
        existing[(path[: -Page.steplen], slug)] = pk
    wanted = count - len(existing)
    if wanted <= 0:
        return 0
    authors = {author.slug: author for author in Author.objects.all()}
    picture_ids, _ = ensure_pictures(user)
    images = NewsImage.objects.in_bulk(picture_ids)
    pool = [images[pk] for pk in picture_ids]
    tags = ensure_tags()
    now = timezone.now().replace(second=0, microsecond=0)
    article_ids, created = {}, 0
    started, step = time.monotonic(), max(1, count // 10)

    def create(batch):
        pages = []
        for plan in batch:
            parent = sections[plan.section]
            found = existing.get((parent.path, plan.slug))
            if found:
                article_ids[plan.index] = found
                continue
            if created + len(pages) >= wanted:
                break
            page = _new_article(plan, now, user, parent.locale_id, pool, article_ids)
            parent.add_child(instance=page)
            article_ids[plan.index] = page.pk
            pages.append((plan, page))
        # Bylines and tags in two queries for the whole batch, rather than a few per article.
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(page=page, author=authors[slug], sort_order=order)
            for plan, page in pages
            for order, slug in enumerate(plan.authors)
        )
        ArticleTag.objects.bulk_create(
            ArticleTag(content_object=page, tag=tags[name])
            for plan, page in pages
            for name in plan.tags
        )
        articles = [page for _, page in pages]
        # Page.save() logged each creation as happening now: date it with the article instead.
        PageLogEntry.objects.filter(
            page__in=articles, action="wagtail.create", timestamp__gte=now
        ).update(timestamp=Subquery(ArticlePage.objects.filter(pk=OuterRef("page")).values("date")))
        for plan, page in pages:
            if plan.index < REVISION_LIMIT:
                record_revision(page, user, page.date)
                ReferenceIndex.create_or_update_for_object(page)
        prefetch_related_objects(articles, "tags")  # which the search index reads
        index_for_search(ArticlePage, articles)
        return len(articles)

    batch, reported = [], 0
    for plan in iter_article_plans(count, seed):
        batch.append(plan)
        if len(batch) < BATCH and plan.index < count - 1:
            continue
        with transaction.atomic(), deferred_indexing(ArticlePage):
            created += create(batch)
        batch, done = [], plan.index + 1
        if count >= PROGRESS_FROM and done // step > reported:  # every tenth of the way
            reported = done // step
            elapsed = time.monotonic() - started
            _say(
                report,
                f"  {done:,} of {count:,} articles ({done * 100 // count}%, {elapsed:.0f} s)",
            )
        if created >= wanted:
            break
    return created


def age_on(now, age):
    """The age of an article when built at `now`: a fresh one (FRESH_SECONDS old at most) stays
    within today, in the site's time zone, however early in the day the demo is built."""
    local = timezone.localtime(now)
    since_midnight = local.hour * 3600 + local.minute * 60 + local.second
    if age >= FRESH_SECONDS or since_midnight >= FRESH_SECONDS:
        return age
    return age * since_midnight // FRESH_SECONDS


def _new_article(plan, now, user, locale_id, pool, article_ids):
    date = now - timedelta(seconds=age_on(now, plan.age))
    return ArticlePage(
        title=plan.headline,
        slug=plan.slug,
        standfirst=plan.standfirst,
        date=date,
        live=True,
        first_published_at=date,
        last_published_at=date,
        owner=user,
        locale_id=locale_id,  # the parent's: saves Wagtail a query to find it
        lead_image=pool[plan.lead_picture],
        lead_image_caption=plan.lead_caption,
        lead_image_credit=plan.lead_credit,
        body=_stream(plan.body, pool, article_ids),
    )


def ensure_top_stories(top_stories_page, user):
    """Five recent articles as top stories, unless editors have chosen some already."""
    if top_stories_page.stories.exists():
        return False
    recent = list(ArticlePage.objects.published().order_by("-date", "-pk")[:TOP_STORIES])
    if not recent:
        return False
    top_stories_page.stories = [
        TopStory(article=article, sort_order=order) for order, article in enumerate(recent)
    ]
    top_stories_page.save(clean=False)
    record_revision(top_stories_page, user)
    return True


@dataclass
class Summary:
    editor_created: bool = False
    home_created: bool = False
    pages_created: int = 0
    authors_created: int = 0
    pictures_created: int = 0
    articles_created: int = 0
    articles_total: int = 0
    listings_created: int = 0
    comments_created: int = 0
    subscribers_created: int = 0
    staff_created: int = 0

    @property
    def anything_created(self):
        return bool(
            self.editor_created
            or self.home_created
            or self.pages_created
            or self.authors_created
            or self.pictures_created
            or self.articles_created
            or self.listings_created
            or self.comments_created
            or self.subscribers_created
            or self.staff_created
        )


def build_demo(articles=DEFAULT_ARTICLES, report=None, seed=SEED, accounts=True):
    """Build the demo newspaper, or complete it; returns a Summary of what was created.
    Without `accounts`, the content alone: no account anyone can log in to."""
    summary = Summary()
    with transaction.atomic(), indexed_at_the_end(*STRUCTURE_MODELS):
        user = None
        if accounts:
            user, summary.editor_created = ensure_editor()
            verified_address(user)
            ensure_reader()
        home, summary.home_created = ensure_home(user)
        site = ensure_site(home)
        tree, created = ensure_tree(home, user)
        ensure_front(home, user)
        standard_pages, created_pages = ensure_standard_pages(home, user)
        summary.pages_created = created + created_pages
        ensure_settings(site, standard_pages)
        _, summary.authors_created = ensure_authors(user)
        _, summary.pictures_created = ensure_pictures(user)
        if accounts:
            summary.staff_created = ensure_staff(home, verified_address)
    summary.articles_created = ensure_articles(articles, home, tree, user, report, seed)
    with transaction.atomic():
        ensure_live_coverage(tree[("news", "general-news")], user)
    with transaction.atomic(), indexed_at_the_end(TopStoriesPage):
        ensure_top_stories(tree[("top-stories",)], user)
    with transaction.atomic():
        summary.listings_created = ensure_jobs(tree, user, _save_image)
    summary.comments_created = ensure_comments(passwords=accounts)
    summary.subscribers_created = ensure_newsletters()
    ensure_view_counts(seed)
    summary.articles_total = ArticlePage.objects.descendant_of(home).count()
    return summary


def demo_exists():
    """Whether a home page with articles below it is there already."""
    home = HomePage.objects.first()
    return bool(home) and ArticlePage.objects.descendant_of(home).exists()


def login_lines():
    """What the command prints at the end of every run: where and how to log in."""
    User = get_user_model()
    user = User.objects.filter(username=EDITOR_USERNAME).first()
    lines = [f"Admin:     {settings.SITE_URL}/admin/"]
    if user is None:
        lines.append("There is no demo account on this database.")
    elif user.check_password(EDITOR_PASSWORD):
        lines += [f"Log in as: {user.email or EDITOR_EMAIL}", f"Password:  {EDITOR_PASSWORD}"]
    else:
        lines += [
            f"Log in as: {user.email or EDITOR_EMAIL}",
            "Password:  (changed since the demo created the account)",
        ]
    if User.objects.filter(email__iexact=READER_EMAIL).exists():
        lines += [
            f"Reader:    {READER_EMAIL} / {READER_PASSWORD} (log in at {settings.SITE_URL}"
            "/accounts/login/)",
        ]
    staff = staff_lines()
    if staff:
        lines += ["The newsroom, one account for each role (log in at /accounts/login/):", *staff]
    return lines
