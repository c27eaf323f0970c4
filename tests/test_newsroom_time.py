"""The newsroom's time: embargoed articles invisible everywhere until their time and visible
everywhere after it, a schedule moved or cancelled never publishing at the old time, the
calendar, and the admin's warning when no task worker runs. Real workers are in the tests
marked live at the end."""

import json
import signal
import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import GroupPagePermission

from masthead.articles.models import ArticlePage
from masthead.core.models import WorkerHeartbeat
from masthead.core.worker import beat, worker_is_running
from tests.servers import MASTHEAD, ROOT, wait_for

DB_WORKER = {"BACKEND": "django_tasks_db.DatabaseBackend"}
WARNING = "The task worker is not running: scheduled articles, e-mails and newsletters wait"


@pytest.fixture
def worker_backend(settings):
    """Tasks wait in the database for a worker, as on the site."""
    settings.TASKS = {**settings.TASKS, "worker": DB_WORKER}


def run_due_tasks():
    """What a worker does once, in this test's own transaction: run each task that is due."""
    ran = 0
    for result in DBTaskResult.objects.ready().order_by("run_after", "enqueued_at"):
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.delete()
        ran += 1
    return ran


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def everywhere(client, paper, article_url, neighbour):
    """Every public place an article can show: lists, feeds, sitemaps, search, related."""
    month = timezone.localtime().strftime("%Y-%m")
    texts = {
        "home": get(client, "/"),
        "section": get(client, paper.banking.url),
        "tag": get(client, "/tags/embargo/"),
        "author": get(client, paper.authors[0].get_absolute_url()),
        "neighbour (related, previous/next)": get(client, neighbour.url),
        "recent news": get(client, "/_fragments/recent-news/"),
        "rss": get(client, "/feeds/rss/"),
        "atom": get(client, "/feeds/atom/"),
        "json feed": get(client, "/feeds/json/"),
        "section feed": get(client, "/feeds/sections/economics/finance/banking/rss/"),
        "tag feed": get(client, "/feeds/tags/embargo/atom/"),
        "news sitemap": get(client, "/sitemaps/news.xml"),
        "search": get(client, "/search/", q="Zanzibar"),
        "live search": get(client, "/search/live/", q="Zanzib"),
    }
    article = client.get(article_url)
    texts["its page"] = article.content.decode() if article.status_code == 200 else ""
    sitemap = client.get(f"/sitemaps/articles-{month}.xml")
    texts["month sitemap"] = sitemap.content.decode() if sitemap.status_code == 200 else ""
    return texts


def showing(texts):
    """Where the article is linked (a search page repeats the words searched for)."""
    return sorted(name for name, text in texts.items() if "zanzibar-deal-signed" in text)


@pytest.fixture
def neighbour(paper):
    return paper.article(title="Ferry timetable", tags=["Embargo"], date=timezone.now())


def scheduled_draft(paper, moment):
    """Wagtail's scheduling: a draft approved to go live at `moment`."""
    article = paper.article(title="Zanzibar deal signed", tags=["Embargo"], date=moment)
    article.unpublish()
    article.go_live_at = moment
    article.save_revision().publish()
    article.refresh_from_db()
    assert not article.live and article.revisions.filter(approved_go_live_at=moment).exists()
    return article


def future_dated(paper, moment):
    """Published now with a publication date to come."""
    article = paper.article(title="Zanzibar deal signed", tags=["Embargo"], date=moment)
    article.save_revision().publish()
    return article


