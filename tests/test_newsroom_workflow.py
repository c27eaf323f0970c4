"""The section desk review (masthead/newsroom/models.py): a submission waits for the section
editors of the article's desk, who approve and publish it, send it back with a comment, or
name a reviewer and a due date; the writer and the reviewers are told by e-mail, through a
real SMTP server."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import Page, TaskState, WorkflowState

from masthead.newsroom.desks import reviewers
from masthead.newsroom.models import SectionDeskReviewTask, SectionReviewState
from tests.test_newsroom_roles import Newsroom, newsroom_with_economics_desk

pytestmark = pytest.mark.django_db


@pytest.fixture
def newsroom(paper):
    return newsroom_with_economics_desk(paper)


@pytest.fixture
def submitted(newsroom, django_capture_on_commit_callbacks, smtp_server):
    """A contributor's draft in News/World, submitted to the newsroom's workflow."""
    writer = newsroom.users["contributor"]
    article = newsroom.article(newsroom.paper.world, owner=writer, live=False)
    workflow = article.get_workflow()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.start(article, writer)
    article.refresh_from_db()
    return article


def current_state(article):
    return TaskState.objects.get(
        workflow_state__object_id=str(article.pk), status=TaskState.STATUS_IN_PROGRESS
    ).specific


def action_url(article, action):
    return reverse(
        "wagtailadmin_pages:workflow_action", args=[article.pk, action, current_state(article).pk]
    )


def mails_to(mailbox, address):
    return [message for message in mailbox.messages if address in message.recipients]


def test_the_default_workflow_is_the_section_desk_review_on_every_page(paper):
    article = Newsroom(paper).article()
    workflow = article.get_workflow()
    assert workflow.name == "Newsroom review"
    assert [task.specific.__class__ for task in workflow.tasks] == [SectionDeskReviewTask]
    assert Page.objects.get(depth=1).get_workflow() == workflow


def test_a_submission_waits_for_its_desk_and_tells_its_section_editors(
    newsroom, submitted, smtp_server
):
    state = current_state(submitted)
    assert isinstance(state, SectionReviewState)
    assert submitted.workflow_in_progress and not submitted.live
    assert set(reviewers(submitted)) == {newsroom.users["section_editor"]}
    news_editor = newsroom.users["section_editor"].email
    assert [m["Subject"] for m in mails_to(smtp_server, news_editor)] == [
        f"Waiting for your review: {submitted.title}"
    ]
    body = mails_to(smtp_server, news_editor)[0].get_content()
    assert f"{settings.SITE_URL}/admin/pages/{submitted.pk}/edit/" in body
    # Not the other desk, not the whole-site roles, not the writer.
    for role in ("economics_editor", "chief", "contributor", "author"):
        assert mails_to(smtp_server, newsroom.users[role].email) == [], role


def test_only_the_desk_can_act_on_the_review(client, newsroom, submitted):
    task = current_state(submitted).task.specific
    for role, can in [
        ("section_editor", True),
        ("chief", True),
        ("contributor", False),
        ("author", False),
        ("economics_editor", False),
        ("admin", False),
    ]:
        actions = [name for name, _, _ in task.get_actions(submitted, newsroom.users[role])]
        assert actions == (["reject", "approve", "approve", "assign"] if can else []), role
    client.force_login(newsroom.users["contributor"])
    response = client.post(action_url(submitted, "approve"), {"comment": "Self-approved"})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    submitted.refresh_from_db()
    assert not submitted.live and submitted.workflow_in_progress
    client.force_login(newsroom.users["economics_editor"])
    response = client.post(action_url(submitted, "approve"), {"comment": ""})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    submitted.refresh_from_db()
    assert not submitted.live


def test_the_writer_cannot_edit_while_the_desk_reviews(client, newsroom, submitted):
    task = current_state(submitted).task.specific
    assert task.locked_for_user(submitted, newsroom.users["contributor"])
    assert not task.locked_for_user(submitted, newsroom.users["section_editor"])


def test_the_section_editor_approves_and_it_is_published_and_the_writer_told(
    client, newsroom, submitted, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(newsroom.users["section_editor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            action_url(submitted, "approve"), {"comment": "Good to go"}, follow=False
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.live and not submitted.workflow_in_progress
    assert WorkflowState.objects.get(object_id=str(submitted.pk)).status == "approved"
    assert client.get(submitted.url).status_code == 200
    to_writer = mails_to(smtp_server, newsroom.users["contributor"].email)
    assert [m["Subject"] for m in to_writer] == [f"Approved and published: {submitted.title}"]
    assert "Good to go" in to_writer[0].get_content()


def test_sent_back_with_a_comment_the_writer_receives_it(
    client, newsroom, submitted, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(newsroom.users["section_editor"])
    comment = "Check the figures in the third paragraph <script>alert(1)</script>"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(submitted, "reject"), {"comment": comment})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert not submitted.live
    assert WorkflowState.objects.get(object_id=str(submitted.pk)).status == "needs_changes"
    to_writer = mails_to(smtp_server, newsroom.users["contributor"].email)
    assert [m["Subject"] for m in to_writer] == [f"Sent back: {submitted.title}"]
    text = to_writer[0].get_content()
    assert comment in text  # a plain-text e-mail: shown as written, nothing runs
    assert text.startswith("Sectioneditor sent")
    # Wagtail's own in-request e-mail is not sent as well.
    assert len(to_writer) == 1


def test_a_section_editor_names_a_reviewer_and_a_due_date(
    client, newsroom, submitted, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(newsroom.users["section_editor"])
    reviewer = newsroom.users["chief"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            action_url(submitted, "assign"),
            {"assignee": reviewer.pk, "due_date": "2026-12-24", "comment": "Before the holiday"},
        )
    assert response.status_code == 302
    state = current_state(submitted)
    assert (state.assignee, state.due_date) == (reviewer, date(2026, 12, 24))
    assert submitted.workflow_in_progress  # still waiting, now for them
    mail = mails_to(smtp_server, reviewer.email)
    assert [m["Subject"] for m in mail] == [f"Assigned to you: {submitted.title}"]
    assert "Thursday 24 December 2026" in mail[0].get_content()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"assignee": "", "due_date": ""},
        {"assignee": "999999", "due_date": "2026-12-24"},
        {"assignee": "1 OR 1=1", "due_date": "2026-12-24"},
        {"assignee": "<script>", "due_date": "tomorrow"},
        {"assignee": "REVIEWER", "due_date": "2026-02-30"},
        {"assignee": "REVIEWER", "due_date": "x" * 10_000},
        {"assignee": "REVIEWER", "comment": "x" * 10_000},
        {"assignee": "REVIEWER", "comment": "Line\x00break\x07"},
        {"assignee": "CONTRIBUTOR"},  # cannot publish anywhere: not a reviewer
    ],
    ids=[
        "empty",
        "blank",
        "unknown-user",
        "sql",
        "script",
        "impossible-date",
        "huge-date",
        "huge-comment",
        "control-characters",
        "not-a-reviewer",
    ],
)
def test_a_bad_assignment_is_refused_with_the_form_and_changes_nothing(
    client, newsroom, submitted, data
):
    client.force_login(newsroom.users["section_editor"])
    state = current_state(submitted)
    state.assignee = newsroom.users["section_editor"]
    state.save()
    values = {
        key: {
            "REVIEWER": newsroom.users["chief"].pk,
            "CONTRIBUTOR": newsroom.users["contributor"].pk,
        }.get(value, value)
        for key, value in data.items()
    }
    response = client.post(
        action_url(submitted, "assign"), values, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert response.status_code == 200
    payload = response.json()
    assert payload["step"] == "action"  # the form again, with its errors
    assert "error" in payload["html"]
    state = current_state(submitted)
    assert state.assignee == newsroom.users["section_editor"] and state.due_date is None


def test_the_review_is_listed_for_its_desk_on_the_dashboard(client, newsroom, submitted):
    task = current_state(submitted).task.specific
    waiting = task.get_task_states_user_can_moderate(newsroom.users["section_editor"])
    assert [state.pk for state in waiting] == [current_state(submitted).pk]
    assert not task.get_task_states_user_can_moderate(newsroom.users["economics_editor"]).exists()
    assert not task.get_task_states_user_can_moderate(newsroom.users["contributor"]).exists()
    client.force_login(newsroom.users["section_editor"])
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert submitted.title in response.content.decode()
