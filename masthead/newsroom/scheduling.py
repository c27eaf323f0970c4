"""What the newsroom's calendar shows and does: the articles scheduled to go live (a revision
approved for later, Wagtail's scheduling), the articles published with a date to come
(embargoed), and those published lately; moving one to another time, taking it off the
schedule, publishing it now. The views, tests and any task call these."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from wagtail.models import Revision

from masthead.articles.models import ArticlePage

SCHEDULED, EMBARGOED, PUBLISHED = "scheduled", "embargoed", "published"


@dataclass
class Entry:
    page: ArticlePage
    at: datetime  # aware
    status: str
    revision: Revision | None = None

    @property
    def local(self):
        return timezone.localtime(self.at)


def entries(start, end):
    """Everything of the calendar between two aware datetimes, in time order."""
    found = []
    scheduled = list(
        Revision.page_revisions.filter(approved_go_live_at__gte=start, approved_go_live_at__lt=end)
    )
    pages = ArticlePage.objects.defer_streamfields().in_bulk(
        [int(revision.object_id) for revision in scheduled]
    )
    for revision in scheduled:
        page = pages.get(int(revision.object_id))
        if page is not None:
            found.append(Entry(page, revision.approved_go_live_at, SCHEDULED, revision))
    now = timezone.now()
    for page in (
        ArticlePage.objects.live().filter(date__gte=start, date__lt=end).defer_streamfields()
    ):
        found.append(Entry(page, page.date, EMBARGOED if page.date > now else PUBLISHED))
    return sorted(found, key=lambda entry: (entry.at, entry.page.pk))


def find(page_id):
    """The calendar's entry for a page: its scheduled revision, else the page if embargoed."""
    page = ArticlePage.objects.filter(pk=page_id).first()
    if page is None:
        raise ValidationError("There is no such article.")
    revision = page.revisions.filter(approved_go_live_at__isnull=False).order_by("-pk").first()
    if revision is not None:
        return Entry(page, revision.approved_go_live_at, SCHEDULED, revision)
    if page.live and page.date > timezone.now():
        return Entry(page, page.date, EMBARGOED)
    raise ValidationError(f"“{page.title}” is not scheduled.")


def check_may_publish(user, page):
    if not page.permissions_for_user(user).can_publish():
        raise PermissionDenied(f"You may not publish “{page.title}”.")


def refuse_unpublished_changes(entry):
    if entry.status == EMBARGOED and entry.page.has_unpublished_changes:
        raise ValidationError(
            f"“{entry.page.title}” has changes not yet published: move it in its editor, "
            "so that they are not published with it."
        )


def reschedule(user, page_id, moment):
    """Move an article's time: when its scheduled revision goes live, or its embargo lifts."""
    entry = find(page_id)
    check_may_publish(user, entry.page)
    if moment <= timezone.now():
        raise ValidationError("Choose a time to come, or publish it now.")
    refuse_unpublished_changes(entry)
    if entry.status == SCHEDULED:
        # Wagtail's own way: a revision published with a go-live time to come is scheduled, and
        # every earlier schedule of the page is cleared (so the old time publishes nothing).
        draft = entry.revision.as_object()
        draft.go_live_at = moment
        draft.save_revision(user=user).publish(user=user)
    else:
        page = entry.page
        page.date = moment
        page.save_revision(user=user).publish(user=user)
    return find(page_id)


def unschedule(user, page_id):
    """Take an article off the schedule: its scheduled revision waits as a draft, or its
    embargoed publication is withdrawn."""
    entry = find(page_id)
    check_may_publish(user, entry.page)
    if entry.status == SCHEDULED:
        entry.revision.approved_go_live_at = None
        entry.revision.save(user=user, update_fields=["approved_go_live_at"])
        type(entry.page).objects.filter(pk=entry.page.pk).update(go_live_at=None)
    else:
        entry.page.unpublish(user=user)
    return entry.page


def publish_now(user, page_id):
    entry = find(page_id)
    check_may_publish(user, entry.page)
    refuse_unpublished_changes(entry)
    if entry.status == SCHEDULED:
        draft = entry.revision.as_object()
        draft.go_live_at = None
        draft.save_revision(user=user).publish(user=user)
    else:
        page = entry.page
        page.date = timezone.now()
        page.save_revision(user=user).publish(user=user)
    return ArticlePage.objects.get(pk=page_id)


def week_start(day):
    return day - timedelta(days=day.weekday())
