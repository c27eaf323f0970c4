"""The chrome every page shares: the main menu, the utility links and the recent news."""

from operator import attrgetter

from django import template
from wagtail.models import Page, Site

from masthead.articles.models import ArticlePage
from masthead.navigation.models import NavigationSettings

register = template.Library()

MENU_DEPTH = 3
RECENT_NEWS_COUNT = 5


def site_root(request):
    site = Site.find_for_request(request)
    return site.root_page if site else None


def build_menu(root):
    """The live, in-menu pages below `root`, three levels deep, as nested (page, children)."""
    pages = (
        Page.objects.live()
        .in_menu()
        .filter(
            path__startswith=root.path, depth__gt=root.depth, depth__lte=root.depth + MENU_DEPTH
        )
        .order_by()  # not even the model's default ordering (path)
        .specific()
    )
    # Sorted here, not by the database: asked to order by path, SQLite walks the path index of
    # every page (130 ms on 50,000 articles) where reading the table takes a tenth of that.
    children = {root.path: []}
    for page in sorted(pages, key=attrgetter("path")):
        parent = children.get(page.path[: -Page.steplen])
        if parent is None:  # its parent is hidden from the menu, so it is too
            continue
        node = {"page": page, "children": []}
        parent.append(node)
        children[page.path] = node["children"]
    return children[root.path]


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    request = context["request"]
    root = site_root(request)
    current = context.get("page") or context.get("self")
    current_path = current.path if isinstance(current, Page) else ""
    return {
        "request": request,
        "items": build_menu(root) if root else [],
        "current_path": current_path,
        "home": root,
    }


@register.simple_tag(takes_context=True)
def utility_links(context):
    request = context["request"]
    settings = NavigationSettings.for_request(request)
    return list(settings.utility_links.select_related("page").order_by("sort_order"))


@register.simple_tag
def recent_news(count=RECENT_NEWS_COUNT):
    return list(
        ArticlePage.objects.published().defer_streamfields().order_by("-date", "-pk")[:count]
    )


@register.filter
def menu_title(page):
    return getattr(page, "menu_label", "") or page.title


@register.filter
def contains_page(path, page):
    """Whether the page at `path` is `page` or below it: the menu marks the reader's section."""
    return bool(path) and path.startswith(page.path)
