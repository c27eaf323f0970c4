"""A Jobs & Scholarships section with its two boards, and listings made to order."""

import itertools
from datetime import timedelta

from django.utils import timezone

from masthead.jobs.models import Organisation, Scholarship, ScholarshipBoard, Vacancy, VacancyBoard
from tests.conftest import make_image, make_section

_numbers = itertools.count(1)


class JobsBoard:
    def __init__(self, paper):
        self.paper = paper
        self.section = make_section(paper.home, "Jobs & Scholarships")
        self.vacancies = VacancyBoard(
            title="Job Vacancies", slug="job-vacancies", show_in_menus=True
        )
        self.section.add_child(instance=self.vacancies)
        self.scholarships = ScholarshipBoard(
            title="Scholarships", slug="scholarships", show_in_menus=True
        )
        self.section.add_child(instance=self.scholarships)
        self.acme = Organisation.objects.create(
            name="Acme Mining",
            website="https://acme.example.org",
            logo=make_image("Acme logo", (10, 120, 60), (300, 150)),
        )
        self.college = Organisation.objects.create(name="Volta College")

    def vacancy(self, title=None, closes_in=30, organisation=None, **kwargs):
        number = next(_numbers)
        vacancy = Vacancy(
            title=title or f"Vacancy number {number}",
            organisation=organisation or self.acme,
            closing_date=timezone.localdate() + timedelta(days=closes_in),
            description=f"<p>The work of vacancy {number}.</p>",
            apply_url="https://acme.example.org/apply",
            location=kwargs.pop("location", "Accra"),
            country=kwargs.pop("country", "Ghana"),
            **kwargs,
        )
        self.vacancies.add_child(instance=vacancy)
        vacancy.save_revision().publish()
        return vacancy

    def scholarship(self, title=None, closes_in=30, organisation=None, **kwargs):
        number = next(_numbers)
        scholarship = Scholarship(
            title=title or f"Scholarship number {number}",
            organisation=organisation or self.college,
            closing_date=timezone.localdate() + timedelta(days=closes_in),
            description=f"<p>About scholarship {number}.</p>",
            apply_email="grants@college.example.org",
            level=kwargs.pop("level", "masters"),
            field_of_study=kwargs.pop("field_of_study", "Engineering"),
            country=kwargs.pop("country", "Ghana"),
            funding=kwargs.pop("funding", "Full tuition"),
            **kwargs,
        )
        self.scholarships.add_child(instance=scholarship)
        scholarship.save_revision().publish()
        return scholarship
