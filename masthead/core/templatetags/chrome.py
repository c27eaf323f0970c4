"""The chrome every page shares: the main menu and the utility links, built once and kept in the
cache until a page of the menu, the menu's tree or the settings change."""

from operator import attrgetter

from django import template
from django.template.loader import render_to_string
from wagtail.models import Page, Site

from masthead.caching.store import cached, record
from masthead.navigation.models import NavigationSettings

register = template.Library()

MENU_DEPTH = 3


def site_root(request):
    site = Site.find_for_request(request)
    return site.root_page if site else None


def build_menu(root):
    """The live, in-menu pages below `root`, three levels deep, as nested dicts."""
    record("menu")
    pages = (
        Page.objects.live()
        .in_menu()
        .filter(
            path__startswith=root.path, depth__gt=root.depth, depth__lte=root.depth + MENU_DEPTH
        )
        .order_by()  # sorted below: SQLite orders by path through the index of every page
        .specific()
    )
    children = {root.path: []}
    for page in sorted(pages, key=attrgetter("path")):
        parent = children.get(page.path[: -Page.steplen])
        if parent is None:  # its parent is hidden from the menu, so it is too
            continue
        record(f"page:{page.pk}")
        node = {
            "path": page.path,
            "url": page.get_url(),
            "title": getattr(page, "menu_label", "") or page.title,
            "badge": getattr(page, "menu_badge", ""),
            "children": [],
        }
        parent.append(node)
        children[page.path] = node["children"]
    return children[root.path]


def marked_path(items, current_path):
    """The path of the deepest menu item at or above the current page: what the menu marks."""
    found = ""
    for item in items:
        if current_path.startswith(item["path"]):
            found = item["path"]
            deeper = marked_path(item["children"], current_path)
            return deeper or found
    return found


@register.simple_tag(takes_context=True)
def main_menu(context):
    request = context["request"]
    root = site_root(request)
    if root is None:
        return ""
    items = cached(f"chrome:menu:{root.pk}", lambda: build_menu(root))
    current = context.get("page") or context.get("self")
    current_path = current.path if isinstance(current, Page) else ""
    marked = marked_path(items, current_path)
    exact = marked == current_path

    def render():
        record("menu")
        return render_to_string(
            "includes/main_menu.html",
            {
                "items": items,
                "marked_path": marked,
                "current_is_marked": exact,
                "trail": [
                    marked[:end] for end in range(Page.steplen, len(marked) + 1, Page.steplen)
                ],
            },
        )

    return cached(f"chrome:menu-html:{root.pk}:{marked}:{exact}", render)


@register.simple_tag(takes_context=True)
def utility_links(context):
    request = context["request"]
    site = Site.find_for_request(request)

    def build():
        record("settings")
        settings = NavigationSettings.for_site(site)
        links = settings.utility_links.select_related("page").order_by("sort_order")
        for link in links:
            if link.page_id:
                record(f"page:{link.page_id}")
        return [
            {"url": link.page.url if link.page else link.url, "title": link.title} for link in links
        ]

    return cached(f"chrome:utility-links:{site.pk if site else 0}", build)
