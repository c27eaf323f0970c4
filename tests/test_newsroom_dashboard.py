"""The editor's dashboard on the admin's home page (masthead/newsroom/dashboard.py): my drafts,
waiting for my review (with assignee and due date), scheduled today, recently published,
comments waiting, and articles published per day per section, each panel in few queries."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import TaskState

from masthead.comments.models import Comment
from masthead.newsroom import dashboard
from masthead.newsroom.flows import assign_review
from masthead.newsroom.models import SectionReviewState
from tests.test_newsroom_roles import newsroom_with_economics_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(paper):
    return newsroom_with_economics_desk(paper)


def home(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def panel(html, panel_id):
    """The HTML of one dashboard panel."""
    start = html.index(f'id="{panel_id}-section"') if f'id="{panel_id}-section"' in html else None
    assert start is not None, f"no panel {panel_id}"
    end = html.find('<section class="w-panel', start + 1)
    return html[start : end if end != -1 else len(html)]


def submit(newsroom, title, section=None):
    writer = newsroom.users["contributor"]
    article = newsroom.article(section or newsroom.paper.world, owner=writer, live=False)
    article.title = title
    article.save_revision(user=writer)
    article.get_workflow().start(article, writer)
    return article


def state_of(article):
    return SectionReviewState.objects.get(
        workflow_state__object_id=str(article.pk), status=TaskState.STATUS_IN_PROGRESS
    )


def test_my_drafts_are_mine_only(client, newsroom):
    writer = newsroom.users["contributor"]
    mine = newsroom.article(owner=writer, live=False, title="My own draft")
    mine.title = "My own draft, retitled"
    mine.save_revision(user=writer)
    newsroom.article(live=False, title="Someone else's draft")
    html = panel(home(client, writer), "my_drafts")
    assert "My own draft, retitled" in html and "Someone else" not in html
    assert f'href="/admin/pages/{mine.pk}/edit/"' in html


def test_waiting_for_review_lists_the_desks_submissions_with_assignee_and_due_date(
    client, newsroom
):
    editor = newsroom.users["section_editor"]
    later = submit(newsroom, "Harbour fees rise")
    first = submit(newsroom, "Ferry strike ends")
    submit(newsroom, "Bank rates held", section=newsroom.paper.banking)  # another desk's
    assign_review(state_of(first), editor, editor, due_date=date(2026, 1, 2))
    assign_review(state_of(later), editor, newsroom.users["chief"], due_date=None)

    html = panel(home(client, editor), "waiting_for_review")
    assert "Bank rates held" not in html
    assert html.index("Ferry strike ends") < html.index("Harbour fees rise")  # mine first
    row = html[html.index("Ferry strike ends") :].split("</tr>")[0]
    assert "You" in row and "Fri 2 Jan" in row and "Overdue" in row
    row = html[html.index("Harbour fees rise") :].split("</tr>")[0]
    assert "Chief" in row and "—" in row
    assert "Contributor" in row  # the writer

    economics = panel(home(client, newsroom.users["economics_editor"]), "waiting_for_review")
    assert "Bank rates held" in economics and "Ferry strike ends" not in economics
    assert "workflow_objects_to_moderate" not in home(client, editor)  # Wagtail's own, replaced


def test_a_contributor_sees_no_review_or_comment_panel(client, newsroom):
    html = home(client, newsroom.users["contributor"])
    assert 'id="waiting_for_review-section"' not in html
    assert 'id="comments_waiting-section"' not in html
    assert 'id="my_drafts-section"' in html


def test_scheduled_today_and_recently_published(client, newsroom):
    soon = timezone.now() + timedelta(minutes=5)
    if timezone.localtime(soon).date() != timezone.localdate():
        soon = timezone.now()  # just before midnight: an embargo of now is still today's
    newsroom.article(title="Embargoed report", date=soon)
    newsroom.article(title="Out this morning", date=timezone.now() - timedelta(minutes=30))
    html = home(client, newsroom.users["chief"])
    assert "Embargoed report" in panel(html, "scheduled_today")
    recent = panel(html, "recently_published")
    assert "Out this morning" in recent and "Embargoed report" not in recent


def test_comments_waiting_for_moderators(client, newsroom, paper):
    article = newsroom.article(title="Discussed story")
    reader = newsroom.users["reader"]
    Comment.objects.create(article=article, author=reader, body="<script>alert(1)</script> Hi")
    Comment.objects.create(
        article=article, author=reader, body="Approved one", status=Comment.Status.APPROVED
    )
    html = panel(home(client, newsroom.users["chief"]), "comments_waiting")
    assert "1 comment waiting" in html and "Approved one" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hi" in html and "<script>alert" not in html


def test_the_chart_counts_articles_per_day_per_section(client, newsroom, paper):
    now = timezone.now()
    for days_ago, section in [
        (0, paper.world),
        (0, paper.news),
        (1, paper.banking),
        (40, paper.news),
    ]:
        newsroom.article(section, date=now - timedelta(days=days_ago, minutes=1))
    days, sections, counts = dashboard.published_per_day(today=timezone.localdate())
    assert len(days) == 30 and days[-1] == timezone.localdate()
    news_today = 2 if timezone.localtime(now - timedelta(minutes=1)).date() == days[-1] else 0
    assert sum(counts["News"]) == 2 and sum(counts["Economics"]) == 1
    assert counts["News"][-1] == news_today
    html = panel(home(client, newsroom.users["chief"]), "published_chart")
    assert 'role="img" aria-labelledby="published-chart-title"' in html
    assert len(re.findall(r"<rect x=", html)) >= 2
    assert '<th scope="col">News</th>' in html and '<th scope="col">Economics</th>' in html
    assert "News (2)" in html and "Economics (1)" in html


def test_the_chart_with_nothing_published_says_so(client, paper):
    days, sections, counts = dashboard.published_per_day()
    assert sections == [] and counts == {}


@pytest.mark.parametrize(
    "panel_class",
    [
        dashboard.MyDrafts,
        dashboard.WaitingForReview,
        dashboard.ScheduledToday,
        dashboard.RecentlyPublished,
        dashboard.CommentsWaiting,
        dashboard.PublishedChart,
    ],
)
def test_each_panel_costs_few_queries_whatever_it_lists(newsroom, panel_class):
    editor = newsroom.users["section_editor"]
    for number in range(6):
        submit(newsroom, f"Submission {number}")
        newsroom.article(title=f"Published {number}")
    with CaptureQueriesContext(connection) as queries:
        panel_class(editor).render_html({})
    # Waiting for review also asks Wagtail which other workflows' reviews the editor may
    # decide, as Wagtail's own panel does: its active tasks, and the groups of each.
    limit = 7 if panel_class is dashboard.WaitingForReview else 3
    assert len(queries) <= limit, [query["sql"] for query in queries]


def test_the_status_side_panel_names_the_reviewer_and_the_due_date(client, newsroom):
    editor = newsroom.users["section_editor"]
    article = submit(newsroom, "Tide tables change")
    client.force_login(editor)
    edit = f"/admin/pages/{article.pk}/edit/"
    response = client.get(edit)
    assert response.status_code == 200 and "data-review-assignment" not in response.content.decode()
    assign_review(state_of(article), editor, newsroom.users["chief"], due_date=date(2026, 12, 24))
    response = client.get(edit)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reviewer: Chief · due Thu 24 Dec 2026" in html


def test_a_vacancy_sent_from_the_site_waits_for_review_beside_the_articles(client, newsroom):
    """Other workflows' reviews stay on the dashboard: a listing an organisation submitted, with
    no account behind it, waits for the editor-in-chief (Wagtail's moderators)."""
    from masthead.jobs.views import create_submission
    from tests.jobs_fixtures import JobsBoard

    board = JobsBoard(newsroom.paper).vacancies
    listing = create_submission(
        board,
        {
            "title": "Night shift supervisor",
            "organisation_name": "Harbour Works",
            "closing_date": date.today() + timedelta(days=20),
            "description": "Lead the night team.",
            "submitter_name": "Ama",
            "submitter_email": "ama@example.org",
            "apply_email": "jobs@harbour.example.org",
        },
    )
    assert listing.workflow_in_progress
    submit(newsroom, "Harbour fees rise")
    chief = newsroom.users["chief"]
    chief.groups.add(Group.objects.get(name="Moderators"))
    waiting = panel(home(client, chief), "waiting_for_review")
    assert "Night shift supervisor" in waiting
    assert "Sent from the site" in waiting
    assert "Harbour fees rise" in waiting
