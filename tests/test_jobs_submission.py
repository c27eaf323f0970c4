"""Organisations submit listings through a public form; editors approve or reject them."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from wagtail.models import WorkflowState

from masthead.images.models import NewsImage
from masthead.jobs.models import Organisation, Scholarship, Vacancy
from tests.jobs_fixtures import JobsBoard


@pytest.fixture
def jobs(paper):
    board = JobsBoard(paper)
    board.vacancies.moderators_email = "jobs-desk@example.org"
    board.vacancies.save()
    return board


def png(size=(200, 100), extra=b""):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue() + extra, content_type="image/png")


def vacancy_data(**changes):
    data = {
        "organisation_name": "Harbour Logistics",
        "organisation_website": "https://harbour.example.org",
        "title": "Warehouse supervisor",
        "summary": "Run the night shift at the port warehouse.",
        "employment_type": "FULL_TIME",
        "workplace": "onsite",
        "location": "Tema",
        "country": "Ghana",
        "salary_min": "3000",
        "salary_max": "4500",
        "salary_currency": "ghs",
        "salary_period": "MONTH",
        "closing_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "description": "Lead a team of twelve.\n\nShifts from 22:00 & weekends.",
        "apply_url": "https://harbour.example.org/jobs/42",
        "apply_email": "",
        "submitter_name": "Efua Owusu",
        "submitter_email": "efua@harbour.example.org",
        "homepage": "",
    }
    data.update(changes)
    return data


def submit(client, jobs, board=None, **changes):
    board = board or jobs.vacancies
    data = vacancy_data(**changes)
    return client.post(board.url + "submit/", data)


def counts():
    return (
        Vacancy.objects.count(),
        Scholarship.objects.count(),
        Organisation.objects.count(),
        NewsImage.objects.count(),
    )


def test_the_form_is_on_the_board(client, jobs):
    response = client.get(jobs.vacancies.url + "submit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html
    assert 'name="homepage"' in html
    assert "Submit a vacancy" in client.get(jobs.vacancies.url).content.decode()


def test_a_submission_goes_to_moderation(client, jobs, smtp_server):
    before = counts()
    response = submit(client, jobs, logo=png())
    assert response.status_code == 302
    assert response["Location"].endswith("submit/?sent=1")
    assert "reached our editors" in client.get(response["Location"]).content.decode()
    vacancy = Vacancy.objects.get(title="Warehouse supervisor")
    assert not vacancy.live
    assert counts() == (before[0] + 1, before[1], before[2] + 1, before[3] + 1)
    assert vacancy.organisation.logo.width == 200
    assert vacancy.salary_currency == "GHS"
    assert vacancy.description == (
        "<p>Lead a team of twelve.</p><p>Shifts from 22:00 &amp; weekends.</p>"
    )
    state = WorkflowState.objects.get(object_id=str(vacancy.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    # Not public until approved.
    assert client.get(jobs.vacancies.url).content.decode().count("job-card__title") == 0
    [alert] = smtp_server.messages
    assert alert.recipients == ["jobs-desk@example.org"]
    assert "Warehouse supervisor" in alert["Subject"]
    assert f"/admin/pages/{vacancy.pk}/edit/" in alert.get_content()
    assert not any("efua@" in r for m in smtp_server.messages for r in m.recipients)


def test_approving_publishes_and_tells_the_submitter(client, jobs, smtp_server):
    submit(client, jobs)
    vacancy = Vacancy.objects.get(title="Warehouse supervisor")
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    task_state = vacancy.current_workflow_task_state
    task_state.task.specific.on_action(task_state, editor, "approve")
    vacancy.refresh_from_db()
    assert vacancy.live
    assert "Warehouse supervisor" in client.get(jobs.vacancies.url).content.decode()
    [notice] = [m for m in smtp_server.messages if "efua@harbour.example.org" in m.recipients]
    assert "published" in notice["Subject"]
    assert vacancy.full_url in notice.get_content()
    # Publishing an edit later does not tell them again.
    vacancy.save_revision(user=editor).publish()
    assert len([m for m in smtp_server.messages if "efua@" in m.recipients[0]]) == 1


def test_rejecting_tells_the_submitter_with_the_note(client, jobs, smtp_server):
    submit(client, jobs)
    vacancy = Vacancy.objects.get(title="Warehouse supervisor")
    editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    task_state = vacancy.current_workflow_task_state
    task_state.task.specific.on_action(
        task_state, editor, "reject", comment="We only list jobs in the paper's region."
    )
    vacancy.refresh_from_db()
    assert not vacancy.live
    [notice] = [m for m in smtp_server.messages if "efua@harbour.example.org" in m.recipients]
    assert "not published" in notice["Subject"]
    assert "We only list jobs in the paper's region." in notice.get_content()


def test_a_scholarship_submission(client, jobs):
    data = {
        **vacancy_data(),
        "organisation_name": "Volta College",  # already known: reused, not changed
        "title": "Masters in hydrology",
        "level": "masters",
        "field_of_study": "Hydrology",
        "country": "Ghana",
        "funding": "Full tuition and a stipend",
        "eligibility": "Graduates in science.",
        "apply_url": "",
        "apply_email": "grants@volta.example.org",
    }
    response = client.post(jobs.scholarships.url + "submit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    scholarship = Scholarship.objects.get(title="Masters in hydrology")
    assert scholarship.organisation == jobs.college
    assert scholarship.eligibility == "<p>Graduates in science.</p>"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"submitter_email": "not-an-address"}, "submitter_email", "valid email"),
        ({"apply_email": "a@b", "apply_url": ""}, "apply_email", "valid email"),
        ({"closing_date": "2001-01-01"}, "closing_date", "has passed"),
        ({"closing_date": "31/02/2030"}, "closing_date", "day/month/year"),
        ({"title": "T" * 10_000}, "title", "at most 200 characters"),
        ({"description": "D" * 10_001}, "description", "at most 10000 characters"),
        ({"title": "\u202eEVIL"}, "title", "change the direction"),
        ({"organisation_name": "Acme\u202e"}, "organisation_name", "change the direction"),
        ({"submitter_name": "Efua\r\nBcc: x@example.org"}, "submitter_name", "one line"),
        ({"description": "Hi \x00 there"}, "description", "null characters"),
        ({"apply_url": "http://127.0.0.1:22/"}, "apply_url", "public web address"),
        ({"apply_url": "http://10.0.0.5/admin"}, "apply_url", "public web address"),
        ({"apply_url": "http://[::1]/"}, "apply_url", "public web address"),
        ({"apply_url": "http://localhost:8000/"}, "apply_url", "public web address"),
        ({"apply_url": "https://intranet/"}, "apply_url", "public web address"),
        ({"apply_url": "https://example.org:2222/"}, "apply_url", "public web address"),
        ({"apply_url": "ftp://example.org/jobs"}, "apply_url", "public web address"),
        ({"organisation_website": "http://192.168.1.1/"}, "organisation_website", "public"),
        ({"apply_url": "", "apply_email": ""}, "apply_url", "web address or an e-mail"),
        ({"apply_url": "javascript:alert(1)"}, "apply_url", "valid URL"),
        ({"salary_min": "9000", "salary_max": "10"}, "salary_max", "below its bottom"),
        ({"salary_currency": "", "salary_min": "10"}, "salary_currency", "currency"),
        ({"salary_min": "'; DROP TABLE jobs_vacancy;--"}, "salary_min", "number"),
        ({"location": "", "country": ""}, "location", "where the work is"),
        ({"employment_type": "SLAVE"}, "employment_type", "valid choice"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(client, jobs, changes, field, message):
    before = counts()
    response = submit(client, jobs, **changes)
    assert response.status_code == 400
    form = response.context["form"]
    assert message.lower() in " ".join(form.errors[field]).lower()
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "Please correct the fields marked below" in html
    if field != "title":
        assert 'value="Warehouse supervisor"' in html  # what was typed is kept
    assert counts() == before


def test_a_file_that_is_not_a_picture_is_refused(client, jobs):
    before = counts()
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)></svg>", "image/png")
    response = submit(client, jobs, logo=fake)
    assert response.status_code == 400
    assert "valid image" in " ".join(response.context["form"].errors["logo"])
    assert counts() == before


def test_a_logo_over_2_mb_is_refused_next_to_the_field(client, jobs):
    before = counts()
    response = submit(client, jobs, logo=png(extra=b"\0" * (2_600_000)))
    assert response.status_code == 400
    assert "2.5 MB" in " ".join(response.context["form"].errors["logo"])
    assert counts() == before


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_60_mb_logo_is_refused_from_its_size_without_being_read(client, jobs):
    before = counts()
    url = jobs.vacancies.url + "submit/"
    boundary = "multipart/form-data; boundary=BoUnDaRy"
    for length in (60 * 1024 * 1024, 4 * 1024 * 1024):  # the site's cap, then the form's
        response = client.generic(
            "POST", url, b"", boundary, CONTENT_LENGTH=str(length), **{"wsgi.input": Unreadable()}
        )
        assert response.status_code == 413
    assert "What you sent was too large" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert counts() == before


def test_a_huge_picture_is_refused(client, jobs):
    response = submit(client, jobs, logo=png(size=(5000, 10)))
    assert response.status_code == 400
    assert "5000×10 px" in " ".join(response.context["form"].errors["logo"])


def test_the_honeypot_stores_nothing(client, jobs, smtp_server):
    before = counts()
    response = submit(client, jobs, homepage="https://spam.example")
    assert response.status_code == 302
    assert counts() == before
    assert smtp_server.messages == []


def test_submissions_are_rate_limited(client, jobs, settings):
    settings.JOBS_SUBMIT_RATE = "2/3600"
    assert submit(client, jobs).status_code == 302
    assert submit(client, jobs, title="Second").status_code == 302
    before = counts()
    response = submit(client, jobs, title="Third")
    assert response.status_code == 429
    assert "Too many submissions" in response.content.decode()
    assert 'value="Third"' in response.content.decode()
    assert counts() == before


def test_csrf_is_enforced(jobs):
    client = Client(enforce_csrf_checks=True)
    before = counts()
    assert submit(client, jobs).status_code == 403
    assert counts() == before


def test_same_title_twice_gets_its_own_address(client, jobs):
    submit(client, jobs)
    submit(client, jobs)
    slugs = sorted(Vacancy.objects.values_list("slug", flat=True))
    assert slugs == ["warehouse-supervisor", "warehouse-supervisor-2"]


def test_a_mail_server_that_is_down_loses_no_submission(client, jobs, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = submit(client, jobs)
    assert response.status_code == 302
    assert Vacancy.objects.filter(title="Warehouse supervisor", live=False).exists()


def test_corrections_do_not_count_against_the_limit(client, jobs, settings):
    settings.JOBS_SUBMIT_RATE = "1/3600"
    for _ in range(3):
        assert submit(client, jobs, title="").status_code == 400
    response = submit(client, jobs)
    assert response.status_code == 302
    limited = submit(client, jobs, title="Second")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_the_form_is_never_cached(client, jobs):
    response = client.get(jobs.vacancies.url + "submit/")
    assert "no-store" in response["Cache-Control"]
