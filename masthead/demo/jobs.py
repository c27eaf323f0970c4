"""The demo's Jobs & Scholarships: organisations with drawn logos, vacancies and scholarships.

Closing dates count from today, so that the boards always show open listings, a few closing
this week and one closed; everything else is the same every run."""

from datetime import timedelta

from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from masthead.jobs.models import Organisation, Scholarship, ScholarshipBoard, Vacancy, VacancyBoard

ORGANISATIONS = [
    # name, colour, about
    ("Tema Harbour Logistics", (22, 82, 140), "Port logistics and warehousing on the coast."),
    ("Volta Solar Cooperative", (214, 140, 24), "Community-owned solar farms and mini-grids."),
    ("Kumasi Teaching Hospital", (170, 40, 50), "A 1,200-bed teaching hospital."),
    ("Coastal Savings Bank", (20, 110, 90), "Savings, loans and mobile banking since 1978."),
    ("University of the Savannah", (90, 60, 140), "Public university with 14 faculties."),
    ("Green Fields Agro Institute", (60, 130, 40), "Research and training in farming."),
]

# title, organisation, type, workplace, location, salary (min, max) or None, closes in days
VACANCIES = [
    ("Warehouse supervisor", 0, "FULL_TIME", "onsite", "Tema", (4000, 5500), 24),
    ("Customs clearing officer", 0, "FULL_TIME", "onsite", "Tema", (3500, 4200), 5),
    ("Solar installation technician", 1, "FULL_TIME", "onsite", "Ho", (2800, 3600), 31),
    ("Community outreach volunteer", 1, "VOLUNTEER", "hybrid", "Ho", None, 12),
    ("Data analyst", 1, "CONTRACTOR", "remote", "", (6000, 8000), 2),
    ("Registered nurse, night shifts", 2, "FULL_TIME", "onsite", "Kumasi", (3800, 4600), 40),
    ("Medical records clerk", 2, "PART_TIME", "onsite", "Kumasi", None, 18),
    ("Branch manager", 3, "FULL_TIME", "onsite", "Accra", (9000, 12000), 27),
    ("Mobile app developer", 3, "FULL_TIME", "hybrid", "Accra", (8000, 11000), 0),
    ("Graduate trainee, credit", 3, "INTERN", "onsite", "Takoradi", (1800, 1800), 45),
    ("Library assistant", 4, "TEMPORARY", "onsite", "Tamale", None, -3),
]

# title, organisation, level, field, country, funding, closes in days
SCHOLARSHIPS = [
    ("Savannah merit scholarship", 4, "undergraduate", "Any", "Ghana", "Full tuition", 35),
    ("Master's in agricultural economics", 5, "masters", "Agricultural economics", "Ghana",
     "Tuition and a monthly stipend of GHS 1,500", 20),
    ("Doctoral fellowship in renewable energy", 1, "doctoral", "Engineering", "Germany",
     "EUR 1,400 a month for three years", 60),
    ("Nursing school bursary", 2, "professional", "Nursing", "Ghana", "GHS 6,000 a year", 4),
    ("Young farmers' short course", 5, "professional", "Agriculture", "Kenya",
     "Course fees, travel and board", 14),
    ("Postdoctoral grant in public health", 2, "postdoctoral", "Public health", "South Africa",
     "USD 30,000 for one year", 50),
]  # fmt: skip

VACANCY_TEXT = (
    "<p>{org} is looking for a {title_lower} to join a growing team in {place}.</p>"
    "<h3>What you will do</h3><ul><li>Take charge of daily work and its records.</li>"
    "<li>Work with colleagues across departments.</li><li>Report to the head of unit.</li></ul>"
    "<h3>What we ask</h3><ul><li>Relevant training or experience.</li>"
    "<li>Care, patience and good written English.</li></ul>"
)
SCHOLARSHIP_TEXT = (
    "<p>{org} offers the {title} to students of {field}.</p>"
    "<p>Successful candidates keep the award for the length of the programme if their "
    "results stay good.</p>"
)


def draw_logo(name, colour):
    """A square monogram on the organisation's colour."""
    image = Image.new("RGB", (240, 240), colour)
    draw = ImageDraw.Draw(image)
    letters = "".join(word[0] for word in name.split() if word[0].isupper())[:2]
    draw.ellipse((20, 20, 220, 220), outline=(255, 255, 255), width=8)
    draw.text((120, 122), letters, fill=(255, 255, 255), anchor="mm",
              font=ImageFont.load_default(size=96))  # fmt: skip
    return image


def ensure_jobs(tree, user, save_image):
    """Organisations and listings under the demo's boards; nothing when the boards already have
    listings (or are not boards: a demo made before the board existed)."""
    vacancy_board = tree.get(("jobs-and-scholarships", "job-vacancies"))
    scholarship_board = tree.get(("jobs-and-scholarships", "scholarships"))
    if not isinstance(vacancy_board, VacancyBoard) or vacancy_board.get_children().exists():
        return 0
    organisations = []
    for name, colour, about in ORGANISATIONS:
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            slug = name.lower().replace(" ", "-")
            logo = save_image(
                f"{name} logo", draw_logo(name, colour), f"Logo of {name}", "", user,
                f"demo-logo-{slug}.jpg",
            )  # fmt: skip
            website = f"https://{slug}.example.org"
            organisation = Organisation.objects.create(
                name=name, website=website, logo=logo, about=about
            )
        organisations.append(organisation)
    today = timezone.localdate()
    created = 0
    for number, (title, org, kind, workplace, place, salary, days) in enumerate(VACANCIES):
        organisation = organisations[org]
        vacancy = Vacancy(
            title=title,
            organisation=organisation,
            summary=f"{organisation.name} is hiring in {place or 'a remote team'}.",
            employment_type=kind,
            workplace=workplace,
            location=place,
            country="Ghana",
            salary_min=salary[0] if salary else None,
            salary_max=salary[1] if salary else None,
            salary_currency="GHS" if salary else "",
            salary_period="MONTH",
            closing_date=today + timedelta(days=days),
            description=VACANCY_TEXT.format(
                org=organisation.name, title_lower=title.lower(), place=place or "a remote team"
            ),
            apply_url=f"{organisation.website}/careers/{number + 1}",
            apply_email=f"careers@{organisation.website.split('//')[1]}",
            owner=user,
            live=True,
        )
        vacancy_board.add_child(instance=vacancy)
        vacancy.save_revision(user=user).publish(user=user)
        created += 1
    if isinstance(scholarship_board, ScholarshipBoard):
        for title, org, level, field, country, funding, days in SCHOLARSHIPS:
            organisation = organisations[org]
            scholarship = Scholarship(
                title=title,
                organisation=organisation,
                summary=f"{funding} for {field.lower()} students.",
                level=level,
                field_of_study=field,
                country=country,
                funding=funding,
                closing_date=today + timedelta(days=days),
                description=SCHOLARSHIP_TEXT.format(
                    org=organisation.name, title=title, field=field.lower()
                ),
                eligibility="<p>Citizens of any African country, with a good first degree or "
                "its equivalent.</p>",
                apply_email=f"awards@{organisation.website.split('//')[1]}",
                owner=user,
                live=True,
            )
            scholarship_board.add_child(instance=scholarship)
            scholarship.save_revision(user=user).publish(user=user)
            created += 1
    return created