@pytest.mark.django_db
@pytest.mark.parametrize("make", [scheduled_draft, future_dated], ids=["go_live_at", "date"])
def test_an_embargoed_article_is_nowhere_until_its_time_then_everywhere(
    client, paper, neighbour, worker_backend, django_capture_on_commit_callbacks, make
):
    start = timezone.now()
    moment = start + timedelta(hours=2)
    with time_machine.travel(start):
        with django_capture_on_commit_callbacks(execute=True):
            article = make(paper, moment)
        url = ArticlePage.objects.get(pk=article.pk).url
        assert showing(everywhere(client, paper, url, neighbour)) == []
        # the pages were cached meanwhile, and a task waits for the moment
        assert DBTaskResult.objects.filter(run_after=moment).exists()
        assert run_due_tasks() == 0

    with time_machine.travel(moment - timedelta(seconds=30)):
        assert run_due_tasks() == 0
        assert showing(everywhere(client, paper, url, neighbour)) == []

    with time_machine.travel(moment + timedelta(seconds=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_due_tasks() >= 1
        while run_due_tasks():  # what those tasks enqueued in their turn (purges)
            pass
        texts = everywhere(client, paper, url, neighbour)
        assert showing(texts) == sorted(texts)
        page = texts["its page"]
        assert 'property="og:title" content="Zanzibar deal signed"' in page
        assert '"@type": "NewsArticle"' in page


@pytest.mark.django_db
def test_a_moved_schedule_publishes_nothing_at_the_old_time(
    paper, worker_backend, django_capture_on_commit_callbacks
):
    start = timezone.now()
    first, later = start + timedelta(hours=1), start + timedelta(hours=3)
    with time_machine.travel(start), django_capture_on_commit_callbacks(execute=True):
        article = scheduled_draft(paper, first)
        draft = article.revisions.order_by("-pk").first().as_object()
        draft.go_live_at = later
        draft.save_revision().publish()
    with time_machine.travel(first + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_due_tasks()  # the tasks of the old time run, and find nothing to publish
        assert not ArticlePage.objects.get(pk=article.pk).live
    with time_machine.travel(later + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_due_tasks() >= 1
        assert ArticlePage.objects.get(pk=article.pk).live


@pytest.mark.django_db
def test_a_cancelled_schedule_publishes_nothing(
    client, paper, worker_backend, django_capture_on_commit_callbacks, publisher
):
    start = timezone.now()
    with time_machine.travel(start):
        with django_capture_on_commit_callbacks(execute=True):
            article = scheduled_draft(paper, start + timedelta(hours=1))
        response = client.post(f"/admin/newsroom/calendar/{article.pk}/unschedule/")
        assert response.status_code == 302
    with time_machine.travel(start + timedelta(hours=1, minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):
            run_due_tasks()
        assert not ArticlePage.objects.get(pk=article.pk).live


# The calendar


@pytest.fixture
def publisher(client, db):
    user = get_user_model().objects.create_superuser("desk", "desk@example.org", "pw-desk-123")
    client.force_login(user)
    return user


@pytest.fixture
def writer(client, paper):
    """May edit articles, not publish them."""
    group = Group.objects.create(name="Writers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for permission in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group, page=paper.home, permission=Permission.objects.get(codename=permission)
        )
    user = get_user_model().objects.create_user("writer", "writer@example.org", "pw-writer-1")
    user.groups.add(group)
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_the_calendar_shows_the_week_in_the_newsrooms_time_zone(client, paper, publisher, settings):
    settings.TIME_ZONE = "Europe/Oslo"
    timezone.activate("Europe/Oslo")
    try:
        soon = timezone.now() + timedelta(hours=2)
        scheduled_draft(paper, soon)
        paper.article(title="Yesterday's story", date=timezone.now() - timedelta(days=1))
        html = get(client, "/admin/newsroom/calendar/", view="week", date=timezone.localdate())
        assert "Times are in Europe/Oslo." in html
        assert "Zanzibar deal signed" in html and "scheduled" in html
        local = timezone.localtime(soon)
        slot = f'data-slot="{local:%Y-%m-%d}T{local:%H}"'
        cell = html.split(slot)[1].split("</td>")[0]
        assert "Zanzibar deal signed" in cell and f"{local:%H:%M}" in cell
        assert 'draggable="true"' in cell
        day = get(client, "/admin/newsroom/calendar/", view="day", date=f"{local:%Y-%m-%d}")
        assert "Zanzibar deal signed" in day and day.count("data-slot=") == 24
    finally:
        timezone.deactivate()


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["yesterday", "2026-13-45", "x" * 10_000, "<script>", "' OR 1=1"])
def test_a_bad_date_shows_this_week_with_a_message(client, paper, publisher, bad):
    html = get(client, "/admin/newsroom/calendar/", date=bad)
    assert "That is not a date: showing this week." in html
    assert "0 articles this week." in html  # this week's, which has none


@pytest.mark.django_db
def test_moving_unscheduling_and_publishing_from_the_calendar(
    client, paper, publisher, worker_backend, django_capture_on_commit_callbacks
):
    now = timezone.now()
    article = scheduled_draft(paper, now + timedelta(hours=2))
    new_time = timezone.localtime(now + timedelta(days=1)).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/newsroom/calendar/{article.pk}/move/",
            {"when": f"{new_time:%Y-%m-%dT%H:%M}", "next": "/admin/newsroom/calendar/?view=day"},
        )
    assert response.status_code == 302 and response["Location"].endswith("?view=day")
    approved = article.revisions.exclude(approved_go_live_at=None)
    assert list(approved.values_list("approved_go_live_at", flat=True)) == [new_time]
    assert DBTaskResult.objects.filter(run_after=new_time).exists()
    assert not ArticlePage.objects.get(pk=article.pk).live

    response = client.post(f"/admin/newsroom/calendar/{article.pk}/publish/")
    assert response.status_code == 302
    live = ArticlePage.objects.get(pk=article.pk)
    assert live.live and not article.revisions.exclude(approved_go_live_at=None).exists()

    embargoed = future_dated(paper, now + timedelta(hours=5))
    assert client.post(f"/admin/newsroom/calendar/{embargoed.pk}/unschedule/").status_code == 302
    assert not ArticlePage.objects.get(pk=embargoed.pk).live


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("", "Give the new time as a date and a time"),
        ("tomorrow at noon", "Give the new time as a date and a time"),
        ("x" * 10_000, "Give the new time as a date and a time"),
        ("2026-12-03T10:00\r\nSet-Cookie: a=b", "Give the new time as a date and a time"),
        ("2001-01-01T10:00", "Choose a time to come, or publish it now."),
        ("2099-01-01T10:00+05:00", "Give the time without a zone"),
    ],
)
def test_a_bad_new_time_is_refused_and_the_schedule_kept(client, paper, publisher, when, message):
    moment = timezone.now() + timedelta(hours=2)
    article = scheduled_draft(paper, moment)
    response = client.post(
        f"/admin/newsroom/calendar/{article.pk}/move/", {"when": when}, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(
        article.revisions.exclude(approved_go_live_at=None).values_list(
            "approved_go_live_at", flat=True
        )
    ) == [moment]


@pytest.mark.django_db
def test_what_is_not_scheduled_or_not_there_gets_a_message(client, paper, publisher):
    story = paper.article(title="Long published")
    for action in ("move", "unschedule", "publish"):
        response = client.post(
            f"/admin/newsroom/calendar/{story.pk}/{action}/",
            {"when": "2099-01-01T10:00"},
            follow=True,
        )
        assert response.status_code == 200
        assert "“Long published” is not scheduled." in response.content.decode()
        response = client.post(
            f"/admin/newsroom/calendar/999999/{action}/", {"when": "2099-01-01T10:00"}, follow=True
        )
        assert "There is no such article." in response.content.decode()
    assert client.get(f"/admin/newsroom/calendar/{story.pk}/publish/").status_code == 405
    assert client.post("/admin/newsroom/calendar/abc/publish/").status_code == 404


@pytest.mark.django_db
def test_only_who_may_publish_the_page_changes_its_schedule(client, paper, writer):
    moment = timezone.now() + timedelta(hours=2)
    article = scheduled_draft(paper, moment)
    assert "Zanzibar deal signed" in get(client, "/admin/newsroom/calendar/")
    for action in ("move", "unschedule", "publish"):
        response = client.post(
            f"/admin/newsroom/calendar/{article.pk}/{action}/",
            {"when": "2099-01-01T10:00"},
            follow=True,
        )
        assert response.status_code == 200
        assert "You may not publish “Zanzibar deal signed”." in response.content.decode()
    assert not ArticlePage.objects.get(pk=article.pk).live
    assert list(
        article.revisions.exclude(approved_go_live_at=None).values_list(
            "approved_go_live_at", flat=True
        )
    ) == [moment]


@pytest.mark.django_db
def test_the_calendar_needs_a_signed_in_editor(client, paper):
    response = client.get("/admin/newsroom/calendar/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    article = paper.article(title="Kept", date=timezone.now() + timedelta(hours=1))
    response = client.post(f"/admin/newsroom/calendar/{article.pk}/unschedule/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert ArticlePage.objects.get(pk=article.pk).live


@pytest.mark.django_db
def test_the_schedule_fields_say_the_time_zone(client, paper, publisher, settings):
    story = paper.article(title="Any")
    html = get(client, f"/admin/pages/{story.pk}/edit/")
    assert html.count(f"Times are in {settings.TIME_ZONE}.") >= 3  # date, go live, expire


# The warning that no worker runs


@pytest.mark.django_db
def test_every_admin_page_warns_while_no_worker_beats(client, paper, publisher, worker_backend):
    from masthead.core.tasks import send_email

    send_email.enqueue("Subject", "Body", ["reader@example.org"])
    for url in ("/admin/", "/admin/pages/", "/admin/newsroom/calendar/", "/admin/users/"):
        html = get(client, url)
        assert WARNING in html, url
        assert "1 task waits for it." in html
    assert WARNING not in get(client, "/")  # readers never see it

    beat("host:1:abc", "worker")
    assert worker_is_running()
    assert WARNING not in get(client, "/admin/")

    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=61))
    assert not worker_is_running()
    assert WARNING in get(client, "/admin/")


@pytest.mark.django_db
def test_no_warning_where_tasks_run_in_the_request(client, paper, publisher):
    assert worker_is_running()  # TASKS_BACKEND=immediate: nothing waits for a worker
    assert WARNING not in get(client, "/admin/")


# With a real worker


def start_worker(env):
    return subprocess.Popen(
        [MASTHEAD, "db_worker", "--backend", "worker", "--interval", "1", "--no-startup-delay"],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


ADMIN_PAGE = """
from django.contrib.auth import get_user_model
from django.test import Client
user = get_user_model().objects.filter(is_superuser=True).first()
client = Client(HTTP_HOST="localhost")
client.force_login(user)
response = client.get("/admin/")
assert response.status_code == 200, response.status_code
print("WARNING" if "The task worker is not running" in response.content.decode() else "QUIET")
"""


def admin_says(site, env):
    return site.masthead("shell", "-c", ADMIN_PAGE, env=env).strip().splitlines()[-1]


@pytest.mark.live
@pytest.mark.own_database
def test_the_warning_follows_a_real_worker_started_and_killed(sqlite_site):
    env = sqlite_site.env(TASKS_WORKER_HEARTBEAT="0.5", TASKS_WORKER_STALE_AFTER="3")
    assert admin_says(sqlite_site, env) == "WARNING"
    worker = start_worker(env)
    try:
        wait_for(lambda: admin_says(sqlite_site, env) == "QUIET", 60, "the warning stayed")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        # the killed worker's last beat stays behind; the warning is back once it is stale
        wait_for(lambda: admin_says(sqlite_site, env) == "WARNING", 60, "no warning came")
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)


SCHEDULE = """
import json
from datetime import timedelta
from django.utils import timezone
from masthead.articles.models import ArticlePage
article = ArticlePage.objects.live().order_by("-date").first()
article.unpublish()
moment = timezone.now() + timedelta(seconds={seconds})
article.go_live_at = moment
article.title = "Scheduled for the worker"
article.save_revision().publish()
print(json.dumps([article.pk, moment.isoformat(), article.url]))
"""

STATE = """
import json
from django.utils import timezone
from masthead.articles.models import ArticlePage
article = ArticlePage.objects.get(pk={pk})
print(json.dumps([article.live, article.last_published_at and article.last_published_at.isoformat(),
                  timezone.now().isoformat()]))
"""


@pytest.mark.live
@pytest.mark.own_database
def test_a_scheduled_article_goes_live_through_the_worker_within_a_minute(sqlite_site):
    env = sqlite_site.env()
    worker = start_worker(env)
    try:
        out = sqlite_site.masthead("shell", "-c", SCHEDULE.replace("{seconds}", "5"), env=env)
        pk, moment, url = json.loads(out.strip().splitlines()[-1])

        def state():
            out = sqlite_site.masthead("shell", "-c", STATE.replace("{pk}", str(pk)), env=env)
            return json.loads(out.strip().splitlines()[-1])

        live, published_at, now = state()
        if now < moment:
            assert not live  # not early
        wait_for(lambda: state()[0], 90, "the scheduled article never went live")
        live, published_at, now = state()
        late = timezone.datetime.fromisoformat(published_at) - timezone.datetime.fromisoformat(
            moment
        )
        assert timedelta(0) <= late < timedelta(minutes=1), late
    finally:
        worker.terminate()
        worker.wait(20)
