"""Section desks: who writes and who edits in which section.

Each section directly below a home page has a desk of two groups, created with the section:
"Contributors: <section>" (may add pages there and edit their own drafts) and "Section
editors: <section>" (may add, edit, publish, lock and delete there). They are Wagtail's own
groups with `GroupPagePermission` on the section, so they cover its subsections and are
edited under Settings › Groups; a writer is tied to a section by joining its desk group
(beside the role group, which gives the admin and the images)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField
from django.db.models.functions import Cast
from wagtail.models import GroupPagePermission, Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from masthead.newsroom.roles import DESK_PAGE_PERMISSIONS

SECTION_DEPTH = 3  # root 1, home page 2, its sections 3


def section_of(page):
    """The section directly below the home page that `page` is in (or is), or None."""
    if page.depth < SECTION_DEPTH:
        return None
    return Page.objects.ancestor_of(page, inclusive=True).filter(depth=SECTION_DEPTH).first()


def desk_group(template, section):
    """The desk group of `section` (created when missing), named after it; a namesake granted
    on another section gets the section's id in its name."""
    for name in (
        template.format(section.title)[:140],
        f"{template.format(section.title)[:130]} #{section.pk}",
    ):
        group, _ = Group.objects.get_or_create(name=name)
        granted = set(
            GroupPagePermission.objects.filter(group=group).values_list("page_id", flat=True)
        )
        if not granted or granted == {section.pk}:
            return group
    return group


def ensure_desk(section):
    """The section's two desk groups with their page permissions; returns them."""
    groups = []
    for template, actions in DESK_PAGE_PERMISSIONS.items():
        group = desk_group(template, section)
        for action in actions:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=section,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=f"{action}_page"
                ),
            )
        groups.append(group)
    return groups


def can_review(page, user):
    """Whether `user` may approve or send back `page`: whoever may publish it."""
    return bool(user.is_active and page.permissions_for_user(user).can_publish())


def reviewers(page):
    """Who is told of a submission: the editors of the page's desk (granted publishing on its
    section or below), else, for a page no desk covers, those granted it on the whole site."""
    ancestors = Page.objects.ancestor_of(page, inclusive=True)
    grants = GroupPagePermission.objects.filter(
        permission__codename="publish_page", page__in=ancestors
    )
    users = get_user_model().objects.filter(is_active=True)
    desk = users.filter(groups__in=grants.filter(page__depth__gte=SECTION_DEPTH).values("group"))
    if desk.exists():
        return desk.distinct()
    return users.filter(groups__in=grants.values("group")).distinct()


def reviewable_page_ids(user):
    """The ids (as text, like a workflow state's `object_id`) of the pages `user` may publish."""
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "publish")
    return pages.annotate(text_id=Cast("pk", CharField())).values("text_id")
