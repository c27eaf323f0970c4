"""The front page built from its arrangement (HomePage.front): each block's stories, no story
twice, in a fixed number of queries however many blocks there are.

Blocks are read from the stream's raw data (ids), so that choosing twenty stories costs one
query of cards, not one query per chooser."""

from django.db.models import Prefetch
from django.utils.safestring import mark_safe
from wagtail.models import Page

from masthead.articles.models import ArticlePage, TopStoriesPage, attach_sections
from masthead.caching.store import record
from masthead.caching.templatetags.page_cache import fragment_html
from masthead.images.models import NewsRendition

LATEST_COUNT = 6  # the lead's rail of latest news
SECONDARY_COUNT = 3  # secondary stories under the lead, when editors chose none
PORTRAIT = "fill-96x96-c100"
MOST_READ = "most-read"


def slot(name):
    return f"<!--fragment:{name}-->"


def fill_fragment_slots(html, inside=False):
    """Most read changes apart from the page (every few minutes): the page's cached part holds
    a marker where it goes, filled here with the fragment (page_cache.fragment_html)."""
    for name in set(_slot_names(html)):
        html = html.replace(slot(name), fragment_html(name, inside=inside))
    return mark_safe(html)  # noqa: S308 (rendered templates)


def _slot_names(html):
    start = 0
    while (found := html.find("<!--fragment:", start)) != -1:
        end = html.find("-->", found)
        yield html[found + len("<!--fragment:") : end]
        start = end


def _ids(values):
    """The page ids among choosers' raw values (a list block's items are {"value": id})."""
    values = [value.get("value") if isinstance(value, dict) else value for value in values]
    return [value for value in values if isinstance(value, int)]


def front_page_blocks(home, arrangement):
    """[{"type": ..., ...}] for front_page.html, in the order of the arrangement."""
    top_stories_page = TopStoriesPage.objects.child_of(home).live().first()
    top_story_ids = []
    if top_stories_page:
        record(f"page:{top_stories_page.pk}")
        top_story_ids = list(
            top_stories_page.stories.order_by("sort_order").values_list("article_id", flat=True)
        )
    chosen = []
    for block in arrangement:
        value = block["value"]
        if block["type"] == "lead":
            chosen += _ids([value.get("story"), *value.get("secondary", [])])
        elif block["type"] == "live":
            chosen += _ids([value.get("story")])
    # Those not public yet are recorded too: they appear at their time.
    record(*(f"page:{pk}" for pk in top_story_ids + chosen))
    picked = {
        article.pk: article
        for article in attach_sections(
            ArticlePage.objects.published().filter(pk__in=top_story_ids + chosen).for_cards()
        )
    }
    latest = attach_sections(
        ArticlePage.objects.published()
        .descendant_of(home)
        .exclude(pk__in=top_story_ids + chosen)
        .order_by("-date", "-pk")
        .for_cards()[: LATEST_COUNT + SECONDARY_COUNT + 1]
    )
    shown = set()

    def take(candidates, count):
        taken = []
        for article in candidates:
            if article is not None and article.pk not in shown and len(taken) < count:
                shown.add(article.pk)
                taken.append(article)
        return taken

    top_stories = [picked[pk] for pk in top_story_ids if pk in picked]
    blocks = []
    for block in arrangement:
        kind, value = block["type"], block["value"]
        if kind == "live":
            story = take([picked.get(value.get("story"))], 1)
            if story:
                blocks.append(
                    {
                        "type": kind,
                        "label": value.get("label"),
                        "story": story[0],
                        "summary": value.get("summary", ""),
                    }
                )
        elif kind == "lead":
            lead = take([picked.get(value.get("story")), *top_stories, *latest], 1)
            secondary = [picked.get(pk) for pk in _ids(value.get("secondary", []))]
            secondary = take(secondary or [*top_stories, *latest], 4 if secondary else 3)
            blocks.append(
                {
                    "type": kind,
                    "lead": lead[0] if lead else None,
                    "secondary": secondary,
                    "rail": value.get("rail", "latest"),
                    "most_read": slot(MOST_READ),
                }
            )
        elif kind == "top_stories":
            stories = take(top_stories, value.get("count") or 4)
            if stories:
                blocks.append(
                    {
                        "type": kind,
                        "heading": value.get("heading"),
                        "stories": stories,
                        "page": top_stories_page,
                    }
                )
        elif kind == "most_read":
            blocks.append({"type": kind, "heading": value.get("heading"), "html": slot(MOST_READ)})
        elif kind == "section":
            blocks.append({"type": kind, **value})
    for block in blocks:
        if block["type"] == "lead" and block["rail"] == "latest":
            block["latest"] = take(latest, LATEST_COUNT)
    _fill_sections([block for block in blocks if block["type"] == "section"], shown)
    return [block for block in blocks if block["type"] != "section" or block.get("articles")]


def _fill_sections(blocks, shown):
    """Each section block's newest stories not shown above: a narrow query of ids per block
    (SQLite takes no LIMIT inside a UNION), then one query of cards for them all."""
    if not blocks:
        return
    chosen = _ids(block.get("section") for block in blocks)
    sections = {page.pk: page for page in Page.objects.live().filter(pk__in=chosen)}
    record(*(f"page:{pk}" for pk in sections))
    rows = []
    for position, block in enumerate(blocks):
        section = sections.get(block.get("section"))
        if section is None:
            continue
        block["page"] = section
        # Overlapping sections (a section and one below it) may find the same stories: each
        # takes twice its count, and the first block that lists a story keeps it.
        ids = (
            ArticlePage.objects.published()
            .filter(path__startswith=section.path)
            .exclude(pk__in=shown)
            .order_by("-date", "-pk")
            .values_list("pk", flat=True)[: 2 * (block.get("count") or 5)]
        )
        rows += [(pk, position) for pk in ids]
    if not rows:
        return
    queryset = ArticlePage.objects.filter(pk__in={pk for pk, _ in rows}).for_cards()
    if any(block.get("layout") == "opinion" for block in blocks):
        queryset = queryset.prefetch_related(
            "article_authors__author__photo",
            Prefetch(
                "article_authors__author__photo__renditions",
                queryset=NewsRendition.objects.filter(filter_spec=PORTRAIT),
            ),
        )
    found = {article.pk: article for article in attach_sections(queryset)}
    by_block = {}
    for pk, position in rows:
        by_block.setdefault(position, []).append(found[pk])
    for position, block in enumerate(blocks):
        articles = sorted(by_block.get(position, []), key=lambda a: (a.date, a.pk), reverse=True)
        block["articles"] = [article for article in articles if article.pk not in shown][
            : block.get("count") or 5
        ]
        shown.update(article.pk for article in block["articles"])


def default_front(sections, opinion=None):
    """The arrangement of a front page that editors have not arranged: the lead, a block for
    each of these sections, most read and the opinion pieces (with portraits) after the second."""
    blocks = [{"type": "lead", "value": {"story": None, "secondary": [], "rail": "latest"}}]
    for number, section in enumerate(sections):
        layout = ["lead_list", "times"][number % 2]
        value = {"section": section.pk, "layout": layout, "count": 4 if number % 2 == 0 else 6}
        blocks.append({"type": "section", "value": value})
        if number == 1:
            blocks.append({"type": "most_read", "value": {"heading": "Most read"}})
            if opinion is not None:
                value = {"section": opinion.pk, "layout": "opinion", "count": 4}
                blocks.append({"type": "section", "value": value})
    return blocks
