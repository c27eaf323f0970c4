"""End-to-end: an organisation submits a vacancy; an editor approves it in Wagtail's admin."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image

from masthead.jobs.models import Vacancy
from tests.jobs_fixtures import JobsBoard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_an_organisation_submits_a_vacancy_and_an_editor_approves_it(
    browser, live_paper, screenshot, tmp_path
):
    jobs = JobsBoard(live_paper)
    jobs.vacancy("Mine engineer")
    get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password")
    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 240), (30, 90, 160)).save(logo)

    page = browser.new_page(viewport=PHONE)
    page.goto(live_paper.url + jobs.vacancies.url)
    screenshot(page, "jobs-board-phone")
    page.click("text=Submit a vacancy")
    page.wait_for_url("**/job-vacancies/submit/")
    page.fill("#id_organisation_name", "Harbour Logistics")
    page.set_input_files("#id_logo", str(logo))
    page.fill("#id_title", "Night shift supervisor")
    page.select_option("#id_employment_type", "PART_TIME")
    page.fill("#id_location", "Tema")
    page.fill("#id_closing_date", "2001-01-01")  # in the past: refused, the rest kept
    page.fill("#id_description", "Lead the night team.\n\nTwelve people, three shifts.")
    page.fill("#id_apply_email", "jobs@harbour.example.org")
    page.fill("#id_submitter_name", "Efua Owusu")
    page.fill("#id_submitter_email", "efua@harbour.example.org")
    page.click("text=Send for review")
    assert "This date has passed" in page.locator(".form-field--error").inner_text()
    assert page.input_value("#id_title") == "Night shift supervisor"
    screenshot(page, "jobs-submit-error-phone")
    closing = timezone.localdate() + timedelta(days=10)
    page.fill("#id_closing_date", closing.isoformat())
    page.set_input_files("#id_logo", str(logo))
    page.click("text=Send for review")
    page.wait_for_url("**/submit/?sent=1")
    assert "reached our editors" in page.locator(".form-done").inner_text()
    screenshot(page, "jobs-submit-done-phone")
    vacancy = Vacancy.objects.get(title="Night shift supervisor")
    assert not vacancy.live

    admin = browser.new_page(viewport=DESKTOP)
    admin.goto(live_paper.url + "/admin/login/")
    admin.fill("#id_username", "editor")
    admin.fill("#id_password", "a-long-password")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/admin/")
    review = admin.locator("section", has_text="Waiting for my review")
    assert "Night shift supervisor" in review.inner_text()
    screenshot(admin, "jobs-admin-dashboard")
    admin.goto(live_paper.url + f"/admin/pages/{vacancy.pk}/edit/")
    admin.fill("#id_summary", "Lead the port's night team.")  # editors may edit first
    admin.locator("footer [data-w-dropdown-target=toggle]").last.click()
    admin.click(
        "footer button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    )
    admin.wait_for_url("**/admin/pages/*/")  # back to the list of the board's pages
    screenshot(admin, "jobs-admin-approved")
    admin.wait_for_load_state("networkidle")
    admin.close()  # no admin request may outlive the test's database
    vacancy.refresh_from_db()
    assert vacancy.live
    assert vacancy.summary == "Lead the port's night team."

    page.goto(live_paper.url + jobs.vacancies.url)
    assert "Night shift supervisor" in page.locator(".job-list").inner_text()
    page.click("text=Night shift supervisor")
    assert page.locator("h1").inner_text() == "Night shift supervisor"
    screenshot(page, "jobs-vacancy-phone")
    page.set_viewport_size(DESKTOP)
    page.goto(live_paper.url + jobs.vacancies.url)
    screenshot(page, "jobs-board-desktop")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    page.close()
